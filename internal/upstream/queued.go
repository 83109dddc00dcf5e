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
// in the kernel), and its PingTimeout runs from the latest moment the peer
// was seen taking what is ahead of it: each tick while it is unanswered
// reads the socket's TCP_INFO, and moves the start of the clock to now if
// the peer's kernel acknowledged more of the bytes before the ping (ping
// and markPing record where the ping ends in the stream, bytes_acked plus
// SIOCOUTQ once it is flushed), or if the window the peer advertises grew
// while nothing more arrived: its process read from its receive buffer,
// where the ping waits behind what came before. A peer that takes nothing
// more (dead, partitioned, frozen) neither acknowledges nor opens its
// window, and the clock, started at the last progress, runs out as before.
// Acknowledgements of bytes after the ping do not count, nor a window that
// grew as they arrived: a frozen process's kernel takes those too, and
// widens a young connection's window as data comes. A socket that cannot
// say (off Linux, or no TCP_INFO) times the ping from when it was written.
//
// The cost is a TCP_INFO and a SIOCOUTQ read per ping and a TCP_INFO per
// tick while it is unanswered: pings go out only on a connection silent
// for PingInterval.

// pingStage is how far the latest ping got.
type pingStage uint8

const (
	pingOut       pingStage = iota // in the kernel (or none)
	pingUnwritten                  // another goroutine held the writer
	pingUnflushed                  // written; the socket has not taken it all
)

// startPing begins a ping at now: not yet written, its clock started, and
// the peer's progress counted from here. It runs on the Conn's goroutine.
func startPing(l *link, now int64) {
	l.pingStage, l.pingMark, l.pingQueued = pingUnwritten, math.MaxUint64, now
	st, ok := streamOf(l.w.Conn())
	l.pingTracked, l.pingAcked, l.pingWindow = ok, st.acked, st.window
}

// pushPing moves the ping on as far as it goes without waiting: written
// once no other goroutine holds the writer, flushed as the socket takes
// it, and then marked. It reports false when the heartbeat could not be
// written. It runs on the Conn's goroutine.
func (c *Conn) pushPing(l *link) bool {
	if l.pingStage == pingUnwritten {
		written, ok := c.writeHeartbeat(l)
		if !written {
			return ok
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
	if !l.pingTracked {
		return
	}
	st, ok := streamOf(l.w.Conn())
	l.pingTracked = ok
	l.pingMark, l.pingAcked, l.pingWindow = st.written, st.acked, st.window
}

// pingStart returns when the PingTimeout of l's ping, written at sent,
// started (see above). It runs on the Conn's goroutine, on each tick while
// the ping is unanswered.
func pingStart(l *link, sent, now int64) int64 {
	if l.pingTracked {
		st, ok := streamOf(l.w.Conn())
		switch {
		case !ok:
			l.pingTracked = false
		case st.acked > l.pingAcked && st.acked < l.pingMark, st.window > l.pingWindow && st.acked == l.pingAcked:
			l.pingQueued = now // the peer took some of what is ahead of the ping
		}
		l.pingAcked, l.pingWindow = st.acked, st.window
	}
	return max(sent, l.pingQueued)
}
