package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// onRequest is the batch decoder for a client connection: it handles every
// whole request in what has been read, in one pass, then flushes each
// provider agent connection it wrote to once (batch flush). When a request is
// cut short it waits for the rest on this goroutine, bounded by the read
// timeout.
func (a *Agent) onRequest(ctx context.Context, conn netpoll.Connection) error {
	hc := ctx.(*connCtx).hc
	if hc == nil {
		// Refused past MaxConns; onConnect has answered and closed it.
		return conn.Close()
	}
	hc.enter()
	if err := batch.Drain(conn.Reader(), &hc.set, hc); err != nil {
		// The client went quiet mid-request or closed.
		a.m.readTimeouts.Inc()
		conn.Close()
		return err
	}
	hc.leave()
	return nil
}

// Decode implements batch.Decoder for the client connection. A request has
// ReadTimeout from the pass that first sees part of it to arrive whole, so a
// client dripping bytes cannot hold the connection longer than that.
func (hc *httpConn) Decode(buf []byte) (used, need int, err error) {
	hc.lastActive.Store(hc.loop.a.clock.Now()) // coarse is enough for idling
	if hc.stopped {
		// Framing is lost or the client asked to close: drop the rest.
		return len(buf), 0, nil
	}
	used, need = hc.loop.a.handleRequests(hc, buf)
	if hc.stopped {
		need = 0
	}
	conn := hc.w.Conn()
	switch {
	case need > 0 && (used > 0 || !hc.reading):
		// A new request has begun: its clock starts now.
		conn.SetReadDeadline(time.Now().Add(hc.loop.a.cfg.ReadTimeout))
		hc.reading = true
	case need == 0 && hc.reading:
		conn.SetReadDeadline(time.Time{})
		hc.reading = false
	}
	return used, need, nil
}

// handleRequests handles the whole requests at the front of buf and returns
// the bytes used and, when buf ends inside a request, the bytes to wait for.
func (a *Agent) handleRequests(hc *httpConn, buf []byte) (used, need int) {
	for used < len(buf) && !hc.stopped {
		n, err := http1.Parse(buf[used:], &hc.req, &a.cfg.Limits)
		if err == http1.ErrIncomplete {
			if hc.req.HeaderLen > 0 {
				if hc.req.Expect100 && !hc.continued {
					hc.continued = true
					a.sendContinue(hc)
				}
				return used, hc.req.HeaderLen + hc.req.ContentLength
			}
			return used, len(buf) - used + 1
		}
		if hc.continued {
			hc.continued = false
			hc.cancelContinue()
		}
		if err == http1.ErrVersion && a.refuseH2(hc, buf[used:]) {
			return len(buf), 0
		}
		if err != nil {
			// The stream cannot be trusted past a malformed request:
			// answer, then close.
			var he *http1.Error
			status := 400
			if errors.As(err, &he) {
				status = he.Status
			}
			hc.stopped = true
			hc.linger.Store(true)
			a.answerNow(hc, nil, status, err.Error(), http1.Close)
			return len(buf), 0
		}
		used += n
		if !hc.w.Conn().IsActive() {
			// The client has gone (a reset, or closed by the agent): no
			// answer can reach it, so nothing it sent is called.
			a.abandon(hc, buf[used:])
			return len(buf), 0
		}
		a.handle(hc)
	}
	return used, 0
}

// abandon counts the request just parsed and the whole requests in rest as
// abandoned, and stops reading the connection.
func (a *Agent) abandon(hc *httpConn, rest []byte) {
	hc.stopped = true
	a.m.abandoned.Inc()
	for len(rest) > 0 {
		n, err := http1.Parse(rest, &hc.req, &a.cfg.Limits)
		if err != nil {
			return
		}
		a.m.abandoned.Inc()
		rest = rest[n:]
	}
}

