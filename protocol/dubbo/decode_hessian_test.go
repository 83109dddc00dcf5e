package dubbo

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	hessian "github.com/apache/dubbo-go-hessian2"
)

// decLibEncode encodes values one after another with the library.
func decLibEncode(t testing.TB, vs ...any) []byte {
	t.Helper()
	e := hessian.NewEncoder()
	for _, v := range vs {
		if err := e.Encode(v); err != nil {
			t.Fatalf("library encode %#v: %v", v, err)
		}
	}
	return e.Buffer()
}

// decLibRender decodes one value with the library and renders it the way
// DecodeResponse should.
func decLibRender(t testing.TB, b []byte) string {
	t.Helper()
	v, err := hessian.NewDecoder(b).Decode()
	if err != nil {
		t.Fatalf("library decode % x: %v", b, err)
	}
	switch v := v.(type) {
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return string(decAppendJavaDouble(nil, v))
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	case nil:
		return ""
	}
	t.Fatalf("library decoded %T", v)
	return ""
}

// decRenderOne renders one hessian value with the fast path.
func decRenderOne(t testing.TB, b []byte) string {
	t.Helper()
	d := decHessian{b: b}
	text, _, err := d.render(nil)
	if err != nil {
		t.Fatalf("render % x: %v", b, err)
	}
	if d.pos != len(b) {
		t.Fatalf("render % x stopped at %d of %d", b, d.pos, len(b))
	}
	return string(text)
}

func decRandString(r *rand.Rand, n int) string {
	alphabets := [][]rune{
		[]rune("abcXYZ019 "),
		[]rune("éßñü€中文字"),
		[]rune("😀🎉𝄞\U0010FFFF"),
		[]rune("a中😀\u0080\u07ff\u0800\uffff"),
	}
	a := alphabets[r.IntN(len(alphabets))]
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteRune(a[r.IntN(len(a))])
	}
	return sb.String()
}

func TestHessianDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var values []any
	for _, v := range []int32{0, -16, 47, -17, 48, -2048, 2047, -2049, 2048, -262144, 262143, -262145, 262144, math.MinInt32, math.MaxInt32} {
		values = append(values, v)
	}
	for _, v := range []int64{0, -8, 15, -9, 16, -2048, 2047, -2049, 2048, -262144, 262143, -262145, 262144, math.MinInt32, math.MaxInt32, math.MinInt32 - 1, math.MaxInt32 + 1, math.MinInt64, math.MaxInt64} {
		values = append(values, v)
	}
	for _, v := range []float64{0, 1, -1, 127, -128, 128, 32767, -32768, 32768, 1.5, 0.1, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, 5e-324, 1e7, 1e-3} {
		values = append(values, v)
	}
	for _, n := range []int{0, 1, 31, 32, 1023, 1024, 4095, 4096, 4097, 32767, 32768, 32769, 70000} {
		values = append(values, strings.Repeat("x", n), decRandString(r, n))
	}
	values = append(values, true, false, nil, "😀", "a😀b", strings.Repeat("😀", 5000))
	for i := 0; i < 3000; i++ {
		switch i % 4 {
		case 0:
			values = append(values, int32(r.Uint32()))
		case 1:
			values = append(values, int64(r.Uint64())>>r.IntN(64))
		case 2:
			values = append(values, math.Float64frombits(r.Uint64()))
		case 3:
			values = append(values, decRandString(r, r.IntN(200)))
		}
	}
	for _, v := range values {
		b := decLibEncode(t, v)
		if got, want := decRenderOne(t, b), decLibRender(t, b); got != want {
			t.Fatalf("%T %.40v: got %.60q, library %.60q", v, v, got, want)
		}
	}
}

