package upstream

import (
	"math"
	"time"
)

// A ping queued behind our own bytes: a caller that streams megabytes of
// requests to a peer reading them at its own pace puts each ping behind
// them: behind another goroutine's flush waiting for room in the socket,
// in our socket's send queue, in the peer's receive buffer. The ping is
// then late for a reason that is the caller's, not the peer's: timing it
// from when it was written would declare a busy, healthy peer dead. Nor
// may the Conn's goroutine wait its turn to write it, or it checks
// nothing meanwhile.
//
// So a ping goes out without waiting (pushPing, on each tick until it is
// in the kernel), and its PingTimeout runs from the latest moment it was
// still behind bytes the peer was taking: ping records how many bytes the
// peer's kernel had acknowledged, markPing where in the stream the ping
// ends once flushed, and while the acknowledgements have not reached it,
// each tick that finds more of the stream acknowledged moves the start of
// the clock to now. A peer that takes nothing more (dead, partitioned,
// frozen with its receive buffer full) stops the acknowledgements, and the
// clock, started at the last progress, runs out as before. A peer whose
// kernel has the ping, or a socket that cannot say (off Linux, or no
// TCP_INFO), times the ping from when it was written.
//
// The cost is a TCP_INFO and a SIOCOUTQ read per ping, and a TCP_INFO per
// tick while a ping waits behind bytes: pings go out only on a connection
// silent for PingInterval. A TLS connection cannot send without waiting
// for room: its ping's flush waits as other flushes do.

// pingStage is how far the latest ping got.
type pingStage uint8

const (
	pingOut       pingStage = iota // in the kernel (or none)
	pingUnwritten                  // another goroutine held the writer
	pingUnflushed                  // written; the socket has not taken it all
)

// startPing begins a ping at now: not yet written, its clock started, and
// the acknowledgements counted from here. It runs on the Conn's goroutine.
func startPing(l *link, now int64) {
	l.pingStage, l.pingMark, l.pingQueued = pingUnwritten, math.MaxUint64, now
	_, l.pingAcked, _ = streamBytes(l.w.Conn())
}

// pushPing moves the ping on as far as it goes without waiting: written
// once no other goroutine holds the writer, flushed as the socket takes
// it, and then marked. It reports false when the heartbeat could not be
// written. It runs on the Conn's goroutine.
func (c *Conn) pushPing(l *link) bool {
	if l.pingStage == pingUnwritten {
		bw, busy := l.w.TryLock()
		if busy || bw == nil {
			return true // nil: closing, and the close callback ends serveOne
		}
		err := c.cfg.Heartbeat(bw)
		l.w.Unlock()
		if err != nil {
			return false
		}
		l.pingStage = pingUnflushed
	}
	if l.pingStage == pingUnflushed && l.w.TryFlush() {
		l.pingStage = pingOut
		markPing(l, time.Now().UnixNano())
	}
	return true
}

// markPing starts the clock of the ping the socket just took at now (the
// time it waited for the writer and the socket is ours) and records where
// in l's stream it ends. It runs on the Conn's goroutine.
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
