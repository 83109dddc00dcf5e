package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
)

// checkProgress fails when a decoder neither consumed bytes nor asked for
// more than it had: its caller would spin on the same bytes forever.
func checkProgress(t *testing.T, used, need, have int) {
	t.Helper()
	if used < 0 || used > have {
		t.Fatalf("used %d of %d bytes", used, have)
	}
	if need > 0 && need <= have-used {
		t.Fatalf("asks for %d bytes while %d are unread", need, have-used)
	}
	if used == 0 && need == 0 && have > 0 {
		t.Fatalf("neither used nor waits: %d bytes would be read again", have)
	}
}

// checkResponses checks that b is a sequence of whole HTTP responses.
func checkResponses(t *testing.T, b []byte) {
	t.Helper()
	br := bufio.NewReader(bytes.NewReader(b))
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("bad response in %q: %v", b, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil || len(body) != int(resp.ContentLength) {
			t.Fatalf("bad body %q (%v) in %q", body, err, b)
		}
		if resp.StatusCode != 100 && resp.StatusCode != 200 && !bytes.HasPrefix(body, []byte("error: ")) {
			t.Fatalf("error response without \"error: \": %q", b)
		}
	}
}

// FuzzHandleRequests feeds arbitrary client bytes to the request decoder.
// Requests that parse are routed to a fake provider agent that drops them,
// so they end in 504 after a short deadline.
func FuzzHandleRequests(f *testing.F) {
	f.Add([]byte(post(echoForm("x"))))
	f.Add([]byte("GET /?" + echoForm("y") + " HTTP/1.1\r\n\r\n"))
	f.Add([]byte(post(echoForm("a")) + post(echoForm("b"), "Connection: close")))
	f.Add([]byte(postProto("HTTP/1.0", form(echoIface, "m", "IJZD", "1", "2", "true", "1.5"))))
	f.Add([]byte("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"))
	f.Add([]byte("PUT / HTTP/1.1\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
	fake := newFake(f, func(*protocol.Request) reply { return reply{act: actDrop} })
	a := startAgent(f, Config{Timeout: 50 * time.Millisecond})
	route(f, a, snapshot(echoIface, fake.endpoint(echoIface, 1)))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := netpoll.NewLinkBuffer()
		hc := newHTTPConn(a.loops[0], &memConn{out: out}, 1024)
		used, need := a.handleRequests(hc, in)
		hc.set.Flush()
		if !hc.stopped {
			checkProgress(t, used, need, len(in))
		}
		if !hc.stopped && need == 0 && used != len(in) {
			t.Fatalf("stopped at %d of %d bytes without a reason", used, len(in))
		}
		// Answers the agent gave at once (bad requests) are whole
		// responses; routed calls are answered later.
		// Answers are written and flushed under the Writer's lock.
		if hc.w.Lock() != nil {
			b, _ := out.Next(out.Len())
			checkResponses(t, b)
			hc.w.Unlock()
		}
	})
}

// FuzzHandleAnswers feeds arbitrary provider agent bytes to the answer
// decoder, with one call in flight that a well-formed answer can complete.
func FuzzHandleAnswers(f *testing.F) {
	frame := func(put func(b []byte) int, n int) []byte {
		b := make([]byte, n)
		return b[:put(b)]
	}
	f.Add(frame(func(b []byte) int { return protocol.PutResponse(b, 1, []byte("ok")) }, protocol.ResponseSize(2)))
	f.Add(frame(func(b []byte) int { return protocol.PutError(b, 1, protocol.StatusException, "boom") }, protocol.ErrorSize("boom")))
	f.Add(frame(func(b []byte) int { return protocol.PutError(b, 0, protocol.StatusBadFrame, "bad") }, protocol.ErrorSize("bad")))
	f.Add(frame(func(b []byte) int { return protocol.PutHeartbeat(b, 9, false) }, protocol.HeaderSize))
	f.Add(frame(func(b []byte) int { return protocol.PutHeartbeat(b, 9, true) }, protocol.HeaderSize)[:10])
	a := startAgent(f, Config{})
	l := a.loops[0]
	f.Fuzz(func(t *testing.T, in []byte) {
		client := netpoll.NewLinkBuffer()
		hc := newHTTPConn(l, &memConn{out: client}, 4)
		slot, _ := hc.reserve(http1.KeepAlive)
		id, ok := l.calls.Add(call{hc: hc, slot: slot, ep: a.newEndpoint("fuzz:1")}, 1, 0)
		if !ok {
			t.Fatal("in-flight table full")
		}
		peer := netpoll.NewLinkBuffer()
		w := batch.NewWriter(&memConn{out: peer}, nil)
		// Aim the fuzzer's answers at the call in flight.
		if len(in) >= protocol.HeaderSize {
			in = bytes.Clone(in)
			in[12], in[13], in[14], in[15] = byte(id>>24), byte(id>>16), byte(id>>8), byte(id)
		}
		var set batch.Set
		used, need, err := l.handleAnswers(&set, w, in)
		set.Flush()
		l.calls.Take(id)
		if err == nil {
			checkProgress(t, used, need, len(in))
		}
		b, _ := client.Next(client.Len())
		checkResponses(t, b)
	})
}
