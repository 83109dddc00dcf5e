package main

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// iface is the race's interface.
const iface = "com.alibaba.dubbo.performance.demo.provider.IHelloService"

// strType is the descriptor of one String parameter.
const strType = "Ljava/lang/String;"

// newAgent starts an agent in front of f with two loops and waits until
// every loop has its provider connection. mod, if not nil, adjusts the
// configuration first.
func newAgent(t testing.TB, f *fakeProvider, mod func(*Config)) *Agent {
	t.Helper()
	a := startAgent(t, f, mod)
	t.Cleanup(a.Close)
	return a
}

// startAgent is newAgent for tests that close the agent themselves.
func startAgent(t testing.TB, f *fakeProvider, mod func(*Config)) *Agent {
	t.Helper()
	cfg := Config{
		Listen:        "127.0.0.1:0",
		Provider:      f.addr,
		Loops:         2,
		Serialization: dubbo.Hessian2,
		IdleTimeout:   10 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	waitUp(t, a)
	// The agent may see its connections before the fake has registered
	// them: wait for both sides.
	waitFor(t, "the provider's side of the connections", func() bool { return f.openConns() >= cfg.Loops })
	return a
}

// waitUp waits until every loop of a holds a live provider connection.
func waitUp(t testing.TB, a *Agent) {
	t.Helper()
	for i, l := range a.loops {
		if !l.up.Ready(5 * time.Second) {
			t.Fatalf("loop %d: no provider connection after 5s", i)
		}
	}
}

// req builds a request for method with String arguments.
func req(method string, args ...string) *protocol.Request {
	r := &protocol.Request{
		Interface:      []byte(iface),
		Method:         []byte(method),
		ParameterTypes: []byte(strings.Repeat(strType, len(args))),
	}
	for _, a := range args {
		r.Args = append(r.Args, []byte(a))
	}
	return r
}

// consumer plays a consumer agent over a std net.Conn.
type consumer struct {
	t    testing.TB
	c    net.Conn
	out  []byte // frames queued by send, written by flush
	in   []byte // bytes read and not yet returned
	read []byte // read scratch
}

// answer is a frame the agent sent, copied out of the read buffer.
type answer struct {
	h    protocol.Header
	body string
}

func dial(t testing.TB, a *Agent) *consumer {
	t.Helper()
	c, err := net.Dial("tcp", a.srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &consumer{t: t, c: c, read: make([]byte, 64<<10)}
}

// send queues a request frame; flush writes everything queued in one write.
func (c *consumer) send(id uint32, r *protocol.Request) {
	n := len(c.out)
	c.out = append(c.out, make([]byte, r.Size())...)
	protocol.PutRequest(c.out[n:], id, r)
}

func (c *consumer) flush() {
	c.t.Helper()
	if _, err := c.c.Write(c.out); err != nil {
		c.t.Fatalf("write: %v", err)
	}
	c.out = c.out[:0]
}

// writeRaw writes b as is.
func (c *consumer) writeRaw(b []byte) {
	c.t.Helper()
	if _, err := c.c.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame, failing the test after 5 s.
func (c *consumer) next() answer {
	c.t.Helper()
	a, err := c.nextErr(5 * time.Second)
	if err != nil {
		c.t.Fatalf("reading an answer: %v", err)
	}
	return a
}

func (c *consumer) nextErr(d time.Duration) (answer, error) {
	c.c.SetReadDeadline(time.Now().Add(d))
	for {
		h, body, n, err := protocol.Next(c.in)
		if err == nil {
			a := answer{h: h, body: string(body)}
			c.in = c.in[:copy(c.in, c.in[n:])]
			return a, nil
		}
		if !errors.Is(err, protocol.ErrShort) {
			return answer{}, err
		}
		m, err := c.c.Read(c.read)
		c.in = append(c.in, c.read[:m]...)
		if err != nil && m == 0 {
			return answer{}, err
		}
	}
}

// collect reads n answers and returns them by id, failing on a duplicate.
func (c *consumer) collect(n int) map[uint32]answer {
	c.t.Helper()
	got := make(map[uint32]answer, n)
	for range n {
		a := c.next()
		if _, dup := got[a.h.ID]; dup {
			c.t.Fatalf("two answers for id %d", a.h.ID)
		}
		got[a.h.ID] = a
	}
	return got
}

// roundTrip sends r with id and returns its answer.
func (c *consumer) roundTrip(id uint32, r *protocol.Request) answer {
	c.t.Helper()
	c.send(id, r)
	c.flush()
	a := c.next()
	if a.h.ID != id {
		c.t.Fatalf("answer for id %d, want %d", a.h.ID, id)
	}
	return a
}

// closed reads until the agent closes the connection and returns the frames
// it sent before that.
func (c *consumer) closed() []answer {
	c.t.Helper()
	var got []answer
	for {
		a, err := c.nextErr(3 * time.Second)
		if err == nil {
			got = append(got, a)
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			c.t.Fatalf("the agent kept the connection open (frames so far: %v)", got)
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
			c.t.Fatalf("reading until close: %v", err)
		}
		if len(c.in) != 0 {
			c.t.Fatalf("the agent sent %d stray bytes before closing: %q", len(c.in), c.in)
		}
		return got
	}
}

// expectOK fails unless a is a response carrying want.
func expectOK(t testing.TB, a answer, want string) {
	t.Helper()
	if a.h.Kind != protocol.KindResponse || a.h.Status != protocol.StatusOK {
		t.Fatalf("id %d: got %v %v %q, want a response %q", a.h.ID, a.h.Kind, a.h.Status, a.body, want)
	}
	if a.body != want {
		t.Fatalf("id %d: body %q, want %q", a.h.ID, a.body, want)
	}
}

// expectError fails unless a is an error frame with status s whose message
// contains part.
func expectError(t testing.TB, a answer, s protocol.Status, part string) {
	t.Helper()
	if a.h.Kind != protocol.KindError || a.h.Status != s {
		t.Fatalf("id %d: got %v %v %q, want an error %v", a.h.ID, a.h.Kind, a.h.Status, a.body, s)
	}
	if !strings.Contains(a.body, part) {
		t.Fatalf("id %d: message %q does not contain %q", a.h.ID, a.body, part)
	}
}

// metric returns the agent's metric name, failing if it does not exist.
func metric(t testing.TB, a *Agent, name string) float64 {
	t.Helper()
	v, ok := metrics.Value(a.Metrics(), name)
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return v
}

// waitFor polls cond for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serializations runs fn as a subtest for each serialization.
func serializations(t *testing.T, fn func(t *testing.T, s dubbo.Serialization)) {
	for _, s := range []dubbo.Serialization{dubbo.Hessian2, dubbo.FastJSON} {
		t.Run(s.String(), func(t *testing.T) { fn(t, s) })
	}
}
