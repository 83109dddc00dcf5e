package load

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrConfig is returned by Start for an unusable Config.
var ErrConfig = errors.New("load: bad config")

// Config configures a Generator.
type Config struct {
	// Addr is the server's host:port; it is also sent as the Host header.
	Addr string
	// Addrs, if not empty, spreads the connections over several servers
	// (several consumer agents): connection i uses Addrs[i % len(Addrs)],
	// and Addr is ignored.
	Addrs []string
	// Workload is what the connections call (default Hash, the race's).
	Workload Workload
	// Conns is the number of connections, each carrying one call at a time.
	Conns int
	// Timeout bounds each call, dial included (default 10s). A call that
	// takes longer than half of it may fail, and its connection is
	// replaced: the deadline is moved only every Timeout/2.
	Timeout time.Duration
	// Seed starts the parameter streams (the user workloads' ids too);
	// connection i uses Seed+i, so a run is reproducible call by call.
	Seed uint64
	// BufferSize is each connection's response buffer (default 16 KiB,
	// ample for a hash or a user; larger responses fail with ErrTooLarge).
	BufferSize int
	// Observer, if not nil, is told of every call as it ends, whether or
	// not a window is recording, until Close.
	Observer Observer
}

// Observer sees each call as it ends: conn is the connection's index (0 to
// Conns-1), status 0 means no answer (a failed dial, reset, timeout or
// malformed response), end is when the call ended and latency how long it
// took. Observe is called on the connection's goroutine, concurrently for
// distinct connections and never concurrently for one, so it must be safe
// for concurrent use and quick; it is on the generator's per-call path, so
// it should not allocate.
type Observer interface {
	Observe(conn int, o Outcome, status int, end time.Time, latency time.Duration)
}

// redialPause spaces out failed dials so a dead server is not hammered.
const redialPause = 50 * time.Millisecond

// A connection the server refuses, answering an error status and closing
// (as the consumer agent does past --max-conns), is redialled after a
// pause that starts at minRefusedPause and doubles with every refusal in a
// row up to maxRefusedPause; a kept connection resets it. Each pause is
// jittered between half and all of its length so that connections refused
// together do not come back together.
const (
	minRefusedPause = 10 * time.Millisecond
	maxRefusedPause = time.Second
)

// Generator drives a server with Config.Conns closed-loop connections. It
// records from Start on; Reset begins a new window (for example after a
// warm-up), Stop freezes the window and returns its Result, and Close ends
// the connections. Its methods are safe for concurrent use.
type Generator struct {
	cfg     Config
	quit    chan struct{} // closed by Close
	rec     *recorder
	workers []*worker
	wg      sync.WaitGroup
	closed  atomic.Bool
	began   atomic.Int64 // window start, UnixNano
	stopped atomic.Int64 // window end, UnixNano; 0 while recording
}

// Start validates cfg and starts its connections. Dial failures are not
// returned: they are counted as failed calls and retried, as wrk does. A
// connection the server refuses (an error status with "Connection: close",
// as the consumer agent answers past --max-conns) counts as a failed call
// with that status and is redialled after a growing pause (10 ms, doubling
// up to 1 s, jittered), so refused connections keep trying without
// spinning.
func Start(cfg Config) (*Generator, error) {
	if cfg.Conns < 1 {
		return nil, errors.Join(ErrConfig, errors.New("Conns must be at least 1"))
	}
	if int(cfg.Workload) >= len(Workloads) {
		return nil, errors.Join(ErrConfig, fmt.Errorf("unknown workload %d", cfg.Workload))
	}
	if cfg.Workload != Hash {
		userTable() // built once, before the connections share it
	}
	if len(cfg.Addrs) == 0 {
		cfg.Addrs = []string{cfg.Addr}
	}
	for _, a := range cfg.Addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return nil, errors.Join(ErrConfig, err)
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.BufferSize <= 0 {
		cfg.BufferSize = 16 << 10
	}
	g := &Generator{cfg: cfg, quit: make(chan struct{}), rec: newRecorder()}
	g.rec.reset(true)
	g.began.Store(time.Now().UnixNano())
	g.workers = make([]*worker, cfg.Conns)
	for i := range g.workers {
		w := &worker{g: g, id: i, addr: cfg.Addrs[i%len(cfg.Addrs)], params: NewParams(cfg.Seed + uint64(i)),
			param: make([]byte, 0, MaxParamLen), req: make([]byte, 0, 2048),
			scratch: make([]byte, 0, 16)}
		w.rr = NewResponseReader(nil, cfg.BufferSize)
		g.workers[i] = w
		g.wg.Add(1)
		go w.run()
	}
	return g, nil
}

// Reset drops what was recorded so far and begins a new window now.
func (g *Generator) Reset() {
	g.rec.reset(true)
	g.stopped.Store(0)
	g.began.Store(time.Now().UnixNano())
}

// Progress returns the counts of the current window so far.
func (g *Generator) Progress() Progress {
	c := g.rec.totals()
	end := g.stopped.Load()
	if end == 0 {
		end = time.Now().UnixNano()
	}
	return Progress{Elapsed: time.Duration(end - g.began.Load()),
		Correct: c.correct, Wrong: c.wrong, Failed: c.failed}
}

