package main

import (
	"testing"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// FuzzUserRequest feeds arbitrary request bodies to the UserService's
// decoding and methods: they must answer or refuse, never panic, and every
// answer they encode must read back as one whole hessian2 value. Seeds: the
// golden cases' requests (testdata/fuzz/FuzzUserRequest holds some, and the
// rest are added here).
func FuzzUserRequest(f *testing.F) {
	for i, gc := range goldenCases(f) {
		f.Add(userFrame(f, int64(i), "0.0.0", gc.method, gc.desc, gc.args, map[string]string{"group": "g"})[dubbo.HeaderSize:])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := hin{b: body}
		var req dubbo.Request
		m, err := readUserHeader(&d, &req)
		if err != nil || m == nil {
			return
		}
		args, id, err := readUserArgs(m, &d)
		if err != nil {
			return
		}
		if err := readAttachments(&d, &req); err != nil {
			return
		}
		cl := acquireCall()
		defer releaseCall(cl)
		invokeUser(m, args, id, cl)
		if len(cl.frame) == 0 {
			return
		}
		h, fb, n, err := dubbo.Next(cl.frame)
		if err != nil || n != len(cl.frame) || h.Status != dubbo.StatusOK || len(fb) < 2 || fb[0] != 0x91 {
			t.Fatalf("frame % x: %v", cl.frame, err)
		}
		r := hin{b: fb[1:]}
		if _, err := r.read(kObject); err != nil || r.pos != len(fb)-1 {
			t.Fatalf("answer % x does not read back: %v (at %d)", fb[1:], err, r.pos)
		}
	})
}
