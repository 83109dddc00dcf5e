package main

import (
	"bytes"
	"sync/atomic"

	"github.com/dubbomesh/dubbomesh/bench/demo"
)

// userAnswer is what the ideal knows of one id: getUser(id)'s JSON, as a
// correct mesh renders it, and the user's JSON argument form, which is
// what echo is sent. Read-only once built.
type userAnswer struct {
	id   int64
	json []byte
	arg  []byte
}

// userAnswers caches answers, direct-mapped by id (the bench asks for ids 1
// to 1000); a slot holds the last id that used it.
var userAnswers [4096]atomic.Pointer[userAnswer]

// answerFor returns id's answer, building it on a miss. It is safe for
// concurrent use; the answer is shared and must not be modified.
func answerFor(id int64) *userAnswer {
	slot := &userAnswers[uint64(id)%uint64(len(userAnswers))]
	if a := slot.Load(); a != nil && a.id == id {
		return a
	}
	u := demo.GetUser(id)
	a := &userAnswer{id: id, json: u.AppendJSON(nil), arg: u.AppendArgJSON(nil)}
	slot.Store(a)
	return a
}

// answerUser answers a UserService call of the form: getUser(long) with
// the user's JSON; echo(User) of a user the bench sends (demo's argument
// form, byte for byte) with that user's JSON. It returns the body, or what
// is wrong with the call.
func (s *session) answerUser() ([]byte, string) {
	f := &s.form
	if len(f.Params) != 1 {
		return nil, "UserService's getUser and echo take one parameter"
	}
	p := f.Params[0]
	switch {
	case string(f.Method) == "getUser" && string(f.ParameterTypes) == "J":
		id, ok := parseID(p)
		if !ok {
			return nil, "getUser's parameter is not a long"
		}
		return answerFor(id).json, ""
	case string(f.Method) == "echo" && string(f.ParameterTypes) == demo.UserDescriptor:
		const head = `{"id":`
		if !bytes.HasPrefix(p, []byte(head)) {
			return nil, "the ideal echoes only the bench's users"
		}
		end := bytes.IndexByte(p, ',')
		if end < 0 {
			return nil, "the ideal echoes only the bench's users"
		}
		id, ok := parseID(p[len(head):end])
		if a := answerFor(id); ok && bytes.Equal(p, a.arg) {
			return a.json, ""
		}
		return nil, "the ideal echoes only the bench's users"
	}
	return nil, "the ideal answers UserService's getUser(J) and echo(Lcom/dubbomesh/demo/User;) only"
}

// parseID parses a decimal long.
func parseID(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	switch {
	case neg && v <= 1<<63:
		return -int64(v), true
	case !neg && v < 1<<63:
		return int64(v), true
	}
	return 0, false
}
