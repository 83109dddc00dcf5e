package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
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

// FuzzCheckUser feeds arbitrary bodies to CheckUser as the answer for user
// 1: it must never panic, and whatever it calls correct must be valid JSON
// equal, as encoding/json reads it, to the user's own rendering.
func FuzzCheckUser(f *testing.F) {
	f.Add(userJSON(1))
	f.Fuzz(func(t *testing.T, body []byte) {
		if CheckUser(200, jsonType, body, 1) != Correct {
			return
		}
		decode := func(b []byte) any {
			var v any
			d := json.NewDecoder(bytes.NewReader(b))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				t.Fatalf("CheckUser accepted %q, which encoding/json refuses: %v", b, err)
			}
			return v
		}
		if got, want := decode(body), decode(userJSON(1)); !reflect.DeepEqual(got, want) {
			t.Fatalf("CheckUser accepted %q\nread as %v\nwant     %v", body, got, want)
		}
	})
}
