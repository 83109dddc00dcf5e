package main

// call is a request waiting for a provider agent: the client connection and
// the pipeline slot its answer goes to, the provider agent it went to, whose
// health the answer updates, and what a retry needs: the service, the
// deadline (UnixNano) and whether this is the second attempt.
type call struct {
	hc       *httpConn
	slot     uint32
	retried  bool
	json     bool // a call in the JSON form: its answer must say it is JSON
	ep       *endpoint
	svc      *service
	deadline int64
}

// The loop's table of calls in flight and each provider agent's count of
// its calls in flight (which spreading and outlier detection read) change
// together, only through these three methods, so that the counts cannot
// drift from the table. A call leaving the table is observed in its
// provider agent's latency histogram, from its arrival: its deadline less
// the timeout.

// addCall puts c in the table and counts it against c.ep. It reports false,
// changing nothing, when the table is full. tag is the upstream
// connection's id, for takeTagged when that connection is lost.
func (l *loop) addCall(c call, tag uint64) (id uint32, ok bool) {
	l.a.clock.Now() // wakes the clock and the outlier watch if they sleep
	id, ok = l.calls.Add(c, tag, c.deadline)
	if ok {
		c.ep.inflight.add(l.idx)
		c.ep.up(l.idx).Active() // after the count that its Busy reads
	}
	return id, ok
}

// takeCall claims call id and takes it off its provider agent's count. Of
// every path that may end a call (its answer, the sweep, the loss of its
// connection), exactly one gets ok.
func (l *loop) takeCall(id uint32) (c call, ok bool) {
	if c, ok = l.calls.Take(id); ok {
		c.ep.inflight.done(l.idx)
		if d, now := c.ep.observe(c.deadline - l.timeout); d >= 0 {
			c.ep.inflight.sample(l.idx, d, now)
		}
	}
	return c, ok
}

// settled wraps fn, which ends each call the table gives up in bulk (past
// its deadline, on a lost connection, at close), so that the call leaves
// its provider agent's count first. Made once per bulk operation, not per
// call.
func (l *loop) settled(fn func(id uint32, c call)) func(uint32, call) {
	return func(id uint32, c call) {
		c.ep.inflight.done(l.idx)
		c.ep.observe(c.deadline - l.timeout)
		fn(id, c)
	}
}
