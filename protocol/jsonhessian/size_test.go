package jsonhessian

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSizes: every XxxSize is the length AppendXxx appends, at the edges of
// each compact form.
func TestSizes(t *testing.T) {
	for _, v := range []int32{0, -0x10, 0x2f, 0x30, -0x11, -0x800, 0x7ff, 0x800, -0x801, -0x40000, 0x3ffff, 0x40000, -0x40001, math.MinInt32, math.MaxInt32} {
		if got, want := IntSize(v), len(AppendInt(nil, v)); got != want {
			t.Errorf("IntSize(%d) = %d, AppendInt appends %d", v, got, want)
		}
	}
	for _, v := range []int64{0, -8, 0xf, 0x10, -9, -0x800, 0x7ff, 0x800, -0x801, -0x40000, 0x3ffff, 0x40000, -0x40001, math.MinInt32, math.MaxInt32, math.MinInt32 - 1, math.MaxInt32 + 1, math.MinInt64, math.MaxInt64} {
		if got, want := LongSize(v), len(AppendLong(nil, v)); got != want {
			t.Errorf("LongSize(%d) = %d, AppendLong appends %d", v, got, want)
		}
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 127, -128, 128, -129, 32767, -32768, 32768, -32769, 0.5, math.NaN(), math.Inf(1), math.Inf(-1), 1e300} {
		if got, want := DoubleSize(v), len(AppendDouble(nil, v)); got != want {
			t.Errorf("DoubleSize(%v) = %d, AppendDouble appends %d", v, got, want)
		}
	}
	for _, s := range []string{"", "a", strings.Repeat("a", 0x1f), strings.Repeat("a", 0x20), strings.Repeat("a", 0x3ff), strings.Repeat("a", 0x400),
		strings.Repeat("a", stringChunkUnits), strings.Repeat("a", stringChunkUnits+1), strings.Repeat("é", 5000), strings.Repeat("😀", 3000),
		strings.Repeat("a", stringChunkUnits-1) + "😀" + "tail", "bad \xff\xfe utf-8"} {
		if got, want := StringSize([]byte(s)), len(AppendString(nil, []byte(s))); got != want {
			t.Errorf("StringSize(%d bytes) = %d, AppendString appends %d", len(s), got, want)
		}
	}
}

// FuzzStringSize: StringSize is the length AppendString appends, for any
// bytes, valid UTF-8 or not.
func FuzzStringSize(f *testing.F) {
	for _, s := range []string{"", "hello", "é😀\xff", strings.Repeat("x", stringChunkUnits+3)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		got, want := StringSize(s), len(AppendString(nil, s))
		if got != want {
			t.Fatalf("StringSize = %d, AppendString appends %d (valid UTF-8: %v)", got, want, utf8.Valid(s))
		}
	})
}

// TestSizesAllocs: sizing allocates nothing.
func TestSizesAllocs(t *testing.T) {
	s := []byte(strings.Repeat("é", 5000))
	if n := testing.AllocsPerRun(100, func() {
		_ = StringSize(s) + IntSize(1) + LongSize(1) + DoubleSize(0.5)
	}); n != 0 {
		t.Fatalf("%v allocs per run, want 0", n)
	}
}
