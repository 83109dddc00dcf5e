package javahash

import (
	"math/rand/v2"
	"strings"
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
		if got := String([]byte(tc.s)); got != tc.want {
			t.Errorf("String(%q) = %d, want %d", tc.s, got, tc.want)
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
		if got, want := String([]byte(s)), refJavaHash(s); got != want {
			t.Fatalf("String(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestJavaHashAllocs(t *testing.T) {
	s := []byte("some string with ünïcödé and 😀")
	if n := testing.AllocsPerRun(100, func() { String(s) }); n != 0 {
		t.Fatalf("String allocates %v times per call", n)
	}
}

func BenchmarkJavaHash(b *testing.B) {
	s := []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		String(s)
	}
}

// randomStrings returns n strings of random length mixing ASCII, Latin-1,
// CJK, supplementary characters and JSON-special characters.
func randomStrings(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pools := [][]rune{
		[]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
		[]rune("éüßñ©°±µ"),
		[]rune("中文字符漢字한국어"),
		[]rune("😀🚀𝄞🀄"),
		[]rune("\"\\/\n\t %&=+"),
	}
	out := make([]string, n)
	for i := range out {
		var sb strings.Builder
		for range rng.IntN(64) {
			p := pools[rng.IntN(len(pools))]
			sb.WriteRune(p[rng.IntN(len(p))])
		}
		out[i] = sb.String()
	}
	return out
}

func TestInvalidUTF8CountsAsReplacement(t *testing.T) {
	if got, want := String([]byte{'a', 0xff}), refJavaHash("a\uFFFD"); got != want {
		t.Fatalf("String(a\\xff) = %d, want %d", got, want)
	}
}
