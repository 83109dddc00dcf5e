package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// consumerSeeds are agent-protocol streams: pipelined calls, a heartbeat, a
// frame cut short, and the refusals.
func consumerSeeds() [][]byte {
	var calls []byte
	for i, r := range []*protocol.Request{req("hash", "hello"), req("echo", "x", "y"), req("nil"), req("boom", "z")} {
		n := len(calls)
		calls = append(calls, make([]byte, r.Size())...)
		protocol.PutRequest(calls[n:], uint32(i+1), r)
	}
	ping := make([]byte, protocol.HeaderSize)
	protocol.PutHeartbeat(ping, 9, false)
	badVersion := append([]byte(nil), calls[:protocol.HeaderSize]...)
	badVersion[2] = 7
	typed := req("hash", "abc", "12")
	typed.ParameterTypes = []byte(strType + "J")
	tb := make([]byte, typed.Size())
	protocol.PutRequest(tb, 3, typed)
	return [][]byte{
		calls,
		append(ping, calls...),
		calls[:len(calls)-3],
		badVersion,
		tb,
		[]byte("GET / HTTP/1.1\r\n\r\n"),
	}
}

// FuzzConsumerStream feeds arbitrary bytes to the agent's decoder for a
// consumer agent's connection, as one read. Whole requests go on to a fake
// provider. The decoder must not panic, must account for every byte, and
// must ask for more only when the bytes left are short of a frame.
func FuzzConsumerStream(f *testing.F) {
	for _, s := range consumerSeeds() {
		f.Add(s)
	}
	fp := startFake(f, "127.0.0.1:0")
	fp.record.Store(false)
	a := newAgent(f, fp, func(c *Config) { c.Loops = 1; c.DefaultTimeout = 100 * time.Millisecond })
	c := &inConn{loop: a.loops[0], w: sinkWriter(f)}
	f.Fuzz(func(t *testing.T, data []byte) {
		used, need, err := a.handleFrames(c, data)
		c.p.set.Flush()
		if used < 0 || used > len(data) {
			t.Fatalf("used %d of %d bytes", used, len(data))
		}
		rest := data[used:]
		switch {
		case err != nil:
			if _, _, _, nerr := protocol.Next(rest); nerr == nil || errors.Is(nerr, protocol.ErrShort) {
				t.Fatalf("error %v, but the bytes left decode (%v)", err, nerr)
			}
		case need > 0:
			if need <= len(rest) || need > protocol.MaxFrameSize {
				t.Fatalf("asks for %d bytes with %d left", need, len(rest))
			}
			if _, _, _, nerr := protocol.Next(rest); !errors.Is(nerr, protocol.ErrShort) {
				t.Fatalf("asks for more, but the bytes left give %v", nerr)
			}
		case used != len(data):
			t.Fatalf("used %d of %d bytes without an error or a need", used, len(data))
		}
	})
}

// providerSeeds are Dubbo streams: answers of each kind in both
// serializations, a provider heartbeat, a cut frame and a bad magic.
func providerSeeds() [][]byte {
	var all []byte
	for _, s := range []dubbo.Serialization{dubbo.Hessian2, dubbo.FastJSON} {
		for _, r := range []dubbo.Response{
			{Status: dubbo.StatusOK, Value: dubbo.Value{Type: dubbo.TypeInt, Int: -1094917604}},
			{Status: dubbo.StatusOK, Value: dubbo.Value{Type: dubbo.TypeString, Bytes: []byte("héllo")}},
			{Status: dubbo.StatusOK},
			{Status: dubbo.StatusOK, Exception: true, ExceptionClass: []byte("java.lang.IllegalStateException"), ErrorMessage: []byte("boom")},
			{Status: dubbo.StatusOK, WithAttachments: true, Value: dubbo.Value{Type: dubbo.TypeLong, Int: 1 << 40}},
			{Status: dubbo.StatusThreadpoolExhausted, ErrorMessage: []byte("exhausted")},
			{Status: dubbo.StatusServiceNotFound, ErrorMessage: []byte("not found")},
		} {
			r.ID, r.Serialization = 1, s
			all = dubbo.AppendResponse(all, &r)
		}
		hb := make([]byte, dubbo.HeartbeatSize(s))
		dubbo.PutHeartbeat(hb, 5, s, false)
		all = append(all, hb...)
	}
	// A response announcing a body past dubbo.MaxBodySize, which the
	// decoder drops as it arrives, followed by the frames above.
	large := append([]byte(nil), all[:dubbo.HeaderSize]...)
	binary.BigEndian.PutUint32(large[12:], dubbo.MaxBodySize+1)
	large = append(append(large, bytes.Repeat([]byte{0x90}, 64)...), all...)
	return [][]byte{all, all[:len(all)-5], append([]byte{0xda, 0xbc}, all[2:]...), large}
}

// FuzzProviderStream feeds arbitrary bytes to the agent's decoder for the
// provider connection, as one read. Before each run, every response frame
// in the input gets the id of a fresh call, so that arbitrary bodies reach
// the answer path. The decoder must not panic, must claim the call of every
// response it used, and must account for every byte.
func FuzzProviderStream(f *testing.F) {
	for _, s := range providerSeeds() {
		f.Add(s)
	}
	fp := startFake(f, "127.0.0.1:0")
	a := newAgent(f, fp, func(c *Config) { c.Loops = 1 })
	l := a.loops[0]
	in := sinkWriter(f)
	up := sinkWriter(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		data = append([]byte(nil), data...)
		type pending struct {
			off int
			id  uint32
		}
		var calls []pending
		for off := 0; off < len(data); {
			h, _, n, err := dubbo.Next(data[off:])
			if err != nil {
				break
			}
			if !h.IsEvent() && !h.IsRequest() {
				id, ok := l.calls.Add(call{in: in, id: 1}, 0, 0)
				if !ok {
					t.Fatal("table full: a run left calls behind")
				}
				binary.BigEndian.PutUint64(data[off+4:], uint64(id))
				calls = append(calls, pending{off, id})
			}
			off += n
		}
		p := new(pass)
		used, need, err := l.handleAnswers(p, up, data)
		p.set.Flush()
		if used < 0 || used > len(data) {
			t.Fatalf("used %d of %d bytes", used, len(data))
		}
		for _, c := range calls {
			_, left := l.calls.Take(c.id)
			if c.off < used && left {
				t.Fatalf("the response at offset %d was used but its call is still waiting", c.off)
			}
			if c.off >= used && !left {
				t.Fatalf("the response at offset %d was not used but its call was claimed", c.off)
			}
		}
		rest := data[used:]
		switch {
		case err != nil:
			if _, _, _, nerr := dubbo.Next(rest); nerr == nil || errors.Is(nerr, dubbo.ErrShort) {
				t.Fatalf("error %v, but the bytes left decode (%v)", err, nerr)
			}
		case need > 0:
			if need <= len(rest) {
				t.Fatalf("asks for %d bytes with %d left", need, len(rest))
			}
		case used != len(data):
			t.Fatalf("used %d of %d bytes without an error or a need", used, len(data))
		}
	})
}
