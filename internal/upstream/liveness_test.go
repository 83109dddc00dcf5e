package upstream

import (
	"bufio"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// pingServer answers "ping" lines with "pong" and other lines with
// "ok:<line>", on every connection, until frozen: then it reads and answers
// nothing, as a process stopped with SIGSTOP (its kernel still accepts
// connections and takes their bytes).
//
// Quiet, it answers pings only: its calls wait at a slow provider. With a
// read delay it reads at its own pace, at most 64 KiB per read after
// sleeping that long.
type pingServer struct {
	ln        net.Listener
	pings     atomic.Int64
	lines     atomic.Int64 // lines other than pings read
	frozen    atomic.Bool
	quiet     atomic.Bool
	readDelay atomic.Int64 // nanoseconds
	rcvBuf    atomic.Int64 // >0: SO_RCVBUF of the connections accepted from now on
	mu        sync.Mutex
	conns     []net.Conn
}

// pacedReader is a connection read at the pingServer's pace, and not at
// all while it is frozen.
type pacedReader struct {
	s *pingServer
	c net.Conn
}

func (r pacedReader) Read(p []byte) (int, error) {
	for r.s.frozen.Load() { // mid-line too, as SIGSTOP would
		time.Sleep(time.Millisecond)
	}
	if d := r.s.readDelay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
		p = p[:min(len(p), 64<<10)]
	}
	return r.c.Read(p)
}

func startPingServer(t *testing.T) *pingServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &pingServer{ln: ln}
	t.Cleanup(s.close)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if n := s.rcvBuf.Load(); n > 0 {
				c.(*net.TCPConn).SetReadBuffer(int(n))
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go s.serve(c)
		}
	}()
	return s
}

func (s *pingServer) serve(c net.Conn) {
	r := bufio.NewReaderSize(pacedReader{s, c}, 64<<10)
	for {
		for s.frozen.Load() {
			time.Sleep(time.Millisecond)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		for s.frozen.Load() {
			time.Sleep(time.Millisecond)
		}
		switch {
		case line == "ping\n":
			s.pings.Add(1)
			c.Write([]byte("pong\n"))
		case s.quiet.Load():
			s.lines.Add(1)
		default:
			s.lines.Add(1)
			c.Write([]byte("ok:" + line))
		}
	}
}

func (s *pingServer) close() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
}

func writePing(w netpoll.Writer) error {
	_, err := w.WriteString("ping\n")
	return err
}

// send writes line on c's live connection and flushes it.
func send(t *testing.T, c *Conn, line string) {
	t.Helper()
	w := c.Writer()
	if w == nil {
		t.Fatal("no live connection")
	}
	if bw := w.Lock(); bw != nil {
		bw.WriteString(line)
		w.Unlock()
	}
	w.Flush()
	c.Active() // a call went out, as a caller tells it
}

// dialReady dials cfg and waits until the connection is offered; it is
// closed when the test ends.
func dialReady(t *testing.T, cfg Config) *Conn {
	t.Helper()
	c := Dial(cfg)
	t.Cleanup(c.Close)
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	return c
}

// freezeWithCall freezes s and sends a call on c that stays outstanding:
// the peer goes silent under traffic.
func freezeWithCall(t *testing.T, s *pingServer, c *Conn, busy *atomic.Bool) {
	t.Helper()
	s.frozen.Store(true)
	busy.Store(true)
	send(t, c, "call\n")
}

func livenessConfig(addr string, got *atomic.Int64, busy *atomic.Bool) Config {
	return Config{
		Addr:         addr,
		NewDecoder:   consumeAll(got),
		Heartbeat:    writePing,
		PingInterval: 20 * time.Millisecond,
		PingTimeout:  80 * time.Millisecond,
		Busy:         busy.Load,
		MinBackoff:   10 * time.Millisecond,
		MaxBackoff:   20 * time.Millisecond,
	}
}

// expectDown waits for OnDown's time on downs and checks that it came
// within max of start: what (a silent peer...) was declared dead in time.
func expectDown(t *testing.T, downs <-chan time.Time, start time.Time, max time.Duration, what string) {
	t.Helper()
	select {
	case at := <-downs:
		d := at.Sub(start)
		if d > max {
			t.Fatalf("%s was declared dead after %v, want within %v", what, d, max)
		}
		t.Logf("%s was declared dead %v after it went silent", what, d.Round(time.Millisecond))
	case <-time.After(max + 3*time.Second):
		t.Fatalf("%s was not declared dead", what)
	}
}

// A new connection is offered only once the peer answered its first ping.
func TestOfferedAfterFirstPong(t *testing.T) {
	s := startPingServer(t)
	s.frozen.Store(true)
	var got atomic.Int64
	var busy atomic.Bool
	var readies, timeouts atomic.Int32
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.OnUp = func(*batch.Writer) { readies.Add(1) }
	cfg.OnPingTimeout = func() { timeouts.Add(1) }
	c := Dial(cfg)
	defer c.Close()
	if c.Ready(300 * time.Millisecond) {
		t.Fatal("offered a connection whose peer answers nothing")
	}
	if timeouts.Load() == 0 || c.Dials() < 2 {
		t.Fatalf("ping timeouts %d, dials %d: want the silent connection closed and redialed", timeouts.Load(), c.Dials())
	}
	s.frozen.Store(false)
	if !c.Ready(2 * time.Second) {
		t.Fatal("not offered after the peer answered")
	}
	if readies.Load() != 1 {
		t.Fatalf("OnUp ran %d times, want 1: once, when the connection was offered", readies.Load())
	}
}

