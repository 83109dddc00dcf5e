package main

import "time"

// A consumer agent's connection never makes the agent wait: the answers
// written to it spill (batch.Writer.Spill) when its socket is full, so that
// an answer pass, which writes to the connections of many calls, and the
// heartbeats it carries, are never held by one peer that does not read.
// Instead, the peer's own requests are read no further while it is behind
// by more than maxBacklog; one that takes less than 64 KiB of it in
// peerWriteTimeout is closed (or dropped by the kernel first: these
// sockets carry a 5 s TCP_USER_TIMEOUT, which gives up on a window kept
// shut).
const (
	peerWriteTimeout = 5 * time.Second
	maxBacklog       = 4 << 20
)

// caughtUp is the Writer's progress callback: the peer read some of what it
// was behind on.
func (c *inConn) caughtUp() {
	select {
	case c.behind <- struct{}{}:
	default:
	}
}

// waitBacklog holds the connection's handler while its peer is more than
// maxBacklog behind in reading answers, or until the connection closes, and
// reports whether it is still open. It waits as a paused handler
// (batch.Set.Pause).
func (c *inConn) waitBacklog() (open bool) {
	if c.w.Backlog() <= maxBacklog {
		return true
	}
	c.p.set.Pause(func() {
		for c.w.Backlog() > maxBacklog && c.w.Conn().IsActive() {
			select {
			case <-c.behind:
			case <-time.After(peerWriteTimeout):
			}
		}
	})
	return c.w.Conn().IsActive()
}
