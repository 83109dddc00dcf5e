package main

import (
	"bytes"
	"testing"
)

// FuzzProcess feeds arbitrary bytes to a session: it must consume a prefix
// of them and answer with well-formed responses, never panic.
func FuzzProcess(f *testing.F) {
	f.Add([]byte(post(form+"hello", "")))
	f.Add([]byte(post(form+"a", "") + post(form+"b", "Connection: close\r\n")))
	f.Add([]byte("GET /?" + form + "x HTTP/1.0\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 99\r\n\r\nshort"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var s session
		n, closeAfter := s.process(in)
		if n < 0 || n > len(in) {
			t.Fatalf("consumed %d of %d", n, len(in))
		}
		if !closeAfter && n < len(in) && len(s.out) > 0 && n == 0 {
			t.Fatal("answered without consuming")
		}
		for out := s.out; len(out) > 0; {
			if !bytes.HasPrefix(out, []byte("HTTP/1.1 ")) {
				t.Fatalf("bad response %q", out)
			}
			i := bytes.Index(out[1:], []byte("HTTP/1.1 "))
			if i < 0 {
				break
			}
			out = out[i+1:]
		}
	})
}
