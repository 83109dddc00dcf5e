package dubbo

import (
	"errors"
	"testing"
)

func TestNext(t *testing.T) {
	var buf []byte
	bodies := []string{"\x91\x9f", "", "\x91\x05hello"}
	for i, body := range bodies {
		var hdr [HeaderSize]byte
		PutHeader(hdr[:], Header{Flag: byte(Hessian2), Status: StatusOK, ID: int64(i + 1), Length: len(body)})
		buf = append(append(buf, hdr[:]...), body...)
	}
	whole := len(buf)
	var hdr [HeaderSize]byte
	PutHeader(hdr[:], Header{Flag: byte(Hessian2), Status: StatusOK, ID: 4, Length: 10})
	buf = append(append(buf, hdr[:]...), "abc"...) // a partial fourth frame

	b := buf
	for i, want := range bodies {
		h, body, n, err := Next(b)
		if err != nil || h.ID != int64(i+1) || string(body) != want || n != HeaderSize+len(want) {
			t.Fatalf("frame %d: %+v %q %d %v", i, h, body, n, err)
		}
		if cap(body) != len(body) {
			t.Fatalf("frame %d: body capacity %d reaches into the next frame", i, cap(body))
		}
		b = b[n:]
	}
	if len(buf)-len(b) != whole {
		t.Fatalf("consumed %d bytes, want %d", len(buf)-len(b), whole)
	}
	h, _, n, err := Next(b)
	if !errors.Is(err, ErrShort) || n != 0 || h.Length != 10 {
		t.Fatalf("partial body: %+v %d %v", h, n, err)
	}
	for k := 0; k < HeaderSize; k++ {
		if _, _, n, err := Next(b[:k]); !errors.Is(err, ErrShort) || n != 0 {
			t.Fatalf("partial header of %d bytes: %d %v", k, n, err)
		}
	}
	bad := append([]byte{0xda, 0xbc}, make([]byte, 14)...)
	if _, _, _, err := Next(bad); !errors.Is(err, ErrBadMagic) {
		t.Fatalf("bad magic: %v", err)
	}
	PutHeader(hdr[:], Header{Length: MaxBodySize + 1})
	if _, _, _, err := Next(hdr[:]); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("too large: %v", err)
	}
}
