package upstream

// A ping queued behind our own bytes: a caller that streams megabytes of
// requests to a peer reading them at its own pace puts each ping behind
// them, in our socket's send queue and the peer's receive buffer. The
// ping is then late for a reason that is the caller's, not the peer's:
// timing it from when it was written would declare a busy, healthy peer
// dead. So a ping's PingTimeout runs from the latest moment it was still
// behind bytes the peer was taking: ping records where in the stream the
// ping ends, and while the peer's kernel has not acknowledged that far,
// each tick that finds more of the stream acknowledged moves the start of
// the clock to now. A peer that takes nothing more (dead, partitioned,
// frozen with its receive buffer full) stops the acknowledgements, and the
// clock, started at the last progress, runs out as before. A peer whose
// kernel has the ping, or a socket that cannot say (TLS off Linux, or no
// TCP_INFO), times the ping from when it was written.
//
// The cost is one TCP_INFO and one SIOCOUTQ read per ping, and one
// TCP_INFO per tick while a ping waits behind bytes: pings go out only on a
// connection silent for PingInterval.

// markPing starts the clock of the ping just flushed at now (the time it
// waited to reach the socket, behind other writers' flushes, is ours) and
// records where in l's stream it ends. It runs on the Conn's goroutine,
// after the heartbeat's flush.
func markPing(l *link, now int64) {
	l.pingQueued = now
	written, acked, ok := streamBytes(l.w.Conn())
	if !ok || acked >= written {
		l.pingMark = 0
		return
	}
	l.pingMark, l.pingAcked = written, acked
}

// pingStart returns when the PingTimeout of l's ping, written at sent,
// started (see above). It runs on the Conn's goroutine, on each tick while
// the ping is unanswered.
func pingStart(l *link, sent, now int64) int64 {
	if l.pingMark != 0 {
		_, acked, ok := streamBytes(l.w.Conn())
		switch {
		case !ok || acked >= l.pingMark:
			l.pingMark = 0 // the peer's kernel has it
		case acked != l.pingAcked:
			l.pingAcked, l.pingQueued = acked, now
		}
	}
	return max(sent, l.pingQueued)
}
