package main

import (
	"bytes"
	"encoding/binary"
)

// An HTTP/2 client that starts with the connection preface (prior
// knowledge: curl --http2-prior-knowledge, gRPC) cannot read an HTTP/1.1
// 505. It is answered in HTTP/2, as RFC 9113 7 provides: the server's
// preface (an empty SETTINGS frame) and a GOAWAY with the error
// HTTP_1_1_REQUIRED, which such clients report as "HTTP/1.1 required" (and
// on which curl falls back to HTTP/1.1 when it may).

// h2Preface is the start of an HTTP/2 client's connection preface.
var h2Preface = []byte("PRI * HTTP/2.0\r\n")

// h2Refusal is the whole answer to an HTTP/2 preface.
var h2Refusal = func() []byte {
	const debug = "this agent speaks HTTP/1.1"
	b := []byte{0, 0, 0, 0x4, 0, 0, 0, 0, 0}                    // SETTINGS, empty, stream 0
	b = append(b, 0, 0, byte(8+len(debug)), 0x7, 0, 0, 0, 0, 0) // GOAWAY, stream 0
	b = binary.BigEndian.AppendUint32(b, 0)                     // last stream id
	b = binary.BigEndian.AppendUint32(b, 0xd)                   // HTTP_1_1_REQUIRED
	return append(b, debug...)
}()

// refuseH2 answers an HTTP/2 preface at the front of buf, on a connection
// that owes no answer, with h2Refusal and a lingering close; ok is false
// when buf holds none (or answers are owed), for a 505.
func (a *Agent) refuseH2(hc *httpConn, buf []byte) (ok bool) {
	if !bytes.HasPrefix(buf, h2Preface) {
		return false
	}
	hc.mu.Lock()
	owed := hc.head != hc.tail || hc.closed
	hc.mu.Unlock()
	if owed {
		return false
	}
	a.m.status(nil, 505)
	if bw := hc.w.Lock(); bw != nil {
		bw.WriteBinary(h2Refusal)
		hc.w.Unlock()
	}
	hc.stopped = true
	hc.linger.Store(true)
	hc.closeAfterLast()
	return true
}
