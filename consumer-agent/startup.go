package main

import "time"

// A consumer agent serves HTTP from its start, before it has read etcd and
// dialed the provider agents it finds there (tens of milliseconds when all
// is well). A request that finds no provider agent to call in that time
// waits for one, polling every startPoll, rather than failing: clients that
// reconnect at once to an agent restarted under load would otherwise meet a
// burst of 503s and 502s. The wait ends maxStartWait (at most the call
// timeout) after the agent started; after that, a request with nowhere to
// go fails at once, as ever (Config.StartWait).
const (
	maxStartWait = 2 * time.Second
	startPoll    = 5 * time.Millisecond
)

// starting reports whether the agent is still within its start-up wait.
func (a *Agent) starting() bool { return time.Now().UnixNano() < a.startUntil }

// route finds where a call of iface goes on loop l: its service (nil when
// no provider agent is known for it) and, ok, the provider agent picked.
func (a *Agent) route(l *loop, iface []byte) (svc *service, ep *endpoint, ok bool) {
	svc = a.routes.Load().services[string(iface)]
	if svc == nil {
		return nil, nil, false
	}
	ep, ok = l.pick(svc) // balance.go
	return svc, ep, ok
}

// startWait pauses the connection's handler for startPoll during the
// start-up wait (batch.Set.Pause).
func (hc *httpConn) startWait() {
	hc.set.Pause(func() { time.Sleep(startPoll) })
}
