package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/registry"
)

// TestMetricsExposition reads the agent's /metrics after a few calls with
// Prometheus's parser: every family typed and helped, the histogram with
// its buckets, the Go and process collectors there, and the calls counted
// by service, code and provider agent.
func TestMetricsExposition(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	for _, p := range []string{"a", "b", "c"} {
		c.send(post(echoForm(p)))
		c.expect(200, p)
	}
	c.send(post(form("com.example.Nobody", "echo", stringType, "x")))
	c.expectError(503, "no provider agent is registered")
	c.send(post("interface=" + echoIface)) // no method
	c.expectError(400, "")

	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/metrics")
	metrics.Admin{Metrics: a.Metrics(), Ready: a.Ready}.Handler()(&ctx)
	if ctx.Response.StatusCode() != 200 {
		t.Fatalf("/metrics: %d", ctx.Response.StatusCode())
	}
	mfs, err := metrics.Check(ctx.Response.Body())
	if err != nil {
		t.Fatalf("%v\n%s", err, ctx.Response.Body())
	}
	agent := f.addr()
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"consumer_agent_responses_total", []string{"service", echoIface, "code", "200"}, 3},
		{"consumer_agent_responses_total", []string{"service", noService, "code", "503"}, 1},
		{"consumer_agent_responses_total", []string{"service", noService, "code", "400"}, 1},
		{"consumer_agent_requests_total", nil, 5},
		{"consumer_agent_upstream_requests_total", []string{"agent", agent}, 3},
		{"consumer_agent_upstream_in_flight", []string{"agent", agent}, 0},
		{"consumer_agent_upstream_connections", []string{"agent", agent, "state", "up"}, 2},
		{"consumer_agent_upstream_available", []string{"agent", agent}, 1},
		{"consumer_agent_request_duration_seconds", []string{"agent", agent}, 3},
		{"consumer_agent_endpoints", []string{"service", echoIface}, 1},
		{"consumer_agent_sidelined_total", []string{"agent", agent}, 0},
		{"consumer_agent_open_connections", nil, 1},
	} {
		mf := mfs[c.name]
		if mf == nil {
			t.Errorf("no %s", c.name)
			continue
		}
		if got := metrics.Sum(mf, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if mfs[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}

// TestReady: /readyz is 503 until a service has a provider agent, 200 while
// one is connected, and 503 again once none is.
func TestReady(t *testing.T) {
	a := startAgent(t, Config{})
	h := metrics.Admin{Metrics: a.Metrics(), Ready: a.Ready}.Handler()
	readyz := func() (int, string) {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI("/readyz")
		h(&ctx)
		return ctx.Response.StatusCode(), string(ctx.Response.Body())
	}
	// Before etcd is read, the reason says so, and so does a call.
	if code, body := readyz(); code != 503 || !strings.Contains(body, "no provider agent known yet: etcd has not been read") {
		t.Fatalf("before etcd was read: %d %q", code, body)
	}
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expectError(503, "no provider agent known yet: etcd has not been read")
	a.Update(registry.Snapshot{})
	if code, body := readyz(); code != 503 || !strings.Contains(body, "no provider agent known: etcd lists none for any service") {
		t.Fatalf("etcd read, empty: %d %q", code, body)
	}
	f := newFake(t, echoPlan)
	route(t, a, snapshot(echoIface, f.endpoint(echoIface, 1)))
	if code, body := readyz(); code != 200 {
		t.Fatalf("routed: %d %q", code, body)
	}
	f.close()
	waitFor(t, "not ready with the only provider agent gone", func() bool { code, _ := readyz(); return code == 503 })
	if _, body := readyz(); !strings.Contains(body, "none of the 1 provider agents known is connected") {
		t.Fatalf("reason %q", body)
	}
}

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

// TestLogsStateChanges: a provider agent joining, becoming unreachable and
// leaving is logged once each; being sidelined and coming back in rotation
// is logged as it happens, never once per failed call.
func TestLogsStateChanges(t *testing.T) {
	var logs logBuffer
	a, f := echoAgent(t, Config{Log: slog.New(slog.NewTextHandler(&logs, nil))}, failPlan(protocol.StatusOverloaded, "busy"))
	c := dial(t, a)
	const failed = 5
	c.send(strings.Repeat(post(echoForm("x")), failed))
	for range failed {
		c.read()
	}
	f.setPlan(echoPlan)
	waitFor(t, "back in rotation", func() bool { return strings.Contains(logs.String(), "provider agent back in rotation") })
	f.close()
	waitFor(t, "unreachable", func() bool { return strings.Contains(logs.String(), "provider agent unreachable") })
	a.Update(nil)
	waitFor(t, "left", func() bool { return strings.Contains(logs.String(), "provider agent left") })
	agent := "agent=" + f.addr()
	for _, want := range []string{
		`level=INFO msg="provider agent joined" ` + agent + " service=" + echoIface,
		`level=INFO msg="provider agent connected" ` + agent,
		`level=WARN msg="provider agent unreachable" ` + agent,
		`level=INFO msg="provider agent left" ` + agent,
	} {
		if n := strings.Count(logs.String(), want); n != 1 {
			t.Errorf("%d lines with %q", n, want)
		}
	}
	// Each pause ends before the next failure starts one only if the
	// machine is slow: at most one pair per failed call.
	sidelined := strings.Count(logs.String(), `level=WARN msg="provider agent sidelined" `+agent+" reason=overloaded")
	back := strings.Count(logs.String(), `level=INFO msg="provider agent back in rotation" `+agent)
	if sidelined < 1 || sidelined > failed || back < 1 || back > sidelined {
		t.Errorf("%d sidelined lines and %d back in rotation for %d failed calls", sidelined, back, failed)
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs.String())
	}
}

// Every status the agent answers with has its own series, and any other
// is "other".
func TestCodeIndex(t *testing.T) {
	for i, c := range codes {
		if got := codeIndex(c); got != i {
			t.Errorf("codeIndex(%d) = %d, want %d", c, got, i)
		}
	}
	if got := codeIndex(418); got != len(codes) {
		t.Errorf("codeIndex(418) = %d, want %d (other)", got, len(codes))
	}
}
