package load

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzResponseReader feeds arbitrary bytes, in reads of arbitrary sizes, to
// a ResponseReader: it must return responses whose bodies lie within the
// buffer, or a clean error, and never panic or loop.
func FuzzResponseReader(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n123"), uint8(7))
	f.Add([]byte("HTTP/1.0 503 X\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"), uint8(1))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		rr := NewResponseReader(&chunkReader{b: in, n: int(chunk%16) + 1}, 256)
		for i := 0; i <= len(in); i++ {
			r, err := rr.Read()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
					!errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) &&
					!errors.Is(err, ErrNoLength) && !errors.Is(err, ErrChunked) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if r.Status < 100 || r.Status > 999 {
				t.Fatalf("status %d", r.Status)
			}
			if len(r.Body) > 0 && !bytes.Contains(in, r.Body) {
				t.Fatalf("body %q not from the input", r.Body)
			}
		}
		t.Fatal("more responses than input bytes")
	})
}

// chunkReader returns b n bytes at a time.
type chunkReader struct {
	b []byte
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.b)
	c.b = c.b[n:]
	return n, nil
}
