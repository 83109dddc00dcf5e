package main

import (
	"errors"
	"fmt"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
	"github.com/dubbomesh/dubbomesh/protocol/hessianjson"
)

// answerPass is the decoder of one provider connection: Dubbo frames from
// it are handled one pass at a time, on the connection's netpoll handler.
type answerPass struct {
	pass
	l *loop
	w *batch.Writer
}

// newAnswerPass is the upstream.Config.NewDecoder of loop l's connection.
func (l *loop) newAnswerPass(w *batch.Writer) (batch.Decoder, *batch.Set) {
	p := &answerPass{pass: pass{a: l.a}, l: l, w: w}
	p.results.SetMaxSize(protocol.MaxBodySize)
	return p, &p.set
}

// Decode implements batch.Decoder: every whole Dubbo frame in the read is
// decoded in one pass, each answer is rendered and written to the consumer
// agent that asked, and every consumer connection touched is flushed once at
// the end.
func (p *answerPass) Decode(buf []byte) (used, need int, err error) {
	return p.l.handleAnswers(&p.pass, p.w, buf)
}

func (l *loop) handleAnswers(p *pass, w *batch.Writer, buf []byte) (used, need int, err error) {
	beat := false // a heartbeat of this pass was answered
	for used < len(buf) {
		if p.skip > 0 {
			k := min(p.skip, len(buf)-used)
			used += k
			p.skip -= k
			continue
		}
		h, body, n, err := dubbo.Next(buf[used:])
		if errors.Is(err, dubbo.ErrShort) {
			// h is the header once it is whole, else zero: either way
			// HeaderSize+Length is what to wait for.
			return used, dubbo.HeaderSize + h.Length, nil
		}
		if errors.Is(err, dubbo.ErrTooLarge) && h.Length > 0 {
			// Past Dubbo's own default payload limit: the stream is
			// whole, so the frame is dropped as it arrives, and only
			// its call fails.
			l.tooLarge(p, h)
			p.skip = dubbo.HeaderSize + h.Length
			continue
		}
		if err != nil {
			return used, 0, err
		}
		used += n
		if h.IsEvent() {
			if h.IsRequest() && h.IsTwoWay() {
				// One answer a pass: any proves the agent alive, and a
				// provider that sends a storm of them (a bug) would
				// otherwise keep this loop busy answering for seconds,
				// and late with everything else.
				if !beat {
					beat = true
					l.heartbeatReply(p, w, h)
				}
			} else if dubbo.IsReadOnly(h, body) {
				l.readOnly(w) // goaway.go
			}
			continue
		}
		if h.IsRequest() {
			continue // providers do not call us
		}
		// A provider thread came free, whether or not the call still
		// waits for it: let a queued call have it. A refusal for want
		// of a thread says the pool is smaller than the gate's limit.
		if h.Status == dubbo.StatusThreadpoolExhausted {
			l.a.gate.refused() // pool.go
		}
		l.a.gate.done(l, &p.set)
		l.answer(p, h, body)
	}
	return used, 0, nil
}

// tooLarge fails the call whose answer, announced by h, is larger than the
// agent takes (dubbo.MaxBodySize): the provider ran it, and any agent would
// refuse its answer the same (StatusBadResult, which sidelines no one).
func (l *loop) tooLarge(p *pass, h dubbo.Header) {
	if h.IsEvent() || h.IsRequest() {
		return
	}
	l.a.gate.done(l, &p.set)
	c, ok := l.answered(uint32(h.ID))
	if !ok {
		l.a.m.late.Inc()
		return
	}
	l.a.m.tooLarge.Inc()
	p.fail(c.in, c.id, protocol.StatusBadResult, fmt.Sprintf("provider agent: the provider's answer of %d bytes is over the %d-byte Dubbo frame limit", h.Length, dubbo.MaxBodySize))
}

