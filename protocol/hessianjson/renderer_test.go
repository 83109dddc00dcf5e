package hessianjson

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

// renderCase is one hessian2 value and the JSON and kind it renders as.
type renderCase struct {
	name string
	in   []byte
	want string
	kind Kind
}

// render renders src, the whole of one value, with a fresh Renderer and
// checks what every successful Append must satisfy.
func render(t *testing.T, src []byte) (string, Kind, error) {
	t.Helper()
	var r Renderer
	out, n, err := r.Append([]byte("prefix"), src)
	if !strings.HasPrefix(string(out), "prefix") {
		t.Fatalf("dst prefix lost: %q", out)
	}
	if err != nil {
		if len(out) != len("prefix") || n != 0 {
			t.Fatalf("on error Append returned %q, %d", out, n)
		}
		return "", r.Kind(), err
	}
	if n != len(src) {
		t.Fatalf("consumed %d of %d bytes", n, len(src))
	}
	if !json.Valid(out[len("prefix"):]) {
		t.Fatalf("invalid JSON %q", out[len("prefix"):])
	}
	return string(out[len("prefix"):]), r.Kind(), nil
}

func runCases(t *testing.T, cases []renderCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, kind, err := render(t, tc.in)
			if err != nil {
				t.Fatalf("% x: %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("% x:\n got %s\nwant %s", tc.in, got, tc.want)
			}
			if tc.kind != KindNone && kind != tc.kind {
				t.Errorf("kind %v, want %v", kind, tc.kind)
			}
			// Every strict prefix of a value is truncated, not malformed.
			for i := range len(tc.in) {
				if _, _, err := render(t, tc.in[:i]); !errors.Is(err, ErrTruncated) {
					t.Fatalf("prefix of %d bytes: %v, want ErrTruncated", i, err)
				}
			}
		})
	}
}

