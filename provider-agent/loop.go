package main

import (
	"sync"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/pending"
	"github.com/dubbomesh/dubbomesh/internal/upstream"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// sweepEvery is how often a loop looks for calls past their deadline.
const sweepEvery = 10 * time.Millisecond

// loop is one event loop's share of the agent: the consumer connections
// assigned to it, its own connection to the provider and its own table of
// calls in flight. A request and its answer stay on one loop.
type loop struct {
	a     *Agent
	idx   int
	up    *upstream.Conn
	calls *pending.Table[call]
	done  chan struct{}
	wg    sync.WaitGroup
}

// call is a request waiting for the provider: where to send the answer.
type call struct {
	in   *batch.Writer
	id   uint32 // the consumer agent's request id
	json bool   // the result is wanted as JSON whatever its type
	at   int64  // when it arrived (UnixNano), for the provider's time
}

// answered claims call id, answered by the provider, and records the
// provider's time for it.
func (l *loop) answered(id uint32) (call, bool) {
	c, ok := l.calls.Take(id)
	if ok {
		observeSince(l.a.m.providerTime, c.at)
	}
	return c, ok
}

func newLoop(a *Agent, idx int) *loop {
	l := &loop{
		a:     a,
		idx:   idx,
		calls: pending.New[call](a.cfg.MaxInFlight),
		done:  make(chan struct{}),
	}
	ser := a.cfg.Serialization
	hb := dubbo.HeartbeatSize(ser)
	cfg := upstream.Config{
		Addr:        a.cfg.Provider,
		NewDecoder:  l.newAnswerPass,
		OnBadStream: func(error) { a.m.badResponses.Inc() },
		OnDown:      l.onProviderDown,
		Flush:       a.cfg.Flush,
		// The provider is local: once it is back, serve again within a
		// second rather than after a backoff grown to seconds.
		MaxBackoff:  time.Second,
		IdleTimeout: a.cfg.IdleTimeout,
		// Liveness: Dubbo heartbeats while calls are outstanding and the
		// provider is silent; a provider that answers none is dead.
		PingInterval:  a.cfg.PingInterval,
		PingTimeout:   a.cfg.PingTimeout,
		Busy:          func() bool { return l.calls.Len() > 0 },
		OnPingTimeout: func() { a.m.pingTimeouts.Inc() },
		// A provider whose host acknowledges the heartbeats while it
		// answers nothing (a JVM's stop-the-world pause) is stalled,
		// not dead, for up to StallLimit: its calls in flight run on.
		StallLimit: a.cfg.StallLimit,
		OnStall: func(stalled bool) {
			if stalled {
				a.m.stalls.Inc()
			}
		},
		Heartbeat: func(w netpoll.Writer) error {
			b, err := w.Malloc(hb)
			if err != nil {
				return err
			}
			dubbo.PutHeartbeat(b, 0, ser, false)
			a.m.heartbeatsSent.Inc()
			return nil
		},
		OnDialError: func(error) { a.m.dialErrors.Inc() },
	}
	a.peer.Wire(&cfg)
	l.up = upstream.Dial(cfg)
	l.wg.Add(1)
	go l.sweep()
	return l
}

// sweep answers StatusTimeout for calls past their deadline.
func (l *loop) sweep() {
	defer l.wg.Done()
	p := pass{a: l.a}
	l.calls.Sweep(sweepEvery, l.done, func(_ uint32, c call) {
		l.a.m.timeouts.Inc()
		p.fail(c.in, c.id, protocol.StatusTimeout, "provider agent: deadline passed waiting for the provider")
	}, p.set.Flush)
}

// onProviderDown fails the calls that were riding on a lost provider
// connection.
func (l *loop) onProviderDown(w *batch.Writer) {
	l.a.gate.reset(l)
	p := pass{a: l.a}
	l.calls.TakeTagged(w.ID(), func(_ uint32, c call) {
		l.a.m.lost.Inc()
		p.fail(c.in, c.id, protocol.StatusLost, "provider agent: connection to the provider lost mid-call")
	})
	// The threads the lost calls held are free: the queue moves on
	// (its calls for this connection are no longer live).
	l.a.gate.release(&p.set)
	p.set.Flush()
}

func (l *loop) close() {
	close(l.done)
	l.wg.Wait()
	l.up.Close()
	p := pass{a: l.a}
	l.calls.Expire(1<<62, func(_ uint32, c call) {
		p.fail(c.in, c.id, protocol.StatusLost, "provider agent: shutting down")
	})
	p.set.Flush()
}
