package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	hessian "github.com/apache/dubbo-go-hessian2"
)

// encodeJava writes v with a fresh hout and returns a copy of the bytes.
func encodeJava(v any) []byte {
	w := acquireHout()
	defer releaseHout(w)
	w.value(v)
	return bytes.Clone(w.b)
}

// TestHoutScalarsAsJava checks each of Hessian2Output's number and date
// forms at its bounds.
func TestHoutScalarsAsJava(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{int32(0), "\x90"}, {int32(-16), "\x80"}, {int32(47), "\xbf"},
		{int32(48), "\xc8\x30"}, {int32(-17), "\xc7\xef"}, {int32(-2048), "\xc0\x00"}, {int32(2047), "\xcf\xff"},
		{int32(2048), "\xd4\x08\x00"}, {int32(-262144), "\xd0\x00\x00"}, {int32(262143), "\xd7\xff\xff"},
		{int32(262144), "I\x00\x04\x00\x00"}, {int32(math.MinInt32), "I\x80\x00\x00\x00"},
		{int64(0), "\xe0"}, {int64(-8), "\xd8"}, {int64(15), "\xef"}, {int64(16), "\xf8\x10"},
		{int64(-2048), "\xf0\x00"}, {int64(2048), "\x3c\x08\x00"}, {int64(-262144), "\x38\x00\x00"},
		{int64(262144), "Y\x00\x04\x00\x00"}, {int64(math.MaxInt32), "Y\x7f\xff\xff\xff"},
		{int64(math.MaxInt32 + 1), "L\x00\x00\x00\x00\x80\x00\x00\x00"},
		{0.0, "\x5b"}, {math.Copysign(0, -1), "\x5b"}, {1.0, "\x5c"}, {-128.0, "\x5d\x80"}, {127.0, "\x5d\x7f"},
		{128.0, "\x5e\x00\x80"}, {-32768.0, "\x5e\x80\x00"}, {32768.0, "\x5f\x01\xf4\x00\x00"},
		{1.5, "\x5f\x00\x00\x05\xdc"}, {0.001, "\x5f\x00\x00\x00\x01"},
		{0.1, "\x5f\x00\x00\x00\x64"}, {0.0001, "D\x3f\x1a\x36\xe2\xeb\x1c\x43\x2d"}, {math.NaN(), "D\x7f\xf8\x00\x00\x00\x00\x00\x00"},
		{math.Inf(1), "D\x7f\xf0\x00\x00\x00\x00\x00\x00"}, {1e300, "D\x7e\x37\xe4\x3c\x88\x00\x75\x9c"},
		{true, "T"}, {false, "F"}, {nil, "N"},
		{date(0), "\x4b\x00\x00\x00\x00"}, {date(60000), "\x4b\x00\x00\x00\x01"},
		{date(1), "\x4a\x00\x00\x00\x00\x00\x00\x00\x01"},
		{date(int64(math.MaxInt32+1) * 60000), "\x4a\x00\x00\x75\x30\x00\x00\x00\x00"},
		{"", "\x00"}, {"a", "\x01a"}, {"\u00e9", "\x01\xc3\xa9"}, {"\u4e16", "\x01\xe4\xb8\x96"},
		{"\U0001F600", "\x02\xed\xa0\xbd\xed\xb8\x80"},
		{[]byte{}, "\x20"}, {[]byte{1, 2}, "\x22\x01\x02"},
	} {
		if got := encodeJava(tc.v); string(got) != tc.want {
			t.Errorf("%T %v: % x, want % x", tc.v, tc.v, got, []byte(tc.want))
		}
	}
}

