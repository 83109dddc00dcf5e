package registry

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func waitCond(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHealthSeesEtcdGoAndComeBack probes an etcd that stops and restarts:
// Reachable follows it, and the log has one line for each change.
func TestHealthSeesEtcdGoAndComeBack(t *testing.T) {
	dir := t.TempDir()
	e, err := StartEmbedded(dir)
	assertNoErr(t, err, "StartEmbedded")
	t.Cleanup(func() { e.Close() })
	addr := strings.TrimPrefix(e.Endpoints()[0], "http://")
	cli := newClient(t, e.Endpoints())
	var logs syncBuffer
	h := WatchHealth(cli, slog.New(slog.NewTextHandler(&logs, nil)))
	defer h.Close()
	waitCond(t, 3*time.Second, "reachable", h.Reachable)

	e.Close()
	start := time.Now()
	waitCond(t, 6*time.Second, "unreachable after etcd stopped", func() bool { return !h.Reachable() })
	t.Logf("etcd seen gone in %v", time.Since(start).Round(time.Millisecond))

	e2, err := StartEmbeddedAt(dir, addr)
	assertNoErr(t, err, "StartEmbeddedAt")
	t.Cleanup(e2.Close)
	waitCond(t, 10*time.Second, "reachable after the restart", h.Reachable)
	h.Close()
	cli.Close()

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	want := []string{`level=INFO msg="etcd connected"`, `level=WARN msg="etcd unreachable" err=`, `level=INFO msg="etcd reachable again" after=`}
	if len(lines) != len(want) {
		t.Fatalf("log:\n%s", logs.String())
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d: %q, want %q", i, lines[i], w)
		}
	}
}

// TestRegistrationInPlace follows a registration through a lost lease and
// its regrant, then Close.
func TestRegistrationInPlace(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 2}
	r := register(t, cli, 2, ep)
	if err := r.InPlace(); err != nil {
		t.Fatalf("InPlace after Register: %v", err)
	}
	_, lease, _ := getKey(t, cli, Key(ep.Interface, ep.Addr))
	_, err := cli.Revoke(ctxT(t, 5*time.Second), lease)
	assertNoErr(t, err, "Revoke")
	waitCond(t, 5*time.Second, "granted again", func() bool { return r.Regrants() == 1 && r.InPlace() == nil })
	assertNoErr(t, r.Close(ctxT(t, 5*time.Second)), "Close")
	if err := r.InPlace(); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("InPlace after Close: %v", err)
	}
}