// Java chunks strings at 0x8000 code units; the library at 4096. Check a
// hand-made 'R' chunk of 32768 units and a surrogate pair split across
// chunks, which a writer other than Java's could produce.
func TestHessianStringChunks(t *testing.T) {
	long := strings.Repeat("ab", 1<<14) // 32768 units
	b := append([]byte{'R', 0x80, 0x00}, long...)
	b = append(b, 0x03, 'x', 'y', 'z')
	if got := decRenderOne(t, b); got != long+"xyz" {
		t.Fatalf("chunked string: got %d bytes", len(got))
	}
	// U+1F600 is the pair D83D DE00: ED A0 BD, ED B8 80.
	split := []byte{'R', 0x00, 0x02, 'a', 0xed, 0xa0, 0xbd, 0x02, 0xed, 0xb8, 0x80, 'b'}
	if got := decRenderOne(t, split); got != "a😀b" {
		t.Fatalf("split pair: got %q", got)
	}
	lone := []byte{0x03, 'a', 0xed, 0xa0, 0xbd, 'b'}
	if got := decRenderOne(t, lone); got != "a\uFFFDb" || !utf8.ValidString(got) {
		t.Fatalf("lone surrogate: got %q", got)
	}
}

// The fast path aliases the body for a plain string.
func TestHessianStringAliases(t *testing.T) {
	b := decLibEncode(t, "hello, world")
	d := decHessian{b: b}
	s, _, err := d.str(nil)
	if err != nil || string(s) != "hello, world" || &s[0] != &b[1] {
		t.Fatalf("got %q, %v, aliasing %v", s, err, err == nil && &s[0] == &b[1])
	}
}

func TestHessianMalformed(t *testing.T) {
	for _, b := range [][]byte{
		{},
		{'I', 0, 0},
		{'L', 1},
		{'D', 1, 2},
		{0xc8},
		{0x05, 'a', 'b'},
		{'S', 0x00},
		{0x02, 0xc3},
		{0x01, 0xff},
		{0x01, 0xc0, 0x80},       // overlong
		{0x01, 0xf0, 0x9f, 0x98}, // 4-byte UTF-8 is not hessian
		{0x01, 0xe2, 0x28, 0xa1},
		{'R', 0x00, 0x01, 'a'},
		{'R', 0x00, 0x01, 'a', 'I'},
		{'H', 0x01, 'a'},
		{'V', 0x04, '[', 'i', 'n', 't', 0x9f},
		{'O', 0x90},
		{0x60},
		{'Z'},
		{0x51},
		{'A', 0x00, 0x01, 0x00, 'N'},
	} {
		d := decHessian{b: b}
		_, _, err := d.render(nil)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("% x: got %v, want ErrMalformed", b, err)
		}
		d = decHessian{b: b}
		if err := d.skip(0); err == nil {
			t.Errorf("% x: skip accepted it", b)
		}
	}
}

// The 0x5f form (thousandths) is scaled as Java does; the library's encoder
// never writes it for a float64.
func TestHessianDoubleMill(t *testing.T) {
	for _, mills := range []int32{1, 3, -1500, 123456789, math.MinInt32} {
		b := []byte{0x5f, byte(mills >> 24), byte(mills >> 16), byte(mills >> 8), byte(mills)}
		want := string(decAppendJavaDouble(nil, 0.001*float64(mills)))
		if got := decRenderOne(t, b); got != want {
			t.Errorf("mills %d: got %q, want %q", mills, got, want)
		}
	}
}

// Deep nesting is refused, not recursed into.
func TestHessianDepth(t *testing.T) {
	b := bytes.Repeat([]byte{0x57}, decMaxDepth+2)
	d := decHessian{b: b}
	if err := d.skip(0); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v", err)
	}
}

// Values outside the fast path are rendered as JSON.
func TestHessianJSONResult(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{[]any{int32(1), "a"}, `[1,"a"]`},
		{map[any]any{"k": "v"}, `{"k":"v"}`},
	} {
		d := decHessian{b: decLibEncode(t, c.v)}
		text, out, err := d.result(nil, nil, false)
		if err != nil || out != OutcomeJSON || string(text) != c.want {
			t.Errorf("%v: got %q, %d, %v; want %q as JSON", c.v, text, out, err, c.want)
		}
	}
}