func runErrors(t *testing.T, cases []struct {
	name string
	in   []byte
	want error
}) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := render(t, tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("% x: got %q, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestScalars(t *testing.T) {
	runCases(t, []renderCase{
		{"null", hb{}.null(), "null", KindNull},
		{"true", hb{}.boolean(true), "true", KindBool},
		{"false", hb{}.boolean(false), "false", KindBool},
		{"int zero", hb{0x90}, "0", KindInt},
		{"int -16", hb{0x80}, "-16", KindInt},
		{"int 47", hb{0xbf}, "47", KindInt},
		{"int byte", hb{0xc0, 0x00}, "-2048", KindInt},
		{"int byte max", hb{0xcf, 0xff}, "2047", KindInt},
		{"int short", hb{0xd0, 0x00, 0x00}, "-262144", KindInt},
		{"int short max", hb{0xd7, 0xff, 0xff}, "262143", KindInt},
		{"int 32", hb{}.raw('I', 0x80, 0, 0, 0), "-2147483648", KindInt},
		{"long zero", hb{0xe0}, "0", KindInt},
		{"long -8", hb{0xd8}, "-8", KindInt},
		{"long 15", hb{0xef}, "15", KindInt},
		{"long byte", hb{0xf0, 0x00}, "-2048", KindInt},
		{"long short", hb{0x38, 0x00, 0x00}, "-262144", KindInt},
		{"long short max", hb{0x3f, 0xff, 0xff}, "262143", KindInt},
		{"long int", hb{0x59, 0x7f, 0xff, 0xff, 0xff}, "2147483647", KindInt},
		{"long 64", hb{}.int64(math.MinInt64), "-9223372036854775808", KindInt},
		{"long max", hb{}.int64(math.MaxInt64), "9223372036854775807", KindInt},
		{"double zero", hb{0x5b}, "0", KindDouble},
		{"double one", hb{0x5c}, "1", KindDouble},
		{"double byte", hb{0x5d, 0x80}, "-128", KindDouble},
		{"double short", hb{0x5e, 0x80, 0x00}, "-32768", KindDouble},
		{"double mill", hb{0x5f, 0, 0, 0x04, 0xd2}, "1.234", KindDouble},
		{"double", hb{}.double(0.1), "0.1", KindDouble},
		{"double negative zero", hb{}.double(math.Copysign(0, -1)), "-0", KindDouble},
		{"double large", hb{}.double(1e21), "1e+21", KindDouble},
		{"double below large", hb{}.double(1e20), "100000000000000000000", KindDouble},
		{"double small", hb{}.double(1e-7), "1e-7", KindDouble},
		{"double max", hb{}.double(math.MaxFloat64), "1.7976931348623157e+308", KindDouble},
		{"double min", hb{}.double(5e-324), "5e-324", KindDouble},
		{"NaN", hb{}.double(math.NaN()), `"NaN"`, KindDouble},
		{"Infinity", hb{}.double(math.Inf(1)), `"Infinity"`, KindDouble},
		{"-Infinity", hb{}.double(math.Inf(-1)), `"-Infinity"`, KindDouble},
	})
}

func TestDoubleLikeEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.1, 1.5, 123456789, 1e-6, 9.99e-7, 1e20, 1e21, 3.14159e-100, 2.5e300, 1.0 / 3, -7e-12} {
		want, _ := json.Marshal(f)
		if got := appendDouble(nil, f); string(got) != string(want) {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
}

// units16 writes u as one final string chunk.
func units16(u ...uint16) hb { return hb{}.unitsFinal(u) }

func TestStrings(t *testing.T) {
	long := strings.Repeat("abcdefghij", 200) // 2,000 units: 'S'
	runCases(t, []renderCase{
		{"empty", hb{}.str(""), `""`, KindString},
		{"short", hb{}.str("hello"), `"hello"`, KindString},
		{"medium", hb{}.str(strings.Repeat("x", 40)), `"` + strings.Repeat("x", 40) + `"`, KindString},
		{"S", hb{}.str(long), `"` + long + `"`, KindString},
		{"chunks", hb{}.strChunked(long, 300), `"` + long + `"`, KindString},
		{"chunk ending in S", hb{}.strChunked(strings.Repeat("y", 1100), 40), `"` + strings.Repeat("y", 1100) + `"`, KindString},
		{"escapes", hb{}.str("a\"b\\c/"), `"a\"b\\c/"`, KindString},
		{"controls", hb{}.str("\n\t\x00\x1f\x7f"), `"\u000a\u0009\u0000\u001f` + "\x7f" + `"`, KindString},
		{"two and three bytes", hb{}.str("é€ü"), `"é€ü"`, KindString},
		{"surrogate pair", hb{}.str("a😀b"), `"a😀b"`, KindString},
		{"pair across chunks", hb{}.strChunked("😀", 1), `"😀"`, KindString},
		{"lone high at end", units16('a', 0xd83d), "\"a\ufffd\"", KindString},
		{"lone low", units16(0xde00, 'a'), "\"\ufffda\"", KindString},
		{"high then ASCII", units16(0xd83d, 'a'), "\"\ufffda\"", KindString},
		{"high then BMP", units16(0xd83d, 0xe9), "\"\ufffdé\"", KindString},
		{"two highs then low", units16(0xd83d, 0xd83d, 0xde00), "\"\ufffd😀\"", KindString},
		{"quote after escape", hb{}.str(`\"`), `"\\\""`, KindString},
	})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"bad byte", hb{0x01, 0xff}, ErrMalformed},
		{"bad continuation", hb{0x01, 0xc3, 0x41}, ErrMalformed},
		{"overlong two", hb{0x01, 0xc0, 0x80}, ErrMalformed},
		{"overlong three", hb{0x01, 0xe0, 0x80, 0x80}, ErrMalformed},
		{"four-byte form", hb{0x01, 0xf0, 0x9f, 0x98, 0x80}, ErrMalformed},
		{"chunk then not a string", hb{'R', 0, 1, 'a', 0x90}, ErrMalformed},
	})
}

func TestBinary(t *testing.T) {
	b16 := []byte("0123456789abcdef")
	runCases(t, []renderCase{
		{"empty", hb{0x20}, `""`, KindBinary},
		{"short", hb{0x23, 'a', 'b', 'c'}, `"YWJj"`, KindBinary},
		{"padding", hb{0x21, 0xff}, `"/w=="`, KindBinary},
		{"medium", append(hb{0x34, 16}, b16...), `"MDEyMzQ1Njc4OWFiY2RlZg=="`, KindBinary},
		{"chunks", hb{'A', 0, 2, 'x', 'y', 'A', 0, 2, 'z', 'w', 'B', 0, 1, 'v'}, `"eHl6d3Y="`, KindBinary},
		{"chunk then short", hb{'A', 0, 1, 'a', 0x22, 'b', 'c'}, `"YWJj"`, KindBinary},
		{"chunk then medium", append(hb{'A', 0, 1, 'a', 0x34, 16}, b16...), `"YTAxMjM0NTY3ODlhYmNkZWY="`, KindBinary},
		{"empty chunks", hb{'A', 0, 0, 'B', 0, 0}, `""`, KindBinary},
	})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"chunk then string", hb{'A', 0, 1, 'a', 0x01, 'b'}, ErrMalformed},
	})
}

