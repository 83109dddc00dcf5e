package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// errShutdownTimeout is returned by shutdown when calls were still in flight
// or responses unwritten at its deadline.
var errShutdownTimeout = errors.New("provider: shutdown timed out with calls in flight")

// config is the provider's settings, one field per flag.
type config struct {
	listen      string
	latency     time.Duration // time each call takes
	threads     int           // concurrent calls
	capacity    float64       // calls per second; 0 means unlimited
	heartbeat   time.Duration // idle time before a heartbeat; 0 disables
	attachments bool          // answer with response flags 3-5
	name        string        // label in logs
	admin       string        // control endpoint address; "" is off
	services    *exports      // --service; nil means defaultExports
}

// server is the provider: listener, connections, limiter and scheduler. Its
// methods are safe for concurrent use.
type server struct {
	cfg   config
	log   *log.Logger
	clk   clock
	lim   *limiter
	sched *scheduler

	draining atomic.Bool
	// refusing is set once the connections went quiet after the
	// read-only event (readonly.go): calls are then refused, status 80.
	refusing atomic.Bool
	nextID   atomic.Int64 // ids of the heartbeat requests we send

	// latency is each call's time in nanoseconds, read once per call as it
	// arrives; setLatency changes it for calls arriving afterwards.
	latency atomic.Int64

	// exhausted is the status 100 message, naming the pool size; it is
	// replaced (never modified) when the thread count changes, so a reader
	// may use the slice it loaded for as long as it likes.
	exhausted atomic.Pointer[[]byte]
	// shuttingDown is the status 80 message; read-only.
	shuttingDown []byte
	// ctlMu serialises setThreads, keeping the limiter's count and the
	// exhausted message in step.
	ctlMu sync.Mutex

	mu    sync.Mutex
	ln    net.Listener       // guarded by mu
	conns map[*conn]struct{} // guarded by mu
	wg    sync.WaitGroup     // connection goroutines
}

// newServer returns a server for cfg that logs to logw, with its scheduler
// running. Call serve to accept connections and shutdown to stop.
func newServer(cfg config, logw io.Writer) *server {
	s := &server{
		cfg:   cfg,
		log:   log.New(logw, "provider["+cfg.name+"] ", log.LstdFlags|log.Lmicroseconds),
		clk:   newClock(),
		lim:   newLimiter(cfg.threads, cfg.capacity),
		conns: make(map[*conn]struct{}),
	}
	s.sched = newScheduler(s.clk, s.complete)
	s.latency.Store(int64(cfg.latency))
	s.storeExhausted(cfg.threads)
	s.shuttingDown = fmt.Appendf(nil, "provider %s is shutting down", cfg.name)
	go s.sched.run()
	return s
}

// exhaustedMessage formats the status 100 message as Dubbo words it.
func exhaustedMessage(name string, threads int) []byte {
	return fmt.Appendf(nil,
		"Thread pool is EXHAUSTED! Thread Name: DubboServerHandler-%s, Pool Size: %d (active: %d, core: %d, max: %d)",
		name, threads, threads, threads, threads)
}

func (s *server) storeExhausted(threads int) {
	msg := exhaustedMessage(s.cfg.name, threads)
	s.exhausted.Store(&msg)
}

// setLatency sets the time taken by calls that arrive from now on; calls
// already scheduled keep theirs. d must not be negative.
func (s *server) setLatency(d time.Duration) { s.latency.Store(int64(d)) }

// setThreads sets the concurrent call limit (n >= 1) for calls that arrive
// from now on; calls holding threads keep them.
func (s *server) setThreads(n int) {
	s.ctlMu.Lock()
	s.storeExhausted(n)
	s.lim.setThreads(n)
	s.ctlMu.Unlock()
}

// logf logs to the server's log.
func (s *server) logf(format string, args ...any) { s.log.Printf(format, args...) }

// serve accepts connections on ln until shutdown closes it, then returns nil;
// any other accept failure is returned. Temporary failures (such as running
// out of file descriptors) are retried with backoff.
func (s *server) serve(ln net.Listener) error {
	s.mu.Lock()
	if s.draining.Load() {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.ln = ln
	s.mu.Unlock()
	s.logf("listening on %s (latency %v, threads %d, capacity %v/s)",
		ln.Addr(), s.cfg.latency, s.cfg.threads, s.cfg.capacity)
	backoff := 5 * time.Millisecond
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.draining.Load() {
				return nil
			}
			if isTemporary(err) {
				s.logf("accept: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				backoff = min(2*backoff, time.Second)
				continue
			}
			return err
		}
		backoff = 5 * time.Millisecond
		c := newConn(s, nc)
		s.mu.Lock()
		if s.draining.Load() {
			s.mu.Unlock()
			nc.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(2)
		go func() { defer s.wg.Done(); c.readLoop() }()
		go func() { defer s.wg.Done(); c.writeLoop() }()
	}
}

// isTemporary reports whether an accept error is worth retrying.
func isTemporary(err error) bool {
	t, ok := err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

// forget removes a closed connection.
func (s *server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// complete answers a batch of due calls: it queues every response and frees
// its thread, then wakes each connection's writer, so calls completing
// together on a connection go out in one write, and a peer that sends its
// next call as soon as it reads an answer finds the thread free. Runs on the
// scheduler's goroutine.
func (s *server) complete(batch []*call) {
	for _, cl := range batch {
		if cl.twoWay && !cl.conn.queue(&cl.res, cl.frame) {
			cl.twoWay = false // connection gone: nothing to kick
		}
		s.lim.release()
	}
	for _, cl := range batch {
		if cl.twoWay {
			cl.conn.kick()
		}
		releaseCall(cl)
	}
}

// shutdown stops accepting, sends every connection Dubbo's read-only event
// and serves the calls that still arrive until the connections go quiet
// (readonly.go), then refuses new calls with status 80, waits up to timeout
// in all for the calls in flight to complete and their responses to be
// written, and closes every connection. It returns errShutdownTimeout if it
// gave up waiting.
func (s *server) shutdown(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	s.mu.Lock()
	s.draining.Store(true)
	if s.ln != nil {
		s.ln.Close()
	}
	s.mu.Unlock()
	s.readOnly(deadline)
	s.refusing.Store(true)

	var err error
	for !s.idle() {
		if time.Now().After(deadline) {
			err = errShutdownTimeout
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(nil)
	}
	s.wg.Wait()
	s.sched.stop()
	return err
}

// idle reports whether no call is in flight and no response unwritten.
func (s *server) idle() bool {
	if s.lim.inFlight() > 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if !c.quiet() {
			return false
		}
	}
	return true
}
