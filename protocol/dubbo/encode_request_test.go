package dubbo

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"
)

const encRaceInterface = "com.alibaba.dubbo.performance.demo.provider.IHelloService"

// encRaceRequest returns the race's call: hash(String) with arg.
func encRaceRequest(s Serialization, arg string) *Request {
	return &Request{
		ID:             42,
		Serialization:  s,
		Interface:      []byte(encRaceInterface),
		Method:         []byte("hash"),
		ParameterTypes: []byte("Ljava/lang/String;"),
		Args:           [][]byte{[]byte(arg)},
	}
}

// encFrame runs RequestSize and PutRequest into an exactly sized buffer
// (with a guard zone) and returns the parsed header and body.
func encFrame(t testing.TB, r *Request) (Header, []byte) {
	t.Helper()
	n, err := RequestSize(r)
	if err != nil {
		t.Fatalf("RequestSize: %v", err)
	}
	frame := encSizePut(t, n, func(b []byte) int { return PutRequest(b, r) })
	h, err := ParseHeader(frame)
	if err != nil {
		t.Fatalf("ParseHeader: %v", err)
	}
	if h.Length != n-HeaderSize {
		t.Fatalf("header length %d, frame body %d", h.Length, n-HeaderSize)
	}
	if want := FlagRequest | FlagTwoWay | byte(r.Serialization); h.Flag != want || h.ID != r.ID || h.Status != 0 {
		t.Fatalf("header %+v, want flag %#x id %d", h, want, r.ID)
	}
	return h, frame[HeaderSize:]
}

// encDecodeAll decodes every value of a hessian body with the library and
// fails unless exactly want values fill it.
func encDecodeAll(t testing.TB, body []byte, want int) []any {
	t.Helper()
	d := hessian.NewDecoder(body)
	var vs []any
	for range want {
		v, err := d.Decode()
		if err != nil {
			t.Fatalf("library Decode of value %d: %v (got so far %v)", len(vs), err, vs)
		}
		vs = append(vs, v)
	}
	if v, err := d.Decode(); err == nil {
		t.Fatalf("trailing value after %d: %#v", want, v)
	}
	return vs
}

func encAssertEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if f, ok := want.(float64); ok && math.IsNaN(f) {
		if g, ok := got.(float64); ok && math.IsNaN(g) {
			return
		}
	}
	if got != want {
		t.Fatalf("%s: got %#v, want %#v", what, got, want)
	}
}

func TestEncodeRequestHessian(t *testing.T) {
	cases := []struct {
		name    string
		types   string
		args    []string
		want    []any // the library's decoding of each argument
		version string
		timeout int
	}{
		{"race", "Ljava/lang/String;", []string{"Hello123"}, []any{"Hello123"}, "", 0},
		{"no args", "", nil, nil, "1.0.0", 3000},
		{"empty string", "Ljava/lang/String;", []string{""}, []any{""}, "", 0},
		{"unicode", "Ljava/lang/String;", []string{"héllo 中文 😀"}, []any{"héllo 中文 😀"}, "", 1},
		{"long string", "Ljava/lang/String;", []string{strings.Repeat("x", 70000)}, []any{strings.Repeat("x", 70000)}, "", 0},
		{"primitives", "Ljava/lang/String;IJZD", []string{"a", "-2147483648", "9223372036854775807", "true", "1.5"},
			[]any{"a", int32(math.MinInt32), int64(math.MaxInt64), true, 1.5}, "2.1", 60000},
		{"boxed", "Ljava/lang/Integer;Ljava/lang/Long;Ljava/lang/Boolean;Ljava/lang/Double;",
			[]string{"+007", "-1", "false", "-0.25"}, []any{int32(7), int64(-1), false, -0.25}, "", 0},
		{"null boxes", "Ljava/lang/Integer;Ljava/lang/String;Ljava/lang/Long;Ljava/lang/Boolean;Ljava/lang/Double;I",
			[]string{"null", "null", "null", "null", "null", "3"}, []any{nil, "null", nil, nil, nil, int32(3)}, "", 0},
		{"doubles", "DDDDD", []string{"0", "127", "32767", "NaN", "-Inf"},
			[]any{0.0, 127.0, 32767.0, math.NaN(), math.Inf(-1)}, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Request{ID: -7, Serialization: Hessian2, Interface: []byte(encRaceInterface), Method: []byte("hash"),
				ParameterTypes: []byte(c.types), Version: []byte(c.version), Timeout: c.timeout}
			for _, a := range c.args {
				r.Args = append(r.Args, []byte(a))
			}
			_, body := encFrame(t, r)
			vs := encDecodeAll(t, body, 6+len(c.args))
			version := c.version
			if version == "" {
				version = "0.0.0"
			}
			for i, want := range []any{"2.0.2", encRaceInterface, version, "hash", c.types} {
				encAssertEqual(t, "field "+strconv.Itoa(i), vs[i], want)
			}
			for i, want := range c.want {
				encAssertEqual(t, "argument "+strconv.Itoa(i), vs[5+i], want)
			}
			m, ok := vs[len(vs)-1].(map[any]any)
			if !ok {
				t.Fatalf("attachments: %#v", vs[len(vs)-1])
			}
			wantMap := map[any]any{"path": encRaceInterface, "interface": encRaceInterface, "version": version}
			if c.timeout > 0 {
				wantMap["timeout"] = strconv.Itoa(c.timeout)
			}
			if len(m) != len(wantMap) {
				t.Fatalf("attachments %v, want %v", m, wantMap)
			}
			for k, v := range wantMap {
				encAssertEqual(t, "attachment "+k.(string), m[k], v)
			}
			// Everything before the map is byte for byte the library's.
			e := hessian.NewEncoder()
			for _, v := range append([]any{"2.0.2", encRaceInterface, version, "hash", c.types}, c.want...) {
				if err := e.Encode(v); err != nil {
					t.Fatal(err)
				}
			}
			encAssertBytes(t, "body before attachments", body[:len(e.Buffer())], e.Buffer())
		})
	}
}

