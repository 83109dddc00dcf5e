package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/alloctest"
	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// failPlan answers every call with an error frame of status s.
func failPlan(s protocol.Status, msg string) planFunc {
	return func(*protocol.Request) reply { return reply{act: actFail, status: s, msg: msg} }
}

// retryAgents starts an agent routing echoIface to two fakes, first and
// second, with weights w1 and w2.
func retryAgents(t *testing.T, cfg Config, first, second planFunc, w1, w2 int) (*Agent, *fakeAgent, *fakeAgent) {
	t.Helper()
	f1, f2 := newFake(t, first), newFake(t, second)
	a := startAgent(t, cfg)
	route(t, a, snapshot(echoIface, f1.endpoint(echoIface, w1), f2.endpoint(echoIface, w2)))
	return a, f1, f2
}

// pipelineCalls runs conns client connections at once, each sending depth
// pipelined echo calls per round for rounds rounds, each with a parameter of
// its own, and checks that every answer comes in order with its own body
// and status 200. It returns the number of calls made.
func pipelineCalls(t *testing.T, a *Agent, conns, depth, rounds int) int {
	t.Helper()
	var wg sync.WaitGroup
	for ci := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.Dial("tcp", a.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(nc)
			var req strings.Builder
			for r := range rounds {
				req.Reset()
				for i := range depth {
					req.WriteString(post(echoForm(fmt.Sprintf("c%d-r%d-i%d", ci, r, i))))
				}
				if _, err := io.WriteString(nc, req.String()); err != nil {
					t.Error(err)
					return
				}
				for i := range depth {
					want := fmt.Sprintf("c%d-r%d-i%d", ci, r, i)
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						t.Errorf("conn %d: reading the answer to %s: %v", ci, want, err)
						return
					}
					body, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 || string(body) != want {
						t.Errorf("conn %d: got %d %q (%v), want 200 %q", ci, resp.StatusCode, body, err, want)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return conns * depth * rounds
}

// TestRetryRefused: calls that a provider agent refuses as overloaded or
// unavailable are sent to the other one and all answered 200; each refusal
// is one retry.
func TestRetryRefused(t *testing.T) {
	for _, s := range []protocol.Status{protocol.StatusOverloaded, protocol.StatusUnavailable} {
		t.Run(s.String(), func(t *testing.T) {
			a, sick, well := retryAgents(t, Config{}, failPlan(s, "refused"), echoPlan, 1, 1)
			n := pipelineCalls(t, a, 4, 32, 3)
			refused := sick.calls.Load()
			if refused == 0 {
				t.Fatal("the refusing agent saw no calls")
			}
			t.Logf("%d of %d calls refused and sent again", refused, n)
			check(t, "calls reaching the echoing agent", well.calls.Load(), int64(n))
			expectMetric(t, a, "consumer_agent_retries_total", float64(refused))
			expectMetric(t, a, "consumer_agent_retries_failed_total", 0)
			expectMetric(t, a, "consumer_agent_retries_skipped_total", 0)
			expectMetric(t, a, "consumer_agent_responses_200_total", float64(n))
			expectMetric(t, a, "consumer_agent_sidelined_total", float64(refused))
			expectMetric(t, a, "consumer_agent_inflight", 0)
			if to := well.lastReq().timeout; to == 0 || to > 3000 {
				t.Fatalf("timeout in the last request %d ms, want 1..3000", to)
			}
		})
	}
}

// TestRetryOff: with NoRetry the refusals reach the client, as before.
func TestRetryOff(t *testing.T) {
	a, _, _ := retryAgents(t, Config{NoRetry: true}, failPlan(protocol.StatusOverloaded, "busy"), echoPlan, 100, 1)
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expectError(503, "busy")
	expectMetric(t, a, "consumer_agent_retries_total", 0)
}

// TestNoRetryUnknownFate: an answer that does not say that no provider ran
// the call is passed on and never retried.
func TestNoRetryUnknownFate(t *testing.T) {
	for _, tc := range []struct {
		s      protocol.Status
		status int
	}{
		{protocol.StatusException, 500},
		{protocol.StatusTimeout, 504},
		{protocol.StatusBadResponse, 502},
		{protocol.StatusLost, 502},
		{protocol.StatusBadRequest, 400},
		{protocol.StatusNotFound, 404},
		{protocol.StatusServiceNotFound, 503},
		{protocol.Status(42), 502},
	} {
		t.Run(tc.s.String(), func(t *testing.T) {
			msg := "provider says " + tc.s.String()
			// Both agents fail alike, so that each fake's count shows
			// whether the other was tried.
			a, f1, f2 := retryAgents(t, Config{}, failPlan(tc.s, msg), failPlan(tc.s, msg), 1, 1)
			c := dial(t, a)
			for range 4 {
				c.send(post(echoForm("x")))
				c.expect(tc.status, "error: "+msg+"\n")
			}
			check(t, "calls", f1.calls.Load()+f2.calls.Load(), int64(4))
			expectMetric(t, a, "consumer_agent_retries_total", 0)
		})
	}
}

// TestNoRetryDeadline: a call its provider agent never answers is answered
// 504 by the sweep and not sent again.
func TestNoRetryDeadline(t *testing.T) {
	drop := func(*protocol.Request) reply { return reply{act: actDrop} }
	a, f1, f2 := retryAgents(t, Config{Timeout: 100 * time.Millisecond}, drop, drop, 1, 1)
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expectError(504, "deadline")
	time.Sleep(50 * time.Millisecond)
	check(t, "calls", f1.calls.Load()+f2.calls.Load(), int64(1))
	expectMetric(t, a, "consumer_agent_retries_total", 0)
}

// TestNoRetryLostMidCall: a call whose provider agent connection is lost
// after it was sent is answered 502 and not sent again.
func TestNoRetryLostMidCall(t *testing.T) {
	hangUp := func(*protocol.Request) reply { return reply{act: actHangUp} }
	a, f1, f2 := retryAgents(t, Config{}, hangUp, hangUp, 1, 1)
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expectError(502, "lost mid-call")
	check(t, "calls", f1.calls.Load()+f2.calls.Load(), int64(1))
	expectMetric(t, a, "consumer_agent_retries_total", 0)
}

// TestNoRetryBadRequest: a request the agent refuses itself never reaches a
// provider agent.
func TestNoRetryBadRequest(t *testing.T) {
	a, f1, f2 := retryAgents(t, Config{}, echoPlan, echoPlan, 1, 1)
	c := dial(t, a)
	c.send(post(form(echoIface, "echo", "Lcom/example/Unknown;", "x")))
	c.expectError(400, "")
	check(t, "calls", f1.calls.Load()+f2.calls.Load(), int64(0))
	expectMetric(t, a, "consumer_agent_retries_total", 0)
}

// TestRetryOnlyAgent: with no other provider agent the refusal is answered
// as before, once.
func TestRetryOnlyAgent(t *testing.T) {
	for _, tc := range []struct {
		s      protocol.Status
		status int
	}{
		{protocol.StatusOverloaded, 503},
		{protocol.StatusUnavailable, 502},
	} {
		t.Run(tc.s.String(), func(t *testing.T) {
			a, f := echoAgent(t, Config{}, failPlan(tc.s, "no"))
			c := dial(t, a)
			for range 3 {
				c.send(post(echoForm("x")))
				c.expect(tc.status, "error: no\n")
			}
			check(t, "calls", f.calls.Load(), int64(3))
			expectMetric(t, a, "consumer_agent_retries_total", 0)
			expectMetric(t, a, "consumer_agent_retries_skipped_total", 3)
		})
	}
}

// TestRetryBothRefuse: when the second agent refuses too, the call is
// answered with its refusal: one retry at most per call.
func TestRetryBothRefuse(t *testing.T) {
	a, f1, f2 := retryAgents(t, Config{}, failPlan(protocol.StatusOverloaded, "first busy"),
		failPlan(protocol.StatusOverloaded, "second busy"), 100, 1)
	c := dial(t, a)
	// The heavier agent gets the first call; the second answers it.
	c.send(post(echoForm("x")))
	c.expect(503, "error: second busy\n")
	check(t, "first agent's calls", f1.calls.Load(), int64(1))
	check(t, "second agent's calls", f2.calls.Load(), int64(1))
	const n = 40
	for range n {
		c.send(post(echoForm("x")))
		c.expectError(503, "busy")
	}
	retries := metric(t, a, "consumer_agent_retries_total")
	if retries < 1 {
		t.Fatal("no retry")
	}
	check(t, "calls", float64(f1.calls.Load()+f2.calls.Load()), n+1+retries)
	expectMetric(t, a, "consumer_agent_retries_failed_total", retries)
	expectMetric(t, a, "consumer_agent_retries_skipped_total", n+1-retries)
	expectMetric(t, a, "consumer_agent_responses_503_total", n+1)
}

// TestRetryKeepsDeadline: a call refused late gets only the time it has
// left on its second agent, and ends at the original deadline: the second
// agent's answer, due after it, is not waited for.
func TestRetryKeepsDeadline(t *testing.T) {
	const timeout, refusedAfter = 2 * time.Second, 1200 * time.Millisecond
	late := func(*protocol.Request) reply {
		return reply{act: actFail, status: protocol.StatusOverloaded, msg: "busy", delay: refusedAfter}
	}
	// Answered 2.6 s after the call: after its deadline, but before a
	// fresh one given at the retry would end (3.2 s).
	slow := func(*protocol.Request) reply { return reply{act: actEcho, delay: 1400 * time.Millisecond} }
	a, f1, f2 := retryAgents(t, Config{Timeout: timeout}, late, slow, 100, 1)
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expectError(504, "deadline")
	check(t, "calls", f1.calls.Load(), int64(1))
	check(t, "calls sent again", f2.calls.Load(), int64(1))
	if to, most := f2.lastReq().timeout, uint32((timeout-refusedAfter)/time.Millisecond); to == 0 || to > most {
		t.Fatalf("the retry's timeout is %d ms, want 1..%d", to, most)
	}
	expectMetric(t, a, "consumer_agent_retries_total", 1)
	expectMetric(t, a, "consumer_agent_retries_failed_total", 1)
}

// TestRetryLargeFrame: a frame too large to keep is not retried.
func TestRetryLargeFrame(t *testing.T) {
	a, f1, f2 := retryAgents(t, Config{}, failPlan(protocol.StatusOverloaded, "busy"), echoPlan, 100, 1)
	c := dial(t, a)
	c.send(post(echoForm(strings.Repeat("a", maxKeptFrame))))
	c.expect(503, "error: busy\n")
	check(t, "calls", f1.calls.Load()+f2.calls.Load(), int64(1))
	expectMetric(t, a, "consumer_agent_retries_skipped_total", 1)
	// A small one right after goes to the other agent directly, the
	// first being sidelined.
	c.send(post(echoForm("small")))
	c.expect(200, "small")
}

// TestRetryFlapping: many pipelining clients while one agent flaps between
// refusing (in bursts, some refusals delayed) and echoing: every call is
// answered once, 200, with its own body, in order on its connection.
func TestRetryFlapping(t *testing.T) {
	var seq atomic.Int64
	flap := func(*protocol.Request) reply {
		n := seq.Add(1)
		switch {
		case n/16%2 == 1:
			return reply{act: actEcho}
		case n%3 == 0:
			return reply{act: actFail, status: protocol.StatusUnavailable, msg: "down", delay: time.Millisecond}
		default:
			return reply{act: actFail, status: protocol.StatusOverloaded, msg: "busy"}
		}
	}
	// Ejection off: the echoing agent takes the retries and gets slower
	// than its flapping peer; it must not be ejected here.
	a, flapper, well := retryAgents(t, Config{EjectRatio: -1}, flap, echoPlan, 1, 1)
	n := pipelineCalls(t, a, 16, 16, 8)
	refused := metric(t, a, "consumer_agent_retries_total")
	if refused == 0 {
		t.Fatal("no retries")
	}
	check(t, "calls", float64(flapper.calls.Load()+well.calls.Load()), float64(n)+refused)
	expectMetric(t, a, "consumer_agent_responses_200_total", float64(n))
	expectMetric(t, a, "consumer_agent_retries_failed_total", 0)
	expectMetric(t, a, "consumer_agent_inflight", 0)
}

func TestFrameStore(t *testing.T) {
	s := newFrameStore(4)
	dst := make([]byte, maxKeptFrame)
	s.keep(1, 7, []byte("frame seven"))
	if n := s.take(1, 8, dst); n != 0 {
		t.Fatalf("take of another id = %d, want 0", n)
	}
	if n := s.take(1, 7, dst); string(dst[:n]) != "frame seven" {
		t.Fatalf("take = %q", dst[:n])
	}
	if n := s.take(1, 7, dst); n != 0 {
		t.Fatal("a frame was taken twice")
	}
	if n := s.take(2, 0, dst); n != 0 {
		t.Fatal("id 0 matched an empty entry")
	}
	s.keep(3, 9, []byte("small"))
	s.keep(3, 10, make([]byte, maxKeptFrame+1))
	if s.take(3, 9, dst) != 0 || s.take(3, 10, dst) != 0 {
		t.Fatal("an entry answered after a frame too large to keep")
	}
	big := bytes.Repeat([]byte("b"), maxKeptFrame)
	s.keep(0, 11, big)
	if n := s.take(0, 11, dst); !bytes.Equal(dst[:n], big) {
		t.Fatal("a frame of maxKeptFrame bytes was not kept whole")
	}
}

func TestFrameStoreAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := newFrameStore(16)
	frame := make([]byte, 600)
	dst := make([]byte, maxKeptFrame)
	id := uint32(0)
	run := func() {
		id++
		s.keep(int(id%16), id, frame)
		s.take(int(id%16), id, dst)
	}
	for range 32 {
		run()
	}
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Fatalf("%v allocations per keep and take, want 0", n)
	}
}

// BenchmarkFrameKeep is what keeping a 600-byte frame adds to each call.
func BenchmarkFrameKeep(b *testing.B) {
	s := newFrameStore(1024)
	frame := make([]byte, 600)
	b.ReportAllocs()
	for i := range b.N {
		s.keep(i&1023, uint32(i+1), frame)
	}
}

// retryPath drives a call through the retry path without a client socket:
// handleRequests sends the frame to one of two fakes, which report ids and
// answer nothing; handleAnswers gets an Overloaded error frame for it and
// sends it to the other fake; then the answer to the retry.
type retryPath struct {
	tb             testing.TB
	a              *Agent
	l              *loop
	hc             *httpConn
	out            *netpoll.LinkBuffer
	ids            chan uint32
	req            []byte
	param          []byte
	refusal, frame []byte
	want           []byte
	set            batch.Set
	eps            []*endpoint
}

func newRetryPath(tb testing.TB, param string) *retryPath {
	tb.Helper()
	p := &retryPath{tb: tb, ids: make(chan uint32, 1), param: []byte(param)}
	drop := func(*protocol.Request) reply { return reply{act: actDrop} }
	f1, f2 := newFakeIDs(tb, drop, p.ids), newFakeIDs(tb, drop, p.ids)
	p.a = startAgent(tb, Config{})
	route(tb, p.a, snapshot(echoIface, f1.endpoint(echoIface, 1), f2.endpoint(echoIface, 1)))
	for _, f := range []*fakeAgent{f1, f2} {
		p.a.mu.Lock()
		p.eps = append(p.eps, p.a.endpoints[f.addr()])
		p.a.mu.Unlock()
	}
	p.l = p.a.loops[0]
	p.out = netpoll.NewLinkBuffer()
	p.hc = newHTTPConn(p.l, &memConn{out: p.out}, 16)
	p.req = []byte(post(echoForm(param)))
	const msg = "busy"
	p.refusal = make([]byte, protocol.ErrorSize(msg))
	protocol.PutError(p.refusal, 0, protocol.StatusOverloaded, msg)
	p.frame = make([]byte, protocol.ResponseSize(len(param)))
	p.want = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
		strconv.Itoa(len(param)) + "\r\n\r\n" + param)
	return p
}

