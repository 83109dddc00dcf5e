package protocol

import "testing"

// The codec runs once or more per call on both agents: in steady state it
// must not allocate, and neither may a hostile peer's garbage make it.

func wantNoAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(100, f); n != 0 {
		t.Errorf("%s: %v allocs per run, want 0", name, n)
	}
}

func TestAllocsPutRequest(t *testing.T) {
	r := raceRequest()
	buf := make([]byte, r.Size())
	wantNoAllocs(t, "Validate+Size+PutRequest", func() {
		if r.Validate() != nil {
			t.Fatal("invalid")
		}
		PutRequest(buf[:r.Size()], 1, r)
	})
}

func TestAllocsPutRequestAttachments(t *testing.T) {
	r := tracedRequest()
	buf := make([]byte, r.Size())
	wantNoAllocs(t, "Validate+Size+PutRequest with attachments", func() {
		if r.Validate() != nil {
			t.Fatal("invalid")
		}
		PutRequest(buf[:r.Size()], 1, r)
	})
}

func TestAllocsParseRequest(t *testing.T) {
	frame := encodeRequest(t, 1, raceRequest())
	var r Request
	wantNoAllocs(t, "ParseRequest", func() {
		if err := ParseRequest(Header{}, frame[HeaderSize:], &r); err != nil {
			t.Fatal(err)
		}
	})
	wantNoAllocs(t, "ParseRequest of a malformed body", func() {
		if ParseRequest(Header{}, frame[HeaderSize:len(frame)-1], &r) == nil {
			t.Fatal("no error")
		}
	})
	traced := encodeRequest(t, 1, tracedRequest())
	h, body, _, err := Next(traced)
	if err != nil {
		t.Fatal(err)
	}
	// The first parse grows Attachments; from then on nothing allocates.
	if err := ParseRequest(h, body, &r); err != nil {
		t.Fatal(err)
	}
	wantNoAllocs(t, "ParseRequest with attachments", func() {
		if err := ParseRequest(h, body, &r); err != nil {
			t.Fatal(err)
		}
	})
	wantNoAllocs(t, "ParseRequest of a malformed attachments section", func() {
		if ParseRequest(h, body[:len(body)-1], &r) == nil {
			t.Fatal("no error")
		}
	})
}

func TestAllocsAnswers(t *testing.T) {
	payload := []byte("-1094917604")
	buf := make([]byte, 128)
	wantNoAllocs(t, "PutResponse", func() { PutResponse(buf, 1, payload) })
	wantNoAllocs(t, "PutError", func() { PutError(buf, 1, StatusException, "java.lang.IllegalStateException: boom") })
	wantNoAllocs(t, "PutHeartbeat", func() { PutHeartbeat(buf, 1, true) })
	wantNoAllocs(t, "SetLoad", func() { SetLoad(buf, 200) })
}

func TestAllocsNext(t *testing.T) {
	b, _, _ := stream()
	wantNoAllocs(t, "Next over a batch", func() {
		for p := b; len(p) > 0; {
			_, _, n, err := Next(p)
			if err != nil {
				t.Fatal(err)
			}
			p = p[n:]
		}
	})
	bad := []byte{0xDB, 0x3E, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	wantNoAllocs(t, "Next refusing a version", func() {
		if _, _, _, err := Next(bad); err == nil {
			t.Fatal("no error")
		}
	})
	heartbeatWithBody := header(KindHeartbeat, 0, 0, 4, 1)
	wantNoAllocs(t, "Next refusing a malformed header", func() {
		if _, _, _, err := Next(heartbeatWithBody); err == nil {
			t.Fatal("no error")
		}
	})
}
