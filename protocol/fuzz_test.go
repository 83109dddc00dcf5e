package protocol

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzNext feeds arbitrary bytes to Next as a batch decoder would, parses
// the body of every request frame, and checks that each frame it accepts
// re-encodes to the same bytes (up to the reserved bytes and the flag bits a
// receiver ignores). The seed corpus is in testdata/fuzz/FuzzNext.
func FuzzNext(f *testing.F) {
	b, _, _ := stream()
	f.Add(b)
	f.Add(encodeRequest(f, 5, tracedRequest()))
	goaway := make([]byte, GoAwaySize("bye")+HeaderSize)
	PutPing(goaway[PutGoAway(goaway, "bye"):], 4)
	f.Add(goaway)
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Request
		for p := b; ; {
			h, body, n, err := Next(p)
			if err != nil {
				if n != 0 || body != nil {
					t.Fatalf("error %v with n = %d, body = %q", err, n, body)
				}
				if errors.Is(err, ErrShort) {
					if len(p) >= HeaderSize && h.FrameSize() <= len(p) {
						t.Fatalf("ErrShort for a frame of %d bytes in %d", h.FrameSize(), len(p))
					}
				} else if _, ok := RefusalStatus(err); !ok && !errors.Is(err, ErrBadMagic) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if n != HeaderSize+len(body) || n > len(p) || cap(body) != len(body) || n > MaxFrameSize {
				t.Fatalf("n = %d, len(body) = %d, cap(body) = %d, len(p) = %d", n, len(body), cap(body), len(p))
			}
			checkReencode(t, h, body, p[:n], &r)
			p = p[n:]
		}
	})
}

// checkReencode encodes the frame Next found in frame again and compares.
func checkReencode(t *testing.T, h Header, body, frame []byte, r *Request) {
	out := make([]byte, len(frame))
	var n int
	want := h
	want.Flags, want.Load = 0, 0
	switch h.Kind {
	case KindRequest:
		want.Flags = h.Flags & (FlagAttachments | FlagJSON)
		if err := ParseRequest(h, body, r); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseRequest: %v, want ErrMalformed", err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("a parsed request fails Validate: %v", err)
		}
		if r.Size() != len(frame) {
			t.Fatalf("Size = %d, frame is %d bytes", r.Size(), len(frame))
		}
		n = PutRequest(out, h.ID, r)
	case KindResponse:
		n = PutResponse(out, h.ID, body)
	case KindError:
		n = PutError(out, h.ID, h.Status, string(body))
	case KindHeartbeat:
		want.Flags = h.Flags & FlagReply
		if h.GoAwayOK() {
			want.Flags = FlagGoAwayOK
			n = PutPing(out, h.ID)
		} else {
			n = PutHeartbeat(out, h.ID, h.IsReply())
		}
	case KindGoAway:
		n = PutGoAway(out, string(body))
	default:
		t.Fatalf("Next accepted kind %v", h.Kind)
	}
	if n != len(frame) {
		t.Fatalf("re-encoded %v is %d bytes, was %d", h.Kind, n, len(frame))
	}
	if load, ok := h.ReportedLoad(); ok {
		SetLoad(out, load)
		want.Flags, want.Load = FlagLoad, h.Load
	}
	got, err := ParseHeader(out)
	if err != nil || got != want {
		t.Fatalf("re-encoded header %+v, %v; want %+v", got, err, want)
	}
	if !bytes.Equal(out[:5], frame[:5]) || !bytes.Equal(out[8:], frame[8:]) {
		t.Fatalf("re-encoded %v\n%x\nwas\n%x", h.Kind, out, frame)
	}
}

// FuzzParseRequest feeds arbitrary bodies, under header flags with and
// without FlagAttachments, to ParseRequest: each one it accepts must
// re-encode to exactly the same bytes. The seed corpus is in
// testdata/fuzz/FuzzParseRequest.
func FuzzParseRequest(f *testing.F) {
	f.Add(encodeRequest(f, 1, raceRequest())[HeaderSize:], byte(0))
	f.Add(encodeRequest(f, 1, tracedRequest())[HeaderSize:], FlagAttachments)
	f.Fuzz(func(t *testing.T, body []byte, flags byte) {
		var r Request
		if err := ParseRequest(Header{Kind: KindRequest, Flags: flags, ID: 1}, body, &r); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if r.Interface != nil || r.Method != nil || len(r.Args) != 0 || len(r.Attachments) != 0 || r.Timeout != 0 {
				t.Fatalf("request not emptied after an error: %+v", r)
			}
			return
		}
		if len(r.Args) > MaxArgs || len(r.Attachments) > MaxAttachments {
			t.Fatalf("%d args, %d attachments", len(r.Args), len(r.Attachments))
		}
		if (len(r.Attachments) > 0) != (flags&FlagAttachments != 0) {
			t.Fatalf("%d attachments under flags %#x", len(r.Attachments), flags)
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("a parsed request fails Validate: %v", err)
		}
		if r.BodySize() != len(body) {
			t.Fatalf("BodySize = %d, body is %d bytes", r.BodySize(), len(body))
		}
		out := make([]byte, r.Size())
		PutRequest(out, 1, &r)
		if out[5] != flags&(FlagAttachments|FlagJSON) {
			t.Fatalf("re-encoded flags %#x under flags %#x", out[5], flags)
		}
		if !bytes.Equal(out[HeaderSize:], body) {
			t.Fatalf("re-encoded\n%x\nwas\n%x", out[HeaderSize:], body)
		}
	})
}
