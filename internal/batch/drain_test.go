package batch

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cloudwego/netpoll"
)

// lineDecoder takes newline-terminated lines; "bad" breaks the stream.
type lineDecoder struct {
	lines []string
	calls int
}

var errBad = errors.New("bad line")

func (d *lineDecoder) Decode(buf []byte) (used, need int, err error) {
	d.calls++
	for {
		i := bytes.IndexByte(buf[used:], '\n')
		if i < 0 {
			if used < len(buf) {
				return used, len(buf) - used + 1, nil
			}
			return used, 0, nil
		}
		line := string(buf[used : used+i])
		if line == "bad" {
			return used, 0, errBad
		}
		d.lines = append(d.lines, line)
		used += i + 1
	}
}

func reader(s string) *netpoll.LinkBuffer {
	lb := netpoll.NewLinkBuffer()
	lb.WriteString(s)
	lb.Flush()
	return lb
}

func TestDrainOnePass(t *testing.T) {
	d := &lineDecoder{}
	r := reader("a\nb\nc\n")
	var s Set
	if err := Drain(r, &s, d); err != nil {
		t.Fatal(err)
	}
	if d.calls != 1 || len(d.lines) != 3 || r.Len() != 0 {
		t.Fatalf("calls %d lines %v left %d", d.calls, d.lines, r.Len())
	}
}

func TestDrainPartialFrameWaits(t *testing.T) {
	d := &lineDecoder{}
	r := reader("a\nhal")
	var s Set
	// A LinkBuffer cannot grow while Drain waits, so the wait fails at once:
	// the whole lines are handled and the wait is reported as ErrWait.
	err := Drain(r, &s, d)
	if !errors.Is(err, ErrWait) {
		t.Fatalf("err = %v, want ErrWait", err)
	}
	if len(d.lines) != 1 || r.Len() != 3 {
		t.Fatalf("lines %v, left %d", d.lines, r.Len())
	}
}

func TestDrainDecoderError(t *testing.T) {
	d := &lineDecoder{}
	r := reader("a\nbad\nc\n")
	var s Set
	if err := Drain(r, &s, d); !errors.Is(err, errBad) || errors.Is(err, ErrWait) {
		t.Fatalf("err = %v, want errBad", err)
	}
	if len(d.lines) != 1 {
		t.Fatalf("lines %v", d.lines)
	}
}

// stuckDecoder uses nothing and asks for nothing: a decoder bug that would
// make Drain (and netpoll) loop on the same bytes forever.
type stuckDecoder struct{}

func (stuckDecoder) Decode([]byte) (used, need int, err error) { return 0, 0, nil }

func TestDrainStuckDecoder(t *testing.T) {
	r := reader("abc")
	var s Set
	if err := Drain(r, &s, stuckDecoder{}); !errors.Is(err, ErrStuck) {
		t.Fatalf("err = %v, want ErrStuck", err)
	}
}

// FuzzDrainHangup hands Drain the whole of what a peer sent before it left:
// the reader has no more to give. Drain must return, and either use every
// byte or fail, so that the handler's connection is closed (netpoll runs a
// handler again for as long as unread bytes remain).
func FuzzDrainHangup(f *testing.F) {
	f.Add([]byte("a\nb\n"))
	f.Add([]byte("a\nhal"))
	f.Add([]byte("bad\n"))
	f.Add([]byte("\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lb := netpoll.NewLinkBuffer()
		lb.WriteBinary(in)
		lb.Flush()
		var s Set
		err := Drain(lb, &s, &lineDecoder{})
		if err == nil && lb.Len() != 0 {
			t.Fatalf("Drain returned nil with %d bytes unread", lb.Len())
		}
	})
}
