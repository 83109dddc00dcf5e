package upstream

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// killableServer accepts connections and reads them, until kill closes the
// listener and every connection.
type killableServer struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startKillable(t *testing.T, addr string) *killableServer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &killableServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go func() {
				var b [512]byte
				for {
					if _, err := c.Read(b[:]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return s
}

func (s *killableServer) kill() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPeerLogsLossAndRecoveryOnce runs three Conns to one address, as the
// agents' loops do, through the address's loss and return: one line for
// each change, whatever the number of Conns and failed redials.
func TestPeerLogsLossAndRecoveryOnce(t *testing.T) {
	s := startKillable(t, "127.0.0.1:0")
	addr := s.ln.Addr().String()
	var logs syncBuffer
	p := NewPeer("provider", "provider", addr, slog.New(slog.NewTextHandler(&logs, nil)))
	var got atomic.Int64
	var conns []*Conn
	for range 3 {
		cfg := Config{Addr: addr, NewDecoder: consumeAll(&got), MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
		p.Wire(&cfg)
		conns = append(conns, Dial(cfg))
	}
	waitUntil(t, "3 connections up", func() bool { return p.Up() == 3 })
	if p.Conns() != 3 || !p.Reachable() {
		t.Fatalf("conns %d, reachable %v", p.Conns(), p.Reachable())
	}
	s.kill()
	waitUntil(t, "every connection down", func() bool { return p.Up() == 0 })
	time.Sleep(100 * time.Millisecond) // failed redials
	s2 := startKillable(t, addr)
	defer s2.kill()
	waitUntil(t, "3 connections back", func() bool { return p.Up() == 3 })
	if p.Reconnects() != 3 {
		t.Errorf("reconnects = %d, want 3", p.Reconnects())
	}
	p.Closing()
	for _, c := range conns {
		c.Close()
	}
	if p.Up() != 0 || p.Conns() != 3 {
		t.Errorf("after Close: up %d, conns %d", p.Up(), p.Conns())
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	want := []string{
		`level=INFO msg="provider connected" provider=` + addr,
		`level=WARN msg="provider unreachable" provider=` + addr + ` reason=`,
		`level=INFO msg="provider reachable again" provider=` + addr + ` after=`,
	}
	if len(lines) != len(want) {
		t.Fatalf("log:\n%s\nwant %d lines", logs.String(), len(want))
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d: %q, want %q", i, lines[i], w)
		}
	}
}

// TestPeerUnreachableAtStart logs a peer that is not there from the first
// dial on, once, and a held Peer only when started.
func TestPeerUnreachableAtStart(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	var logs syncBuffer
	p := NewPeer("provider agent", "agent", addr, slog.New(slog.NewTextHandler(&logs, nil)))
	p.Hold()
	var got atomic.Int64
	cfg := Config{Addr: addr, NewDecoder: consumeAll(&got), MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond}
	p.Wire(&cfg)
	c := Dial(cfg)
	time.Sleep(100 * time.Millisecond)
	if logs.String() != "" {
		t.Fatalf("logged before Start: %s", logs.String())
	}
	p.Start() // logs the state it found
	time.Sleep(50 * time.Millisecond)
	c.Close()
	if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), `msg="provider agent unreachable" agent=`+addr+` reason="dial tcp`) {
		t.Fatalf("log:\n%s", logs.String())
	}
}

// TestPeerLeaving: the loss of a peer that said it was leaving is logged
// at info, as expected; a peer back after it is again watched as usual.
func TestPeerLeaving(t *testing.T) {
	s := startKillable(t, "127.0.0.1:0")
	addr := s.ln.Addr().String()
	var logs syncBuffer
	p := NewPeer("provider agent", "agent", addr, slog.New(slog.NewTextHandler(&logs, nil)))
	var got atomic.Int64
	cfg := Config{Addr: addr, NewDecoder: consumeAll(&got), MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	p.Wire(&cfg)
	c := Dial(cfg)
	defer c.Close()
	waitUntil(t, "connected", p.Reachable)
	p.Leaving()
	s.kill()
	waitUntil(t, "down", func() bool { return !p.Reachable() })
	s2 := startKillable(t, addr)
	waitUntil(t, "back", p.Reachable)
	s2.kill()
	waitUntil(t, "down again", func() bool { return !p.Reachable() })
	time.Sleep(50 * time.Millisecond)
	p.Closing()
	out := logs.String()
	for _, w := range []string{
		`level=INFO msg="provider agent went away, as it said it would" agent=` + addr,
		`level=WARN msg="provider agent unreachable" agent=` + addr,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("log lacks %q:\n%s", w, out)
		}
	}
	if strings.Count(out, "WARN") != 1 {
		t.Errorf("want one warning, the loss after it came back:\n%s", out)
	}
}

// TestPeerRefusedAtStart: a peer that refuses each connection before it
// is offered (its answer to the dial's ping is a refusal) is logged as
// unreachable, once, with the refusal as the reason: it is not silent.
func TestPeerRefusedAtStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("no"))
			go func() { // until the refused side closes
				defer c.Close()
				var b [64]byte
				for {
					if _, err := c.Read(b[:]); err != nil {
						return
					}
				}
			}()
		}
	}()
	addr := ln.Addr().String()
	var logs syncBuffer
	p := NewPeer("provider agent", "agent", addr, slog.New(slog.NewTextHandler(&logs, nil)))
	var got atomic.Int64
	var busy atomic.Bool
	cfg := livenessConfig(addr, &got, &busy)
	cfg.NewDecoder = func(*batch.Writer) (batch.Decoder, *batch.Set) {
		r := &refuser{}
		return r, &r.set
	}
	p.Wire(&cfg)
	c := Dial(cfg)
	time.Sleep(200 * time.Millisecond) // several refused dials
	p.Closing()
	c.Close()
	out := logs.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `msg="provider agent unreachable" agent=`+addr) ||
		!strings.Contains(out, `reason="bad stream: refused"`) {
		t.Fatalf("log:\n%s", out)
	}
}

// TestPeerLogsPingTimeout: a connection declared dead for a ping
// unanswered is logged with that reason, not as merely closed.
func TestPeerLogsPingTimeout(t *testing.T) {
	s := startPingServer(t)
	addr := s.ln.Addr().String()
	var logs syncBuffer
	p := NewPeer("provider agent", "agent", addr, slog.New(slog.NewTextHandler(&logs, nil)))
	var got atomic.Int64
	var busy atomic.Bool
	cfg := livenessConfig(addr, &got, &busy)
	p.Wire(&cfg)
	freezeWithCall(t, s, dialReady(t, cfg), &busy)
	waitUntil(t, "the loss logged", func() bool { return strings.Contains(logs.String(), "unreachable") })
	p.Closing()
	if !strings.Contains(logs.String(), `reason="no answer to a ping within 80ms"`) {
		t.Fatalf("log:\n%s", logs.String())
	}
	s.frozen.Store(false)
}
