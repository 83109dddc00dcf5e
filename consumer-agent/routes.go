package main

import (
	"log"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"

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
	name string
	lb   *lb.Sharded[*endpoint]
	// members holds the endpoints and their weights, for spreading (on
	// the hot path) and outlier detection; the slice is immutable once
	// stored, and Update stores a new one.
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
	health   health
	inflight inFlight
	eject    ejection // owned by Agent.watchOutliers
}

// up returns loop i's connection to the endpoint; its Writer is nil while it is down.
func (e *endpoint) up(i int) *upstream.Conn { return e.conns[i] }

func (a *Agent) dialEndpoint(addr string) *endpoint {
	ep := &endpoint{addr: addr, inflight: newInFlight(len(a.loops))}
	hb := protocol.HeaderSize
	for _, l := range a.loops {
		l := l
		ep.conns = append(ep.conns, upstream.Dial(upstream.Config{
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
			OnDialError: func(error) { a.m.dialErrors.Inc() },
		}))
	}
	return ep
}

func (e *endpoint) close() {
	for _, c := range e.conns {
		c.Close()
	}
}

// Update makes the agent route by snapshot s: it dials provider agents that
// appeared, updates weights, and retires those that left after a grace period
// that lets their calls in flight finish. Calls are serialised by a mutex.
func (a *Agent) Update(s registry.Snapshot) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return
	}
	live := map[string]bool{}
	table := &routeTable{services: map[string]*service{}}
	for iface, eps := range s {
		svc := a.services[iface]
		if svc == nil {
			svc = &service{name: iface, lb: lb.NewSharded[*endpoint](len(a.loops))}
			a.services[iface] = svc
		}
		items := make([]lb.Item[*endpoint], 0, len(eps))
		members := make([]member, 0, len(eps))
		for _, e := range eps {
			ep := a.endpoints[e.Addr]
			if ep == nil {
				ep = a.dialEndpoint(e.Addr)
				a.endpoints[e.Addr] = ep
				log.Printf("provider agent %s joined (%s, weight %d)", e.Addr, iface, e.Weight)
			}
			live[e.Addr] = true
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
		}
	}
	a.routes.Store(table)
	for addr, ep := range a.endpoints {
		if !live[addr] {
			delete(a.endpoints, addr)
			log.Printf("provider agent %s left; closing its connections in %v", addr, a.cfg.Grace)
			time.AfterFunc(a.cfg.Grace, ep.close)
		}
	}
}
