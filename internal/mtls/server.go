package mtls

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// DefaultHandshakeTimeout bounds a TLS handshake: a peer that connects and
// stalls is cut off after it. Handshakes between agents take a few
// milliseconds.
const DefaultHandshakeTimeout = time.Second

// DefaultMaxHandshakesPerHost is ServerConfig.MaxHandshakesPerHost's
// default: a consumer agent opens one connection per event loop, so its
// handshakes under way at once are a few.
const DefaultMaxHandshakesPerHost = 32

// RefusalLogEvery bounds the refusal log: one line per peer host and reason
// per interval (with how many were held back).
const RefusalLogEvery = 10 * time.Second

// ServerConfig configures Listen.
type ServerConfig struct {
	// Store holds the certificate, key and CA; required.
	Store *Store
	// HandshakeTimeout bounds each handshake; default
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// Accept is given each connection whose handshake succeeded, on a
	// goroutine of its own; it sets the connection up and calls Serve.
	// Required.
	Accept func(c *Conn)
	// Refused, if set, is told of each failed handshake, with its reason
	// (a counter, typically).
	Refused func(r Reason)
	// Log receives one line per refused peer host and reason per
	// RefusalLogEvery. Nil logs nothing.
	Log *slog.Logger
	// MaxConns, if positive, bounds the connections open at once,
	// handshakes under way included: past it a new connection is closed
	// as soon as it is accepted, before any handshake, and OverLimit is
	// told of it. It is not a refusal by Reason: neither Refused nor Log
	// hears of it.
	MaxConns int
	// OverLimit, if set, is told of each connection closed past MaxConns,
	// with its peer's address, on the accepting goroutine.
	OverLimit func(peer net.Addr)
	// MaxHandshakesPerHost bounds the handshakes under way from one peer
	// IP address: past it a new connection from there is closed as soon
	// as it is accepted, a refusal by Reason Busy. Peers that never finish
	// a handshake (no certificate, or nothing sent) thus hold at most this
	// many of the MaxConns slots per host, not all of them, and the
	// consumer agents' connections still get in. Zero:
	// DefaultMaxHandshakesPerHost; negative: no bound.
	MaxHandshakesPerHost int
}

// Server accepts TLS connections, does their handshakes with a deadline,
// refuses (counts, logs, closes) those that fail and hands the others to
// Accept. Its methods are safe for concurrent use.
type Server struct {
	cfg ServerConfig
	ln  net.Listener
	tls *tls.Config
	lim *logging.Limiter
	log *slog.Logger

	// open counts the connections accepted and not yet closed: in
	// their handshake, or served. MaxConns bounds it.
	open atomic.Int64

	mu      sync.Mutex
	conns   map[*Conn]struct{}
	shaking map[string]int // handshakes under way, per peer IP
	closed  bool
	wg      sync.WaitGroup // the accept loop and the handshakes
}

// Listen listens on addr (TCP) and serves TLS in the background.
func Listen(addr string, cfg ServerConfig) (*Server, error) {
	if cfg.Store == nil || cfg.Accept == nil {
		return nil, errors.New("mtls: Listen needs a Store and Accept")
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.MaxHandshakesPerHost == 0 {
		cfg.MaxHandshakesPerHost = DefaultMaxHandshakesPerHost
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	s := &Server{cfg: cfg, ln: ln, tls: cfg.Store.ServerConfig(), lim: logging.NewLimiter(RefusalLogEvery),
		log: logging.Or(cfg.Log), conns: map[*Conn]struct{}{}, shaking: map[string]int{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Port returns the TCP port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *Server) accept() {
	defer s.wg.Done()
	var delay time.Duration
	for {
		raw, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors and the like: back off, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if n := s.open.Add(1); s.cfg.MaxConns > 0 && n > int64(s.cfg.MaxConns) {
			s.open.Add(-1)
			raw.Close()
			if s.cfg.OverLimit != nil {
				s.cfg.OverLimit(raw.RemoteAddr())
			}
			continue
		}
		host := hostOf(raw.RemoteAddr())
		if !s.startHandshake(host) {
			s.open.Add(-1)
			s.refuse(raw, errBusy)
			continue
		}
		s.wg.Add(1)
		go s.handshake(raw, host)
	}
}

// errBusy is the refusal of a connection from a host with
// MaxHandshakesPerHost handshakes under way.
var errBusy = errors.New("mtls: too many handshakes under way from this host")

// hostOf returns addr's IP, as the key of the handshakes under way.
func hostOf(addr net.Addr) string {
	if a, ok := addr.(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return addr.String()
}

// startHandshake counts a handshake from host, unless host already has
// MaxHandshakesPerHost under way.
func (s *Server) startHandshake(host string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.shaking[host]; s.cfg.MaxHandshakesPerHost > 0 && n >= s.cfg.MaxHandshakesPerHost {
		return false
	}
	s.shaking[host]++
	return true
}

// endHandshake uncounts a handshake from host, done or failed.
func (s *Server) endHandshake(host string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shaking[host]--; s.shaking[host] <= 0 {
		delete(s.shaking, host)
	}
}

// handshake runs the server side of one handshake, bounded by
// HandshakeTimeout: the deadline ends the read of a peer that stalls, and
// a peer that sends garbage or hangs up ends it at once, so nothing is
// left running for a peer that went.
func (s *Server) handshake(raw net.Conn, host string) {
	defer s.wg.Done()
	served := false
	defer func() {
		if !served {
			s.open.Add(-1)
		}
	}()
	t := newTransport(raw)
	tc := tls.Server(t, s.tls)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.HandshakeTimeout)
	raw.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	err := tc.HandshakeContext(ctx)
	cancel()
	s.endHandshake(host) // done or failed: the host's slot is free
	if err != nil {
		s.refuse(raw, err)
		return
	}
	raw.SetDeadline(time.Time{})
	c, err := newConn(tc, t, raw)
	if err != nil {
		s.log.Warn("TLS connection lost moving to netpoll", "peer", raw.RemoteAddr().String(), "err", err.Error())
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	served = true
	c.AddCloseCallback(func(netpoll.Connection) error {
		s.open.Add(-1)
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		return nil
	})
	s.cfg.Accept(c)
}

// refuse counts, logs (rate-limited) and closes a failed handshake.
func (s *Server) refuse(raw net.Conn, err error) {
	drainBuffered(raw)
	raw.Close()
	r := Classify(err)
	if s.cfg.Refused != nil {
		s.cfg.Refused(r)
	}
	host, _, _ := net.SplitHostPort(raw.RemoteAddr().String())
	if ok, repeated := s.lim.Allow(host + " " + string(r)); ok {
		s.log.Warn("TLS handshake refused", "peer", raw.RemoteAddr().String(), "reason", string(r),
			"err", err.Error(), "repeated", repeated)
	}
}

// Conns returns the number of connections open.
func (s *Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Shutdown stops accepting, closes every connection and waits at most
// timeout for their close callbacks and for handshakes under way.
func (s *Server) Shutdown(timeout time.Duration) {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	var conns []*Conn
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	deadline := time.After(timeout)
	for _, c := range conns {
		c.Close()
	}
	for _, c := range conns {
		select {
		case <-c.Closed():
		case <-deadline:
			return
		}
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-deadline:
	}
}