// handle routes one parsed request to a provider agent.
func (a *Agent) handle(hc *httpConn) {
	req := &hc.req
	a.m.requests.Inc()
	mode := http1.KeepAlive
	switch {
	case req.Close:
		mode = http1.Close
		hc.stopped = true
	case req.HTTP10:
		mode = http1.KeepAlive10
	}
	if a.draining.Load() {
		// The client's next request goes to a new connection, which
		// the agent that replaces this one will serve (drain.go).
		mode = http1.Close
		hc.stopped = true
		if a.closing.Load() {
			// Too late to make a call that could end before the agent
			// does: the client learns that it was not made.
			if isJSON(req.ContentType) {
				mode |= http1.JSON
			}
			a.answerNow(hc, nil, 503, "consumer agent is shutting down: the call was not made", mode)
			return
		}
	}
	f := &hc.form
	var err error
	jsonCall := false
	switch {
	case len(req.Method) == 3: // GET
		err = f.ParseQuery(req.Query)
	case isJSON(req.ContentType):
		jsonCall = true
		mode |= http1.JSON
		err = f.ParseJSON(req.Body)
	default:
		err = f.Parse(req.Body)
	}
	if err == nil {
		err = f.Check()
	}
	if err == nil && jsonCall {
		err = textParams(f)
	}
	if err == nil {
		err = dubbo.CheckArgs(f.ParameterTypes, f.Params)
	}
	ar := &hc.areq
	if err == nil {
		ar.Attachments = attachments(ar.Attachments[:0], req, f)
		err = dubbo.CheckAttachments(ar.Attachments)
	}
	if err != nil {
		a.answerNow(hc, nil, 400, err.Error(), mode)
		return
	}
	l := hc.loop
	svc, ep, ok := a.route(l, f.Interface)
	for !ok && a.starting() {
		hc.startWait() // startup.go
		svc, ep, ok = a.route(l, f.Interface)
	}
	if svc == nil {
		a.answerNow(hc, nil, 503, a.noAgents(string(f.Interface)), mode)
		return
	}
	if !ok {
		a.answerNow(hc, svc, 502, "no provider agent for "+svc.name+" is reachable", mode)
		return
	}
	uw := ep.up(l.idx).Writer()
	if uw == nil {
		a.answerNow(hc, svc, 502, "provider agent "+ep.addr+" is unreachable", mode)
		return
	}
	slot, ok := hc.reserve(mode)
	if !ok {
		return
	}
	deadline := time.Now().Add(a.cfg.Timeout).UnixNano()
	id, ok := l.addCall(call{hc: hc, slot: slot, json: mode&http1.JSON != 0, ep: ep, svc: svc, deadline: deadline}, uw.ID())
	if !ok {
		a.m.status(svc, 503)
		hc.fail(&hc.set, slot, 503, "consumer agent overloaded: too many calls in flight")
		return
	}
	ar.Timeout = uint32(a.cfg.Timeout / time.Millisecond)
	ar.Interface, ar.Method, ar.ParameterTypes, ar.Version, ar.Args = f.Interface, f.Method, f.ParameterTypes, f.Version, f.Params
	ar.JSON = jsonCall
	if err := ar.Validate(); err != nil {
		if _, mine := l.takeCall(id); mine {
			a.m.status(svc, 400)
			hc.fail(&hc.set, slot, 400, err.Error())
		}
		return
	}
	hc.set.Add(uw)
	bw := uw.Lock()
	if bw == nil {
		if _, mine := l.takeCall(id); mine {
			a.m.status(svc, 502)
			hc.fail(&hc.set, slot, 502, "connection to provider agent "+ep.addr+" lost")
		}
		return
	}
	b, err := bw.Malloc(ar.Size())
	if err == nil {
		protocol.PutRequest(b, id, ar)
		if l.frames != nil {
			// Before the frame can go out, and so before its answer.
			l.frames.keep(l.calls.Index(id), id, b)
		}
	}
	uw.Unlock()
	if err != nil {
		if _, mine := l.takeCall(id); mine {
			a.m.status(svc, 502)
			hc.fail(&hc.set, slot, 502, err.Error())
		}
	}
}

// keyGroup is the attachment key of the service group. Read-only.
var keyGroup = []byte("group")

// attachments appends to dst the attachments of a call: the headers the
// request carries as attachments (traceparent, tracestate,
// Dubbo-Attachment-<Name>), in order, then those of a JSON call's
// "attachments", then the form's group= as "group",
// which so wins over a Dubbo-Attachment-group header. The entries alias req
// and f. It does not allocate once dst has grown.
func attachments(dst []protocol.Attachment, req *http1.Request, f *http1.Form) []protocol.Attachment {
	dst = append(dst, req.Attachments...)
	dst = append(dst, f.Attachments...)
	if len(f.Group) > 0 {
		dst = append(dst, protocol.Attachment{Key: keyGroup, Value: f.Group})
	}
	return dst
}

// answerNow answers the current request without calling anyone, in order
// behind the requests before it.
func (a *Agent) answerNow(hc *httpConn, svc *service, status int, msg string, mode http1.ConnMode) {
	a.m.status(svc, status)
	slot, ok := hc.reserve(mode)
	if !ok {
		return
	}
	hc.fail(&hc.set, slot, status, msg)
}

// sendContinue tells an HTTP/1.1 client that waits for it to send the body,
// when no earlier answer is still owed (a 100 must not jump the queue).
func (a *Agent) sendContinue(hc *httpConn) {
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.closed {
		return
	}
	if hc.head != hc.tail {
		// Answers are owed first: complete sends it after the last.
		hc.owedContinue = true
		return
	}
	hc.writeContinue()
	hc.set.Add(hc.w)
}

// isJSON reports a Content-Type of application/json (parameters such as
// charset aside): the JSON form of a call.
func isJSON(ct []byte) bool {
	const mime = "application/json"
	if len(ct) < len(mime) || !strings.EqualFold(string(ct[:len(mime)]), mime) {
		return false
	}
	rest := ct[len(mime):]
	return len(rest) == 0 || rest[0] == ';' || rest[0] == ' '
}

// textParams turns the JSON arguments of a JSON call whose parameter types
// take text (a String, a primitive or box, BigDecimal, BigInteger, Date)
// into that text: a JSON string's content, a number or literal as it is. A
// JSON null stays "null" where the type takes null (a box, a decimal, a
// date). The other arguments stay JSON. Errors name the argument.
func textParams(f *http1.Form) error {
	types := f.ParameterTypes
	for i := 0; i < len(f.Params) && len(types) > 0; i++ {
		t, n, err := jsonhessian.NextType(types)
		if err != nil {
			return nil // CheckArgs reports it
		}
		types = types[n:]
		if !t.Kind.IsText() {
			continue
		}
		p := f.Params[i]
		if string(p) == "null" && t.Kind != jsonhessian.KindString && !t.Kind.IsPrimitive() {
			continue
		}
		if err := f.UnquoteParam(i); err != nil {
			switch p[0] {
			case 'n':
				return fmt.Errorf("parameter %d: null where %s is declared: only a box, a decimal or a Date may be null", i+1, t)
			case '{', '[':
				return fmt.Errorf("parameter %d: a JSON object or array where %s is declared: give it as a JSON string, number or boolean", i+1, t)
			}
			return fmt.Errorf("parameter %d: %w", i+1, err)
		}
	}
	return nil
}
