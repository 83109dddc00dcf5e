package main

import (
	"errors"
	"io"
	"net"
	"testing"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// FuzzProcess feeds arbitrary bytes to a connection's frame handling: it must
// never panic, must consume only whole frames, must report a broken stream
// only as ErrBadMagic or ErrTooLarge, and must queue only well-formed frames.
func FuzzProcess(f *testing.F) {
	for _, ser := range serializations {
		f.Add(raceFrame(f, ser))
	}
	cfg := testConfig()
	cfg.latency = 0
	cfg.threads = 16
	s := newServer(cfg, io.Discard)
	f.Cleanup(func() { s.shutdown(0) })
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		c := newConn(s, a)
		used, err := c.process(data, s.clk.now())
		if used < 0 || used > len(data) {
			t.Fatalf("consumed %d of %d bytes", used, len(data))
		}
		switch {
		case err == nil:
			if _, _, _, nerr := dubbo.Next(data[used:]); !errors.Is(nerr, dubbo.ErrShort) {
				t.Fatalf("left %d bytes that are not a partial frame (%v)", len(data)-used, nerr)
			}
		case !errors.Is(err, dubbo.ErrBadMagic) && !errors.Is(err, dubbo.ErrTooLarge):
			t.Fatalf("process error %v", err)
		}
		buf, r, w := c.makeRoom(append([]byte(nil), data...), used, len(data))
		if r > w || w > len(buf) {
			t.Fatalf("makeRoom gave r %d, w %d, len %d", r, w, len(buf))
		}
		c.mu.Lock()
		out := c.out
		for len(out) > 0 {
			h, _, n, err := dubbo.Next(out)
			if err != nil {
				c.mu.Unlock()
				t.Fatalf("queued bytes do not split into frames: %v", err)
			}
			if h.IsRequest() {
				c.mu.Unlock()
				t.Fatalf("queued a request frame, flag %#x", h.Flag)
			}
			out = out[n:]
		}
		c.mu.Unlock()
	})
}
