package upstream

// A stall (Config.StallLimit): a peer whose process answers nothing while
// its host acknowledges every byte sent. A JVM's stop-the-world pause
// looks so, as does any process that stops reading for a while; a dead
// host, a partition or a black hole do not acknowledge. Such a connection
// is kept: it takes no new call (callers send them elsewhere), its calls
// in flight run on to their deadlines, which a pause shorter than them
// lets them meet, and it is probed every PingInterval so that a host that
// goes away meanwhile is found within PingTimeout as usual. The peer's
// first answer ends the stall.

// stalled reports whether l, whose ping went unanswered for PingTimeout,
// is stalled and kept rather than dead, and keeps up its probes. It runs
// on the Conn's goroutine, on each tick while the ping is unanswered.
func (c *Conn) stalled(l *link, now int64) bool {
	cfg := &c.cfg
	if cfg.StallLimit <= 0 {
		return false
	}
	unacked, ok := unackedBytes(l.w.Conn())
	if !ok {
		return false
	}
	if l.stallSince.Load() == 0 {
		if unacked {
			return false // the ping itself is unacknowledged: the host or the path is gone
		}
		l.stallSince.Store(now)
		l.probeSent, l.unackedSince = now, 0
		c.cur.CompareAndSwap(l.w, nil)
		if cfg.OnStall != nil {
			cfg.OnStall(true)
		}
		return true
	}
	switch {
	case !unacked:
		l.unackedSince = 0
	case l.unackedSince == 0:
		l.unackedSince = now
	case now-l.unackedSince >= int64(cfg.PingTimeout):
		return false // the host stopped acknowledging
	}
	if now-l.stallSince.Load() >= int64(cfg.StallLimit) {
		return false
	}
	if now-l.probeSent >= int64(cfg.PingInterval) {
		l.probeSent = now
		return c.heartbeat(l)
	}
	return true
}

// unstall ends l's stall, if any, once its peer has answered: it is
// offered to callers again unless it was suspended meanwhile.
func (c *Conn) unstall(l *link) {
	if l.stallSince.Swap(0) == 0 {
		return
	}
	if l.offered.Load() && !l.suspended.Load() {
		c.cur.CompareAndSwap(nil, l.w)
	}
	if c.cfg.OnStall != nil {
		c.cfg.OnStall(false)
	}
}
