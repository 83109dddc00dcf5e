package protocol

import (
	"bytes"
	"errors"
	"testing"
)

// Tiny assert helpers shared by this package's tests.

func equal[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func equalBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

func mustPanic(t testing.TB, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Fatalf("%s: did not panic", what)
		}
	}()
	f()
}

// header returns a raw 16-byte header; the tests then poke single bytes.
func header(kind Kind, status Status, flags uint8, length, id uint32) []byte {
	b := make([]byte, HeaderSize)
	PutHeader(b, Header{Kind: kind, Status: status, Flags: flags, Length: length, ID: id})
	return b
}

func TestPutHeaderLayout(t *testing.T) {
	b := bytes.Repeat([]byte{0xff}, HeaderSize) // reserved bytes must be cleared
	PutHeader(b, Header{Kind: KindError, Status: StatusTimeout, Flags: 0x01, Length: 0x01020304, ID: 0xA0B0C0D0})
	want := []byte{0xDB, 0x3E, 1, 4, 7, 1, 0, 0, 1, 2, 3, 4, 0xA0, 0xB0, 0xC0, 0xD0}
	equalBytes(t, "header", b, want)
	mustPanic(t, "PutHeader into 15 bytes", func() { PutHeader(make([]byte, HeaderSize-1), Header{}) })
}

func TestParseHeaderRoundTrip(t *testing.T) {
	for _, h := range []Header{
		{Kind: KindRequest, Length: 100, ID: 1},
		{Kind: KindResponse, Length: MaxBodySize, ID: 0xFFFFFFFF},
		{Kind: KindResponse, Length: 0, ID: 7},
		{Kind: KindHeartbeat, ID: 0},
		{Kind: KindHeartbeat, Flags: FlagReply, ID: 42},
		{Kind: KindError, Status: StatusException, Length: 5, ID: 9},
		{Kind: KindError, Status: StatusBadVersion, Length: 5, ID: 0},
		{Kind: KindError, Status: 200, Length: 0, ID: 3}, // unknown status is kept
	} {
		got, err := ParseHeader(header(h.Kind, h.Status, h.Flags, h.Length, h.ID))
		if err != nil {
			t.Fatalf("ParseHeader(%+v): %v", h, err)
		}
		equal(t, "header", got, h)
	}
}

func TestLoadReport(t *testing.T) {
	for _, tc := range []struct {
		put  func(b []byte) int
		load int
		want uint16
	}{
		{func(b []byte) int { return PutResponse(b, 7, []byte("42")) }, 183, 183},
		{func(b []byte) int { return PutJSONResponse(b, 7, []byte("{}")) }, 0, 0},
		{func(b []byte) int { return PutError(b, 7, StatusOverloaded, "full") }, 1 << 20, MaxLoad},
		{func(b []byte) int { return PutResponse(b, 7, nil) }, -3, 0},
	} {
		b := make([]byte, 64)
		n := tc.put(b)
		before := bytes.Clone(b[:n])
		SetLoad(b, tc.load)
		h, body, m, err := Next(b[:n])
		if err != nil || m != n {
			t.Fatalf("Next after SetLoad: %v (n %d, want %d)", err, m, n)
		}
		got, ok := h.ReportedLoad()
		equal(t, "ReportedLoad ok", ok, true)
		equal(t, "ReportedLoad", got, int(tc.want))
		equal(t, "body", string(body), string(before[HeaderSize:]))
		// Only byte 5's FlagLoad and bytes 6-7 changed: an older receiver,
		// which ignores them, reads the same frame.
		equal(t, "flags", b[5], before[5]|FlagLoad)
		equalBytes(t, "rest of the header", append(b[:5:5], b[8:n]...), append(before[:5:5], before[8:]...))
	}
	// No report: a frame of the first edition, or FlagLoad in a kind that
	// does not carry one.
	b := make([]byte, 64)
	PutResponse(b, 7, []byte("1"))
	h, _ := ParseHeader(b)
	if _, ok := h.ReportedLoad(); ok {
		t.Fatal("a response without FlagLoad reports a load")
	}
	PutHeartbeat(b, 7, true)
	b[5] |= FlagLoad
	b[7] = 9
	h, _ = ParseHeader(b)
	if _, ok := h.ReportedLoad(); ok {
		t.Fatal("a heartbeat reports a load")
	}
}

