package main

import (
	"maps"
	"time"

	"github.com/cloudwego/netpoll"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/tick"
	"github.com/dubbomesh/dubbomesh/internal/upstream"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/registry"
)

// Membership: the data plane does not depend on the control plane.
//
// New provider agents are found only through etcd, but etcd does not decide
// alone when one is gone. A provider agent whose key vanished (its host
// lost etcd for longer than the lease TTL, or a key expired and came back
// late) is kept, with the services and weight it last had, for as long as
// one of its connections is healthy; it is dropped once its key is gone
// and none of its connections is up (each connection proves itself with
// pings, upstream/liveness.go). An agent that leaves on purpose says so on
// the connection itself (GOAWAY): each connection that gets one takes no
// new call, and once the agent's key is gone it is dropped as well.

const (
	// membershipEvery is how often kept agents are checked for a
	// connection still up, besides each connection's loss.
	membershipEvery = time.Second
	// agentMaxBackoff caps the redial backoff to a provider agent, so
	// that one back from a partition or a freeze takes calls within a
	// few seconds.
	agentMaxBackoff = 2 * time.Second
	// orphanGrace is how long an agent is kept without its key before
	// that is logged.
	orphanGrace = time.Second
)

// membership is the Agent's record of etcd's view and of the agents kept
// without a key. Its maps are guarded by Agent.mu.
type membership struct {
	// last is each agent's entries in the latest snapshot that had it.
	last map[string][]registry.Endpoint
	// orphans holds the agents kept without a key. One is logged once it
	// has been kept orphanGrace: a key gone and put again within it, as
	// when etcd restarts and the agents register again, is not news.
	orphans map[string]*orphan
	// snap is the latest snapshot from etcd.
	snap registry.Snapshot
	// kick asks the watcher to check the kept agents now.
	kick chan struct{}

	pingTimeouts, goAways prometheus.Counter
}

// orphan is an agent kept without its key: since when, and whether that
// was logged.
type orphan struct {
	since  time.Time
	warned bool
}

// startMembership registers the membership metrics and starts checking the
// kept agents until the agent closes. New calls it once.
func (a *Agent) startMembership() {
	m := &a.mem
	m.last = map[string][]registry.Endpoint{}
	m.orphans = map[string]*orphan{}
	m.kick = make(chan struct{}, 1)
	m.pingTimeouts = counter(a.m.reg, "consumer_agent_ping_timeouts_total",
		"Connections to provider agents closed because a ping went unanswered while calls were outstanding (or at dial).")
	m.goAways = counter(a.m.reg, "consumer_agent_goaways_total",
		"GOAWAY frames from provider agents that are leaving: the connection took no new call.")
	a.m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "consumer_agent_orphaned_agents",
		Help: "Provider agents still in use whose etcd key is gone: their connections are healthy.",
	}, func() float64 {
		a.mu.Lock()
		defer a.mu.Unlock()
		return float64(len(m.orphans))
	}))
	go a.watchMembership(a.stop)
}

// liveness completes the Config of loop l's connection to ep: pings that
// announce GOAWAY, liveness while calls are outstanding, a capped backoff,
// and a check of the kept agents when a connection is lost.
func (a *Agent) liveness(cfg *upstream.Config, ep *endpoint, l *loop) {
	if a.cfg.PingInterval <= 0 {
		return
	}
	cfg.Heartbeat = putPing
	cfg.PingInterval = a.cfg.PingInterval
	cfg.PingTimeout = a.cfg.PingTimeout
	idx := l.idx
	cfg.Busy = func() bool { return ep.inflight[idx].n.Load() > 0 }
	cfg.OnPingTimeout = func() { a.mem.pingTimeouts.Inc() }
	cfg.MaxBackoff = agentMaxBackoff
	onDown := cfg.OnDown
	cfg.OnDown = func(w *batch.Writer) {
		onDown(w)
		a.checkMembership()
	}
}

// putPing writes a ping that announces GOAWAY.
func putPing(w netpoll.Writer) error {
	b, err := w.Malloc(protocol.HeaderSize)
	if err == nil {
		protocol.PutPing(b, 0)
	}
	return err
}

