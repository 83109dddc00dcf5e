package load

import (
	"bytes"
	"testing"
)

func TestParamsAlphabetAndLengths(t *testing.T) {
	p := NewParams(42)
	var seen [256]bool
	short, long := MaxParamLen, 0
	for i := 0; i < 5000; i++ {
		s := p.Append(nil)
		if len(s) > MaxParamLen {
			t.Fatalf("length %d > %d", len(s), MaxParamLen)
		}
		short, long = min(short, len(s)), max(long, len(s))
		for _, c := range s {
			seen[c] = true
		}
	}
	if short > 5 || long < MaxParamLen-5 {
		t.Fatalf("lengths span %d..%d, want about 0..%d", short, long, MaxParamLen)
	}
	for c := 0; c < 256; c++ {
		want := bytes.IndexByte([]byte(alphanumerics), byte(c)) >= 0
		if seen[c] != want {
			t.Fatalf("character %q seen=%v, want %v", byte(c), seen[c], want)
		}
	}
}

func TestParamsReproducible(t *testing.T) {
	a, b := NewParams(3), NewParams(3)
	for i := 0; i < 10; i++ {
		if !bytes.Equal(a.Append(nil), b.Append(nil)) {
			t.Fatal("same seed gave different strings")
		}
	}
	if bytes.Equal(NewParams(3).Append(nil), NewParams(4).Append(nil)) {
		t.Fatal("different seeds gave the same string")
	}
}

func BenchmarkParamsAppend(b *testing.B) {
	p := NewParams(1)
	buf := make([]byte, 0, MaxParamLen)
	b.ReportAllocs()
	for b.Loop() {
		buf = p.Append(buf[:0])
	}
}
