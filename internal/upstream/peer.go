package upstream

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// Peer is what the Conns to one address share: how many of them are
// connected, how many times they connected again after a loss, and the log
// of the address becoming unreachable and reachable again, once each
// change however many Conns see it. Wire a Conn's Config to its Peer
// before Dial.
//
// A Peer is safe for concurrent use. It lives as long as its Conns; it
// holds no goroutine of its own.
type Peer struct {
	what, key, addr string
	sw              *logging.Switch
	stallSw         *logging.Switch // stalled and answering again (stall.go)

	conns      atomic.Int32  // Configs wired
	up         atomic.Int32  // Conns connected
	stalled    atomic.Int32  // Conns stalled (Config.StallLimit)
	stallStart atomic.Int64  // UnixNano the peer stalled (its first stalled Conn)
	reconnects atomic.Uint64 // connections made after a lost one
	closing    atomic.Bool   // Closing was called: losses are not logged
	leaving    atomic.Bool   // Leaving was called: the next loss is expected

	mu        sync.Mutex
	held      bool      // Hold was called, Start not yet: changes are not logged
	downSince time.Time // when the address last became unreachable
	reason    string    // why, while it is
}

// SwitchEvery bounds how often a Peer logs: a peer that flaps gets at most
// logging.SwitchBurst lines per SwitchEvery.
const SwitchEvery = 10 * time.Second

// NewPeer returns the Peer of addr, what it is ("provider", "provider
// agent") naming it in log lines, whose attribute key (e.g. "provider",
// "agent") holds addr. A nil lg logs nothing.
func NewPeer(what, key, addr string, lg *slog.Logger) *Peer {
	return &Peer{what: what, key: key, addr: addr, sw: logging.NewSwitch(lg, SwitchEvery), stallSw: logging.NewSwitch(lg, SwitchEvery)}
}

// Hold keeps p from logging until Start. A component whose start may
// still fail (its listener refused) holds its Peer until it is up, so that
// a failed start prints nothing of it.
func (p *Peer) Hold() {
	p.mu.Lock()
	p.held = true
	p.mu.Unlock()
}

// Start makes a held p log: the state it has now, if known, then each
// change.
func (p *Peer) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.held {
		return
	}
	p.held = false
	switch {
	case p.up.Load() > 0:
		p.sw.Set(true, p.what+" connected", p.key, p.addr)
	case !p.downSince.IsZero():
		p.sw.Set(false, p.what+" unreachable", p.key, p.addr, "reason", p.reason)
	}
}

// Wire makes cfg, the Config of one Conn to the peer, report to p: its
// OnUp, OnDown, OnBadStream, OnDialError, OnPingTimeout and OnStall are
// wrapped (and still called).
// Call it once per Config, before Dial.
func (p *Peer) Wire(cfg *Config) {
	p.conns.Add(1)
	var (
		mu        sync.Mutex
		ups       int    // connections this Conn made
		why       string // why its current connection was lost, when known
		isUp      bool
		isStalled bool // its connection is stalled (stall.go)
	)
	onUp, onDown, onBad, onDialErr, onPing := cfg.OnUp, cfg.OnDown, cfg.OnBadStream, cfg.OnDialError, cfg.OnPingTimeout
	noPong := "no answer to a ping"
	if cfg.PingTimeout > 0 {
		noPong += " within " + cfg.PingTimeout.String()
	}
	cfg.OnPingTimeout = func() {
		mu.Lock()
		if why == "" {
			why = noPong
		}
		mu.Unlock()
		if onPing != nil {
			onPing()
		}
	}
	cfg.OnUp = func(w *batch.Writer) {
		mu.Lock()
		ups++
		again := ups > 1
		why, isUp = "", true
		mu.Unlock()
		if again {
			p.reconnects.Add(1)
		}
		p.connected()
		if onUp != nil {
			onUp(w)
		}
	}
	cfg.OnBadStream = func(err error) {
		mu.Lock()
		if why == "" {
			why = "bad stream: " + err.Error()
		}
		mu.Unlock()
		if onBad != nil {
			onBad(err)
		}
	}
	cfg.OnDown = func(w *batch.Writer) {
		mu.Lock()
		reason, was, stalled := why, isUp, isStalled
		why, isUp, isStalled = "", false, false
		mu.Unlock()
		if stalled {
			p.stall(false, "its connection was closed")
		}
		switch {
		case was:
			if reason == "" {
				reason = "connection closed"
			}
			p.lost(reason)
		case reason != "":
			// Refused before it was offered (an error frame for the
			// whole connection in answer to the dial's ping): as a
			// failed dial.
			p.failed(reason)
		}
		if onDown != nil {
			onDown(w)
		}
	}
	cfg.OnDialError = func(err error) {
		p.dialFailed(err)
		if onDialErr != nil {
			onDialErr(err)
		}
	}
	onStall := cfg.OnStall
	cfg.OnStall = func(stalled bool) {
		mu.Lock()
		changed := isStalled != stalled
		isStalled = stalled
		mu.Unlock()
		if changed {
			p.stall(stalled, "")
		}
		if onStall != nil {
			onStall(stalled)
		}
	}
}

