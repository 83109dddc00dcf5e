package main

import (
	"net"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/alloctest"
	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// pipeWriter returns a batch.Writer over a netpoll connection, standing in
// for a consumer agent's connection, and a consumer reading its other end.
func pipeWriter(tb testing.TB) (*batch.Writer, *consumer) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	nc, err := netpoll.DialConnection("tcp", ln.Addr().String(), time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	peer, err := ln.Accept()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { nc.Close(); peer.Close() })
	return batch.NewWriter(nc, nil), &consumer{t: tb, c: peer, read: make([]byte, 64<<10)}
}

// sinkWriter is pipeWriter with a peer that reads and discards everything,
// without allocating, until the test ends.
func sinkWriter(tb testing.TB) *batch.Writer {
	tb.Helper()
	w, peer := pipeWriter(tb)
	go func() {
		b := make([]byte, 64<<10)
		for {
			if _, err := peer.c.Read(b); err != nil {
				return
			}
		}
	}()
	return w
}

// batchSize is the number of frames one pass of the fixtures handles.
const batchSize = 16

// forwardFixture starts an agent with one loop and returns one pass of its
// decoder for a consumer connection over batchSize requests: decode, encode
// as Dubbo frames onto the provider connection, flush. The provider reads
// and drops every byte, answering nothing.
func forwardFixture(tb testing.TB, s dubbo.Serialization) (*Agent, func()) {
	tb.Helper()
	return forwardFixtureOf(tb, s, req("hash", "some argument of a reasonable length"))
}

// forwardFixtureOf is forwardFixture for batchSize copies of request r.
func forwardFixtureOf(tb testing.TB, s dubbo.Serialization, r *protocol.Request) (*Agent, func()) {
	tb.Helper()
	f := startFake(tb, "127.0.0.1:0")
	f.discard.Store(true)
	a := newAgent(tb, f, func(c *Config) {
		c.Serialization = s
		c.Loops = 1
		c.DefaultTimeout = time.Minute
	})
	c := &inConn{loop: a.loops[0], w: sinkWriter(tb)}
	var frames []byte
	for i := range batchSize {
		n := len(frames)
		frames = append(frames, make([]byte, r.Size())...)
		protocol.PutRequest(frames[n:], uint32(i+1), r)
	}
	return a, func() {
		used, need, err := a.handleFrames(c, frames)
		c.p.set.Flush()
		if used != len(frames) || need != 0 || err != nil {
			tb.Fatalf("handleFrames = %d, %d, %v", used, need, err)
		}
	}
}

// answerFixture starts an agent with one loop and returns one pass of its
// decoder for the provider connection over batchSize answers, ints and
// strings by turns: each for a call added just before, each written to a
// consumer connection that discards it.
func answerFixture(tb testing.TB, s dubbo.Serialization) (*Agent, func()) {
	tb.Helper()
	return answerFixtureOf(tb, s, func(frames []byte, id uint32, i int) []byte {
		r := dubbo.Response{ID: int64(id), Serialization: s, Status: dubbo.StatusOK,
			Value: dubbo.Value{Type: dubbo.TypeInt, Int: -1094917604}}
		if i%2 == 1 {
			r.Value = dubbo.Value{Type: dubbo.TypeString, Bytes: []byte("a string answer")}
		}
		return dubbo.AppendResponse(frames, &r)
	})
}

// answerFixtureOf is answerFixture for the answers appendAnswer appends:
// the i-th of a pass, for call id.
func answerFixtureOf(tb testing.TB, s dubbo.Serialization, appendAnswer func(frames []byte, id uint32, i int) []byte) (*Agent, func()) {
	tb.Helper()
	f := startFake(tb, "127.0.0.1:0")
	a := newAgent(tb, f, func(c *Config) { c.Serialization = s; c.Loops = 1 })
	l := a.loops[0]
	in := sinkWriter(tb)
	p := new(pass)
	frames := make([]byte, 0, 4096)
	return a, func() {
		frames = frames[:0]
		for i := range batchSize {
			id, ok := l.calls.Add(call{in: in, id: uint32(i + 1)}, 0, 0)
			if !ok {
				tb.Fatal("table full")
			}
			frames = appendAnswer(frames, id, i)
		}
		used, need, err := l.handleAnswers(p, in, frames)
		p.set.Flush()
		if used != len(frames) || need != 0 || err != nil {
			tb.Fatalf("handleAnswers = %d, %d, %v", used, need, err)
		}
	}
}

// TestForwardAllocs checks that decoding a batch of agent requests and
// encoding them as Dubbo frames onto the provider connection allocates
// nothing. The provider never answers, so no handler runs in the
// background while allocations are counted.
func TestForwardAllocs(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		a, run := forwardFixture(t, s)
		run()
		n, calls := alloctest.PerRun(100, run)
		if n != 0 {
			t.Fatalf("%v allocations per batch of %d requests, want 0", n, batchSize)
		}
		if got := metric(t, a, "provider_agent_bad_requests_total") + metric(t, a, "provider_agent_unavailable_total"); got != 0 {
			t.Fatalf("%v requests refused", got)
		}
		if got := a.InFlight(); got != (1+calls)*batchSize {
			t.Fatalf("%d calls in flight, want %d", got, (1+calls)*batchSize)
		}
	})
}

// TestAnswerAllocs checks that decoding a batch of Dubbo answers (ints and
// strings) and writing them to the consumer connection allocates nothing.
func TestAnswerAllocs(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		a, run := answerFixture(t, s)
		run()
		n, calls := alloctest.PerRun(100, run)
		if n > raceSlack {
			t.Fatalf("%v allocations per batch of %d answers, want 0", n, batchSize)
		}
		if got := metric(t, a, "provider_agent_ok_total"); got != float64((1+calls)*batchSize) {
			t.Fatalf("ok_total = %v, want %d", got, (1+calls)*batchSize)
		}
	})
}

// TestRoundTripAllocs checks the whole path over loopback, netpoll's
// wake-ups included: nothing allocates. Under the race detector its own
// instrumentation allocates at each wake-up (8 a batch of 64 calls, at 2
// handler runs a batch), so there the bound is half an allocation per call:
// the requests would add 64 a batch for one allocation each.
func TestRoundTripAllocs(t *testing.T) {
	a := benchAgent(t, dubbo.Hessian2)
	rc := newRaceClient(t, a, 64)
	for range 20 {
		if err := rc.roundTrip(); err != nil {
			t.Fatal(err)
		}
	}
	runs := metric(t, a, "provider_agent_handler_runs_total")
	n := testing.AllocsPerRun(100, func() {
		if err := rc.roundTrip(); err != nil {
			t.Fatal(err)
		}
	})
	runs = (metric(t, a, "provider_agent_handler_runs_total") - runs) / 101
	bound := 0.0
	if raceEnabled {
		bound = 0.5
	}
	if perCall := n / 64; perCall > bound {
		t.Fatalf("%v allocations per batch of 64 calls (%.2f per call, %.1f handler runs), want the per-call path to allocate nothing", n, perCall, runs)
	}
}

// raceSlack is the allocations per batch the answer tests let pass under
// the race detector, whose instrumentation allocates now and then at a
// netpoll wake-up (1 or 2 a batch in about 1 run of 10): fewer than one
// per answer, so an allocation per answer (batchSize a batch) still fails.
// 0 without it.
var raceSlack = func() float64 {
	if raceEnabled {
		return batchSize / 2
	}
	return 0
}()
