package protocol

import (
	"bytes"
	"strings"
	"testing"
)

func TestResponseRoundTrip(t *testing.T) {
	for _, payload := range [][]byte{nil, []byte("-1094917604"), []byte("héllo\r\n\x00"), bytes.Repeat([]byte("r"), 70000)} {
		b := make([]byte, ResponseSize(len(payload))+3)
		n := PutResponse(b, 7, payload)
		equal(t, "n", n, HeaderSize+len(payload))
		h, body, m, err := Next(b[:n])
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "header", h, Header{Kind: KindResponse, Length: uint32(len(payload)), ID: 7})
		equal(t, "frame size", m, n)
		equalBytes(t, "payload", body, payload)
	}
}

func TestErrorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		id  uint32
		s   Status
		msg string
	}{
		{5, StatusException, "java.lang.IllegalStateException: boom"},
		{6, StatusTimeout, ""},
		{0, StatusBadVersion, VersionError{Version: 7}.Error()},
		{0, StatusBadFrame, strings.Repeat("m", 1000)},
		{8, 99, "a status from a newer peer"},
	} {
		b := make([]byte, ErrorSize(tc.msg))
		equal(t, "n", PutError(b, tc.id, tc.s, tc.msg), len(b))
		h, body, _, err := Next(b)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "header", h, Header{Kind: KindError, Status: tc.s, Length: uint32(len(tc.msg)), ID: tc.id})
		equal(t, "message", string(body), tc.msg)
		equal(t, "IsConnectionError", h.IsConnectionError(), tc.id == 0)
	}
}

func TestHeartbeatRoundTrip(t *testing.T) {
	b := make([]byte, 2*HeaderSize)
	n := PutHeartbeat(b, 31, false)
	n += PutHeartbeat(b[n:], 31, true)
	equal(t, "bytes", n, 2*HeaderSize)
	ping, body, m, err := Next(b)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "ping", ping, Header{Kind: KindHeartbeat, ID: 31})
	equal(t, "ping IsReply", ping.IsReply(), false)
	equal(t, "ping body", len(body), 0)
	pong, _, _, err := Next(b[m:])
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "pong", pong, Header{Kind: KindHeartbeat, Flags: FlagReply, ID: 31})
	equal(t, "pong IsReply", pong.IsReply(), true)
	equal(t, "flag byte", b[m+5], 0x01)
}

func TestPutAnswerPanics(t *testing.T) {
	mustPanic(t, "PutResponse short", func() { PutResponse(make([]byte, HeaderSize+1), 1, []byte("ab")) })
	mustPanic(t, "PutResponse too large", func() { PutResponse(make([]byte, MaxFrameSize+1), 1, make([]byte, MaxBodySize+1)) })
	mustPanic(t, "PutError short", func() { PutError(make([]byte, HeaderSize), 1, StatusException, "x") })
	mustPanic(t, "PutError StatusOK", func() { PutError(make([]byte, 64), 1, StatusOK, "x") })
	mustPanic(t, "PutHeartbeat short", func() { PutHeartbeat(make([]byte, HeaderSize-1), 1, false) })
}

// BenchmarkPutResponse encodes the race's answer, a Java int's decimal form.
func BenchmarkPutResponse(b *testing.B) {
	payload := []byte("-1094917604")
	buf := make([]byte, ResponseSize(len(payload)))
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		PutResponse(buf, 1, payload)
	}
}

// BenchmarkPutError encodes a provider exception.
func BenchmarkPutError(b *testing.B) {
	const msg = "java.lang.IllegalStateException: boom"
	buf := make([]byte, ErrorSize(msg))
	b.ReportAllocs()
	for b.Loop() {
		PutError(buf, 1, StatusException, msg)
	}
}

// BenchmarkPutHeartbeat encodes a pong.
func BenchmarkPutHeartbeat(b *testing.B) {
	buf := make([]byte, HeaderSize)
	b.ReportAllocs()
	for b.Loop() {
		PutHeartbeat(buf, 1, true)
	}
}