// answer renders one Dubbo response and writes it to the consumer agent.
func (l *loop) answer(p *pass, h dubbo.Header, body []byte) {
	m := l.a.m
	c, ok := l.answered(uint32(h.ID))
	if !ok {
		m.late.Inc()
		return
	}
	text, out, err := p.results.Decode(h, body, p.text[:0], c.json)
	if cap(text) > cap(p.text) {
		// Grow the scratch for next time, but never adopt text itself: it
		// may alias body, which the reader releases at the end of the pass.
		p.text = make([]byte, 0, cap(text))
	}
	// A result too large, too deep or cyclic is well-formed: the provider
	// ran the call, and no agent could render its answer (StatusBadResult,
	// which sidelines no one). Broken bytes are the path's fault.
	switch {
	case errors.Is(err, hessianjson.ErrTooLarge):
		m.tooLarge.Inc()
		p.fail(c.in, c.id, protocol.StatusBadResult, fmt.Sprintf("provider agent: the provider's answer is larger than %d bytes as JSON", protocol.MaxBodySize))
		return
	case errors.Is(err, hessianjson.ErrCycle), errors.Is(err, hessianjson.ErrTooDeep):
		m.badResponses.Inc()
		p.fail(c.in, c.id, protocol.StatusBadResult, "provider agent: the provider's answer cannot be rendered as JSON: "+err.Error())
		return
	case err != nil:
		m.badResponses.Inc()
		p.fail(c.in, c.id, protocol.StatusBadResponse, "provider agent: undecodable answer from the provider: "+err.Error())
		return
	}
	switch out {
	case dubbo.OutcomeValue, dubbo.OutcomeNull, dubbo.OutcomeJSON:
		m.ok.Inc()
		p.respond(c.in, c.id, text, out == dubbo.OutcomeJSON)
	case dubbo.OutcomeException:
		m.exceptions.Inc()
		p.failBytes(c.in, c.id, protocol.StatusException, text)
	default:
		s := statusOf(h.Status, text)
		switch s {
		case protocol.StatusOverloaded:
			m.exhausted.Inc()
		case protocol.StatusTimeout:
			m.timeouts.Inc()
		default:
			m.providerErrors.Inc()
		}
		p.failBytes(c.in, c.id, s, text)
	}
}

// statusOf maps a Dubbo status other than 20, with its message msg, to the
// agent protocol. A message saying that the provider has no such service,
// method, version or group (dubbo.NotFound) makes a 40, 60 or 70 the
// caller's mistake, StatusNotFound: decided by the message, since Dubbo
// words the same mistake with different statuses.
func statusOf(s dubbo.Status, msg []byte) protocol.Status {
	switch s {
	case dubbo.StatusBadRequest, dubbo.StatusServiceNotFound, dubbo.StatusServiceError:
		if dubbo.NotFound(msg) {
			return protocol.StatusNotFound
		}
	}
	switch s {
	case dubbo.StatusThreadpoolExhausted:
		return protocol.StatusOverloaded
	case dubbo.StatusServiceNotFound:
		return protocol.StatusServiceNotFound
	case dubbo.StatusClientTimeout, dubbo.StatusServerTimeout:
		return protocol.StatusTimeout
	case dubbo.StatusBadRequest:
		return protocol.StatusBadRequest
	case dubbo.StatusBadResponse:
		// The provider ran the call and could not write its result
		// ("Failed to send response", a result its serialization cannot
		// write or one past its payload limit): any agent would fail it.
		return protocol.StatusBadResult
	}
	return protocol.StatusBadResponse
}

func (l *loop) heartbeatReply(p *pass, w *batch.Writer, h dubbo.Header) {
	l.a.m.heartbeatsAnswered.Inc()
	p.set.Add(w)
	if bw := w.Lock(); bw != nil {
		ser := h.Serialization()
		if b, err := bw.Malloc(dubbo.HeartbeatSize(ser)); err == nil {
			dubbo.PutHeartbeat(b, h.ID, ser, true)
		}
		w.Unlock()
	}
}
