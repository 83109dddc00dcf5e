package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
)

// logBuffer is a log sink safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// get answers one admin request.
func get(a *Agent, path string) (int, string) {
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI(path)
	metrics.Admin{Metrics: a.Metrics(), Ready: a.Ready}.Handler()(&ctx)
	return ctx.Response.StatusCode(), string(ctx.Response.Body())
}

// TestMetricsExposition reads /metrics with Prometheus's parser after a
// few calls: every family typed and helped, the histograms with buckets,
// the provider's time observed once per answered call.
func TestMetricsExposition(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	a.SetEtcdHealth(func() bool { return true })
	a.SetRegistration(func() error { return nil }, func() uint64 { return 2 })
	c := dial(t, a)
	for id := uint32(1); id <= 3; id++ {
		expectOK(t, c.roundTrip(id, req("hash", "a")), "97")
	}
	status, body := get(a, "/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	mfs, err := metrics.Check([]byte(body))
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	for name, want := range map[string]float64{
		"provider_agent_requests_total":            3,
		"provider_agent_ok_total":                  3,
		"provider_agent_provider_duration_seconds": 3,
		"provider_agent_queue_wait_seconds":        0,
		"provider_agent_open_connections":          1,
		"provider_agent_provider_up":               1,
		"provider_agent_provider_connections":      2, // up and down summed: one per loop
		"provider_agent_etcd_reachable":            1,
		"provider_agent_registered":                1,
		"provider_agent_lease_regrants_total":      2,
		"provider_agent_draining":                  0,
	} {
		mf := mfs[name]
		if mf == nil {
			t.Errorf("no %s", name)
			continue
		}
		if got := metrics.Sum(mf); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "provider_agent_provider_calls", "provider_agent_gate_refused_total"} {
		if mfs[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}

// TestReadyAndLogsProviderLossAndRecovery: with the provider gone,
// /readyz answers 503 naming it and the log says so once, however many
// redials fail; with it back, /readyz answers 200 and the log says so
// once.
func TestReadyAndLogsProviderLossAndRecovery(t *testing.T) {
	var logs logBuffer
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	if status, body := get(a, "/readyz"); status != 503 || !strings.Contains(body, "not registered in etcd yet") {
		t.Fatalf("before registration: %d %q", status, body)
	}
	// The registration's metrics are there before it, at 0: an alert on
	// them fires for an agent that never reaches etcd.
	_, body := get(a, "/metrics")
	for _, m := range []string{"provider_agent_etcd_reachable 0", "provider_agent_registered 0", "provider_agent_lease_regrants_total 0"} {
		if !strings.Contains(body, "\n"+m+"\n") {
			t.Errorf("before registration, /metrics lacks %q", m)
		}
	}
	var inPlace error
	a.SetRegistration(func() error { return inPlace }, func() uint64 { return 0 })
	if status, body := get(a, "/readyz"); status != 200 {
		t.Fatalf("registered: %d %q", status, body)
	}

	f.stop()
	waitFor(t, "/readyz 503", func() bool { status, _ := get(a, "/readyz"); return status == 503 })
	if _, body := get(a, "/readyz"); !strings.Contains(body, "provider "+f.addr+" unreachable") {
		t.Fatalf("reason %q", body)
	}
	waitFor(t, "failed redials", func() bool { return metric(t, a, "provider_agent_dial_errors_total") >= 2 })
	f.restart(t)
	waitFor(t, "/readyz 200", func() bool { status, _ := get(a, "/readyz"); return status == 200 })

	inPlace = errors.New("registry: not registered: lease lost, registering again")
	if status, body := get(a, "/readyz"); status != 503 || !strings.Contains(body, "lease lost") {
		t.Fatalf("registration lost: %d %q", status, body)
	}
	// Lost because etcd is away: consumer agents route by what they last
	// saw, and the agent serves them, so it stays ready.
	etcdUp := true
	a.SetEtcdHealth(func() bool { return etcdUp })
	if status, body := get(a, "/readyz"); status != 503 || !strings.Contains(body, "lease lost") {
		t.Fatalf("registration lost, etcd reachable: %d %q", status, body)
	}
	etcdUp = false
	if status, body := get(a, "/readyz"); status != 200 {
		t.Fatalf("registration lost with etcd unreachable: %d %q, want ready", status, body)
	}

	waitFor(t, "the recovery's line", func() bool { return strings.Contains(logs.String(), "provider reachable again") })
	provider := "provider=" + f.addr
	for _, want := range []string{
		`level=INFO msg="provider connected" ` + provider,
		`level=WARN msg="provider unreachable" ` + provider + ` reason=`,
		`level=INFO msg="provider reachable again" ` + provider + ` after=`,
	} {
		if n := strings.Count(logs.String(), want); n != 1 {
			t.Errorf("%d lines with %q", n, want)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs.String())
	}
}

// fakeWeigher records the weights set through /weight.
type fakeWeigher struct {
	mu      sync.Mutex
	weight  int
	inPlace bool
	err     error
}

func (w *fakeWeigher) SetWeight(_ context.Context, n int) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.weight = n
	return w.inPlace, w.err
}

func (w *fakeWeigher) Weight() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.weight
}

// admin answers one admin request with method and uri.
func admin(a *Agent, method, uri string) (int, string) {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	a.admin().Handler()(&ctx)
	return ctx.Response.StatusCode(), string(ctx.Response.Body())
}

func TestWeightEndpoint(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	if st, _ := admin(a, "POST", "/weight?value=3"); st != 503 {
		t.Fatalf("POST /weight before registration: %d, want 503", st)
	}
	w := &fakeWeigher{weight: 1, inPlace: true}
	a.SetWeigher(w)
	if st, body := admin(a, "GET", "/weight"); st != 200 || body != "weight 1\n" {
		t.Fatalf("GET /weight: %d %q", st, body)
	}
	if st, body := admin(a, "POST", "/weight?value=7"); st != 200 || body != "weight 7\n" || w.Weight() != 7 {
		t.Fatalf("POST /weight?value=7: %d %q, weight %d", st, body, w.Weight())
	}
	for _, bad := range []string{"/weight", "/weight?value=0", "/weight?value=1001", "/weight?value=x", "/weight?value=-2"} {
		if st, _ := admin(a, "POST", bad); st != 400 {
			t.Fatalf("POST %s: %d, want 400", bad, st)
		}
	}
	if w.Weight() != 7 {
		t.Fatalf("a refused value changed the weight to %d", w.Weight())
	}
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("PUT")
	ctx.Request.SetRequestURI("/weight?value=2")
	a.admin().Handler()(&ctx)
	if st, allow := ctx.Response.StatusCode(), string(ctx.Response.Header.Peek("Allow")); st != 405 || allow != "GET, POST" {
		t.Fatalf("PUT /weight: %d, Allow %q; want 405, GET, POST", st, allow)
	}
	w.inPlace = false
	if st, _ := admin(a, "POST", "/weight?value=4"); st != 202 || w.Weight() != 4 {
		t.Fatalf("POST while the lease is renewed: %d, weight %d; want 202, 4", st, w.Weight())
	}
	if got := metric(t, a, "provider_agent_weight"); got != 4 {
		t.Fatalf("provider_agent_weight = %v, want 4", got)
	}
	if got := metric(t, a, "provider_agent_weight_changes_total"); got != 7 {
		t.Fatalf("provider_agent_weight_changes_total = %v, want 7 (1 applied, 5 refused, 1 pending)", got)
	}
}
