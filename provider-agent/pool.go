package main

import (
	"context"
	"log/slog"
	"time"
)

// The provider's pool, learned from its refusals. A Dubbo provider runs a
// fixed pool of threads and refuses a call that finds them all busy
// (status 100) instead of queueing it. With --max-provider-calls above the
// pool (the default 200 in front of a provider of 30 threads, or a pool
// shrunk at run time), the gate would send the provider calls it refuses:
// consumer agents retry them elsewhere, but sideline this agent for each,
// and it ends up nearly idle (1 call in 25 instead of 3 in 10 in the
// session-16 trial) while the others queue.
//
// So a refusal lowers the gate's limit to the calls the provider held
// less the refused one, never below one, and the limit creeps back up by
// one every probeEvery while calls wait at it, up to the bound: a pool
// that grows is found again, at the cost of at most one refusal each
// probeEvery once the limit reaches the pool.

// probeEvery is how long the gate's limit stays below the bound, with
// calls waiting at it and no refusal, before it rises by one.
const probeEvery = 5 * time.Second

// refused records that the provider refused a call for want of a thread,
// while it held the calls the gate counts (the refused one among them: the
// caller counts its answer with done afterwards).
func (g *gate) refused() {
	if g.bound <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n := max(g.total-1, 1); n < g.limit {
		g.limit = n
		g.told()
	}
	g.moved = time.Now().UnixNano()
}

// told wakes followLimit, if it sleeps: the limit moved. g.mu is held.
func (g *gate) told() {
	select {
	case g.moves <- struct{}{}:
	default:
	}
}

// probeLocked raises the limit by one, up to the bound, when it has stayed
// put for probeEvery: it runs when a call finds the provider at the limit.
// g.mu is held.
func (g *gate) probeLocked(now int64) {
	if g.limit < g.bound && now-g.moved >= int64(probeEvery) {
		g.limit++
		g.moved = now
		g.told()
	}
}

// currentLimit returns the calls the provider may hold now: the bound, or
// less after refusals; 0 without a bound.
func (g *gate) currentLimit() int {
	if g.bound <= 0 {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.limit
}

// followLimit registers the gate's limit as the agent's capacity through c
// whenever it moved by a tenth or more from the registered one, at most
// once every minPut, until ctx ends: consumer agents then spread their
// calls by the pool the provider has. It wakes only when the limit moves.
// For an agent with a bound only (one without measures its capacity
// instead, capacity.go).
func followLimit(ctx context.Context, g *gate, c Capacitor, lg *slog.Logger, minPut time.Duration) {
	var put time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.moves:
		}
		if wait := minPut - time.Since(put); wait > 0 {
			select { // let the limit settle: a burst of refusals moves it a few times
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		got, reg := g.currentLimit(), c.Capacity()
		if got == reg || !movedEnough(reg, got) {
			continue
		}
		put = time.Now()
		switch err := setCapacity(ctx, c, got); {
		case err != nil:
			lg.Warn("provider pool's capacity recorded but not yet in etcd", "capacity", got, "was", reg, "err", err)
		case got < g.bound:
			lg.Warn("the provider refuses calls past a pool smaller than --max-provider-calls: capacity registered", "capacity", got, "was", reg, "max_provider_calls", g.bound)
		default:
			lg.Info("capacity registered", "capacity", got, "was", reg)
		}
	}
}
