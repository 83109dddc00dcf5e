package logging

import (
	"bytes"
	"encoding/json"
	"flag"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

// buffer is a goroutine-safe log sink.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func (b *buffer) lines() []string {
	s := strings.TrimSpace(b.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func parse(t *testing.T, args ...string) (Options, error) {
	t.Helper()
	var o Options
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	o.Register(fs)
	if err := cmdline.Parse(fs, args); err != nil {
		return o, err
	}
	var c cmdline.Check
	o.Check(&c)
	return o, c.Err()
}

func TestFlags(t *testing.T) {
	o, err := parse(t)
	if err != nil || o.Format != "text" || o.Level != "info" {
		t.Fatalf("defaults: %+v %v", o, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "yaml"}, `--log-format: want text or json (got "yaml")`},
		{[]string{"--log-level", "loud"}, `--log-level: want debug, info, warn or error (got "loud")`},
		{[]string{"--log-level"}, `--log-level: needs a value`},
	} {
		if _, err := parse(t, c.args...); err == nil || err.Error() != c.want {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	if o, err := parse(t, "--log-format", "json", "--log-level", "DEBUG"); err != nil || o.Format != "json" {
		t.Fatalf("json debug: %+v %v", o, err)
	}
}

func TestNewFormatsAndLevels(t *testing.T) {
	var b buffer
	lg := Options{Format: "json", Level: "warn"}.New(&b)
	lg.Info("dropped")
	lg.Warn("provider unreachable", "provider", "127.0.0.1:1", "after", 1500*time.Millisecond)
	lines := b.lines()
	if len(lines) != 1 {
		t.Fatalf("lines %q", lines)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil || m["msg"] != "provider unreachable" || m["level"] != "WARN" || m["provider"] != "127.0.0.1:1" || m["after"] != "1.5s" {
		t.Fatalf("json line %q: %v %v", lines[0], m, err)
	}
	b = buffer{}
	Options{Format: "text", Level: "debug"}.New(&b).Debug("hello", "k", 1)
	if s := b.String(); !strings.Contains(s, "level=DEBUG msg=hello k=1") {
		t.Fatalf("text line %q", s)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(time.Second)
	now := time.Unix(1000, 0)
	l.now = func() time.Time { return now }
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("first line held")
	}
	for i := 0; i < 5; i++ {
		if ok, _ := l.Allow("a"); ok {
			t.Fatal("repeat let through within the interval")
		}
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key held")
	}
	now = now.Add(time.Second)
	if ok, n := l.Allow("a"); !ok || n != 5 {
		t.Fatalf("after the interval: %v, repeated %d", ok, n)
	}
	var b buffer
	lg := slog.New(slog.NewTextHandler(&b, nil))
	l.Log(lg, slog.LevelWarn, "a")
	now = now.Add(time.Second)
	l.Log(lg, slog.LevelWarn, "a")
	if s := b.String(); strings.Count(s, "msg=a") != 1 || !strings.Contains(s, "repeated=1") {
		t.Fatalf("log %q", s)
	}
}

func TestSwitchLogsEachChangeOnce(t *testing.T) {
	var b buffer
	s := NewSwitch(slog.New(slog.NewTextHandler(&b, nil)), 0)
	s.Set(true, "provider reachable")
	s.Set(true, "provider reachable")
	s.Set(false, "provider unreachable", "err", "connection refused")
	s.Set(false, "provider unreachable", "err", "connection refused")
	s.Set(true, "provider reachable")
	lines := b.lines()
	if len(lines) != 3 || !strings.Contains(lines[0], "level=INFO msg=\"provider reachable\"") ||
		!strings.Contains(lines[1], `level=WARN msg="provider unreachable" err="connection refused"`) ||
		!strings.Contains(lines[2], "level=INFO") {
		t.Fatalf("lines:\n%s", b.String())
	}
	if on, known := s.On(); !on || !known {
		t.Fatalf("On = %v %v", on, known)
	}
}

func TestSwitchFoldsFlapping(t *testing.T) {
	var b buffer
	s := NewSwitch(slog.New(slog.NewTextHandler(&b, nil)), 100*time.Millisecond)
	s.Set(false, "down")
	for i := 0; i < 10; i++ {
		s.Set(true, "up")
		s.Set(false, "down")
	}
	s.Set(true, "up")
	if n := len(b.lines()); n != SwitchBurst {
		t.Fatalf("%d lines within the interval:\n%s", n, b.String())
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(b.lines()) <= SwitchBurst && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	lines := b.lines()
	if len(lines) != SwitchBurst+1 || !strings.Contains(lines[SwitchBurst], "msg=up changes=18") {
		t.Fatalf("lines:\n%s", b.String())
	}
}

func TestZap(t *testing.T) {
	var b buffer
	zl := Zap(slog.New(slog.NewTextHandler(&b, nil))).Named("etcd-client")
	zl.Info("dropped")
	zl.Warn("retrying of unary invoker failed", zap.String("target", "etcd-endpoints://x"), zap.Error(errTest))
	zl.Warn("retrying of unary invoker failed", zap.String("target", "etcd-endpoints://x"))
	zl.With(zap.Int("member", 3)).Error("lost leader")
	lines := b.lines()
	if len(lines) != 2 {
		t.Fatalf("lines:\n%s", b.String())
	}
	if !strings.Contains(lines[0], `level=WARN msg="retrying of unary invoker failed" logger=etcd-client error=boom target=etcd-endpoints://x`) {
		t.Errorf("warning %q", lines[0])
	}
	if !strings.Contains(lines[1], `level=ERROR msg="lost leader" logger=etcd-client member=3`) {
		t.Errorf("error %q", lines[1])
	}
	Zap(nil).Error("nowhere")
}

func TestGRPC(t *testing.T) {
	var b buffer
	g := &grpcLogger{lg: slog.New(slog.NewTextHandler(&b, nil)), limit: NewLimiter(time.Hour)}
	g.Infof("dropped %d", 1)
	g.Warningf("addrConn.createTransport failed to connect to %s", "127.0.0.1:1")
	g.Warningf("addrConn.createTransport failed to connect to %s", "127.0.0.1:2")
	g.Error("broken")
	lines := b.lines()
	if len(lines) != 2 || !strings.Contains(lines[0], "127.0.0.1:1") || !strings.Contains(lines[0], "logger=grpc") || !strings.Contains(lines[1], "level=ERROR msg=broken") {
		t.Fatalf("lines:\n%s", b.String())
	}
	if g.V(2) {
		t.Fatal("V(2)")
	}
}

var errTest = testErr("boom")

type testErr string

func (e testErr) Error() string { return string(e) }

func TestClip(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{{"short", 8, "short"}, {"exactly8", 8, "exactly8"}, {"a longer one", 8, "a longer..."}} {
		if got := Clip(c.s, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
