package main

import (
	"errors"
	"sync"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/upstream"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// answerPass is the scratch of one read from a provider agent connection.
type answerPass struct {
	l   *loop
	w   *batch.Writer
	set batch.Set
}

// Decode implements batch.Decoder for a provider agent connection.
func (p *answerPass) Decode(buf []byte) (used, need int, err error) {
	return p.l.handleAnswers(&p.set, p.w, buf)
}

// answerPasses recycles the scratch of answer passes.
var answerPasses = sync.Pool{New: func() any { return new(answerPass) }}

// onAgent is the batch decoder for a provider agent connection: every whole
// frame in the read is handled in one pass, each answer goes to its client
// connection, and each client connection touched is flushed once at the end.
func (l *loop) onAgent(_ *upstream.Conn, w *batch.Writer, r netpoll.Reader) error {
	p := answerPasses.Get().(*answerPass)
	p.l, p.w = l, w
	err := batch.Drain(r, &p.set, p)
	p.l, p.w = nil, nil
	answerPasses.Put(p)
	if err != nil && !errors.Is(err, batch.ErrWait) {
		l.a.m.badFrames.Inc()
		w.Conn().Close()
	}
	return err
}

// errPeerRefused reports an error frame for the whole connection.
var errPeerRefused = errors.New("consumer agent: provider agent refused the connection")

func (l *loop) handleAnswers(set *batch.Set, w *batch.Writer, buf []byte) (used, need int, err error) {
	m := l.a.m
	for used < len(buf) {
		h, body, n, err := protocol.Next(buf[used:])
		if errors.Is(err, protocol.ErrShort) {
			// h is the header once it is whole, else zero: either way
			// FrameSize is what to wait for.
			return used, h.FrameSize(), nil
		}
		if err != nil {
			return used, 0, err
		}
		used += n
		switch h.Kind {
		case protocol.KindResponse:
			if c, ok := l.calls.Take(h.ID); ok {
				m.status(200)
				c.hc.complete(set, c.slot, 200, body, false)
			} else {
				m.late.Inc()
			}
		case protocol.KindError:
			if h.ID == 0 {
				m.badFrames.Inc()
				return used, 0, errPeerRefused
			}
			if c, ok := l.calls.Take(h.ID); ok {
				st := h.Status.HTTPStatus()
				m.status(st)
				c.hc.complete(set, c.slot, st, body, true)
			} else {
				m.late.Inc()
			}
		case protocol.KindHeartbeat:
			if !h.IsReply() {
				set.Add(w)
				if bw := w.Lock(); bw != nil {
					if b, err := bw.Malloc(protocol.HeaderSize); err == nil {
						protocol.PutHeartbeat(b, h.ID, true)
					}
					w.Unlock()
				}
			}
		default:
			m.badFrames.Inc()
		}
	}
	return used, 0, nil
}
