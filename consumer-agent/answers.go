package main

import (
	"errors"
	"fmt"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// answerPass is the decoder of one provider agent connection: frames from
// it are handled one pass at a time, on the connection's netpoll handler.
type answerPass struct {
	l   *loop
	w   *batch.Writer
	set batch.Set
}

// newAnswerPass is the upstream.Config.NewDecoder of loop l's connections.
func (l *loop) newAnswerPass(w *batch.Writer) (batch.Decoder, *batch.Set) {
	p := &answerPass{l: l, w: w}
	return p, &p.set
}

// Decode implements batch.Decoder: every whole frame in the read is handled
// in one pass, each answer goes to its client connection, and each client
// connection touched is flushed once at the end.
func (p *answerPass) Decode(buf []byte) (used, need int, err error) {
	return p.l.handleAnswers(&p.set, p.w, buf)
}

// errPeerRefused reports an error frame for the whole connection; the
// error returned wraps it with the frame's status and message, which the
// log of the provider agent's loss shows (upstream.Peer).
var errPeerRefused = errors.New("provider agent refused the connection")

// peerRefused returns errPeerRefused with the status and message of the
// error frame that carried it.
func peerRefused(s protocol.Status, msg []byte) error {
	if len(msg) > maxRefusalText {
		msg = msg[:maxRefusalText]
	}
	return fmt.Errorf("%w (%s): %q", errPeerRefused, s, msg)
}

// maxRefusalText bounds the part of a refusal's message kept for the log.
const maxRefusalText = 256

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
			if c, ok := l.takeCall(h.ID); ok {
				l.noteLoad(c.ep, h)
				if c.json && h.Flags&protocol.FlagJSON == 0 {
					l.textAnswer(set, c)
					break
				}
				m.status(c.svc, 200)
				c.ep.health.ok()
				kind := bodyText
				if h.Flags&protocol.FlagJSON != 0 {
					kind = bodyJSON
				}
				c.hc.complete(set, c.slot, 200, body, kind)
			} else {
				m.late.Inc()
			}
		case protocol.KindError:
			if h.ID == 0 {
				m.badFrames.Inc()
				return used, 0, peerRefused(h.Status, body)
			}
			if l.frames != nil && retryable(h.Status) {
				l.retry(set, h.ID, h.Status, body)
				break
			}
			if c, ok := l.takeCall(h.ID); ok {
				l.noteLoad(c.ep, h)
				st := h.Status.HTTPStatus()
				m.status(c.svc, st)
				c.ep.m.errors.Inc()
				if c.retried {
					m.retriesFailed.Inc()
				}
				if h.Status.PathFault() {
					c.ep.fail(l.a.clock.Now(), h.Status)
				}
				c.hc.complete(set, c.slot, st, body, bodyError)
			} else {
				m.late.Inc()
			}
		case protocol.KindGoAway:
			l.goAway(w, body) // membership.go
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

// textAnswer fails JSON-form call c, which its provider agent answered as
// text: an agent that predates the JSON form ignores the flag that asks for
// it and renders the result as for the race's form, which no JSON caller
// can trust. The call ran; the answer is a 502 that says why, and counts
// against no agent (the agent serves the race's form right).
func (l *loop) textAnswer(set *batch.Set, c call) {
	l.a.m.status(c.svc, 502)
	c.ep.m.errors.Inc()
	if c.ep.textOnly.CompareAndSwap(false, true) {
		l.a.log.Warn("provider agent answered a JSON-form call as text: it predates the JSON form; upgrade it (its JSON-form calls fail with 502)", "agent", c.ep.addr)
	}
	c.hc.complete(set, c.slot, 502, []byte("provider agent "+c.ep.addr+" answered a JSON-form call as text: it predates the JSON form (upgrade it); the call ran"), bodyError)
}