func TestParseHeaderIgnoresReservedAndUnknownFlags(t *testing.T) {
	b := header(KindRequest, 0, 0, 10, 5)
	b[5], b[6], b[7] = 0x80, 0xAB, 0xCD
	h, err := ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "kind", h.Kind, KindRequest)
	equal(t, "length", h.Length, 10)
	equal(t, "IsReply", h.IsReply(), false)
}

func TestParseHeaderErrors(t *testing.T) {
	valid := header(KindRequest, 0, 0, 10, 5)
	with := func(i int, v byte) []byte {
		b := bytes.Clone(valid)
		b[i] = v
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"one byte", valid[:1], ErrShort},
		{"fifteen bytes", valid[:HeaderSize-1], ErrShort},
		{"bad magic", with(0, 0xDA), ErrBadMagic},
		{"bad magic second byte", with(1, 0x3F), ErrBadMagic},
		{"bad magic in a short header", []byte{'G', 'E'}, ErrBadMagic},
		{"HTTP request", []byte("POST / HTTP/1.1\r\n"), ErrBadMagic},
		{"version 0", with(2, 0), ErrBadVersion},
		{"version 2", with(2, 2), ErrBadVersion},
		{"version 7 in a short header", []byte{0xDB, 0x3E, 7}, ErrBadVersion},
		{"kind 0", with(3, 0), ErrBadKind},
		{"kind 6", with(3, 6), ErrBadKind},
		{"status in goaway", header(KindGoAway, 1, 0, 0, 0), ErrMalformed},
		{"goaway with an id", header(KindGoAway, 0, 0, 0, 7), ErrMalformed},
		{"kind 255", with(3, 255), ErrBadKind},
		{"too large", header(KindResponse, 0, 0, MaxBodySize+1, 1), ErrFrameTooLarge},
		{"length 4 GiB", header(KindResponse, 0, 0, 0xFFFFFFFF, 1), ErrFrameTooLarge},
		{"status in request", header(KindRequest, StatusException, 0, 10, 1), ErrMalformed},
		{"status in response", header(KindResponse, StatusTimeout, 0, 10, 1), ErrMalformed},
		{"status in heartbeat", header(KindHeartbeat, 1, 0, 0, 1), ErrMalformed},
		{"status 0 in error", header(KindError, StatusOK, 0, 3, 1), ErrMalformed},
		{"heartbeat with a body", header(KindHeartbeat, 0, 0, 1, 1), ErrMalformed},
		{"request id 0", header(KindRequest, 0, 0, 14, 0), ErrMalformed},
		{"response id 0", header(KindResponse, 0, 0, 1, 0), ErrMalformed},
	} {
		_, err := ParseHeader(tc.b)
		wantErr(t, tc.name, err, tc.want)
	}
}

func TestVersionError(t *testing.T) {
	_, err := ParseHeader([]byte{0xDB, 0x3E, 7, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	var ve VersionError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %#v, want a VersionError", err)
	}
	equal(t, "version seen", ve.Version, 7)
	equal(t, "message", err.Error(), "protocol: agent protocol version 7 not supported, want 1")
	equal(t, "Is ErrBadMagic", errors.Is(err, ErrBadMagic), false)
}

func TestRefusalStatus(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Status
		ok   bool
	}{
		{VersionError{Version: 2}, StatusBadVersion, true},
		{ErrBadKind, StatusBadFrame, true},
		{ErrFrameTooLarge, StatusBadFrame, true},
		{errTrailing, StatusBadFrame, true},
		{errHeartbeatBody, StatusBadFrame, true},
		{ErrBadMagic, 0, false},
		{ErrShort, 0, false},
		{errors.New("other"), 0, false},
		{nil, 0, false},
	} {
		s, ok := RefusalStatus(tc.err)
		if s != tc.want || ok != tc.ok {
			t.Errorf("RefusalStatus(%v) = %v, %v; want %v, %v", tc.err, s, ok, tc.want, tc.ok)
		}
	}
}

