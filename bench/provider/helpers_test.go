package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// testConfig is a fast provider for tests.
func testConfig() config {
	return config{
		latency: 10 * time.Millisecond,
		threads: 200,
		name:    "test",
	}
}

// logWriter sends the server's log to the test's log.
type logWriter struct {
	mu sync.Mutex
	t  *testing.T
	b  bytes.Buffer
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

func (w *logWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// startServer serves cfg on 127.0.0.1:0 and shuts it down when the test ends.
func startServer(t *testing.T, cfg config) (*server, string, *logWriter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lw := &logWriter{t: t}
	s := newServer(cfg, lw)
	served := make(chan error, 1)
	go func() { served <- s.serve(ln) }()
	t.Cleanup(func() {
		if err := s.shutdown(2 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s, ln.Addr().String(), lw
}

// client is a test's Dubbo connection, built on the codec's encoder and
// decoder.
type client struct {
	t    *testing.T
	nc   net.Conn
	buf  []byte // read but not yet returned
	next int64
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, next: 1}
}

// request builds a request to the given method; its id is fresh.
func (c *client) request(ser dubbo.Serialization, iface, method, types string, args ...string) *dubbo.Request {
	r := &dubbo.Request{
		ID:             c.next,
		Serialization:  ser,
		Interface:      []byte(iface),
		Method:         []byte(method),
		ParameterTypes: []byte(types),
		Timeout:        3000,
	}
	c.next++
	for _, a := range args {
		r.Args = append(r.Args, []byte(a))
	}
	return r
}

// encode returns the frame for r.
func (c *client) encode(r *dubbo.Request) []byte {
	c.t.Helper()
	n, err := dubbo.RequestSize(r)
	if err != nil {
		c.t.Fatalf("RequestSize: %v", err)
	}
	b := make([]byte, n)
	if w := dubbo.PutRequest(b, r); w != n {
		c.t.Fatalf("PutRequest wrote %d bytes, RequestSize said %d", w, n)
	}
	return b
}

func (c *client) write(b []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// frame is one frame read by a client, its body copied.
type frame struct {
	h    dubbo.Header
	body []byte
}

// read returns the next frame, failing the test after timeout.
func (c *client) read(timeout time.Duration) frame {
	c.t.Helper()
	f, err := c.tryRead(timeout)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

func (c *client) tryRead(timeout time.Duration) (frame, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	tmp := make([]byte, 64<<10)
	for {
		h, body, n, err := dubbo.Next(c.buf)
		if err == nil {
			f := frame{h: h, body: append([]byte(nil), body...)}
			c.buf = c.buf[n:]
			return f, nil
		}
		if !errors.Is(err, dubbo.ErrShort) {
			return frame{}, err
		}
		m, err := c.nc.Read(tmp)
		c.buf = append(c.buf, tmp[:m]...)
		if err != nil {
			return frame{}, err
		}
	}
}

// result is a decoded response.
type result struct {
	id     int64
	status dubbo.Status
	out    dubbo.Outcome
	text   string
}

func (c *client) decode(f frame) result {
	c.t.Helper()
	if f.h.IsRequest() || f.h.IsEvent() {
		c.t.Fatalf("got flag %#x, want a response", f.h.Flag)
	}
	text, out, err := dubbo.DecodeResponse(f.h, f.body, nil)
	if err != nil {
		c.t.Fatalf("DecodeResponse(%q): %v", f.body, err)
	}
	return result{id: f.h.ID, status: f.h.Status, out: out, text: string(text)}
}

// call sends one request and returns its answer.
func (c *client) call(ser dubbo.Serialization, iface, method, types string, args ...string) result {
	c.t.Helper()
	r := c.request(ser, iface, method, types, args...)
	c.write(c.encode(r))
	res := c.decode(c.read(5 * time.Second))
	if res.id != r.ID {
		c.t.Fatalf("answer has id %d, want %d", res.id, r.ID)
	}
	return res
}

// serializations are the two the provider speaks.
var serializations = []dubbo.Serialization{dubbo.Hessian2, dubbo.FastJSON}

// randomStrings returns n strings of random length mixing ASCII, Latin-1,
// CJK, supplementary characters and JSON-special characters.
func randomStrings(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pools := [][]rune{
		[]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
		[]rune("éüßñ©°±µ"),
		[]rune("中文字符漢字한국어"),
		[]rune("😀🚀𝄞🀄"),
		[]rune("\"\\/\n\t %&=+"),
	}
	out := make([]string, n)
	for i := range out {
		var sb strings.Builder
		for range rng.IntN(64) {
			p := pools[rng.IntN(len(pools))]
			sb.WriteRune(p[rng.IntN(len(p))])
		}
		out[i] = sb.String()
	}
	return out
}

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// refJavaHash is String.hashCode by its definition, over the UTF-16
// encoding: an independent check of the provider's answers.
func refJavaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}
