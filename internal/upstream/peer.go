package upstream

import (
	"log/slog"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"sync"
	"sync/atomic"
	"time"

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

	conns      atomic.Int32  // Configs wired
	up         atomic.Int32  // Conns connected
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
	return &Peer{what: what, key: key, addr: addr, sw: logging.NewSwitch(lg, SwitchEvery)}
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
// OnUp, OnDown, OnBadStream and OnDialError are wrapped (and still called).
// Call it once per Config, before Dial.
func (p *Peer) Wire(cfg *Config) {
	p.conns.Add(1)
	var (
		mu   sync.Mutex
		ups  int    // connections this Conn made
		why  string // why its current connection was lost, when known
		isUp bool
	)
	onUp, onDown, onBad, onDialErr := cfg.OnUp, cfg.OnDown, cfg.OnBadStream, cfg.OnDialError
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
		reason, was := why, isUp
		why, isUp = "", false
		mu.Unlock()
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
