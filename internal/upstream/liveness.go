package upstream

import (
	"sync/atomic"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// Liveness, modelled on gRPC keepalive and HTTP/2 PING: a connection that
// owes answers and has read nothing for Config.PingInterval gets a ping;
// a ping unanswered for Config.PingTimeout (nothing at all read since it
// went out, timed from when it reached the peer's kernel if it waited
// behind our own bytes: queued.go) means the peer or the path is gone:
// black-holed, partitioned, frozen (SIGSTOP) or dead without a FIN. The
// connection is then closed, so OnDown fails its calls at once instead of
// leaving them to their deadlines, and it is redialed with backoff. A new
// connection is pinged as soon as it is dialed and offered to callers only
// once the peer answered: a kernel that still accepts connections for a
// frozen process does not get calls.
//
// Any byte read counts as an answer, so while answers flow no ping is
// sent: the cost under traffic is one clock reading per read (already
// taken) and the Conn's ticker, a few wake-ups per PingInterval per
// connection; nothing per call.

// link is the state of one dialed connection. lastRead is written by the
// connection's handler; the rest belongs to the Conn's goroutine, except
// offered and suspended, which any goroutine may set.
type link struct {
	w         *batch.Writer
	dialed    int64        // UnixNano
	lastRead  atomic.Int64 // UnixNano of the latest read
	pingSent  atomic.Int64 // UnixNano of the unanswered ping; 0: none
	offered   atomic.Bool
	suspended atomic.Bool

	quietSince  int64 // UnixNano of the latest tick that found nothing outstanding
	suspendIdle int64 // UnixNano since which a suspended link has had nothing outstanding; 0: busy

	// The stall (stall.go): since when (0: not stalled; atomic for
	// Stalled), the latest probe, and since when the peer's kernel has
	// left data unacknowledged (0: all acknowledged).
	stallSince   atomic.Int64
	probeSent    int64
	unackedSince int64

	// The ping behind our own bytes (queued.go): how far it got, whether
	// the socket tells the peer's progress, where in the stream the ping
	// ends, the bytes acknowledged and the peer's window at the latest
	// check, and when its clock started.
	pingStage   pingStage
	pingTracked bool
	pingMark    uint64
	pingAcked   uint64
	pingWindow  uint32
	pingQueued  int64

	// timedOut: the link was declared dead for a ping unanswered
	// (probation.go).
	timedOut bool
}

// tickEvery is the period of the Conn's checks.
func (c *Conn) tickEvery() time.Duration {
	d := c.cfg.IdleTimeout / 4
	if p := c.cfg.PingInterval; p > 0 && p/2 < d {
		d = p / 2
	}
	return max(d, time.Millisecond)
}

// check runs on every tick with the time now (UnixNano). It sends the pings
// that are due and reports false when the connection must be closed.
func (c *Conn) check(l *link, now int64) bool {
	cfg := &c.cfg
	last := l.lastRead.Load()
	if p := l.pingSent.Load(); p != 0 {
		if last < p {
			if !c.pushPing(l) {
				return false
			}
			if now-pingStart(l, p, now) < int64(cfg.PingTimeout) || c.stalled(l, now) {
				return true
			}
			if cfg.OnPingTimeout != nil {
				cfg.OnPingTimeout()
			}
			l.timedOut = true
			return false
		}
		l.pingSent.Store(0)
		l.pingStage = pingOut // answered: one not yet written is not needed
		c.suspect.Store(false)
		c.unstall(l)
		if !l.offered.Load() {
			c.offer(l)
		}
	}
	busy := cfg.Busy != nil && cfg.Busy()
	if !busy {
		l.quietSince = now
	}
	if l.suspended.Load() {
		switch {
		case busy:
			l.suspendIdle = 0
		case l.suspendIdle == 0:
			l.suspendIdle = now
		case now-l.suspendIdle >= int64(cfg.SuspendLimit):
			return false // the peer never closed it
		}
	}
	idle := now - last
	if cfg.PingInterval > 0 {
		if busy && now-max(last, l.quietSince) >= int64(cfg.PingInterval) {
			c.suspect.Store(true)
			return c.ping(l, now)
		}
		if idle >= int64(cfg.IdleTimeout) {
			return c.ping(l, now)
		}
		return true
	}
	// Without liveness: a heartbeat after IdleTimeout, and a peer that
	// answers none for three times as long is gone.
	if idle >= 3*int64(cfg.IdleTimeout) {
		return false
	}
	if idle >= int64(cfg.IdleTimeout) && cfg.Heartbeat != nil {
		return c.heartbeat(l)
	}
	return true
}

// ping sends a heartbeat as far as it goes without waiting (queued.go) and
// records when, for check to time it out. pingSent is stored first: a read
// after it, however soon, answers the ping. It reports false when the
// heartbeat could not be written.
func (c *Conn) ping(l *link, now int64) bool {
	l.pingSent.Store(now)
	startPing(l, now)
	return c.pushPing(l)
}

// heartbeat writes one heartbeat request and flushes it, without waiting:
// while another goroutine holds the writer (a flush the socket is slow to
// take) it writes none, as the bytes under way keep the path warm, and what
// the socket does not take goes with the next flush. It reports false when
// the write failed.
func (c *Conn) heartbeat(l *link) bool {
	written, ok := c.writeHeartbeat(l)
	if written {
		l.w.TryFlush()
	}
	return ok
}

// writeHeartbeat writes one heartbeat request unless another goroutine
// holds the writer or the connection is closing (whose close callback ends
// serveOne). written reports that it did; ok is false when the write
// failed.
func (c *Conn) writeHeartbeat(l *link) (written, ok bool) {
	bw, busy := l.w.TryLock()
	if busy || bw == nil {
		return false, true
	}
	err := c.cfg.Heartbeat(bw)
	l.w.Unlock()
	return err == nil, err == nil
}
