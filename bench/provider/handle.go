package main

import (
	"strconv"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// handle processes one frame that arrived at now (a clock reading). body
// aliases the read buffer and is valid only during the call: whatever a call
// needs later is copied into it (see call).
//
// Requests are answered at once when they cannot run (bad serialization or
// body, unknown interface or method: status 40; a version or group not
// exported: status 70; no free thread; shutting down); otherwise
// they take a thread and a CPU slot and wait in the scheduler. Heartbeat
// requests are answered at once; responses (the peer's answers to our
// heartbeats) are dropped.
func (c *conn) handle(h dubbo.Header, body []byte, now int64) {
	if !h.IsRequest() {
		return
	}
	s := c.s
	twoWay := h.IsTwoWay()
	ser := h.Serialization()
	if ser != dubbo.Hessian2 && ser != dubbo.FastJSON {
		if twoWay {
			// The error string is written in hessian2, Dubbo's default:
			// the peer's serialization is the one thing we cannot speak.
			cl := c.immediate(h.ID, dubbo.Hessian2, dubbo.StatusBadRequest)
			cl.text = append(cl.text[:0], "Unsupported serialization id "...)
			cl.text = strconv.AppendInt(cl.text, int64(ser), 10)
			c.replyWith(cl)
		}
		return
	}
	c.ser.Store(uint32(ser))
	if h.IsEvent() {
		if twoWay {
			c.queueHeartbeat(h.ID, ser, true)
			c.unsent = true
		}
		return
	}
	if ser == dubbo.Hessian2 && isUserCall(body) {
		c.handleUser(h, body, now) // the UserService reads Java values (userservice.go)
		return
	}
	req := &c.req
	if err := dubbo.ParseRequest(h, body, req); err != nil {
		if twoWay {
			cl := c.immediate(h.ID, ser, dubbo.StatusBadRequest)
			cl.text = append(append(cl.text[:0], "Fail to decode request due to: "...), err.Error()...)
			c.replyWith(cl)
		}
		return
	}
	if s.refusing.Load() {
		if twoWay {
			cl := c.immediate(h.ID, ser, dubbo.StatusServerError)
			cl.text = append(cl.text[:0], s.shuttingDown...)
			c.replyWith(cl)
		}
		return
	}
	exps := s.exported()
	m := route(req, exps)
	switch m {
	case methodMissing:
		if twoWay {
			cl := c.immediate(h.ID, ser, dubbo.StatusBadRequest)
			cl.text = noMethodMessage(cl.text[:0], req)
			c.replyWith(cl)
		}
		return
	case methodUnexported:
		if twoWay {
			cl := c.immediate(h.ID, ser, dubbo.StatusServiceError)
			cl.text = notExportedMessage(cl.text[:0], req, exps, addrPort(c.nc.LocalAddr()), addrPort(c.nc.RemoteAddr()))
			c.replyWith(cl)
		}
		return
	}
	if !s.lim.acquire() {
		if twoWay {
			cl := c.immediate(h.ID, ser, dubbo.StatusThreadpoolExhausted)
			cl.text = append(cl.text[:0], *s.exhausted.Load()...)
			c.replyWith(cl)
		}
		return
	}
	cl := c.immediate(h.ID, ser, dubbo.StatusOK)
	latency, err := invoke(m, req, cl, time.Duration(s.latency.Load()))
	if err != nil {
		s.lim.release()
		if !twoWay {
			releaseCall(cl)
			return
		}
		cl.res = dubbo.Response{ID: h.ID, Serialization: ser, Status: dubbo.StatusBadRequest}
		cl.text = append(append(cl.text[:0], "Fail to decode request due to: "...), err.Error()...)
		c.replyWith(cl)
		return
	}
	cl.conn = c
	cl.twoWay = twoWay
	cl.due = s.lim.start(now) + int64(latency)
	s.sched.add(cl)
}

// immediate returns a pooled call to hold an answer with the given status.
func (c *conn) immediate(id int64, ser dubbo.Serialization, st dubbo.Status) *call {
	cl := acquireCall()
	cl.res = dubbo.Response{
		ID:              id,
		Serialization:   ser,
		Status:          st,
		WithAttachments: c.s.cfg.attachments,
	}
	return cl
}

// replyWith queues cl's answer at once and releases cl. An error message, or
// an exception's message, is cl.text.
func (c *conn) replyWith(cl *call) {
	if cl.res.Status != dubbo.StatusOK || cl.res.Exception {
		cl.res.ErrorMessage = cl.text
	}
	c.reply(&cl.res)
	releaseCall(cl)
}
