package jsonhessian

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	hessian "github.com/apache/dubbo-go-hessian2"
)

// libEncode returns dubbo-go-hessian2's encoding of v.
func libEncode(t testing.TB, v any) []byte {
	t.Helper()
	enc := hessian.NewEncoder()
	if err := enc.Encode(v); err != nil {
		t.Fatalf("library Encode(%v): %v", v, err)
	}
	return enc.Buffer()
}

// libDecode decodes one value with dubbo-go-hessian2.
func libDecode(t testing.TB, b []byte) any {
	t.Helper()
	v, err := hessian.NewDecoder(b).Decode()
	if err != nil {
		t.Fatalf("library Decode(%x): %v", b, err)
	}
	return v
}

func TestAppendStringMatchesLibrary(t *testing.T) {
	for _, s := range []string{
		"", "a", "hello", strings.Repeat("x", 31), strings.Repeat("x", 32), strings.Repeat("x", 1023),
		strings.Repeat("x", 1024), strings.Repeat("y", 4096), strings.Repeat("y", 4097), strings.Repeat("z", 10000),
		"héllo", "日本語", "😀", strings.Repeat("😀", 3000), strings.Repeat("a", 4095) + "😀" + "b",
		strings.Repeat("é", 5000), "nul\x00byte",
	} {
		want := libEncode(t, s)
		if got := AppendString(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Errorf("AppendString(%.20q...) = %x..., want %x...", s, got[:min(len(got), 16)], want[:min(len(want), 16)])
		}
		if isASCII(s) {
			if got := appendASCII(nil, []byte(s)); !bytes.Equal(got, want) {
				t.Errorf("appendASCII(%.20q...) differs", s)
			}
		}
		if got := libDecode(t, AppendString(nil, []byte(s))); got != s {
			t.Errorf("round trip of %.20q... = %.20q...", s, got)
		}
	}
	// Invalid UTF-8 becomes U+FFFD, as in the library.
	if got, want := AppendString(nil, []byte("a\xffb")), libEncode(t, "a\xffb"); !bytes.Equal(got, want) {
		t.Errorf("invalid UTF-8: %x, want %x", got, want)
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestAppendNumbersMatchLibrary(t *testing.T) {
	for _, v := range []int32{0, 1, -1, -16, -17, 47, 48, -2048, -2049, 2047, 2048, -262144, -262145, 262143, 262144, math.MinInt32, math.MaxInt32} {
		if got, want := AppendInt(nil, v), libEncode(t, v); !bytes.Equal(got, want) {
			t.Errorf("AppendInt(%d) = %x, want %x", v, got, want)
		}
	}
	for _, v := range []int64{0, 15, 16, -8, -9, 2047, 2048, -2048, -2049, 262143, 262144, -262144, -262145, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32, math.MinInt32 - 1, math.MaxInt64, math.MinInt64} {
		if got, want := AppendLong(nil, v), libEncode(t, v); !bytes.Equal(got, want) {
			t.Errorf("AppendLong(%d) = %x, want %x", v, got, want)
		}
	}
	for _, v := range []float64{0, 1, -1, 2, 127, 128, -128, -129, 32767, 32768, -32768, -32769, 0.5, 1e300, -1e-300, math.Inf(1), math.Inf(-1), 123456.789} {
		if got, want := AppendDouble(nil, v), libEncode(t, v); !bytes.Equal(got, want) {
			t.Errorf("AppendDouble(%v) = %x, want %x", v, got, want)
		}
	}
	if got := AppendDouble(nil, math.NaN()); !math.IsNaN(libDecode(t, got).(float64)) {
		t.Error("NaN")
	}
	if !bytes.Equal(AppendBool(nil, true), libEncode(t, true)) || !bytes.Equal(AppendBool(nil, false), libEncode(t, false)) {
		t.Error("AppendBool")
	}
	if !bytes.Equal(AppendNull(nil), []byte{'N'}) {
		t.Error("AppendNull")
	}
}

func TestAppendBinaryAndDate(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 1023, 1024, 0x7fff, 0x8000, 0x8001, 100000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i * 7)
		}
		got, ok := libDecode(t, AppendBinary(nil, b)).([]byte)
		if !ok || !bytes.Equal(got, b) {
			t.Errorf("binary of %d bytes does not round trip", n)
		}
	}
	for _, ms := range []int64{0, 1, -1, 1796457600123, -62135596800000, 253402300799999} {
		got, ok := libDecode(t, AppendDate(nil, ms)).(time.Time)
		if !ok || got.UnixMilli() != ms {
			t.Errorf("date %d = %v", ms, got)
		}
	}
}
