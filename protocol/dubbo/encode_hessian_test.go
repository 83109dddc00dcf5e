package dubbo

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"

	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// encLib returns the library's encoding of v.
func encLib(t testing.TB, v any) []byte {
	t.Helper()
	e := hessian.NewEncoder()
	if err := e.Encode(v); err != nil {
		t.Fatalf("library Encode(%#v): %v", v, err)
	}
	return e.Buffer()
}

// encSizePut runs a size/put helper pair, checking that put writes exactly
// the announced size and nothing past it.
func encSizePut(t testing.TB, size int, put func(b []byte) int) []byte {
	t.Helper()
	b := make([]byte, size+8)
	for i := range b {
		b[i] = 0xee
	}
	n := put(b[:size])
	if n != size {
		t.Fatalf("put wrote %d bytes, size said %d", n, size)
	}
	if !bytes.Equal(b[size:], bytes.Repeat([]byte{0xee}, 8)) {
		t.Fatalf("put wrote past the announced size")
	}
	return b[:size]
}

func encAssertBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		if len(got) > 64 || len(want) > 64 {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("%s: differ at byte %d of %d/%d", what, i, len(got), len(want))
		}
		t.Fatalf("%s:\n got % x\nwant % x", what, got, want)
	}
}

// encTestStrings covers every string encoding boundary: the compact forms
// (31, 1023 units), the library's 4096-unit chunks, 32768 (Java's chunk
// size), non-ASCII, surrogate pairs (also across chunk ends) and invalid
// UTF-8 (replaced by U+FFFD, as the library does).
func encTestStrings() []string {
	var ss []string
	for _, n := range []int{0, 1, 31, 32, 33, 1023, 1024, 1025, 4095, 4096, 4097, 8191, 8192, 8193, 32767, 32768, 32769, 70000} {
		ss = append(ss, strings.Repeat("a", n))
		ss = append(ss, strings.Repeat("é", n/2), strings.Repeat("中", n))
	}
	ss = append(ss,
		"hello, world", "é", "中文", "€uro", "\u07ff\u0800\uffff", "😀", "a😀b", "𝄞 music",
		strings.Repeat("😀", 2048), strings.Repeat("😀", 2049), strings.Repeat("😀", 20000),
		strings.Repeat("a", 4095)+"😀"+"b", strings.Repeat("a", 4095)+"😀",
		strings.Repeat("我", 4095)+"🤣", strings.Repeat("a", 1022)+"😀", strings.Repeat("a", 30)+"😀",
		"\xff", "a\xc3", "\xed\xa0\x80", "ok\x80ok", "\x00\x01\x1f\"\\",
	)
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09 é中€😀𝄞\u0080\u07ff\u0800\uffff\U0010ffff")
	for range 200 {
		n := r.IntN(5000)
		var sb strings.Builder
		for range n {
			sb.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		ss = append(ss, sb.String())
	}
	return ss
}

func TestEncodeHessianString(t *testing.T) {
	for _, s := range encTestStrings() {
		got := encSizePut(t, jsonhessian.StringSize([]byte(s)), func(b []byte) int { return encPutString(b, []byte(s)) })
		encAssertBytes(t, "string of "+encQuote([]byte(s)), got, encLib(t, s))
	}
}

func TestEncodeHessianInt(t *testing.T) {
	vs := []int32{math.MinInt32, math.MinInt32 + 1, -0x40001, -0x40000, -0x3ffff, -0x801, -0x800, -0x7ff,
		-0x11, -0x10, -0xf, -1, 0, 1, 0x2f, 0x30, 0x7ff, 0x800, 0x3ffff, 0x40000, math.MaxInt32 - 1, math.MaxInt32}
	r := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		vs = append(vs, int32(r.Uint32())>>r.IntN(32))
	}
	for _, v := range vs {
		got := encSizePut(t, jsonhessian.IntSize(v), func(b []byte) int { return encPutInt(b, v) })
		encAssertBytes(t, "int", got, encLib(t, v))
	}
}

func TestEncodeHessianLong(t *testing.T) {
	vs := []int64{math.MinInt64, math.MinInt64 + 1, math.MinInt32 - 1, math.MinInt32, -0x40001, -0x40000, -0x801, -0x800,
		-9, -8, -1, 0, 1, 15, 16, 0x7ff, 0x800, 0x3ffff, 0x40000, math.MaxInt32, math.MaxInt32 + 1, math.MaxInt64}
	r := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		vs = append(vs, int64(r.Uint64())>>r.IntN(64))
	}
	for _, v := range vs {
		got := encSizePut(t, jsonhessian.LongSize(v), func(b []byte) int { return encPutLong(b, v) })
		encAssertBytes(t, "long", got, encLib(t, v))
	}
}

func TestEncodeHessianDouble(t *testing.T) {
	vs := []float64{0, math.Copysign(0, -1), 1, -1, 2, 127, 128, -128, -129, 32767, 32768, -32768, -32769,
		1.5, -1.5, 0.1, 127.5, 2147483647, -2147483648, 65536, 1e18, 9.3e18, -9.3e18, -9223372036854775808,
		1e300, -1e300, 5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1)}
	r := rand.New(rand.NewPCG(7, 8))
	for range 1000 {
		vs = append(vs, float64(int32(r.Uint32())>>r.IntN(32)), r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)))
	}
	for _, v := range vs {
		got := encSizePut(t, jsonhessian.DoubleSize(v), func(b []byte) int { return encPutDouble(b, v) })
		encAssertBytes(t, "double", got, encLib(t, v))
	}
}

func TestEncodeHessianBool(t *testing.T) {
	for _, v := range []bool{true, false} {
		got := encSizePut(t, 1, func(b []byte) int { return encPutBool(b, v) })
		encAssertBytes(t, "bool", got, encLib(t, v))
	}
}

func TestEncodeHessianConst(t *testing.T) {
	encAssertBytes(t, "dubbo version", encHessianDubboVersion, encLib(t, "2.0.2"))
	encAssertBytes(t, "key", encHessianKeyInterface, encLib(t, "interface"))
	// A one-key map is deterministic in the library too.
	encAssertBytes(t, "attachments", encHessianResponseAttachments, encLib(t, map[any]any{"dubbo": "2.0.2"}))
}