func TestStatusHTTPStatus(t *testing.T) {
	for _, tc := range []struct {
		s    Status
		code int
		name string
	}{
		{StatusOK, 200, "ok"},
		{StatusBadRequest, 400, "bad request"},
		{StatusException, 500, "exception"},
		{StatusUnavailable, 502, "unavailable"},
		{StatusBadResponse, 502, "bad response"},
		{StatusOverloaded, 503, "overloaded"},
		{StatusServiceNotFound, 503, "service not found"},
		{StatusTimeout, 504, "timeout"},
		{StatusBadVersion, 502, "bad version"},
		{StatusBadFrame, 502, "bad frame"},
		{StatusLost, 502, "lost"},
		{StatusNotFound, 404, "not found"},
		{StatusBadResult, 502, "bad result"},
		{13, 502, "status(13)"},
		{255, 502, "status(255)"},
	} {
		equal(t, tc.s.String()+" HTTPStatus", tc.s.HTTPStatus(), tc.code)
		equal(t, "String", tc.s.String(), tc.name)
	}
	// The numeric values are the wire format: pin them.
	for i, s := range []Status{StatusOK, StatusBadRequest, StatusException, StatusUnavailable, StatusBadResponse,
		StatusOverloaded, StatusServiceNotFound, StatusTimeout, StatusBadVersion, StatusBadFrame, StatusLost, StatusNotFound, StatusBadResult} {
		equal(t, s.String()+" value", int(s), i)
	}
}