// stall records a Conn's stall and its end: the peer is logged as stalled
// when its first Conn stalls, and as answering again when the last one
// ends its stall.
// A stall ended by the connection's loss says so (how: "its connection
// was closed") instead of "answering again".
func (p *Peer) stall(stalled bool, how string) {
	if stalled {
		if p.stalled.Add(1) == 1 {
			p.stallStart.Store(time.Now().UnixNano())
			p.stallSw.Set(false, p.what+" stalled: its host acknowledges, it answers nothing (a pause?); no new call until it answers",
				p.key, p.addr)
		}
		return
	}
	if p.stalled.Add(-1) != 0 {
		return
	}
	msg := p.what + " answering again"
	if how != "" {
		msg = p.what + " stall over: " + how
	}
	p.stallSw.Set(true, msg, p.key, p.addr, "after", time.Since(time.Unix(0, p.stallStart.Load())).Round(time.Millisecond))
}

// Closing tells p that its Conns are being closed on purpose: their losses
// from now on are not logged.
func (p *Peer) Closing() { p.closing.Store(true) }

// Leaving tells p that its peer said it is going away (a GOAWAY): the
// loss of its connections that follows is logged at info level, as it
// went away, not as a warning. A connection made again ends it.
func (p *Peer) Leaving() { p.leaving.Store(true) }

// Addr returns the peer's address.
func (p *Peer) Addr() string { return p.addr }

// Conns returns the number of Conns wired to the peer.
func (p *Peer) Conns() int { return int(p.conns.Load()) }

// Up returns the number of Conns to the peer that are connected.
func (p *Peer) Up() int { return int(p.up.Load()) }

// Reconnects returns how many times a Conn connected again after losing its
// connection.
func (p *Peer) Reconnects() uint64 { return p.reconnects.Load() }

// Reachable reports whether at least one Conn to the peer is connected.
func (p *Peer) Reachable() bool { return p.up.Load() > 0 }

// connected records a Conn's new connection.
func (p *Peer) connected() {
	if p.up.Add(1) != 1 {
		return
	}
	p.leaving.Store(false)
	p.mu.Lock()
	defer p.mu.Unlock()
	since := p.downSince
	p.downSince, p.reason = time.Time{}, ""
	switch {
	case p.held:
	case since.IsZero():
		p.sw.Set(true, p.what+" connected", p.key, p.addr)
	default:
		p.sw.Set(true, p.what+" reachable again", p.key, p.addr, "after", time.Since(since).Round(time.Millisecond))
	}
}

// lost records the loss of a Conn's connection, for reason.
func (p *Peer) lost(reason string) {
	if p.up.Add(-1) == 0 && !p.closing.Load() {
		p.unreachable(reason)
	}
}

// dialFailed records a failed dial.
func (p *Peer) dialFailed(err error) { p.failed(err.Error()) }

// failed records a connection that failed before it was up, for reason.
func (p *Peer) failed(reason string) {
	if p.up.Load() == 0 && !p.closing.Load() {
		p.unreachable(reason)
	}
}

func (p *Peer) unreachable(reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.up.Load() > 0 {
		return // a Conn connected meanwhile
	}
	if p.downSince.IsZero() {
		p.downSince = time.Now()
	}
	p.reason = reason
	switch {
	case p.held:
	case p.leaving.Load():
		p.sw.SetExpected(false, p.what+" went away, as it said it would", p.key, p.addr, "reason", reason)
	default:
		p.sw.Set(false, p.what+" unreachable", p.key, p.addr, "reason", reason)
	}
}