// reachable reports whether a connection to ep is up and takes calls.
func (ep *endpoint) reachable() bool {
	for _, c := range ep.conns {
		if c.Writer() != nil {
			return true
		}
	}
	return false
}

// keepOrphans records s, etcd's view, and returns the snapshot to route by:
// s, plus the agents whose key is gone but which are reachable, with their
// last entries. Agents neither in s nor reachable are left out, so that
// Update retires them. Called with a.mu held.
func (a *Agent) keepOrphans(s registry.Snapshot) registry.Snapshot {
	m := &a.mem
	if m.last == nil { // an Agent built without New, in tests
		return s
	}
	m.snap = s
	present := map[string][]registry.Endpoint{}
	for _, eps := range s {
		for _, e := range eps {
			present[e.Addr] = append(present[e.Addr], e)
		}
	}
	for addr, eps := range present {
		m.last[addr] = eps
		if o := m.orphans[addr]; o != nil {
			delete(m.orphans, addr)
			if o.warned {
				a.log.Info("provider agent's key is back in etcd", "agent", addr)
			}
		}
	}
	out, cloned := s, false
	for addr, ep := range a.endpoints {
		if present[addr] != nil {
			continue
		}
		if !ep.reachable() {
			if m.orphans[addr] != nil {
				a.log.Warn("provider agent dropped: its key is gone from etcd and none of its connections is up", "agent", addr)
			}
			delete(m.orphans, addr)
			delete(m.last, addr)
			continue
		}
		if m.orphans[addr] == nil {
			m.orphans[addr] = &orphan{since: time.Now()}
			a.checkMembership() // starts the watcher's checks
		}
		if !cloned {
			out, cloned = maps.Clone(s), true // s is immutable
			if out == nil {
				out = registry.Snapshot{}
			}
		}
		for _, e := range m.last[addr] {
			eps := out[e.Interface]
			out[e.Interface] = append(eps[:len(eps):len(eps)], e)
		}
	}
	for addr := range m.last {
		if a.endpoints[addr] == nil && present[addr] == nil {
			delete(m.last, addr)
		}
	}
	return out
}

// checkMembership asks the watcher to check the kept agents now.
func (a *Agent) checkMembership() {
	select {
	case a.mem.kick <- struct{}{}:
	default:
	}
}

// watchMembership drops kept agents none of whose connections is up, when
// a connection is lost and, while some agent is kept without a key, every
// membershipEvery (on the process's grid of periodic work), until stop is
// closed.
func (a *Agent) watchMembership(stop <-chan struct{}) {
	t := time.NewTimer(membershipEvery)
	t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		case <-a.mem.kick:
		}
		a.mu.Lock()
		for addr := range a.mem.orphans {
			if ep := a.endpoints[addr]; ep == nil || !ep.reachable() {
				a.updateLocked(a.mem.snap)
				break
			}
		}
		for addr, o := range a.mem.orphans {
			if !o.warned && time.Since(o.since) >= orphanGrace {
				o.warned = true
				a.log.Warn("provider agent's key is gone from etcd; still using it while its connections stay healthy", "agent", addr, "for", time.Since(o.since).Round(time.Millisecond))
			}
		}
		kept := len(a.mem.orphans) > 0
		a.mu.Unlock()
		if kept {
			t.Reset(tick.Next(time.Now(), membershipEvery))
		} else {
			t.Stop()
		}
	}
}

// goAway handles a GOAWAY on loop l's connection w: that connection takes
// no new call; its calls in flight go on.
func (l *loop) goAway(w *batch.Writer, reason []byte) {
	a := l.a
	a.mem.goAways.Inc()
	a.mu.Lock()
	defer a.mu.Unlock()
	for addr, ep := range a.endpoints {
		if ep.conns[l.idx].Suspend(w) {
			ep.peer.Leaving()
			a.log.Info("provider agent going away: no new call on this connection", "agent", addr, "loop", l.idx, "reason", string(reason))
			a.checkMembership()
			return
		}
	}
}
