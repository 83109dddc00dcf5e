package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/registry"
)

const (
	echoIface  = "com.dubbomesh.demo.EchoService"
	stringType = "Ljava/lang/String;"
)

// startAgent starts a consumer agent on a free loopback port with two loops
// (every test uses two: netpoll's poller count is process-wide).
func startAgent(t testing.TB, cfg Config) *Agent {
	t.Helper()
	cfg.Listen = "127.0.0.1:0"
	cfg.Loops = 2
	if cfg.StartWait == 0 {
		cfg.StartWait = -1 // tests route before they call, and some want failures at once
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// route makes a route by s and waits until every loop is connected to every
// provider agent in it.
func route(t testing.TB, a *Agent, s registry.Snapshot) {
	t.Helper()
	a.Update(s)
	for _, eps := range s {
		for _, e := range eps {
			a.mu.Lock()
			ep := a.endpoints[e.Addr]
			a.mu.Unlock()
			if ep == nil {
				t.Fatalf("no endpoint for %s after Update", e.Addr)
			}
			for i, c := range ep.conns {
				if !c.Ready(5 * time.Second) {
					t.Fatalf("loop %d did not connect to %s", i, e.Addr)
				}
			}
		}
	}
}

// snapshot routes iface to the given endpoints.
func snapshot(iface string, eps ...registry.Endpoint) registry.Snapshot {
	return registry.Snapshot{iface: eps}
}

// echoAgent starts an agent routing echoIface to one fake answering by p.
func echoAgent(t testing.TB, cfg Config, p planFunc) (*Agent, *fakeAgent) {
	t.Helper()
	f := newFake(t, p)
	a := startAgent(t, cfg)
	route(t, a, snapshot(echoIface, f.endpoint(echoIface, 1)))
	f.waitOpen(2)
	return a, f
}

// client is a raw HTTP client connection: requests are written as given,
// so tests control pipelining and framing.
type client struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

func dial(t testing.TB, a *Agent) *client {
	t.Helper()
	nc, err := net.Dial("tcp", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(15 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatal(err)
	}
}

// read reads one response and its body.
func (c *client) read() (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.t.Fatalf("reading a response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatalf("reading a response body: %v", err)
	}
	return resp, string(body)
}

// expect reads one response and checks its status and body.
func (c *client) expect(status int, body string) *http.Response {
	c.t.Helper()
	resp, got := c.read()
	if resp.StatusCode != status || got != body {
		c.t.Fatalf("got %d %q, want %d %q", resp.StatusCode, got, status, body)
	}
	return resp
}

// expectError reads one response and checks that it is an error with status,
// whose one-line body contains part.
func (c *client) expectError(status int, part string) *http.Response {
	c.t.Helper()
	resp, body := c.read()
	if resp.StatusCode != status {
		c.t.Fatalf("got %d %q, want %d", resp.StatusCode, body, status)
	}
	if !strings.HasPrefix(body, "error: ") || !strings.HasSuffix(body, "\n") || strings.Count(body, "\n") != 1 {
		c.t.Fatalf("error body %q is not one line \"error: ...\"", body)
	}
	if !strings.Contains(body, part) {
		c.t.Fatalf("error body %q does not contain %q", body, part)
	}
	return resp
}

// expectClosed checks that the agent closed the connection with nothing more
// to read.
func (c *client) expectClosed() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := c.br.ReadByte()
	if err == nil {
		c.t.Fatalf("connection still open: read %q", b)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		c.t.Fatalf("connection not closed: %v", err)
	}
}

// expectOpen checks that the connection stays open and quiet for a while.
func (c *client) expectOpen() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
	b, err := c.br.ReadByte()
	if err == nil {
		c.t.Fatalf("unexpected byte %q", b)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		c.t.Fatalf("connection closed: %v", err)
	}
	c.nc.SetReadDeadline(time.Now().Add(15 * time.Second))
}

// form encodes a call's form; params are repeated in order.
func form(iface, method, types string, params ...string) string {
	var b strings.Builder
	b.WriteString("interface=" + url.QueryEscape(iface))
	b.WriteString("&method=" + url.QueryEscape(method))
	b.WriteString("&parameterTypesString=" + url.QueryEscape(types))
	for _, p := range params {
		b.WriteString("&parameter=" + url.QueryEscape(p))
	}
	return b.String()
}

// echoForm is the form of EchoService.echo(p).
func echoForm(p string) string { return form(echoIface, "echo", stringType, p) }

// post returns an HTTP/1.1 POST carrying body, with extra header lines.
func post(body string, headers ...string) string {
	return postProto("HTTP/1.1", body, headers...)
}

func postProto(proto, body string, headers ...string) string {
	var b strings.Builder
	b.WriteString("POST / " + proto + "\r\nHost: agent\r\nContent-Type: application/x-www-form-urlencoded\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.String()
}

// metric returns the value of the agent's metric name, summed over its
// series. consumer_agent_responses_<code>_total reads the series of
// consumer_agent_responses_total with that code (41x: 411, 413 and 431).
func metric(t testing.TB, a *Agent, name string) float64 {
	t.Helper()
	if code, ok := strings.CutPrefix(name, "consumer_agent_responses_"); ok && code != "total" {
		code = strings.TrimSuffix(code, "_total")
		if code == "41x" {
			return metric(t, a, "consumer_agent_responses_411_total") + metric(t, a, "consumer_agent_responses_413_total") +
				metric(t, a, "consumer_agent_responses_431_total")
		}
		v, _ := metrics.Value(a.Metrics(), "consumer_agent_responses_total", "code", code)
		return v
	}
	v, ok := metrics.Value(a.Metrics(), name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return v
}

// expectMetric checks the value of a metric, waiting a little for it since
// counters are bumped on other goroutines.
func expectMetric(t testing.TB, a *Agent, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := metric(t, a, name)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFor polls cond for up to 5s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func check(t testing.TB, what string, got, want any) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// TestMain keeps the agent's log quiet unless -v is given.
func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Verbose() {
		log.SetOutput(io.Discard)
	}
	os.Exit(m.Run())
}

// closedLoop is n clients of a, each calling echoForm in a closed loop from
// its own connection until stop: it waits for them and returns the calls
// not answered 200.
type closedLoop struct {
	stop   atomic.Bool
	wg     sync.WaitGroup
	failed atomic.Int64
}

func startClosedLoop(t testing.TB, a *Agent, n int) *closedLoop {
	t.Helper()
	l := &closedLoop{}
	for i := range n {
		c := dial(t, a)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for !l.stop.Load() {
				c.send(post(echoForm(fmt.Sprint("c", i))))
				if resp, _ := c.read(); resp.StatusCode != 200 {
					l.failed.Add(1)
				}
			}
		}()
	}
	return l
}

func (l *closedLoop) end() int64 {
	l.stop.Store(true)
	l.wg.Wait()
	return l.failed.Load()
}
