package main

import (
	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// pass is the scratch of one handler pass: the writers it touched, flushed
// together at the end (batch flush), and reusable buffers. A pass belongs to
// one goroutine at a time. With a set, every answer it writes carries the
// agent's load (protocol.SetLoad); a zero pass writes answers without.
type pass struct {
	a   *Agent
	set batch.Set
	// skip is what is left to drop of a provider's answer too large to
	// take (provider.go).
	skip    int
	text    []byte
	req     protocol.Request
	dreq    dubbo.Request
	results dubbo.ResultDecoder
}

// respond writes a success frame for id to w, marked as JSON when json is
// set. The frame leaves when the pass flushes.
func (p *pass) respond(w *batch.Writer, id uint32, payload []byte, json bool) bool {
	p.set.Add(w)
	bw := w.Lock()
	if bw == nil {
		return false
	}
	b, err := bw.Malloc(protocol.ResponseSize(len(payload)))
	if err == nil {
		if json {
			protocol.PutJSONResponse(b, id, payload)
		} else {
			protocol.PutResponse(b, id, payload)
		}
		p.stamp(b)
	}
	w.Unlock()
	return err == nil
}

// fail writes an error frame for id to w.
func (p *pass) fail(w *batch.Writer, id uint32, s protocol.Status, msg string) bool {
	p.set.Add(w)
	bw := w.Lock()
	if bw == nil {
		return false
	}
	b, err := bw.Malloc(protocol.HeaderSize + len(msg))
	if err == nil {
		protocol.PutError(b, id, s, msg)
		p.stamp(b)
	}
	w.Unlock()
	return err == nil
}

// failBytes is fail with a message held in a byte slice, such as a decoded
// exception.
func (p *pass) failBytes(w *batch.Writer, id uint32, s protocol.Status, msg []byte) bool {
	p.set.Add(w)
	bw := w.Lock()
	if bw == nil {
		return false
	}
	b, err := bw.Malloc(protocol.HeaderSize + len(msg))
	if err == nil {
		protocol.PutHeader(b, protocol.Header{Kind: protocol.KindError, Status: s, Length: uint32(len(msg)), ID: id})
		copy(b[protocol.HeaderSize:], msg)
		p.stamp(b)
	}
	w.Unlock()
	return err == nil
}

// stamp writes the agent's load into the answer frame at the front of b.
func (p *pass) stamp(b []byte) {
	if p.a != nil {
		protocol.SetLoad(b, p.a.Load())
	}
}
