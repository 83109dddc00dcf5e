package registry

import (
	"crypto/tls"
	"errors"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

// secureEtcd is an embedded etcd serving clients over mutual TLS with
// authentication on, and the files of a client certificate it accepts.
type secureEtcd struct {
	e      *Embedded
	client TLSFiles
}

const (
	testRootPassword  = "root-secret"
	testAgentUser     = "agent"
	testAgentPassword = "agent-secret"
)

func startSecureEtcd(t *testing.T) *secureEtcd {
	t.Helper()
	ca, err := certgen.NewCA("etcd-ca")
	assertNoErr(t, err, "NewCA")
	dir := t.TempDir()
	files := func(name string) TLSFiles {
		p, err := ca.IssueFiles(dir, name, certgen.Leaf{Name: name, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
		assertNoErr(t, err, "IssueFiles")
		return TLSFiles{Cert: p.Cert, Key: p.Key, CA: p.CA}
	}
	server := files("etcd")
	e, err := StartMember(MemberConfig{Name: "secure", Dir: filepath.Join(dir, "data"), ClientTLS: &server})
	assertNoErr(t, err, "StartMember with TLS")
	t.Cleanup(e.Close)
	s := &secureEtcd{e: e, client: files("client")}
	cli := s.dial(t)
	assertNoErr(t, EnableAuth(ctxT(t, 5*time.Second), cli, testRootPassword, testAgentUser, testAgentPassword), "EnableAuth")
	cli.Close()
	return s
}

// dial returns a client with TLS and opts.
func (s *secureEtcd) dial(t *testing.T, opts ...ClientOption) *clientv3.Client {
	t.Helper()
	cfg, err := s.client.Config()
	assertNoErr(t, err, "TLSFiles.Config")
	cli, err := NewClient(s.e.Endpoints()[0], append([]ClientOption{WithTLS(cfg)}, opts...)...)
	assertNoErr(t, err, "NewClient")
	t.Cleanup(func() { cli.Close() })
	return cli
}

// TestEtcdTLSAndAuth: with TLS and auth on, only a client with a
// certificate and the agents' user gets in, and it can register, discover
// and see etcd healthy.
func TestEtcdTLSAndAuth(t *testing.T) {
	s := startSecureEtcd(t)
	ep := s.e.Endpoints()[0]
	if ep[:8] != "https://" {
		t.Fatalf("endpoint %s, want https://", ep)
	}

	// Plain HTTP to a TLS etcd gets nowhere.
	plain, err := NewClient("http://"+ep[8:], func(c *clientv3.Config) { c.DialTimeout = 500 * time.Millisecond })
	if err == nil {
		_, err = plain.Get(ctxT(t, time.Second), "x")
		plain.Close()
	}
	if err == nil {
		t.Fatal("a plaintext client read from a TLS etcd")
	}

	// TLS without a user is refused by auth.
	anon := s.dial(t)
	if _, err := anon.Put(ctxT(t, 5*time.Second), Key(testIface, "10.0.0.9:1"), "{}"); err == nil {
		t.Fatal("an unauthenticated client wrote with auth on")
	}

	// A wrong password is refused.
	if bad, err := NewClient(ep, WithTLS(mustTLS(t, s.client)), WithAuth(testAgentUser, "wrong")); err == nil {
		_, err = bad.Get(ctxT(t, 5*time.Second), Prefix)
		bad.Close()
		if err == nil {
			t.Fatal("a wrong password was let in")
		}
	}

	// The flags, as an agent parses them, with the password from the
	// environment.
	var o EtcdOptions
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	o.Register(fs)
	assertNoErr(t, fs.Parse([]string{"--etcd", ep, "--etcd-cert", s.client.Cert, "--etcd-key", s.client.Key,
		"--etcd-ca", s.client.CA, "--etcd-user", testAgentUser}), "Parse")
	var c cmdline.Check
	o.Check(&c, func(k string) string {
		if k == PasswordEnv {
			return testAgentPassword
		}
		return ""
	})
	assertNoErr(t, c.Err(), "Check")
	cli, err := NewClient(o.Endpoints, o.ClientOptions()...)
	assertNoErr(t, err, "NewClient")
	defer cli.Close()
	e := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 2, TLS: true}
	reg, err := Register(ctxT(t, 5*time.Second), cli, []Endpoint{e}, 5)
	assertNoErr(t, err, "Register")
	defer reg.Close(ctxT(t, 2*time.Second))
	got := make(chan Snapshot, 1)
	d, err := Discover(ctxT(t, 5*time.Second), cli, func(s Snapshot) {
		select {
		case got <- s:
		default:
		}
	})
	assertNoErr(t, err, "Discover")
	defer d.Close()
	if snap := <-got; len(snap[testIface]) != 1 || snap[testIface][0] != e {
		t.Fatalf("discovered %v, want %v", snap, e)
	}
	h := WatchHealth(cli, nil)
	defer h.Close()
	deadline := time.Now().Add(3 * time.Second)
	for !h.Reachable() {
		if time.Now().After(deadline) {
			t.Fatal("etcd not reachable for a user allowed only the registry's keys")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The probe reads inside the prefix: refused nothing, it logs nothing
	// (a key outside it got a permission error etcd's client logged).
	if h.Denied() {
		t.Fatal("the health probe was refused for a user allowed the registry's keys")
	}
}

func mustTLS(t *testing.T, f TLSFiles) *tls.Config {
	t.Helper()
	cfg, err := f.Config()
	assertNoErr(t, err, "Config")
	return cfg
}

func TestEtcdOptionsCheck(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("s3cret\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	env := func(v string) func(string) string { return func(string) string { return v } }
	for _, c := range []struct {
		args     []string
		env      string
		badFlag  string
		password string
	}{
		{args: nil},
		{args: []string{"--etcd", "https://h:2379"}},
		{args: []string{"--etcd-ca", "/x.pem"}, badFlag: "etcd-ca"}, // http:// endpoint
		{args: []string{"--etcd", "https://h:1,http://h:2"}, badFlag: "etcd"},
		{args: []string{"--etcd", "https://h:1", "--etcd-cert", "/c.pem"}, badFlag: "etcd-cert"},
		{args: []string{"--etcd", "https://h:1", "--etcd-key", "/k.pem"}, badFlag: "etcd-key"},
		{args: []string{"--etcd", "https://h:1", "--etcd-ca", "/nonexistent.pem"}, badFlag: "etcd-ca"},
		{args: []string{"--etcd-user", "agent"}, badFlag: "etcd-user"},
		{args: []string{"--etcd-user", "agent"}, env: "pw", password: "pw"},
		{args: []string{"--etcd-user", "agent", "--etcd-password-file", pw}, env: "other", password: "s3cret"},
		{args: []string{"--etcd-user", "agent", "--etcd-password-file", empty}, badFlag: "etcd-password-file"},
		{args: []string{"--etcd-password-file", pw}, badFlag: "etcd-password-file"},
	} {
		var o EtcdOptions
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o.Register(fs)
		assertNoErr(t, fs.Parse(c.args), "Parse")
		var ch cmdline.Check
		o.Check(&ch, env(c.env))
		var ce *cmdline.Error
		switch {
		case c.badFlag == "" && ch.Err() != nil:
			t.Errorf("%v: %v", c.args, ch.Err())
		case c.badFlag != "" && (!errors.As(ch.Err(), &ce) || ce.Flag != c.badFlag):
			t.Errorf("%v: error %v, want one for --%s", c.args, ch.Err(), c.badFlag)
		case c.badFlag == "" && o.password != c.password:
			t.Errorf("%v: password %q, want %q", c.args, o.password, c.password)
		}
	}
}