// With calls outstanding, a peer that goes silent is declared dead within
// PingInterval + PingTimeout (plus a tick), and OnDown runs at once.
func TestDeadPeerFoundUnderTraffic(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	downs := make(chan time.Time, 4)
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.OnDown = func(*batch.Writer) { downs <- time.Now() }
	c := Dial(cfg)
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	// Idle: no pings, however long the silence.
	before := s.pings.Load()
	time.Sleep(150 * time.Millisecond)
	if n := s.pings.Load() - before; n != 0 {
		t.Fatalf("%d pings on an idle connection", n)
	}
	s.frozen.Store(true)
	busy.Store(true)
	start := time.Now()
	send(t, c, "call\n")
	expectDown(t, downs, start, cfg.PingInterval+cfg.PingTimeout+200*time.Millisecond, "a silent peer with a call outstanding")
	if c.Writer() != nil {
		t.Fatal("a dead connection is still offered")
	}
	s.frozen.Store(false)
	if !c.Ready(2 * time.Second) {
		t.Fatal("not redialed after the peer came back")
	}
}

// While answers flow, no ping is sent.
func TestNoPingWhileAnswersFlow(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	c := Dial(livenessConfig(s.ln.Addr().String(), &got, &busy))
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	busy.Store(true)
	before := s.pings.Load()
	end := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(end) {
		send(t, c, "call\n")
		time.Sleep(2 * time.Millisecond)
	}
	if n := s.pings.Load() - before; n != 0 {
		t.Fatalf("%d pings while answers flowed every 2ms, want 0", n)
	}
	// Calls outstanding and nothing read: pings, answered, keep it up.
	end = time.Now().Add(200 * time.Millisecond)
	for time.Now().Before(end) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := s.pings.Load() - before; n == 0 {
		t.Fatal("no ping while calls were outstanding and nothing was read")
	}
	if c.Dials() != 1 {
		t.Fatalf("dials = %d: an answered ping must keep the connection", c.Dials())
	}
}

// A suspended connection is not offered; once the peer closes it, the next
// connection is. One that nobody closes is closed after SuspendLimit.
func TestSuspend(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.SuspendLimit = 100 * time.Millisecond
	c := Dial(cfg)
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	w := c.Writer()
	if !c.Suspend(w) || !c.Suspended() {
		t.Fatal("Suspend did not take the live connection")
	}
	if c.Writer() != nil {
		t.Fatal("a suspended connection is offered")
	}
	if c.Suspend(new(batch.Writer)) {
		t.Fatal("Suspend took a Writer that is not the live connection's")
	}
	if !c.Ready(2 * time.Second) {
		t.Fatal("no new connection after the suspended one's limit")
	}
	if c.Writer() == w || c.Dials() != 2 {
		t.Fatalf("dials %d: want a second connection", c.Dials())
	}
}

// Dialed sockets get TCP_USER_TIMEOUT and keepalive.
func TestDialedSocketTuned(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.UserTimeout = 3 * time.Second
	c := Dial(cfg)
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	fd := c.Writer().Conn().(netpoll.Conn).Fd()
	if d, err := userTimeoutOf(fd); err != nil || d != 3*time.Second {
		t.Fatalf("TCP_USER_TIMEOUT = %v, %v; want 3s", d, err)
	}
}

// While a ping sent for outstanding calls is unanswered the Conn is
// suspect; an answer within PingTimeout clears it and keeps the
// connection.
func TestSuspectUntilAnswered(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.PingTimeout = 2 * time.Second
	c := dialReady(t, cfg)
	freezeWithCall(t, s, c, &busy)
	deadline := time.Now().Add(time.Second)
	for !c.Suspect() {
		if time.Now().After(deadline) {
			t.Fatal("not suspect with a call outstanding and the peer silent")
		}
		time.Sleep(time.Millisecond)
	}
	s.frozen.Store(false)
	deadline = time.Now().Add(time.Second)
	for c.Suspect() {
		if time.Now().After(deadline) {
			t.Fatal("still suspect after the peer answered")
		}
		time.Sleep(time.Millisecond)
	}
	if c.Dials() != 1 || c.Writer() == nil {
		t.Fatalf("dials %d: an answered ping must keep the connection", c.Dials())
	}
}

// An idle connection's checks rest until the idle heartbeat is due: they
// make no wake-ups, and Active brings them back for a call.
func TestIdleChecksRest(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	var checks atomic.Int64
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.Busy = func() bool { checks.Add(1); return busy.Load() }
	c := Dial(cfg)
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	time.Sleep(50 * time.Millisecond) // the first checks see it idle
	before := checks.Load()
	time.Sleep(300 * time.Millisecond) // 30 ticks of 10ms, were it ticking
	if n := checks.Load() - before; n > 1 {
		t.Fatalf("%d checks in 300ms on an idle connection, want it resting", n)
	}
	// A call: the checks wake and a silent peer is pinged (and suspect).
	s.frozen.Store(true)
	busy.Store(true)
	send(t, c, "call\n")
	deadline := time.Now().Add(time.Second)
	for !c.Suspect() {
		if time.Now().After(deadline) {
			t.Fatal("no ping for an outstanding call after Active")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestActiveAllocatesNothing(t *testing.T) {
	c := &Conn{kick: make(chan struct{}, 1)}
	if n := testing.AllocsPerRun(1000, func() { c.resting.Store(true); c.Active() }); n != 0 {
		t.Fatalf("Active allocates %v times", n)
	}
}
