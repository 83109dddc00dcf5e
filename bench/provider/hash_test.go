package main

import (
	"testing"
	"unicode/utf16"
)

func TestJavaHashKnownValues(t *testing.T) {
	// Values printed by Java 17's "…".hashCode().
	for _, tc := range []struct {
		s    string
		want int32
	}{
		{"", 0},
		{"a", 97},
		{"abc", 96354},
		{"hello", 99162322},
		{"Hello, World!", 1498789909},
		{"polygenelubricants", -2147483648},
		{"The quick brown fox jumps over the lazy dog", -609428141},
		{"é", 233},
		{"中文", 646394},
		{"Aa", 2112},
		{"BB", 2112},
		{"😀", 1772899}, // U+1F600: surrogates D83D DE00
		{"a😀b", 57849694},
	} {
		if got := javaHash([]byte(tc.s)); got != tc.want {
			t.Errorf("javaHash(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

// refJavaHash is the definition, over the UTF-16 encoding.
func refJavaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

func TestJavaHashMatchesUTF16Definition(t *testing.T) {
	for _, s := range randomStrings(500, 42) {
		if got, want := javaHash([]byte(s)), refJavaHash(s); got != want {
			t.Fatalf("javaHash(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestJavaHashAllocs(t *testing.T) {
	s := []byte("some string with ünïcödé and 😀")
	if n := testing.AllocsPerRun(100, func() { javaHash(s) }); n != 0 {
		t.Fatalf("javaHash allocates %v times per call", n)
	}
}

func BenchmarkJavaHash(b *testing.B) {
	s := []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		javaHash(s)
	}
}