func TestHoutStringChunks(t *testing.T) {
	for _, tc := range []struct {
		s     string
		heads []string // each chunk's tag and length
	}{
		{strings.Repeat("a", 31), []string{"\x1f"}},
		{strings.Repeat("a", 32), []string{"\x30\x20"}},
		{strings.Repeat("a", 1024), []string{"S\x04\x00"}},
		{strings.Repeat("a", 0x8000), []string{"S\x80\x00"}},
		{strings.Repeat("a", 0x8001), []string{"R\x80\x00", "\x01"}},
		// A chunk never ends on a high surrogate: one unit shorter.
		{strings.Repeat("a", 0x7fff) + "\U0001F600b", []string{"R\x7f\xff", "\x03"}},
	} {
		b := encodeJava(tc.s)
		rest := b
		for i, head := range tc.heads {
			if !bytes.HasPrefix(rest, []byte(head)) {
				t.Fatalf("%d units: chunk %d starts % x, want % x", len(tc.s), i, rest[:min(3, len(rest))], head)
			}
			if i < len(tc.heads)-1 {
				n := int(rest[1])<<8 | int(rest[2])
				d := hin{b: rest[3:]}
				for range n {
					if _, err := d.unit(); err != nil {
						t.Fatal(err)
					}
				}
				rest = rest[3+d.pos:]
			}
		}
		got, err := hessian.NewDecoder(b).Decode()
		if err != nil || got != tc.s {
			t.Fatalf("%d units: the library reads back %d, %v", len(tc.s), len(got.(string)), err)
		}
		d := hin{b: b}
		if back, err := d.str(); err != nil || back != tc.s || d.pos != len(b) {
			t.Fatalf("%d units: hin reads back %d units, %v", len(tc.s), len(back), err)
		}
	}
}

// TestHoutRefsAndTypes checks the tables Hessian2Output keeps: a repeated
// object is a reference, a repeated class or type a number.
func TestHoutRefsAndTypes(t *testing.T) {
	shared := &list{typ: "[int", elems: []any{int32(1)}}
	v := &list{elems: []any{
		roles[1], roles[2], roles[1],
		shared, shared, &list{typ: "[int"},
		&hmap{typ: linkedHashMap}, &hmap{typ: linkedHashMap},
	}}
	got := encodeJava(v)
	const role = "C\x17com.dubbomesh.demo.Role\x91\x04name"
	// An untyped list of 8 ('X', past the short forms); a repeated constant
	// and a repeated list are references (to objects 1 and 3); "[int" and
	// the LinkedHashMap's type, the second time, type numbers 0 and 1.
	wantBytes := "X\x98" + role + "\x60\x05ADMIN" + "\x60\x06MEMBER" + "Q\x91" +
		"\x71\x04[int\x91" + "Q\x93" + "\x70\x90" +
		"M\x17java.util.LinkedHashMapZ" + "M\x91Z"
	if string(got) != wantBytes {
		t.Fatalf("got\n% x\nwant\n% x", got, []byte(wantBytes))
	}
	back, err := hessian.NewDecoder(got).Decode()
	if err != nil {
		t.Fatal(err)
	}
	l := back.([]any)
	if l[2].(map[string]any)["name"] != "ADMIN" || len(l[4].([]int32)) != 1 {
		t.Fatalf("the library reads %v", l)
	}
}

// TestHoutUserReadsBack encodes getUser's users and reads them back with
// hin, field by field, and re-encodes them to the same bytes.
func TestHoutUserReadsBack(t *testing.T) {
	for _, id := range []int64{0, 1, 2, 999, -5, math.MaxInt64} {
		b := cachedUser(id)
		d := hin{b: b}
		v, err := d.read(kUser)
		if err != nil || d.pos != len(b) {
			t.Fatalf("%d: %v at %d of %d", id, err, d.pos, len(b))
		}
		o := v.(*object)
		if o.fields[0] != id || o.fields[2] != roles[1+((id%3)+3)%3] {
			t.Fatalf("%d: read %v", id, o.fields)
		}
		if created := o.fields[6].(date); time.UnixMilli(int64(created)).IsZero() {
			t.Fatalf("%d: no date", id)
		}
		// Read back, scores are a LinkedHashMap still and the rest as
		// written: the same bytes again.
		if again := encodeJava(v); !bytes.Equal(again, b) {
			t.Fatalf("%d: re-encoded\n% x\nwant\n% x", id, again, b)
		}
	}
}