// answer feeds one frame to the loop's answer pass.
func (p *retryPath) answer(frame []byte) {
	used, need, err := p.l.handleAnswers(&p.set, nil, frame)
	p.set.Flush()
	if used != len(frame) || need != 0 || err != nil {
		p.tb.Fatalf("handleAnswers used %d, need %d, %v; want %d, 0, nil", used, need, err, len(frame))
	}
}

// call makes one call, refused once, and checks the response.
func (p *retryPath) call() {
	// Forget the sidelining of the last call's refusal, so that both
	// agents are available again.
	for _, ep := range p.eps {
		ep.health.until.Store(0)
	}
	used, need := p.a.handleRequests(p.hc, p.req)
	p.hc.set.Flush()
	if used != len(p.req) || need != 0 {
		p.tb.Fatalf("handleRequests used %d, need %d; want %d, 0", used, need, len(p.req))
	}
	id := <-p.ids
	h, _ := protocol.ParseHeader(p.refusal)
	h.ID = id
	protocol.PutHeader(p.refusal, h)
	p.answer(p.refusal)
	id2 := <-p.ids
	if id2 == id {
		p.tb.Fatal("the retry reused the first id")
	}
	protocol.PutResponse(p.frame, id2, p.param)
	p.answer(p.frame)
	got, err := p.out.Next(p.out.Len())
	if err != nil || !bytes.Equal(got, p.want) {
		p.tb.Fatalf("response %q (%v), want %q", got, err, p.want)
	}
	p.out.Release()
}

// TestRetryAllocs: a call refused and sent again allocates nothing in
// steady state.
func TestRetryAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p := newRetryPath(t, "hello, allocation-free retry")
	for range 100 {
		p.call()
	}
	n, calls := alloctest.PerRun(1000, p.call)
	if n != 0 {
		t.Fatalf("%v allocations per retried call, want 0", n)
	}
	// 100 warm-up calls, then the measured ones.
	expectMetric(t, p.a, "consumer_agent_retries_total", float64(100+calls))
	expectMetric(t, p.a, "consumer_agent_inflight", 0)
}

// BenchmarkHandleRetry is BenchmarkHandle for a call refused once and sent
// again: two loopback writes of a request frame.
func BenchmarkHandleRetry(b *testing.B) {
	p := newRetryPath(b, strings.Repeat("a", 512))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p.call()
	}
}
