package main

import (
	"bytes"
	"errors"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"slices"
	"strconv"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
)

// The race's call.
var (
	service   = []byte("com.alibaba.dubbo.performance.demo.provider.IHelloService")
	method    = []byte("hash")
	paramType = []byte("Ljava/lang/String;")
)

// session is one connection's parsing state: its request, form and response
// buffer are reused for every request. It is not safe for concurrent use.
type session struct {
	req  http1.Request
	form http1.Form
	out  []byte // responses to write; valid until the next process
	num  [12]byte
}

// process answers every complete request at the front of in, appending the
// responses to s.out. It returns the bytes consumed and whether the
// connection must close after the responses are written (the client asked
// to, or the input is malformed). It allocates nothing once s.out has grown
// to fit a batch.
func (s *session) process(in []byte) (n int, closeAfter bool) {
	s.out = s.out[:0]
	for n < len(in) {
		k, err := http1.Parse(in[n:], &s.req, &http1.DefaultLimits)
		if err == http1.ErrIncomplete {
			return n, false
		}
		if err != nil {
			var e *http1.Error
			if !errors.As(err, &e) {
				e = &http1.Error{Status: 400, Msg: err.Error()}
			}
			s.putError(e.Status, e.Msg, http1.Close)
			return len(in), true
		}
		n += k
		mode := http1.KeepAlive
		switch {
		case s.req.Close:
			mode = http1.Close
		case s.req.HTTP10:
			mode = http1.KeepAlive10
		}
		switch body, json, msg := s.answer(); {
		case msg != "":
			s.putError(400, msg, mode)
		case json:
			s.putResponse(200, body, mode|http1.JSON)
		default:
			s.putResponse(200, body, mode)
		}
		if s.req.Close {
			return n, true
		}
	}
	return n, false
}

// answer decodes the request's form and answers it: the race's call with
// the decimal hash, a UserService call with JSON (users.go). It returns the
// body, valid until the next answer, and whether it is JSON; or what is
// wrong with the call.
func (s *session) answer() (body []byte, json bool, msg string) {
	fields := s.req.Body
	if string(s.req.Method) == "GET" {
		fields = s.req.Query
	}
	if err := s.form.Parse(fields); err != nil {
		return nil, false, err.Error()
	}
	if err := s.form.Check(); err != nil {
		return nil, false, err.Error()
	}
	switch {
	case string(s.form.Interface) == demo.Interface:
		body, msg := s.answerUser()
		return body, true, msg
	case !bytes.Equal(s.form.Interface, service):
		return nil, false, "unknown interface"
	case !bytes.Equal(s.form.Method, method):
		return nil, false, "unknown method"
	case !bytes.Equal(s.form.ParameterTypes, paramType) || len(s.form.Params) != 1:
		return nil, false, "hash takes one Ljava/lang/String;"
	}
	return strconv.AppendInt(s.num[:0], int64(javahash.String(s.form.Params[0])), 10), false, ""
}

func (s *session) putResponse(status int, body []byte, mode http1.ConnMode) {
	at := len(s.out)
	s.out = slices.Grow(s.out, http1.ResponseSize(status, len(body), mode))
	s.out = s.out[:at+http1.PutResponse(s.out[at:cap(s.out)], status, body, mode)]
}

func (s *session) putError(status int, msg string, mode http1.ConnMode) {
	at := len(s.out)
	s.out = slices.Grow(s.out, http1.ErrorSize(status, msg, mode))
	s.out = s.out[:at+http1.PutError(s.out[at:cap(s.out)], status, msg, mode)]
}