func TestEncodeRequestFastJSON(t *testing.T) {
	const iface = `"` + encRaceInterface + `"`
	r := encRaceRequest(FastJSON, "abc123")
	_, body := encFrame(t, r)
	want := `"2.0.1"` + "\n" + iface + "\nnull\n" + `"hash"` + "\n" + `"Ljava/lang/String;"` + "\n" + `"abc123"` + "\n" +
		`{"path":` + iface + `,"interface":` + iface + `,"version":"0.0.0"}` + "\n"
	encAssertBytes(t, "race request", body, []byte(want))

	r = &Request{ID: 1, Serialization: FastJSON, Interface: []byte("a.B"), Version: []byte("1.2"), Method: []byte("m"),
		ParameterTypes: []byte("IJZDLjava/lang/Double;Ljava/lang/String;"),
		Args:           [][]byte{[]byte("+007"), []byte("-9223372036854775808"), []byte("false"), []byte("1e-7"), []byte("100"), []byte("")},
		Timeout:        3000}
	_, body = encFrame(t, r)
	want = `"2.0.1"` + "\n" + `"a.B"` + "\n" + `"1.2"` + "\n" + `"m"` + "\n" + `"IJZDLjava/lang/Double;Ljava/lang/String;"` + "\n" +
		"7\n-9223372036854775808\nfalse\n1e-7\n100.0\n\"\"\n" +
		`{"path":"a.B","interface":"a.B","version":"1.2","timeout":"3000"}` + "\n"
	encAssertBytes(t, "typed request", body, []byte(want))

	r = &Request{ID: 1, Serialization: FastJSON, Interface: []byte("a.B"), Method: []byte("m"),
		ParameterTypes: []byte("Ljava/lang/Integer;Ljava/lang/Double;Ljava/lang/String;"),
		Args:           [][]byte{[]byte("null"), []byte("null"), []byte("null")}}
	_, body = encFrame(t, r)
	want = `"2.0.1"` + "\n" + `"a.B"` + "\nnull\n" + `"m"` + "\n" + `"Ljava/lang/Integer;Ljava/lang/Double;Ljava/lang/String;"` + "\n" +
		"null\nnull\n\"null\"\n" + `{"path":"a.B","interface":"a.B","version":"0.0.0"}` + "\n"
	encAssertBytes(t, "null boxes", body, []byte(want))
}

