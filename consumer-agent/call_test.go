package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/peertest"
	"github.com/dubbomesh/dubbomesh/protocol"
)

func TestPlainCall(t *testing.T) {
	a, f := echoAgent(t, Config{Timeout: 2 * time.Second}, echoPlan)
	c := dial(t, a)
	param := "héllo wörld & a+b=c 100%"
	c.send(post(echoForm(param)))
	resp := c.expect(200, param)
	check(t, "Content-Type", resp.Header.Get("Content-Type"), "text/plain; charset=utf-8")
	check(t, "Content-Length", resp.ContentLength, int64(len(param)))
	check(t, "close", resp.Close, false)

	got := f.lastReq()
	want := lastRequest{timeout: 2000, iface: echoIface, method: "echo", types: stringType, nargs: 1}
	check(t, "request at the provider agent", got, want)
	check(t, "calls", f.calls.Load(), int64(1))
	expectMetric(t, a, "consumer_agent_requests_total", 1)
	expectMetric(t, a, "consumer_agent_responses_200_total", 1)
	expectMetric(t, a, "consumer_agent_inflight", 0)

	// The connection is kept and carries the next call, with a version.
	c.send(post(echoForm("again") + "&version=1.2.3"))
	c.expect(200, "again")
	check(t, "version", f.lastReq().version, "1.2.3")
}

func TestEmptyResult(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	c.send(post(echoForm("")))
	resp := c.expect(200, "")
	check(t, "Content-Length", resp.ContentLength, int64(0))
}

func TestGetWithQuery(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	c.send("GET /?" + form(echoIface, "echo", stringType, "from the query") + " HTTP/1.1\r\nHost: agent\r\n\r\n")
	c.expect(200, "from the query")
	check(t, "method", f.lastReq().method, "echo")

	// Several arguments, in order; the agent checks each against its type.
	c.send("GET /?" + form(echoIface, "concat", stringType+"I", "x", "-42") + " HTTP/1.1\r\nHost: agent\r\n\r\n")
	c.expect(200, "x")
	got := f.lastReq()
	check(t, "types", got.types, stringType+"I")
	check(t, "args", got.nargs, 2)
}

// TestPipelineReverse sends 100 requests in one write; the provider agent
// answers them last first, and the client still gets them in order.
func TestPipelineReverse(t *testing.T) {
	const n = 100
	a, f := echoAgent(t, Config{}, func(*protocol.Request) reply { return reply{act: actHold} })
	c := dial(t, a)
	var b strings.Builder
	for i := range n {
		b.WriteString(post(echoForm(fmt.Sprint("p", i))))
	}
	c.send(b.String())
	f.waitHeld(n)
	expectMetric(t, a, "consumer_agent_inflight", n)
	f.releaseReverse()
	for i := range n {
		c.expect(200, fmt.Sprint("p", i))
	}
	expectMetric(t, a, "consumer_agent_responses_200_total", n)
	c.expectOpen()
}

// TestPipelineDeeperThanMax pipelines far more requests than MaxPipeline,
// answered out of order, some routed and some refused by the agent itself:
// reading pauses at the bound and resumes, nothing deadlocks.
func TestPipelineDeeperThanMax(t *testing.T) {
	const n = 50
	rng := rand.New(rand.NewPCG(1, 2))
	delays := make([]time.Duration, 0, n)
	for range n {
		delays = append(delays, time.Duration(rng.IntN(3000))*time.Microsecond)
	}
	a, f := echoAgent(t, Config{MaxPipeline: 4}, func(r *protocol.Request) reply {
		var i int
		fmt.Sscanf(string(r.Args[0]), "p%d", &i)
		return reply{act: actEcho, delay: delays[i]}
	})
	c := dial(t, a)
	var b strings.Builder
	for i := range n {
		if i%5 == 4 {
			b.WriteString(post(form("no.such.Service", "echo", stringType, "x")))
			continue
		}
		b.WriteString(post(echoForm(fmt.Sprint("p", i))))
	}
	c.send(b.String())
	for i := range n {
		if i%5 == 4 {
			c.expectError(503, "no.such.Service")
			continue
		}
		c.expect(200, fmt.Sprint("p", i))
	}
	check(t, "calls", f.calls.Load(), int64(n-n/5))
	expectMetric(t, a, "consumer_agent_responses_503_total", n/5)
}

func TestHTTP10(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)

	t.Run("close", func(t *testing.T) {
		c := dial(t, a)
		c.send(postProto("HTTP/1.0", echoForm("one")))
		resp := c.expect(200, "one")
		check(t, "close", resp.Close, true)
		c.expectClosed()
	})
	t.Run("keep-alive", func(t *testing.T) {
		c := dial(t, a)
		for _, p := range []string{"one", "two"} {
			c.send(postProto("HTTP/1.0", echoForm(p), "Connection: keep-alive"))
			resp := c.expect(200, p)
			check(t, "Connection", resp.Header.Get("Connection"), "keep-alive")
		}
		c.expectOpen()
	})
}

