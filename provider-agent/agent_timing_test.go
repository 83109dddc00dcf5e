package main

import (
	"errors"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// raceClient sends pipelined batches of the race's call (hash of a random
// alphanumeric string) to an agent and reads every answer back. Its own
// steady state allocates nothing, so the allocations measured around it are
// the agent's and the fake provider's.
type raceClient struct {
	c     net.Conn
	out   []byte
	in    []byte
	read  []byte
	req   protocol.Request
	args  [][]byte
	next  uint32
	batch int
}

func newRaceClient(tb testing.TB, a *Agent, batch int) *raceClient {
	tb.Helper()
	c, err := net.Dial("tcp", a.srv.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	rc := &raceClient{c: c, read: make([]byte, 256<<10), batch: batch}
	rc.req = protocol.Request{
		Timeout:        3000,
		Interface:      []byte(iface),
		Method:         []byte("hash"),
		ParameterTypes: []byte(strType),
		Args:           make([][]byte, 1),
	}
	rng := rand.New(rand.NewPCG(7, 7))
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for range 256 {
		b := make([]byte, rng.IntN(1024))
		for j := range b {
			b[j] = alnum[rng.IntN(len(alnum))]
		}
		rc.args = append(rc.args, b)
	}
	// Size the buffers once for the largest batch.
	rc.out = make([]byte, 0, batch*(protocol.HeaderSize+1200))
	rc.in = make([]byte, 0, 256<<10)
	return rc
}

// roundTrip sends one batch in one write and reads all its answers. It
// reports the first answer that is not a response.
func (rc *raceClient) roundTrip() error {
	rc.out = rc.out[:0]
	for range rc.batch {
		rc.next++
		if rc.next == 0 {
			rc.next = 1
		}
		rc.req.Args[0] = rc.args[rc.next%uint32(len(rc.args))]
		n := len(rc.out)
		rc.out = rc.out[:n+rc.req.Size()]
		protocol.PutRequest(rc.out[n:], rc.next, &rc.req)
	}
	if _, err := rc.c.Write(rc.out); err != nil {
		return err
	}
	for got := 0; got < rc.batch; {
		h, _, n, err := protocol.Next(rc.in)
		if err == nil {
			if h.Kind != protocol.KindResponse {
				return errNotResponse
			}
			rc.in = rc.in[:copy(rc.in, rc.in[n:])]
			got++
			continue
		}
		if !errors.Is(err, protocol.ErrShort) {
			return err
		}
		m, err := rc.c.Read(rc.read)
		if err != nil {
			return err
		}
		rc.in = append(rc.in, rc.read[:m]...)
	}
	return nil
}

var errNotResponse = errors.New("an answer is not a response")

// benchAgent starts a fake provider (not recording) and an agent for a
// benchmark or an allocation test.
func benchAgent(tb testing.TB, s dubbo.Serialization) *Agent {
	tb.Helper()
	f := startFake(tb, "127.0.0.1:0")
	f.record.Store(false)
	return newAgent(tb, f, func(c *Config) { c.Serialization = s; c.IdleTimeout = time.Minute })
}

// BenchmarkRoundTrip measures the per-request path end to end over
// loopback: consumer agent frame in, Dubbo frame out to a provider that
// answers at once, Dubbo answer in, agent frame back. One op is one call;
// calls go in pipelined batches of 64 on one connection.
func BenchmarkRoundTrip(b *testing.B) {
	for _, s := range []dubbo.Serialization{dubbo.Hessian2, dubbo.FastJSON} {
		b.Run(s.String(), func(b *testing.B) {
			a := benchAgent(b, s)
			rc := newRaceClient(b, a, 64)
			for range 20 { // warm the pools and buffers
				if err := rc.roundTrip(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for done := 0; done < b.N; done += rc.batch {
				if err := rc.roundTrip(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkForward measures the consumer-side decoder: agent requests in,
// Dubbo frames out to the provider connection, in batches of batchSize. The
// provider drops what it reads; the calls left in flight are cleared off
// the clock before the table fills. One op is one request.
func BenchmarkForward(b *testing.B) {
	for _, s := range []dubbo.Serialization{dubbo.Hessian2, dubbo.FastJSON} {
		for _, w := range []struct {
			name string
			r    *protocol.Request
		}{
			{"race", req("hash", "some argument of a reasonable length")},
			{"user", userRequest()}, // a 1 KB POJO as JSON, transcoded
		} {
			b.Run(s.String()+"/"+w.name, func(b *testing.B) { benchForward(b, s, w.r) })
		}
	}
}

func benchForward(b *testing.B, s dubbo.Serialization, r *protocol.Request) {
	a, run := forwardFixtureOf(b, s, r)
	calls := a.loops[0].calls
	clear := func() { calls.Expire(1<<62, func(uint32, call) {}) }
	run()
	clear()
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batchSize {
		if calls.Len()+batchSize > calls.Cap() {
			b.StopTimer()
			clear()
			b.StartTimer()
		}
		run()
	}
	b.StopTimer()
	if n := metric(b, a, "provider_agent_overloaded_total"); n != 0 {
		b.Fatalf("%v calls refused as overloaded", n)
	}
}

// BenchmarkAnswer measures the provider-side decoder: Dubbo answers in,
// rendered and written as agent frames to the consumer connection, in
// batches of batchSize. One op is one answer, including adding its call and
// encoding its Dubbo frame.
func BenchmarkAnswer(b *testing.B) {
	for _, s := range []dubbo.Serialization{dubbo.Hessian2, dubbo.FastJSON} {
		b.Run(s.String(), func(b *testing.B) {
			_, run := answerFixture(b, s)
			benchAnswer(b, run)
		})
	}
	b.Run("hessian2/user", func(b *testing.B) {
		body := userAnswerBody(b)
		_, run := answerFixtureOf(b, dubbo.Hessian2, func(frames []byte, id uint32, _ int) []byte {
			n := len(frames)
			frames = append(frames, make([]byte, dubbo.HeaderSize)...)
			dubbo.PutHeader(frames[n:], dubbo.Header{Flag: byte(dubbo.Hessian2), Status: dubbo.StatusOK, ID: int64(id), Length: len(body)})
			return append(frames, body...)
		})
		benchAnswer(b, run)
	})
}

func benchAnswer(b *testing.B, run func()) {
	run()
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batchSize {
		run()
	}
}