func TestEncodeRequestFastJSONEscaping(t *testing.T) {
	args := []string{"quote\" back\\slash /", "\x00\x01\b\f\n\r\t\x1f\x7f", "é中😀\u2028", "<>&'", strings.Repeat("\n", 100)}
	for _, arg := range args {
		_, body := encFrame(t, encRaceRequest(FastJSON, arg))
		lines := bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
		if len(lines) != 7 {
			t.Fatalf("%q: %d lines, want 7:\n%s", arg, len(lines), body)
		}
		for i, l := range lines {
			if !json.Valid(l) {
				t.Fatalf("%q: line %d is not JSON: %s", arg, i, l)
			}
		}
		var got string
		if err := json.Unmarshal(lines[5], &got); err != nil || got != arg {
			t.Fatalf("argument %q came back as %q (%v)", arg, got, err)
		}
		var att map[string]string
		if err := json.Unmarshal(lines[6], &att); err != nil || att["path"] != encRaceInterface || att["version"] != "0.0.0" {
			t.Fatalf("attachments %s: %v", lines[6], err)
		}
	}
	// Doubles are written so that JSON reads them back exactly.
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-6, 1e-7, 1e20, 1e21, 123456789.125, math.MaxFloat64, 5e-324} {
		s := strconv.FormatFloat(f, 'g', -1, 64)
		r := &Request{Serialization: FastJSON, Interface: []byte("i"), Method: []byte("m"), ParameterTypes: []byte("D"), Args: [][]byte{[]byte(s)}}
		_, body := encFrame(t, r)
		line := bytes.Split(body, []byte("\n"))[5]
		var got float64
		if err := json.Unmarshal(line, &got); err != nil || got != f || math.Signbit(got) != math.Signbit(f) {
			t.Fatalf("double %s written as %s, read back %v (%v)", s, line, got, err)
		}
	}
}

func TestEncodeRequestErrors(t *testing.T) {
	base := func() *Request { return encRaceRequest(Hessian2, "x") }
	cases := []struct {
		name   string
		modify func(r *Request)
		want   error
	}{
		{"serialization", func(r *Request) { r.Serialization = 3 }, ErrBadArgument},
		{"empty interface", func(r *Request) { r.Interface = nil }, ErrBadArgument},
		{"empty method", func(r *Request) { r.Method = nil }, ErrBadArgument},
		{"bad method", func(r *Request) { r.Method = []byte("h\xffsh") }, ErrBadArgument},
		{"bad version", func(r *Request) { r.Version = []byte("\xc0") }, ErrBadArgument},
		{"not JSON", func(r *Request) { r.ParameterTypes = []byte("Ljava/util/List;") }, ErrBadArgument},
		{"count", func(r *Request) { r.Args = append(r.Args, []byte("y")) }, ErrBadArgument},
		{"utf8", func(r *Request) { r.Args[0] = []byte("\xff") }, ErrBadArgument},
		{"json nan", func(r *Request) {
			r.Serialization, r.ParameterTypes, r.Args[0] = FastJSON, []byte("D"), []byte("NaN")
		}, ErrBadArgument},
		{"json inf", func(r *Request) {
			r.Serialization, r.ParameterTypes, r.Args[0] = FastJSON, []byte("Ljava/lang/Double;"), []byte("+Inf")
		}, ErrBadArgument},
		{"too large", func(r *Request) { r.Args[0] = bytes.Repeat([]byte("a"), MaxBodySize) }, ErrTooLarge},
	}
	for _, c := range cases {
		r := base()
		c.modify(r)
		n, err := RequestSize(r)
		if !errors.Is(err, c.want) || !errors.Is(err, ErrBadArgument) || n != 0 {
			t.Errorf("%s: RequestSize = %d, %v; want %v", c.name, n, err, c.want)
		}
	}
}

// TestEncodeJSONPlainPrefix checks the word-at-a-time scan against a byte
// loop for every byte value at every position of a 24-byte string.
func TestEncodeJSONPlainPrefix(t *testing.T) {
	s := []byte(strings.Repeat("a", 24))
	for pos := range s {
		for c := range 256 {
			s[pos] = byte(c)
			want := len(s)
			for i, x := range s {
				if x < 0x20 || x == '"' || x == '\\' || x >= 0x80 {
					want = i
					break
				}
			}
			if got := encJSONPlainPrefix(s); got != want {
				t.Fatalf("byte %#x at %d: prefix %d, want %d", c, pos, got, want)
			}
		}
		s[pos] = 'a'
	}
}
