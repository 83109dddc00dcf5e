package load

import (
	"bytes"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"net"
	"strconv"
	"testing"
	"time"
)

// fakeConn answers each request written to it with the right hash, without
// allocating: it stands in for a server in allocation tests.
type fakeConn struct {
	net.Conn
	resp []byte
	out  []byte
}

var paramKey = []byte("&parameter=")

func (c *fakeConn) Write(b []byte) (int, error) {
	i := bytes.Index(b, paramKey)
	h := javahash.String(b[i+len(paramKey):]) // alphanumeric: nothing to decode
	var num [12]byte
	body := strconv.AppendInt(num[:0], int64(h), 10)
	c.resp = append(c.resp[:0], "HTTP/1.1 200 OK\r\nContent-Length: "...)
	c.resp = strconv.AppendInt(c.resp, int64(len(body)), 10)
	c.resp = append(c.resp, "\r\n\r\n"...)
	c.resp = append(c.resp, body...)
	c.out = c.resp
	return len(b), nil
}

func (c *fakeConn) Read(p []byte) (int, error) {
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

func (c *fakeConn) SetDeadline(time.Time) error { return nil }
func (c *fakeConn) Close() error                { return nil }

// fakeWorker returns a worker wired to a fakeConn, recording.
func fakeWorker() *worker {
	g := &Generator{cfg: Config{Addr: "127.0.0.1:20000", Conns: 1, Timeout: time.Second}, rec: newRecorder()}
	g.rec.reset(true)
	c := &fakeConn{resp: make([]byte, 0, 256)}
	w := &worker{g: g, params: NewParams(1), param: make([]byte, 0, MaxParamLen),
		req: make([]byte, 0, 4096), scratch: make([]byte, 0, 16), conn: c}
	w.rr = NewResponseReader(c, 4096)
	return w
}

func TestWorkerCallAllocatesNothing(t *testing.T) {
	w := fakeWorker()
	if n := testing.AllocsPerRun(1000, w.call); n != 0 {
		t.Fatalf("call allocates %v times", n)
	}
	c := w.g.rec.totals()
	if c.correct == 0 || c.wrong+c.failed != 0 {
		t.Fatalf("counts %+v", c)
	}
}

// nopObserver counts calls without allocating.
type nopObserver struct{ n int }

func (o *nopObserver) Observe(int, Outcome, int, time.Time, time.Duration) { o.n++ }

func TestWorkerCallWithObserverAllocatesNothing(t *testing.T) {
	w := fakeWorker()
	obs := &nopObserver{}
	w.g.cfg.Observer = obs
	if n := testing.AllocsPerRun(1000, w.call); n != 0 {
		t.Fatalf("call with an observer allocates %v times", n)
	}
	if obs.n < 1000 {
		t.Fatalf("observer saw %d calls", obs.n)
	}
}

// userConn answers each user workload request written to it with the
// user's JSON, without allocating.
type userConn struct {
	fakeConn
	w *worker
}

func (c *userConn) Write(b []byte) (int, error) {
	u := &userTable()[c.w.userID-1].user
	c.resp = append(c.resp[:0], "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "...)
	at := len(c.resp)
	c.resp = append(c.resp, "0000\r\n\r\n"...)
	body := len(c.resp)
	c.resp = u.AppendJSON(c.resp)
	n := len(c.resp) - body
	for i := at + 3; i >= at; i-- {
		c.resp[i] = byte('0' + n%10)
		n /= 10
	}
	c.out = c.resp
	return len(b), nil
}

func TestUserWorkerCallAllocatesNothing(t *testing.T) {
	for _, wl := range []Workload{User, UserMixed} {
		w := fakeWorker()
		w.g.cfg.Workload = wl
		c := &userConn{fakeConn: fakeConn{resp: make([]byte, 0, 1024)}, w: w}
		w.conn = c
		w.rr = NewResponseReader(c, 4096)
		userTable()
		if n := testing.AllocsPerRun(1000, w.call); n != 0 {
			t.Fatalf("%v: call allocates %v times", wl, n)
		}
		if c := w.g.rec.totals(); c.correct == 0 || c.wrong+c.failed != 0 {
			t.Fatalf("%v: counts %+v", wl, c)
		}
	}
}

func TestPerCallFunctionsAllocateNothing(t *testing.T) {
	p := NewParams(1)
	param := make([]byte, 0, MaxParamLen)
	req := make([]byte, 0, 4096)
	scratch := make([]byte, 0, 16)
	rec := newRecorder()
	rec.reset(true)
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n42")
	rr := NewResponseReader(&repeatReader{b: resp}, 4096)
	for name, f := range map[string]func(){
		"Params.Append":     func() { param = p.Append(param[:0]) },
		"AppendRequest":     func() { req = AppendRequest(req[:0], "127.0.0.1:20000", param) },
		"AppendUserRequest": func() { req = AppendUserRequest(req[:0], "127.0.0.1:20000", 123) },
		"AppendEchoRequest": func() { req = AppendEchoRequest(req[:0], "127.0.0.1:20000", 123) },
		"Hash":              func() { javahash.String(param) },
		"Check":             func() { Check(200, []byte("42"), param, scratch) },
		"Read":              func() { rr.Read() },
		"record":            func() { rec.record(3, Correct, 200, time.Millisecond) },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s allocates %v times", name, n)
		}
	}
}

func BenchmarkWorkerCall(b *testing.B) {
	w := fakeWorker()
	b.ReportAllocs()
	for b.Loop() {
		w.call()
	}
}
