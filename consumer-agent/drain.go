package main

import "time"

// drainQuiet is how long no call may have been in flight before Drain
// ends early: the program beside the agent has stopped calling.
const drainQuiet = 300 * time.Millisecond

// drainPoll is how often Drain looks at the calls in flight.
const drainPoll = 10 * time.Millisecond

// Drain is the first half of a graceful stop (SIGTERM). The agent keeps
// serving, but each request read from now on is answered with
// "Connection: close" and its connection closed after that answer, so
// that clients move to new connections (served by this agent while it
// drains, and by the one that replaces it once it has gone); calls in
// flight are answered as usual. For the last call timeout (Config.Timeout)
// before timeout passes, or from the start if timeout is shorter, each
// new request is answered 503 without being called, so that every call
// made ends before the agent does, and a client that keeps calling learns
// which calls were not made. Drain returns once no call has been in
// flight for drainQuiet, or when timeout has passed, with the number of
// calls still in flight; Close then closes every connection. It may be
// called once, from any goroutine.
func (a *Agent) Drain(timeout time.Duration) int {
	a.draining.Store(true)
	deadline := time.Now().Add(timeout)
	closeAt := deadline.Add(-a.cfg.Timeout)
	var quietSince time.Time
	for {
		now := time.Now()
		if !now.Before(closeAt) {
			a.closing.Store(true)
		}
		n := a.inFlight()
		switch {
		case n > 0:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = now
		case now.Sub(quietSince) >= drainQuiet:
			return 0
		}
		if !now.Before(deadline) {
			return n
		}
		time.Sleep(min(drainPoll, time.Until(deadline)+time.Millisecond))
	}
}