// TestConnectionClose: the answer to a request with "Connection: close" is
// the last; a request pipelined behind it is not served.
func TestConnectionClose(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	c.send(post(echoForm("first")) + post(echoForm("last"), "Connection: close") + post(echoForm("ignored")))
	c.expect(200, "first")
	resp := c.expect(200, "last")
	check(t, "close", resp.Close, true)
	c.expectClosed()
	check(t, "calls", f.calls.Load(), int64(2))
}

// TestSplitRequests writes two requests one byte per write.
func TestSplitRequests(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	reqs := post(echoForm("split one")) + "GET /?" + form(echoIface, "echo", stringType, "split two") + " HTTP/1.1\r\n\r\n"
	for i := range len(reqs) {
		c.send(reqs[i : i+1])
		if i%16 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	c.expect(200, "split one")
	c.expect(200, "split two")
	expectMetric(t, a, "consumer_agent_requests_total", 2)
}

// TestExpectContinue: a client waiting for 100 Continue gets it, then its
// answer.
func TestExpectContinue(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	body := echoForm("after continue")
	req := post(body, "Expect: 100-continue")
	c.send(req[:len(req)-len(body)])
	c.expect(100, "")
	c.send(body)
	c.expect(200, "after continue")

	// Behind an answer still owed, the 100 Continue comes right after it;
	// not once the body has come.
	f := func(*protocol.Request) reply { return reply{act: actEcho, delay: 100 * time.Millisecond} }
	a, _ = echoAgent(t, Config{}, f)
	c = dial(t, a)
	c.send(post(echoForm("slow")) + req[:len(req)-len(body)])
	c.expect(200, "slow")
	c.expect(100, "")
	c.send(body)
	c.expect(200, "after continue")
	c.send(post(echoForm("slow")) + req[:len(req)-len(body)])
	c.send(body)
	c.expect(200, "slow")
	c.expect(200, "after continue")
}

// TestHalfClose: a client that shuts down its write side after its
// requests (nc -N) gets every answer, in order, then the agent closes the
// connection: the calls in flight at the FIN (b, c) and the ones read but
// not yet made (d, e: a pipeline of 2) are all answered. A request cut
// short by the FIN is not waited for.
func TestHalfClose(t *testing.T) {
	a, f := echoAgent(t, Config{MaxPipeline: 2}, func(*protocol.Request) reply {
		return reply{act: actEcho, delay: 50 * time.Millisecond}
	})
	c := dial(t, a)
	c.send(post(echoForm("a")))
	c.expect(200, "a")
	c.send(post(echoForm("b")) + post(echoForm("c")) + post(echoForm("d")) + post(echoForm("e")))
	waitFor(t, "calls at the provider agent", func() bool { return f.calls.Load() == 3 })
	if err := c.nc.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"b", "c", "d", "e"} {
		c.expect(200, s)
	}
	c.expectClosed()
	expectMetric(t, a, "consumer_agent_inflight", 0)
	expectMetric(t, a, "consumer_agent_responses_200_total", 5)
	expectMetric(t, a, "consumer_agent_abandoned_requests_total", 0)

	// Nothing owed at the FIN: closed at once. A request cut short:
	// closed, not waited for until the read timeout.
	for _, sent := range []string{"", post(echoForm("x"))[:20]} {
		c = dial(t, a)
		c.send(post(echoForm("y")))
		c.expect(200, "y")
		if sent != "" {
			c.send(sent)
		}
		start := time.Now()
		c.nc.(interface{ CloseWrite() error }).CloseWrite()
		c.expectClosed()
		if d := time.Since(start); d > time.Second {
			t.Fatalf("closed %v after the FIN (sent %q)", d, sent)
		}
	}

	c2 := dial(t, a)
	c2.send(post(echoForm("z")))
	c2.expect(200, "z")
}

// TestHalfCloseWaitsIdle: while a half-closed client's call is at the
// provider, the agent waits for it without spinning: the connection is no
// longer polled for reading, so the FIN is not reported again and again.
func TestHalfCloseWaitsIdle(t *testing.T) {
	a, _ := echoAgent(t, Config{}, func(*protocol.Request) reply {
		return reply{act: actEcho, delay: 800 * time.Millisecond}
	})
	c := dial(t, a)
	c.send(post(echoForm("slow")))
	if err := c.nc.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	// A poller woken by the FIN again and again takes most of a core;
	// the rest of the process (timers, a collection under -race) a few
	// milliseconds.
	peertest.AssertIdle(t, 500*time.Millisecond, 100*time.Millisecond)
	c.expect(200, "slow")
	c.expectClosed()
}

// TestFormEncoding: the agent percent-decodes the form before forwarding.
func TestFormEncoding(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	for _, p := range []string{"a b", "a+b", "100%", "你好，世界", "emoji 😀", "&=?"} {
		c.send(post(echoForm(p)))
		c.expect(200, p)
		c.send("GET /?" + strings.ReplaceAll(echoForm(p), "+", "%20") + " HTTP/1.1\r\n\r\n")
		c.expect(200, p)
	}
}