// Stop ends the window: calls completing after it returns are not recorded.
// The connections keep running until Close. The Result is the caller's.
func (g *Generator) Stop() Result {
	end := time.Now()
	g.stopped.Store(end.UnixNano())
	c, statuses, h := g.rec.freeze()
	return Result{Conns: g.cfg.Conns, Duration: end.Sub(time.Unix(0, g.began.Load())),
		Correct: c.correct, Wrong: c.wrong, Failed: c.failed, IOErrors: c.ioErrors,
		Statuses: statuses, Latency: h}
}

// Close stops recording, closes every connection (failing the calls in
// flight, unrecorded) and waits for the connections' goroutines to end.
func (g *Generator) Close() {
	g.rec.reset(false)
	if !g.closed.Swap(true) {
		close(g.quit)
	}
	for _, w := range g.workers {
		w.mu.Lock()
		if w.conn != nil {
			w.conn.Close()
		}
		w.mu.Unlock()
	}
	g.wg.Wait()
}

// worker is one connection's closed loop. Its buffers are its own; mu guards
// conn against Close.
type worker struct {
	g       *Generator
	id      int
	addr    string // the server's host:port, also the Host header
	params  *Params
	param   []byte
	req     []byte
	scratch []byte
	rr      *ResponseReader
	refresh time.Time     // when to move the connection's deadline next
	pause   time.Duration // the next refusal's pause; 0 after a kept connection
	userID  int64         // the user workloads' current id

	mu   sync.Mutex
	conn net.Conn
}

func (w *worker) run() {
	defer w.g.wg.Done()
	defer w.drop()
	for !w.g.closed.Load() {
		if w.conn == nil && !w.dial() {
			continue
		}
		w.call()
	}
}

// dial connects, recording a failure as a failed call. It reports whether
// the worker has a connection.
func (w *worker) dial() bool {
	start := time.Now()
	c, err := net.DialTimeout("tcp", w.addr, w.g.cfg.Timeout)
	if err != nil {
		if !w.g.closed.Load() {
			w.record(Failed, 0, start)
			time.Sleep(redialPause)
		}
		return false
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.g.closed.Load() {
		c.Close()
		return false
	}
	w.conn = c
	w.rr.Reset(c)
	w.refresh = time.Time{}
	return true
}

// drop closes the connection, if any.
func (w *worker) drop() {
	w.mu.Lock()
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
	w.mu.Unlock()
}

// call makes one call on the open connection and records it. It allocates
// nothing, save for a refusal's pause timer.
func (w *worker) call() {
	w.nextRequest()
	start := time.Now()
	// Moving a deadline costs two timer updates; move it only once half
	// of the timeout has passed, so a call still gets at least half.
	if start.After(w.refresh) {
		w.conn.SetDeadline(start.Add(w.g.cfg.Timeout))
		w.refresh = start.Add(w.g.cfg.Timeout / 2)
	}
	resp, err := w.roundTrip()
	if err != nil {
		if !w.g.closed.Load() {
			w.record(Failed, 0, start)
		}
		w.drop()
		return
	}
	w.record(w.check(resp), resp.Status, start)
	switch {
	case !resp.Close:
		w.pause = 0
	case resp.Status != 200:
		w.drop()
		w.backOff()
	default:
		w.drop()
	}
}

// nextRequest builds the next call of the workload into w.req.
func (w *worker) nextRequest() {
	if w.g.cfg.Workload == Hash {
		w.param = w.params.Append(w.param[:0])
		w.req = AppendRequest(w.req[:0], w.addr, w.param)
		return
	}
	r := w.params.next()
	w.userID = 1 + int64(r%UserIDs)
	if w.g.cfg.Workload == UserMixed && r/UserIDs%4 == 0 {
		w.req = AppendEchoRequest(w.req[:0], w.addr, w.userID)
		return
	}
	w.req = AppendUserRequest(w.req[:0], w.addr, w.userID)
}

// check classifies the answer to the call nextRequest built.
func (w *worker) check(resp Response) Outcome {
	if w.g.cfg.Workload == Hash {
		return Check(resp.Status, resp.Body, w.param, w.scratch)
	}
	return CheckUser(resp.Status, resp.ContentType, resp.Body, w.userID)
}

// backOff waits before the next dial after a refusal, or until Close.
func (w *worker) backOff() {
	w.pause = min(max(w.pause*2, minRefusedPause), maxRefusedPause)
	d := w.pause/2 + rand.N(w.pause/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.g.quit:
	}
}

// record records a call that began at start and ends now, and tells the
// observer, if any.
func (w *worker) record(o Outcome, status int, start time.Time) {
	end := time.Now()
	latency := end.Sub(start)
	w.g.rec.record(w.id, o, status, latency)
	if obs := w.g.cfg.Observer; obs != nil && !w.g.closed.Load() {
		obs.Observe(w.id, o, status, end, latency)
	}
}

func (w *worker) roundTrip() (Response, error) {
	if _, err := w.conn.Write(w.req); err != nil {
		return Response{}, err
	}
	return w.rr.Read()
}
