package mtls

import (
	"bytes"
	"encoding/binary"
	"io"
	"sort"
	"testing"

	"github.com/cloudwego/netpoll"
)

// bufConn is the read side of a netpoll.Connection over a LinkBuffer that
// the test fills: enough for the transport's reads on netpoll. Other
// methods are not called.
type bufConn struct {
	netpoll.Connection
	lb *netpoll.LinkBuffer
}

func (b bufConn) Reader() netpoll.Reader { return b.lb }

func (b bufConn) Read(p []byte) (int, error) {
	n := min(len(p), b.lb.Len())
	if n == 0 {
		return 0, io.EOF
	}
	got, err := b.lb.Next(n)
	if err != nil {
		return 0, err
	}
	copy(p, got)
	b.lb.Release()
	return n, nil
}

// recordEnds returns the offsets in stream where records end, as a reader
// of TLS records sees them (a header, then the body it announces; the last
// record may be cut short).
func recordEnds(stream []byte) []int {
	var ends []int
	for at := 0; at < len(stream); {
		if len(stream)-at < recordHeaderLen {
			return append(ends, at+recordHeaderLen)
		}
		at += recordHeaderLen + int(binary.BigEndian.Uint16(stream[at+3:]))
		ends = append(ends, at)
	}
	return ends
}

// endOf returns the end of the record holding stream offset at.
func endOf(ends []int, at int) int {
	if i := sort.SearchInts(ends, at+1); i < len(ends) {
		return ends[i]
	}
	return at
}

// FuzzRecordReads: whatever the bytes (records or garbage) and however
// they arrive and are asked for, the transport's reads never cross the end
// of a record, hand over every byte once and in order, and, on netpoll,
// wholeRecord says a record is whole exactly when the rest of the record
// being read is buffered (or its header announces more than a record can
// hold). The seed corpus (testdata/fuzz/FuzzRecordReads) holds records
// with empty, largest and oversized bodies, a header cut short, a header
// with part of its body and noise, each with the sizes its bytes arrive
// and are asked for in.
func FuzzRecordReads(f *testing.F) {
	f.Fuzz(func(t *testing.T, stream, steps []byte) {
		if len(steps) == 0 {
			steps = []byte{7}
		}
		ends := recordEnds(stream)
		for _, onNetpoll := range []bool{false, true} {
			var got []byte
			var tr *transport
			var lb *netpoll.LinkBuffer
			fed := 0 // on netpoll: bytes of stream put into lb
			if onNetpoll {
				lb = netpoll.NewLinkBuffer()
				defer lb.Close() // its nodes are netpoll's own memory
				tr = &transport{nc: bufConn{lb: lb}, nonblock: true}
			} else {
				tr = &transport{raw: byteConn{r: bytes.NewReader(stream)}}
			}
			for i := 0; len(got) < len(stream); i++ {
				if i > 4*len(stream)+4*len(steps)+16 {
					t.Fatalf("netpoll=%v: stuck at %d of %d bytes", onNetpoll, len(got), len(stream))
				}
				step := int(steps[i%len(steps)])
				if onNetpoll && i%2 == 0 {
					// Bytes arrive; then the Conn asks whether a record is whole.
					n := min(step+1, len(stream)-fed)
					lb.WriteBinary(stream[fed : fed+n])
					lb.Flush()
					fed += n
					room, whole := tr.wholeRecord()
					end := endOf(ends, len(got))
					want := fed >= end && end <= len(stream)
					if whole && !want {
						// Only a header announcing more than a record holds.
						if body := end - recordStart(ends, len(got)) - recordHeaderLen; body <= maxRecordBody {
							t.Fatalf("wholeRecord: whole at %d of %d buffered, record ends at %d", len(got), fed, end)
						}
					}
					if !whole && want {
						t.Fatalf("wholeRecord: not whole at %d of %d buffered, record ends at %d", len(got), fed, end)
					}
					if body := end - recordStart(ends, len(got)) - recordHeaderLen; whole && body <= maxRecordBody && room < max(body, 1) {
						t.Fatalf("wholeRecord: room %d for a body of %d", room, body)
					}
					if whole && room < 1 {
						t.Fatalf("wholeRecord: room %d", room)
					}
					continue
				}
				p := make([]byte, step+1)
				n, err := tr.Read(p)
				if onNetpoll && err == errWouldBlock {
					if fed > len(got) {
						t.Fatalf("errWouldBlock with %d bytes buffered", fed-len(got))
					}
					continue
				}
				if err != nil && err != io.EOF {
					t.Fatal(err)
				}
				if end := endOf(ends, len(got)); len(got)+n > end {
					t.Fatalf("netpoll=%v: read %d bytes at %d, past the record's end at %d", onNetpoll, n, len(got), end)
				}
				got = append(got, p[:n]...)
			}
			if !bytes.Equal(got, stream) {
				t.Fatalf("netpoll=%v: handed over %q, want %q", onNetpoll, got, stream)
			}
		}
	})
}

// recordStart returns where the record holding stream offset at starts.
func recordStart(ends []int, at int) int {
	if i := sort.SearchInts(ends, at+1); i > 0 {
		return ends[i-1]
	}
	return 0
}
