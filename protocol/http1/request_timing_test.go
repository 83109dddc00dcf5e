package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	for _, n := range []int{0, 500, 1023} {
		in := []byte(raceRequest(n))
		b.Run("param="+strconv.Itoa(n), func(b *testing.B) {
			var req Request
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(in, &req, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseNetHTTP is the reference: net/http reading the same request
// and its body from a reused bufio.Reader.
func BenchmarkParseNetHTTP(b *testing.B) {
	in := []byte(raceRequest(500))
	r := bytes.NewReader(in)
	br := bufio.NewReader(r)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(in)
		br.Reset(r)
		req, err := http.ReadRequest(br)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParsePipelined parses 16 pipelined requests from one buffer.
func BenchmarkParsePipelined(b *testing.B) {
	in := bytes.Repeat([]byte(raceRequest(100)), 16)
	var req Request
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		for buf := in; len(buf) > 0; {
			n, err := Parse(buf, &req, nil)
			if err != nil {
				b.Fatal(err)
			}
			buf = buf[n:]
		}
	}
}
