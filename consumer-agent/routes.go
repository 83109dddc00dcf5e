package main

import (
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/internal/upstream"
	"github.com/dubbomesh/dubbomesh/lb"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/registry"
)

// routeTable maps an interface to the provider agents serving it. A table is
// immutable once stored; Update stores a new one.
type routeTable struct {
	services map[string]*service
}

// service is one interface's balancer. It survives endpoint changes, so the
// smooth round robin's spread carries on across them.
type service struct {
	name  string
	lb    *lb.Sharded[*endpoint]
	codes serviceCodes // its answers' counters, by codeIndex
	// members holds the endpoints and their weights, for outlier
	// detection; the slice is immutable once stored, and Update stores a
	// new one.
	members atomic.Pointer[[]member]
}

// member is a service's endpoint with its weight.
type member struct {
	ep     *endpoint
	weight int
}

// list returns the service's endpoints and weights; do not modify it.
func (s *service) list() []member {
	if p := s.members.Load(); p != nil {
		return *p
	}
	return nil
}

// endpoint is one provider agent, with one connection per event loop.
type endpoint struct {
	addr     string
	conns    []*upstream.Conn
	peer     *upstream.Peer // its connections' shared state and log
	health   health
	inflight inFlight
	// report is the load its answers last reported; capacity the calls
	// it takes at once, from its registration (0: not said). Both are
	// read on every pick (balance.go).
	report   lb.Report
	capacity atomic.Int64
	// measured is the capacity measured from its latency (measured.go),
	// 0 while none is; lastCut when it was last cut (UnixNano), owned by
	// Agent.watchOutliers.
	measured atomic.Int64
	lastCut  int64
	eject    ejection        // owned by Agent.watchOutliers
	m        endpointMetrics // its series, resolved once
	// rotation logs the agent leaving rotation (sidelined, ejected) and
	// coming back; inRotation is the state last set, owned by
	// Agent.watchOutliers.
	rotation   *logging.Switch
	inRotation bool
	// textOnly is set once the agent answered a JSON-form call as text
	// (answers.go), so that it is logged once.
	textOnly atomic.Bool
}

// up returns loop i's connection to the endpoint; its Writer is nil while it is down.
func (e *endpoint) up(i int) *upstream.Conn { return e.conns[i] }

// newEndpoint returns the endpoint of provider agent addr, not yet
// dialled, with its series resolved.
func (a *Agent) newEndpoint(addr string) *endpoint {
	return &endpoint{
		addr:       addr,
		inflight:   newInFlight(len(a.loops)),
		peer:       upstream.NewPeer("provider agent", "agent", addr, a.log),
		m:          a.m.forEndpoint(addr),
		rotation:   logging.NewSwitch(a.log, upstream.SwitchEvery),
		inRotation: true,
	}
}

func (a *Agent) dialEndpoint(addr string) *endpoint {
	ep := a.newEndpoint(addr)
	hb := protocol.HeaderSize
	for _, l := range a.loops {
		cfg := upstream.Config{
			Addr:        addr,
			NewDecoder:  l.newAnswerPass,
			OnBadStream: func(error) { a.m.badFrames.Inc() },
			OnDown:      l.onAgentDown,
			Flush:       a.cfg.Flush,
			IdleTimeout: a.cfg.AgentIdleTimeout,
			Heartbeat: func(w netpoll.Writer) error {
				b, err := w.Malloc(hb)
				if err == nil {
					protocol.PutHeartbeat(b, 0, false)
				}
				return err
			},
			OnDialError: func(err error) {
				ep.m.dialErrors.Inc()
				a.dialFailed(err) // tls.go
			},
			TLS: a.cfg.TLS,
		}
		a.liveness(&cfg, ep, l) // membership.go
		ep.peer.Wire(&cfg)
		ep.conns = append(ep.conns, upstream.Dial(cfg))
	}
	return ep
}

func (e *endpoint) close() {
	e.peer.Closing()
	for _, c := range e.conns {
		c.Close()
	}
}

// retire closes ep, which left the registry, and forgets its series unless
// an agent at its address has joined again meanwhile.
func (a *Agent) retire(ep *endpoint) {
	ep.close()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.endpoints[ep.addr] == nil {
		a.m.forget(ep.addr)
	}
}

// retireService forgets the response series of service iface, which left
// the registry a grace period ago, unless it has come back meanwhile: a
// long-lived agent keeps no series for every interface name etcd ever held.
func (a *Agent) retireService(iface string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.services[iface] == nil {
		a.m.forgetService(iface)
	}
}

// Update makes the agent route by snapshot s: it dials provider agents that
// appeared, updates weights, and retires those that left after a grace period
// that lets their calls in flight finish; a provider agent whose key left
// while its connections are healthy stays (membership.go). Calls are
// serialised by a mutex.
func (a *Agent) Update(s registry.Snapshot) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.discovered.Store(true)
	a.updateLocked(a.matchTLS(s))
}

// updateLocked is Update with a.mu held.
func (a *Agent) updateLocked(s registry.Snapshot) {
	if a.closed {
		return
	}
	s = a.keepOrphans(s)
	live := map[string]bool{}
	table := &routeTable{services: map[string]*service{}}
	for iface, eps := range s {
		svc := a.services[iface]
		if svc == nil {
			svc = &service{name: iface, lb: lb.NewSharded[*endpoint](len(a.loops)), codes: a.m.forService(iface)}
			a.services[iface] = svc
		}
		items := make([]lb.Item[*endpoint], 0, len(eps))
		members := make([]member, 0, len(eps))
		for _, e := range eps {
			ep := a.endpoints[e.Addr]
			if ep == nil {
				ep = a.dialEndpoint(e.Addr)
				a.endpoints[e.Addr] = ep
				a.log.Info("provider agent joined", "agent", e.Addr, "service", iface, "weight", e.Weight)
			}
			live[e.Addr] = true
			ep.capacity.Store(int64(e.Capacity))
			ep.showCapacity()
			items = append(items, lb.Item[*endpoint]{Key: e.Addr, Weight: e.Weight, Value: ep})
			members = append(members, member{ep: ep, weight: e.Weight})
		}
		svc.lb.Update(items)
		svc.members.Store(&members)
		if len(items) > 0 {
			table.services[iface] = svc
		}
	}
	for iface, svc := range a.services {
		if _, ok := s[iface]; !ok {
			svc.lb.Update(nil)
			delete(a.services, iface)
			a.log.Warn("service has no provider agent left", "service", iface)
			time.AfterFunc(a.cfg.Grace, func() { a.retireService(iface) })
		}
	}
	a.routes.Store(table)
	for addr, ep := range a.endpoints {
		if !live[addr] {
			delete(a.endpoints, addr)
			a.log.Info("provider agent left", "agent", addr, "grace", a.cfg.Grace)
			time.AfterFunc(a.cfg.Grace, func() { a.retire(ep) })
		}
	}
}