// TestStatusPathFault: the caller's mistakes (400, 404, 500) and a result
// no agent can render (502) are not the path's fault; everything else,
// unknown statuses included, is.
func TestStatusPathFault(t *testing.T) {
	theCall := map[Status]bool{StatusOK: true, StatusBadRequest: true, StatusNotFound: true, StatusException: true, StatusBadResult: true}
	for s := range 256 {
		st := Status(s)
		equal(t, st.String()+" PathFault", st.PathFault(), !theCall[st])
		if code := st.HTTPStatus(); st.PathFault() && code != 502 && code != 503 && code != 504 {
			t.Errorf("%v: PathFault %v for HTTP %d", st, st.PathFault(), code)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{
		KindRequest: "request", KindResponse: "response", KindHeartbeat: "heartbeat", KindError: "error",
		0: "kind(0)", 9: "kind(9)",
	} {
		equal(t, "Kind.String", k.String(), want)
	}
	equal(t, "kind values", [4]Kind{KindRequest, KindResponse, KindHeartbeat, KindError}, [4]Kind{1, 2, 3, 4})
}

func TestHeaderPredicates(t *testing.T) {
	equal(t, "ping IsReply", Header{Kind: KindHeartbeat}.IsReply(), false)
	equal(t, "pong IsReply", Header{Kind: KindHeartbeat, Flags: FlagReply}.IsReply(), true)
	equal(t, "response with flag bit 0 IsReply", Header{Kind: KindResponse, Flags: FlagReply}.IsReply(), false)
	equal(t, "error id 0", Header{Kind: KindError, ID: 0}.IsConnectionError(), true)
	equal(t, "error id 3", Header{Kind: KindError, ID: 3}.IsConnectionError(), false)
	equal(t, "heartbeat id 0", Header{Kind: KindHeartbeat, ID: 0}.IsConnectionError(), false)
	equal(t, "FrameSize", Header{Length: 100}.FrameSize(), 116)
}

// stream is several frames of every kind back to back, as one read might
// deliver them, and what Next should find in it.
func stream() (b []byte, want []Header, bodies [][]byte) {
	r := raceRequest()
	frames := []struct {
		h    Header
		body []byte
		put  func(b []byte) int
	}{
		{Header{Kind: KindRequest, ID: 1}, nil, func(b []byte) int { return PutRequest(b, 1, r) }},
		{Header{Kind: KindResponse, ID: 1}, []byte("-1094917604"),
			func(b []byte) int { return PutResponse(b, 1, []byte("-1094917604")) }},
		{Header{Kind: KindHeartbeat, ID: 77}, []byte{}, func(b []byte) int { return PutHeartbeat(b, 77, false) }},
		{Header{Kind: KindHeartbeat, Flags: FlagReply, ID: 77}, []byte{},
			func(b []byte) int { return PutHeartbeat(b, 77, true) }},
		{Header{Kind: KindError, Status: StatusException, ID: 2}, []byte("java.lang.IllegalStateException: boom"),
			func(b []byte) int { return PutError(b, 2, StatusException, "java.lang.IllegalStateException: boom") }},
		{Header{Kind: KindResponse, ID: 3}, []byte{}, func(b []byte) int { return PutResponse(b, 3, nil) }},
	}
	b = make([]byte, 0, 4096)
	for _, f := range frames {
		start := len(b)
		b = b[:cap(b)]
		n := f.put(b[start:])
		b = b[:start+n]
		h := f.h
		h.Length = uint32(n - HeaderSize)
		body := f.body
		if h.Kind == KindRequest {
			body = b[start+HeaderSize : start+n]
		}
		want = append(want, h)
		bodies = append(bodies, body)
	}
	return b, want, bodies
}

func TestNextSeveralFramesAndAPartialOne(t *testing.T) {
	whole, want, bodies := stream()
	// A read that ends inside the next request: every whole frame comes out,
	// then ErrShort, at every possible cut.
	tail := make([]byte, raceRequest().Size())
	tailN := PutRequest(tail, 9, raceRequest())
	for cut := range tailN {
		b := append(bytes.Clone(whole), tail[:cut]...)
		for i := range want {
			h, body, n, err := Next(b)
			if err != nil {
				t.Fatalf("cut %d, frame %d: %v", cut, i, err)
			}
			equal(t, "header", h, want[i])
			equalBytes(t, "body", body, bodies[i])
			equal(t, "n", n, HeaderSize+len(body))
			equal(t, "body cap", cap(body), len(body))
			b = b[n:]
		}
		h, body, n, err := Next(b)
		wantErr(t, "partial frame", err, ErrShort)
		equal(t, "n on ErrShort", n, 0)
		equal(t, "body on ErrShort", body == nil, true)
		if cut >= HeaderSize {
			equal(t, "FrameSize of the partial frame", h.FrameSize(), tailN)
		}
	}
}

func TestNextErrors(t *testing.T) {
	b := header(KindResponse, 0, 0, 4, 1)
	b = append(b, "abcd"...)
	b[2] = 3
	_, _, n, err := Next(b)
	wantErr(t, "bad version", err, ErrBadVersion)
	equal(t, "n", n, 0)
	_, _, _, err = Next(append(header(KindHeartbeat, 0, 0, 0, 1), 0xDB, 0x3F))
	equal(t, "first frame ok", err, nil)
	_, _, _, err = Next([]byte{0xDB, 0x3F})
	wantErr(t, "garbage after a frame", err, ErrBadMagic)
}

// BenchmarkParseHeader measures decoding one header.
func BenchmarkParseHeader(b *testing.B) {
	buf := header(KindResponse, 0, 0, 11, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseHeader(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNext measures splitting frames off a read that holds a race
// request, a response, a ping, a pong, an error and an empty response; the
// reported time is per frame.
func BenchmarkNext(b *testing.B) {
	buf, _, _ := stream()
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	frames := 0
	for b.Loop() {
		p := buf
		for len(p) > 0 {
			_, _, n, err := Next(p)
			if err != nil {
				b.Fatal(err)
			}
			p = p[n:]
			frames++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/frame")
}