func TestDates(t *testing.T) {
	runCases(t, []renderCase{
		{"epoch", hb{}.date(0), `"1970-01-01T00:00:00.000Z"`, KindDate},
		{"ms", hb{}.date(1796457600123), `"2026-12-05T08:00:00.123Z"`, KindDate},
		{"before epoch", hb{}.date(-1), `"1969-12-31T23:59:59.999Z"`, KindDate},
		{"minutes", hb{0x4b}.raw(0x01, 0xc8, 0xdc, 0xe0), `"2026-12-05T08:00:00.000Z"`, KindDate},
		{"negative minutes", hb{0x4b, 0xff, 0xff, 0xff, 0xff}, `"1969-12-31T23:59:00.000Z"`, KindDate},
		{"year zero", hb{}.date(-62167219200000), `"0000-01-01T00:00:00.000Z"`, KindDate},
		{"year -1", hb{}.date(-62167219200001), `"-000001-12-31T23:59:59.999Z"`, KindDate},
		{"year 10000", hb{}.date(253402300800000), `"+010000-01-01T00:00:00.000Z"`, KindDate},
		{"max", hb{}.date(math.MaxInt64), `"+292278994-08-17T07:12:55.807Z"`, KindDate},
		{"min", hb{}.date(math.MinInt64), `"-292275055-05-16T16:47:04.192Z"`, KindDate},
	})
}

func TestLists(t *testing.T) {
	ten := hb{}.listBegin(10, "")
	for i := range 10 {
		ten = ten.int32(int32(i))
	}
	runCases(t, []renderCase{
		{"untyped variable", hb{0x57, 0x91, 0x92, 'Z'}, "[1,2]", KindList},
		{"untyped fixed", hb{0x58, 0x92, 0x91, 0x92}, "[1,2]", KindList},
		{"untyped short", hb{0x7a, 0x91, 0x92}, "[1,2]", KindList},
		{"typed variable", hb{0x55}.str("[int").raw(0x91, 'Z'), "[1]", KindList},
		{"typed fixed", hb{'V'}.str("[int").raw(0x92, 0x91, 0x92), "[1,2]", KindList},
		{"typed short", hb{0x72}.str("[int").raw(0x91, 0x92), "[1,2]", KindList},
		{"empty short", hb{0x78}, "[]", KindList},
		{"empty variable", hb{0x57, 'Z'}, "[]", KindList},
		{"empty typed", hb{0x70}.str("java.util.List"), "[]", KindList},
		{"ten", ten, "[0,1,2,3,4,5,6,7,8,9]", KindList},
		{"type reference", hb{0x7a, 0x72}.str("[int").raw(0x91, 0x92, 0x72, 0x90, 0x93, 0x94), "[[1,2],[3,4]]", KindList},
		{"type reference in map", hb{0x7a, 'M'}.str("java.util.HashMap").raw('Z', 0x55, 0x90, 'Z'), "[{},[]]", KindList},
		{"mixed", hb{0x7c}.null().str("a").double(1.5).boolean(true), `[null,"a",1.5,true]`, KindList},
	})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"type reference out of range", hb{0x71, 0x90, 0x90}, ErrMalformed},
		{"negative length", hb{0x58, 0x8f}, ErrMalformed},
		{"length beyond bytes", hb{0x58, 0xc8, 0xff, 0x90}, ErrTruncated},
		{"length not an int", hb{0x58, 'N'}, ErrMalformed},
		{"end in fixed list", hb{0x79, 'Z'}, ErrMalformed},
	})
}

