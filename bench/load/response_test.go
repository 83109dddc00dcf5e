package load

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestResponseReaderSequence(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 8\r\n\r\n99162322" +
		"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 19\r\n\r\nerror: no provider\n" +
		"HTTP/1.1 204\r\n\r\n" +
		"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: Keep-Alive\r\n\r\n7" +
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n-1"
	// One byte per read exercises every refill path.
	rr := NewResponseReader(iotest.OneByteReader(strings.NewReader(in)), 128)
	want := []struct {
		status int
		body   string
		close  bool
	}{
		{200, "99162322", false},
		{503, "error: no provider\n", false},
		{204, "", false},
		{200, "7", false},
		{200, "-1", true},
	}
	for i, w := range want {
		r, err := rr.Read()
		noErr(t, err)
		eq(t, "status", r.Status, w.status)
		eq(t, "body", string(r.Body), w.body)
		eq(t, "close", r.Close, w.close)
		_ = i
	}
	_, err := rr.Read()
	eq(t, "final error", err, io.EOF)
}

func TestResponseReaderErrors(t *testing.T) {
	for _, c := range []struct {
		in   string
		want error
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", io.ErrUnexpectedEOF},
		{"HTTP/1.1 200 OK\r\nContent-Le", io.ErrUnexpectedEOF},
		{"HTTP/2 200 OK\r\n\r\n", ErrMalformed},
		{"HTTP/1.1 2x0 OK\r\n\r\n", ErrMalformed},
		{"HTTP/1.1 200OK\r\n\r\n", ErrMalformed},
		{"HTTP/1.1 099 Low\r\n\r\n", ErrMalformed},
		{"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", ErrMalformed},
		{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrMalformed},
		{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", ErrMalformed},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", ErrMalformed},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", ErrChunked},
		{"HTTP/1.1 200 OK\r\n\r\nbody", ErrNoLength},
		{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", ErrTooLarge},
		{"HTTP/1.1 200 OK\r\nX: " + strings.Repeat("y", 100) + "\r\n\r\n", ErrTooLarge},
	} {
		rr := NewResponseReader(strings.NewReader(c.in), 64)
		_, err := rr.Read()
		if !errors.Is(err, c.want) {
			t.Errorf("%q: error %v, want %v", c.in, err, c.want)
		}
	}
}

func TestResponseReaderPassesConnError(t *testing.T) {
	boom := errors.New("boom")
	rr := NewResponseReader(iotest.ErrReader(boom), 64)
	_, err := rr.Read()
	eq(t, "error", err, boom)
}

func BenchmarkResponseReader(b *testing.B) {
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\n\r\n-1094917604")
	src := &repeatReader{b: resp}
	rr := NewResponseReader(src, 4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rr.Read(); err != nil {
			b.Fatal(err)
		}
	}
}

// repeatReader returns b on every Read, like a server answering each call.
type repeatReader struct{ b []byte }

func (r *repeatReader) Read(p []byte) (int, error) { return copy(p, r.b), nil }
