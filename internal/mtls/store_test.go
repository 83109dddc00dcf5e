package mtls

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

func TestLoadErrors(t *testing.T) {
	p := newPKI(t, "agent")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	os.WriteFile(garbage, []byte("not pem"), 0o600)
	for name, f := range map[string]Files{
		"no ca":       {Cert: p.files.Cert, Key: p.files.Key},
		"missing key": {Cert: p.files.Cert, Key: "/nonexistent", CA: p.files.CA},
		"key is cert": {Cert: p.files.Cert, Key: p.files.Cert, CA: p.files.CA},
		"ca garbage":  {Cert: p.files.Cert, Key: p.files.Key, CA: garbage},
		"ca missing":  {Cert: p.files.Cert, Key: p.files.Key, CA: "/nonexistent"},
	} {
		if _, err := Load(f); !errors.Is(err, ErrFiles) {
			t.Errorf("%s: Load = %v, want ErrFiles", name, err)
		}
	}
}

func TestReloadKeepsCurrentOnError(t *testing.T) {
	p := newPKI(t, "agent")
	s := mustLoad(t, p.files)
	before := s.NotAfter()
	if err := os.WriteFile(p.files.Cert, []byte("half-written"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); !errors.Is(err, ErrFiles) {
		t.Fatalf("Reload of a broken cert = %v, want ErrFiles", err)
	}
	if s.Loads() != 1 || !s.NotAfter().Equal(before) {
		t.Fatalf("a failed reload changed the store: loads %d", s.Loads())
	}
	p.issue(t, "agent", leafFor("agent"))
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if s.Loads() != 2 {
		t.Fatalf("loads = %d after a good reload, want 2", s.Loads())
	}
}

// Invalid says why the agent's own certificate is refused by every peer:
// expired, or not yet valid; nil for one valid now.
func TestInvalid(t *testing.T) {
	p := newPKI(t, "agent")
	now := time.Now()
	for _, c := range []struct {
		name     string
		from, to time.Time
		want     string
	}{
		{"valid", now.Add(-time.Hour), now.Add(time.Hour), ""},
		{"expired", now.Add(-2 * time.Hour), now.Add(-time.Hour), "expired at"},
		{"not yet valid", now.Add(time.Hour), now.Add(2 * time.Hour), "not valid before"},
	} {
		l := leafFor("agent")
		l.NotBefore, l.NotAfter = c.from, c.to
		s := mustLoad(t, p.issue(t, "agent-"+strings.ReplaceAll(c.name, " ", "-"), l))
		err := s.Invalid(now)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: Invalid = %v, want %q", c.name, err, c.want)
		}
	}
}

// The flags' check names the flag whose file does not load: a CA file that
// is missing or holds no certificate is --tls-ca's, not --tls-cert's.
func TestCheckNamesTheFlag(t *testing.T) {
	p := newPKI(t, "agent")
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	os.WriteFile(garbage, []byte("not pem"), 0o600)
	for _, c := range []struct {
		f    Files
		flag string
	}{
		{Files{Cert: p.files.Cert, Key: p.files.Key, CA: "/nonexistent/ca.crt"}, "--tls-ca"},
		{Files{Cert: p.files.Cert, Key: p.files.Key, CA: garbage}, "--tls-ca"},
		{Files{Cert: "/nonexistent/agent.crt", Key: p.files.Key, CA: p.files.CA}, "--tls-cert"},
	} {
		o := Options{Files: c.f}
		var chk cmdline.Check
		o.Check(&chk)
		if err := chk.Err(); err == nil || !strings.Contains(err.Error(), c.flag+":") {
			t.Errorf("%+v: %v, want it to name %s", c.f, err, c.flag)
		}
	}
}