func TestMaps(t *testing.T) {
	runCases(t, []renderCase{
		{"empty", hb{'H', 'Z'}, "{}", KindMap},
		{"untyped", hb{'H'}.str("a").int32(1).str("b").str("x").raw('Z'), `{"a":1,"b":"x"}`, KindMap},
		{"typed", hb{'M'}.str("java.util.HashMap").str("k").null().raw('Z'), `{"k":null}`, KindMap},
		{"int key", hb{'H', 0x91, 0x92, 'Z'}, `{"1":2}`, KindMap},
		{"long key", hb{'H'}.int64(-5000000000).int32(1).raw('Z'), `{"-5000000000":1}`, KindMap},
		{"double key", hb{'H'}.double(1.5).int32(1).double(math.NaN()).int32(2).raw('Z'), `{"1.5":1,"NaN":2}`, KindMap},
		{"bool and null keys", hb{'H', 'T', 0x91, 'F', 0x92, 'N', 0x93, 'Z'}, `{"true":1,"false":2,"null":3}`, KindMap},
		{"date key", hb{'H'}.date(0).int32(1).raw('Z'), `{"1970-01-01T00:00:00.000Z":1}`, KindMap},
		{"binary key", hb{'H', 0x21, 0xff, 0x91, 'Z'}, `{"/w==":1}`, KindMap},
		{"list key", hb{'H', 0x7a, 0x91, 0x92, 0x91, 'Z'}, `{"[1,2]":1}`, KindMap},
		{"map key", hb{'H', 'H'}.str("a").str(`"b\`).raw('Z', 0x91, 'Z'), `{"{\"a\":\"\\\"b\\\\\"}":1}`, KindMap},
		{"object key", hb{'H'}.classDef("P", "x").object(0).int32(1).int32(2).raw('Z'), `{"{\"x\":1}":2}`, KindMap},
		{"enum key", hb{'H'}.classDef("com.x.Role", "name").object(0).str("ADMIN").int32(1).raw('Z'), `{"ADMIN":1}`, KindMap},
		{"decimal key", hb{'H'}.classDef("java.math.BigDecimal", "value").object(0).str("1.10").int32(1).raw('Z'), `{"1.10":1}`, KindMap},
		{"escaped key", hb{'H'}.str("a\"\n").int32(1).raw('Z'), `{"a\"\u000a":1}`, KindMap},
		{"nested", hb{'H'}.str("m").raw('H').str("l").raw(0x79, 0x90, 'Z', 'Z'), `{"m":{"l":[0]}}`, KindMap},
	})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"bad key", hb{'H', 0x40, 0x90, 'Z'}, ErrMalformed},
		{"end after key", hb{'H', 0x90, 'Z'}, ErrMalformed},
	})
}

func TestObjects(t *testing.T) {
	addr := hb{}.classDef("com.x.Addr", "city", "zip")
	var many hb
	for i := range 17 {
		many = many.classDef("C"+string(rune('a'+i)), "f")
	}
	runCases(t, []renderCase{
		{"direct", addr.object(0).str("Oslo").int32(123), `{"city":"Oslo","zip":123}`, KindObject},
		{"O form", addr.raw('O', 0x90).str("Oslo").null(), `{"city":"Oslo","zip":null}`, KindObject},
		{"class 16", many.object(16).int32(7), `{"f":7}`, KindObject},
		{"no fields", hb{}.classDef("com.x.Empty").object(0), `{}`, KindObject},
		{"field name escaped", hb{}.classDef("X", `a"b`).object(0).int32(1), `{"a\"b":1}`, KindObject},
		{"nested definition", hb{}.classDef("com.x.User", "name", "addr").object(0).str("ann").classDef("com.x.Addr", "city").object(1).str("Oslo"),
			`{"name":"ann","addr":{"city":"Oslo"}}`, KindObject},
		{"reused class", hb{0x7a}.classDef("P", "x").object(0).int32(1).object(0).int32(2), `[{"x":1},{"x":2}]`, KindList},
		{"two fields named name", hb{}.classDef("P", "name", "name").object(0).str("a").str("b"), `{"name":"a","name":"b"}`, KindObject},
	})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"undefined class", hb{0x60}, ErrMalformed},
		{"undefined class O", hb{'O', 0x91}, ErrMalformed},
		{"class def alone", hb{}.classDef("P", "x"), ErrTruncated},
		{"field count not an int", hb{'C'}.str("P").null(), ErrMalformed},
		{"field name not a string", hb{'C'}.str("P").int32(1).int32(1).object(0).int32(1), ErrMalformed},
		{"unknown tag", hb{0x40}, ErrMalformed},
		{"end tag", hb{'Z'}, ErrMalformed},
	})
}

// bigIntegerJava writes v as Java's Hessian writes a java.math.BigInteger
// (JDK 17 field names), defining the class as index idx if define.
func bigIntegerJava(b hb, v *big.Int, define bool, idx int) hb {
	if define {
		b = b.classDef("java.math.BigInteger", "signum", "mag", "bitCountPlusOne", "bitLengthPlusOne", "lowestSetBitPlusTwo", "firstNonzeroIntNumPlusTwo")
	}
	mag := new(big.Int).Abs(v).Bytes()
	for len(mag)%4 != 0 {
		mag = append([]byte{0}, mag...)
	}
	b = b.object(idx).int32(int32(v.Sign())).listBegin(len(mag)/4, "[int")
	for i := 0; i < len(mag); i += 4 {
		b = b.int32(int32(uint32(mag[i])<<24 | uint32(mag[i+1])<<16 | uint32(mag[i+2])<<8 | uint32(mag[i+3])))
	}
	return b.int32(0).int32(0).int32(0).int32(0)
}

func TestSpecialClasses(t *testing.T) {
	dec := hb{}.classDef("java.math.BigDecimal", "value")
	role := hb{}.classDef("com.x.Role", "name")
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890123456789", 10)
	twoWords, _ := new(big.Int).SetString("18446744073709551615", 10)
	runCases(t, []renderCase{
		{"enum", role.object(0).str("ADMIN"), `"ADMIN"`, KindEnum},
		{"enum null name", role.object(0).null(), `null`, KindEnum},
		{"decimal", dec.object(0).str("1.10"), `1.10`, KindNumber},
		{"decimal exponent", dec.object(0).str("-1.5E+3"), `-1.5E+3`, KindNumber},
		{"decimal zero", dec.object(0).str("0E-10"), `0E-10`, KindNumber},
		{"decimal not a number", dec.object(0).str("abc"), `"abc"`, KindNumber},
		{"decimal leading dot", dec.object(0).str(".5"), `".5"`, KindNumber},
		{"decimal leading zero", dec.object(0).str("01"), `"01"`, KindNumber},
		{"decimal empty", dec.object(0).str(""), `""`, KindNumber},
		{"decimal null", dec.object(0).null(), `null`, KindNumber},
		{"decimal other fields", hb{}.classDef("java.math.BigDecimal", "scale", "value", "junk").object(0).int32(2).str("3.14").raw(0x79, 'H', 'Z'), `3.14`, KindNumber},
		{"decimal without value", hb{}.classDef("java.math.BigDecimal", "v").object(0).str("1"), `{"v":"1"}`, KindObject},
		{"biginteger zero", bigIntegerJava(nil, big.NewInt(0), true, 0), `0`, KindNumber},
		{"biginteger small", bigIntegerJava(nil, big.NewInt(5), true, 0), `5`, KindNumber},
		{"biginteger negative", bigIntegerJava(nil, big.NewInt(-4294967296), true, 0), `-4294967296`, KindNumber},
		{"biginteger two words", bigIntegerJava(nil, twoWords, true, 0), `18446744073709551615`, KindNumber},
		{"biginteger huge", bigIntegerJava(nil, huge, true, 0), huge.String(), KindNumber},
		{"biginteger mag as longs", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(1).raw('V').str("[long").int32(2).int64(1).int64(0xffffffff), `8589934591`, KindNumber},
		{"biginteger mag first", hb{}.classDef("java.math.BigInteger", "mag", "signum").object(0).raw(0x79).int32(7).int32(-1), `-7`, KindNumber},
		{"biginteger leading zero words", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(1).raw(0x7a, 0x90, 0x97), `7`, KindNumber},
		{"biginteger signum zero", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(0).raw(0x79, 0x97), `0`, KindNumber},
		{"biginteger in a dropped field", hb{}.classDef("java.math.BigInteger", "signum", "mag", "junk").object(0).int32(1).raw(0x79).int32(9).
			object(0).int32(1).raw(0x7a).int32(1).int32(2).null(), `9`, KindNumber},
		{"biginteger value", hb{}.classDef("java.math.BigInteger", "value").object(0).str("-42"), `-42`, KindNumber},
		{"timestamp", hb{}.classDef("java.sql.Timestamp", "value").object(0).date(1000), `"1970-01-01T00:00:01.000Z"`, KindDate},
		{"sql date", hb{}.classDef("java.sql.Date", "value").object(0).date(0), `"1970-01-01T00:00:00.000Z"`, KindDate},
		{"ShortHandle", hb{}.classDef("com.caucho.hessian.io.ShortHandle", "_value").object(0).int32(3), `3`, KindInt},
		{"ByteHandle", hb{}.classDef("com.caucho.hessian.io.ByteHandle", "_value").object(0).int32(-1), `-1`, KindInt},
		{"FloatHandle", hb{}.classDef("com.caucho.hessian.io.FloatHandle", "_value").object(0).double(1.5), `1.5`, KindDouble},
		{"handle in a list", hb{0x79}.classDef("com.caucho.hessian.io.ShortHandle", "_value").object(0).int32(3), `[3]`, KindList},
		{"handle of a handle", hb{}.classDef("com.caucho.hessian.io.ShortHandle", "_value").object(0).object(0).str("x"), `"x"`, KindString},
		// An EnumSet, as Java writes it (its writeReplace proxy): its elements.
		{"EnumSet", hb{}.classDef("java.util.EnumSet$SerializationProxy", "elementType", "elements").classDef("java.lang.Class", "name").
			object(0).object(1).str("com.x.Role").raw('V').str("[com.x.Role").int32(2).
			classDef("com.x.Role", "name").object(2).str("A").object(2).str("B"), `["A","B"]`, KindList},
		{"EnumSet, elements first", hb{}.classDef("java.util.EnumSet$SerializationProxy", "elements", "elementType").
			object(0).raw(0x78).null(), `[]`, KindList},
		{"EnumSet in a list", hb{0x79}.classDef("java.util.EnumSet$SerializationProxy", "elementType", "elements").
			object(0).null().raw(0x79).str("x"), `[["x"]]`, KindList},
		{"name plus other field is no enum", hb{}.classDef("P", "name", "id").object(0).str("a").int32(1), `{"name":"a","id":1}`, KindObject},
	})
	// A value and its negation share the magnitude array in Java.
	x := big.NewInt(1 << 40)
	shared := bigIntegerJava(hb{0x7a}, x, true, 0) // refs: 0 list, 1 x, 2 x.mag
	shared = shared.object(0).int32(-1).ref(2).int32(0).int32(0).int32(0).int32(0)
	runCases(t, []renderCase{{"shared magnitude", shared, `[1099511627776,-1099511627776]`, KindList}})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"mag not a list", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(1).str("x"), ErrMalformed},
		{"mag word not an int", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(1).raw(0x79).str("x"), ErrMalformed},
		{"mag word too wide", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(1).raw(0x79).int64(1 << 32), ErrMalformed},
		{"signum not an int", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).str("1").raw(0x78), ErrMalformed},
		{"mag cycle", hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(1).ref(0), ErrCycle},
		{"mag too long", func() hb {
			b := hb{}.classDef("java.math.BigInteger", "signum", "mag").object(0).int32(1).listBegin(maxMagnitude+1, "[int")
			for range maxMagnitude + 1 {
				b = b.int32(1)
			}
			return b
		}(), ErrTooLarge},
	})
}

func TestBigIntegerDigits(t *testing.T) {
	var r Renderer
	for _, s := range []string{"1", "999999999", "1000000000", "1000000001", "4294967295", "4294967296",
		"340282366920938463463374607431768211455", strings.Repeat("9", 300), "1" + strings.Repeat("0", 500)} {
		v, _ := new(big.Int).SetString(s, 10)
		r.words = r.words[:0]
		b := v.Bytes()
		for len(b)%4 != 0 {
			b = append([]byte{0}, b...)
		}
		for i := 0; i < len(b); i += 4 {
			r.words = append(r.words, binary.BigEndian.Uint32(b[i:]))
		}
		if got := r.appendBigInteger(nil, 1, r.words); string(got) != s {
			t.Errorf("got %s, want %s", got, s)
		}
	}
}

func TestReferences(t *testing.T) {
	// A list of two users sharing one enum constant, as Java writes it:
	// refs 0 the list, 1 the first user, 2 the role, 3 the second user.
	users := hb{0x7a}.classDef("com.x.User", "name", "role").object(0).str("a").
		classDef("com.x.Role", "name").object(1).str("ADMIN").
		object(0).str("b").ref(2)
	// A map whose value holds a class definition, referred to again: the
	// definition is read once.
	defInside := hb{0x7a, 'H'}.str("k").classDef("X", "a").object(0).int32(1).raw('Z').ref(1)
	runCases(t, []renderCase{
		{"shared enum", users, `[{"name":"a","role":"ADMIN"},{"name":"b","role":"ADMIN"}]`, KindList},
		{"shared list", hb{0x7a, 0x7a, 0x91, 0x92}.ref(1), `[[1,2],[1,2]]`, KindList},
		{"reference inside a reference", hb{0x7b, 0x79, 0x91, 0x79}.ref(1).ref(2), `[[1],[[1]],[[1]]]`, KindList},
		{"definition inside a reference", defInside, `[{"k":{"a":1}},{"k":{"a":1}}]`, KindList},
		{"shared object", hb{0x7a}.classDef("P", "x").object(0).int32(1).ref(1), `[{"x":1},{"x":1}]`, KindList},
		{"shared map as key", hb{0x7a, 'H', 0x91, 0x92, 'Z', 'H'}.ref(1).int32(3).raw('Z'), `[{"1":2},{"{\"1\":2}":3}]`, KindList},
		{"type reference inside a reference", hb{0x7a, 0x71}.str("[int").raw(0x91).ref(1), `[[1],[1]]`, KindList},
	})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"self", hb{'H'}.str("self").ref(0).raw('Z'), ErrCycle},
		{"ancestor", hb{0x79, 'H'}.str("x").ref(0).raw('Z'), ErrCycle},
		{"self as key", hb{'H'}.ref(0).int32(1).raw('Z'), ErrCycle},
		{"object field", hb{}.classDef("Node", "next").object(0).ref(0), ErrCycle},
		{"forward", hb{0x79}.ref(1), ErrMalformed},
		{"nothing to refer to", hb{}.ref(0), ErrMalformed},
		{"index not an int", hb{0x79, 'Q', 'N'}, ErrMalformed},
	})
}

func TestStream(t *testing.T) {
	// A Dubbo response body: the flag, the value, the attachments, read
	// by three Appends on one Renderer.
	body := hb{0x94}.classDef("com.x.Addr", "city").object(0).str("Oslo")
	valueAt := 1
	attachAt := len(body)
	body = body.raw('H').str("addr").ref(0).str("again").object(0).str("Rome").raw('Z')

	var r Renderer
	out, n, err := r.Append(nil, body)
	if err != nil || string(out) != "4" || n != valueAt || r.Kind() != KindInt {
		t.Fatalf("flag: %q %d %v %v", out, n, err, r.Kind())
	}
	out, n, err = r.Append(out[:0], body[valueAt:])
	if err != nil || string(out) != `{"city":"Oslo"}` || n != attachAt-valueAt || r.Kind() != KindObject {
		t.Fatalf("value: %q %d %v %v", out, n, err, r.Kind())
	}
	out, n, err = r.Append(out[:0], body[attachAt:])
	if err != nil || string(out) != `{"addr":{"city":"Oslo"},"again":{"city":"Rome"}}` || n != len(body)-attachAt {
		t.Fatalf("attachments: %q %d %v", out, n, err)
	}

	// A top-level reference reports the kind of what it refers to.
	if out, _, err = r.Append(out[:0], hb{}.ref(0)); err != nil || string(out) != `{"city":"Oslo"}` || r.Kind() != KindObject {
		t.Fatalf("reference: %q %v %v", out, err, r.Kind())
	}

	r.Reset()
	if r.Kind() != KindNone {
		t.Fatalf("kind after Reset: %v", r.Kind())
	}
	if _, _, err := r.Append(nil, hb{0x60}.str("x")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("class after Reset: %v", err)
	}
	r.Reset()
	if _, _, err := r.Append(nil, hb{}.ref(0)); !errors.Is(err, ErrMalformed) {
		t.Fatalf("reference after Reset: %v", err)
	}

	// Trailing bytes are left for the next Append.
	r.Reset()
	if out, n, err = r.Append(nil, []byte{0x91, 0x92}); err != nil || string(out) != "1" || n != 1 {
		t.Fatalf("trailing: %q %d %v", out, n, err)
	}
}

func TestErrorDetails(t *testing.T) {
	var r Renderer
	_, _, err := r.Append(nil, hb{0x79, 0x79, 0x40})
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "tag 0x40 at offset 2") {
		t.Fatalf("error %v does not name the tag and offset", err)
	}
	if r.Kind() != KindNone {
		t.Fatalf("kind after error: %v", r.Kind())
	}
}

// nested returns depth lists, each holding the next, around a 0.
func nested(depth int) hb {
	b := hb{}
	for range depth {
		b = append(b, 0x79)
	}
	return append(b, 0x90)
}

func TestDepth(t *testing.T) {
	if got, _, err := render(t, nested(MaxDepth)); err != nil || got != strings.Repeat("[", MaxDepth)+"0"+strings.Repeat("]", MaxDepth) {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	if _, _, err := render(t, nested(MaxDepth+1)); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("%d levels: %v, want ErrTooDeep", MaxDepth+1, err)
	}
	// A reference to a deep list, placed deep, nests deeper.
	deep := append(hb{0x7a}, nested(40)...)
	deep = append(deep, nested(30)...)
	deep = deep[:len(deep)-1].ref(1)
	if _, _, err := render(t, deep); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("deep reference: %v, want ErrTooDeep", err)
	}
	// So does a key.
	key := hb{}
	for range MaxDepth {
		key = append(key, 'H')
	}
	if _, _, err := render(t, key); !errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrTruncated) {
		t.Fatalf("deep keys: %v", err)
	}
	key = append(key, 'H')
	if _, _, err := render(t, key); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("deep keys: %v, want ErrTooDeep", err)
	}
}

func TestMaxSize(t *testing.T) {
	r := NewRenderer(10)
	if out, _, err := r.Append(nil, hb{}.str("abcdefgh")); err != nil || len(out) != 10 {
		t.Fatalf("at the limit: %q %v", out, err)
	}
	r.Reset()
	if _, _, err := r.Append(nil, hb{}.str("abcdefghi")); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("past the limit: %v", err)
	}
	// The limit counts what Append adds, not what dst held.
	r.Reset()
	if _, _, err := r.Append(make([]byte, 100), hb{}.str("abc")); err != nil {
		t.Fatalf("with a full dst: %v", err)
	}

	// A list referred to a thousand times.
	bomb := hb{0x58}.int32(1001).listBegin(1000, "")
	for range 1000 {
		bomb = bomb.null()
	}
	for range 1000 {
		bomb = bomb.ref(1)
	}
	r = NewRenderer(1 << 20)
	if _, _, err := r.Append(nil, bomb); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("reference bomb: %v", err)
	}
	// The same through a field a BigDecimal drops.
	hidden := hb{0x58}.int32(1001).classDef("java.math.BigDecimal", "junk", "value").object(0).listBegin(1000, "")
	for range 1000 {
		hidden = hidden.null()
	}
	hidden = hidden.str("1")
	for range 1000 {
		hidden = hidden.ref(1)
	}
	r.Reset()
	if _, _, err := r.Append(nil, hidden); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("hidden reference bomb: %v", err)
	}
	// Without the limit both are fine.
	r = NewRenderer(1 << 30)
	if out, _, err := r.Append(nil, hidden); err != nil || !json.Valid(out) {
		t.Fatalf("hidden with room: %v", err)
	}
}

func TestKindScalar(t *testing.T) {
	for k := KindNone; k <= KindNumber; k++ {
		want := k == KindNull || k == KindBool || k == KindInt || k == KindDouble || k == KindString
		if k.Scalar() != want {
			t.Errorf("%v.Scalar() = %v", k, k.Scalar())
		}
		if k.String() == "unknown" {
			t.Errorf("kind %d has no name", k)
		}
	}
}

func TestUTF16Helper(t *testing.T) {
	// The test encoder writes what Java writes for a non-BMP character.
	got := hb{}.str("😀")
	if string(got) != "\x02\xed\xa0\xbd\xed\xb8\x80" {
		t.Fatalf("% x", got)
	}
}

func TestJavaUser(t *testing.T) {
	src := javaUser()
	if len(src) < 900 || len(src) > 1200 {
		t.Fatalf("the user takes %d bytes, not about 1 KB", len(src))
	}
	got, kind, err := render(t, src)
	if err != nil || got != javaUserJSON || kind != KindObject {
		t.Fatalf("got %s, %v, %v", got, kind, err)
	}
	want, err := libraryJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	if same, err := sameJSON([]byte(got), want); err != nil || !same {
		t.Fatalf("the library reads\n%s", want)
	}
	got, _, err = render(t, javaUsers(3))
	if err != nil || got != `[{"id":0,"name":"user-a","role":"MEMBER","limit":3.141592653589793},{"id":1,"name":"user-b","role":"MEMBER","limit":3.141592653589793},{"id":2,"name":"user-c","role":"MEMBER","limit":3.141592653589793}]` {
		t.Fatalf("users: %s %v", got, err)
	}
}

func TestBigDecimalFields(t *testing.T) {
	// decFields writes a BigDecimal as Caucho's Hessian does, intVal
	// being a BigInteger of class index 1.
	decFields := func(unscaled string, scale int32) hb {
		v, _ := new(big.Int).SetString(unscaled, 10)
		b := hb{}.classDef("java.math.BigDecimal", "scale", "intVal").object(0).int32(scale)
		return bigIntegerJava(b, v, true, 1)
	}
	runCases(t, []renderCase{
		{"scale zero", decFields("-42", 0), `-42`, KindNumber},
		{"point", decFields("123450", 2), `1234.50`, KindNumber},
		{"leading zeros", decFields("5", 3), `0.005`, KindNumber},
		{"adjusted -6", decFields("1", 6), `0.000001`, KindNumber},
		{"adjusted -7", decFields("1", 7), `1E-7`, KindNumber},
		{"adjusted -7, more digits", decFields("-12", 8), `-1.2E-7`, KindNumber},
		{"negative scale", decFields("15", -2), `1.5E+3`, KindNumber},
		{"negative scale, one digit", decFields("7", -1), `7E+1`, KindNumber},
		{"zero, negative scale", decFields("0", -3), `0E+3`, KindNumber},
		{"zero, scale", decFields("0", 2), `0.00`, KindNumber},
		{"intVal first", hb{}.classDef("java.math.BigDecimal", "intVal", "scale", "precision").object(0).
			classDef("java.math.BigInteger", "value").object(1).str("-31416").int32(4).int32(5), `-3.1416`, KindNumber},
	})
	runErrors(t, []struct {
		name string
		in   []byte
		want error
	}{
		{"intVal null", hb{}.classDef("java.math.BigDecimal", "scale", "intVal").object(0).int32(2).null(), ErrMalformed},
		{"intVal not an integer", hb{}.classDef("java.math.BigDecimal", "scale", "intVal").object(0).int32(2).str("1.5"), ErrMalformed},
		{"scale too wide", hb{}.classDef("java.math.BigDecimal", "scale", "intVal").object(0).int64(1 << 40).raw(0x90), ErrMalformed},
	})
}
