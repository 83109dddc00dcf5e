package dubbo

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"
	"github.com/apache/dubbo-go-hessian2/java_exception"

	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// encResponseFrame runs AppendResponse after a prefix, checks that the
// prefix is kept and the header, and returns the body.
func encResponseFrame(t testing.TB, r *Response) []byte {
	t.Helper()
	prefix := []byte("prefix")
	out := AppendResponse(append([]byte(nil), prefix...), r)
	if !bytes.HasPrefix(out, prefix) {
		t.Fatalf("AppendResponse lost dst's content")
	}
	frame := out[len(prefix):]
	h, err := ParseHeader(frame)
	if err != nil {
		t.Fatal(err)
	}
	if h.Length != len(frame)-HeaderSize || h.ID != r.ID || h.Status != r.Status || h.Flag != byte(r.Serialization) {
		t.Fatalf("header %+v for %d-byte frame of %+v", h, len(frame), r)
	}
	return frame[HeaderSize:]
}

// encTestValues are the result values and the library's decoding of them.
var encTestValues = []struct {
	v    Value
	want any
	json string
}{
	{Value{Type: TypeInt, Int: -1094917604}, int32(-1094917604), "-1094917604"},
	{Value{Type: TypeInt, Int: 0}, int32(0), "0"},
	{Value{Type: TypeLong, Int: math.MinInt64}, int64(math.MinInt64), "-9223372036854775808"},
	{Value{Type: TypeBool, Int: 1}, true, "true"},
	{Value{Type: TypeBool}, false, "false"},
	{Value{Type: TypeDouble, Float: 1.5}, 1.5, "1.5"},
	{Value{Type: TypeDouble, Float: 3}, 3.0, "3.0"},
	{Value{Type: TypeDouble, Float: math.NaN()}, math.NaN(), "null"},
	{Value{Type: TypeString, Bytes: []byte("héllo 😀")}, "héllo 😀", `"héllo 😀"`},
	{Value{Type: TypeString, Bytes: []byte{}}, "", `""`},
	{Value{Type: TypeString, Bytes: []byte(strings.Repeat("z", 5000))}, strings.Repeat("z", 5000), `"` + strings.Repeat("z", 5000) + `"`},
}

// encBizException is a business exception known to the library's registry,
// as a Go consumer would register it: the library decodes an unregistered
// exception class into an UnknownException that has lost its class name.
type encBizException struct {
	DetailMessage        string
	Cause                java_exception.Throwabler
	StackTrace           []java_exception.StackTraceElement
	SuppressedExceptions []java_exception.Throwabler
}

func (encBizException) JavaClassName() string { return "com.example.EncBizException" }
func (e encBizException) Error() string       { return e.DetailMessage }
func (e encBizException) GetStackTrace() []java_exception.StackTraceElement {
	return e.StackTrace
}

func init() { hessian.RegisterPOJO(&encBizException{}) }

// encExceptionOf returns the class and detail message of a decoded
// exception object.
func encExceptionOf(t testing.TB, v any) (class, msg string) {
	t.Helper()
	th, ok := v.(java_exception.Throwabler)
	if !ok {
		t.Fatalf("exception decoded as %T %#v", v, v)
	}
	f := reflect.Indirect(reflect.ValueOf(v)).FieldByName("DetailMessage")
	if !f.IsValid() {
		t.Fatalf("%T has no DetailMessage", v)
	}
	return th.JavaClassName(), f.String()
}

func TestEncodeResponseHessian(t *testing.T) {
	for _, att := range []bool{false, true} {
		extra, add := 0, int32(0)
		if att {
			extra, add = 1, 3
		}
		for _, c := range encTestValues {
			body := encResponseFrame(t, &Response{ID: 9, Serialization: Hessian2, Status: StatusOK, Value: c.v, WithAttachments: att})
			vs := encDecodeAll(t, body, 2+extra)
			encAssertEqual(t, "flag", vs[0], 1+add)
			encAssertEqual(t, "value", vs[1], c.want)
			if att {
				m, ok := vs[2].(map[any]any)
				if !ok || len(m) != 1 || m["dubbo"] != "2.0.2" {
					t.Fatalf("attachments %#v", vs[2])
				}
			}
		}
		body := encResponseFrame(t, &Response{ID: 9, Serialization: Hessian2, Status: StatusOK, WithAttachments: att})
		vs := encDecodeAll(t, body, 1+extra)
		encAssertEqual(t, "null flag", vs[0], 2+add)

		for _, ex := range []struct{ class, msg string }{
			{"java.lang.IllegalStateException", "boom"},
			{"com.example.EncBizException", "héllo 😀"},
			{"", "no class"},
		} {
			r := &Response{ID: 9, Serialization: Hessian2, Status: StatusOK, Exception: true,
				ExceptionClass: []byte(ex.class), ErrorMessage: []byte(ex.msg), WithAttachments: att}
			vs := encDecodeAll(t, encResponseFrame(t, r), 2+extra)
			encAssertEqual(t, "exception flag", vs[0], 0+add)
			class, msg := encExceptionOf(t, vs[1])
			wantClass := ex.class
			if wantClass == "" {
				wantClass = "java.lang.RuntimeException"
			}
			if class != wantClass || msg != ex.msg {
				t.Fatalf("exception decoded as %q %q, want %q %q", class, msg, wantClass, ex.msg)
			}
		}
	}
	// An unregistered class with a null message: the library still decodes
	// it as an exception; the class name is the class definition's string.
	body := encResponseFrame(t, &Response{Serialization: Hessian2, Status: StatusOK, Exception: true,
		ExceptionClass: []byte("com.example.Unregistered")})
	vs := encDecodeAll(t, body, 2)
	if _, msg := encExceptionOf(t, vs[1]); msg != "" {
		t.Fatalf("null message decoded as %q", msg)
	}
	if body[1] != encTagClassDef {
		t.Fatalf("no class definition: % x", body)
	}
	vs = encDecodeAll(t, body[2:2+jsonhessian.StringSize([]byte("com.example.Unregistered"))], 1)
	encAssertEqual(t, "class name", vs[0], "com.example.Unregistered")
	// A status other than 20: only the error string.
	for _, st := range []Status{StatusServerTimeout, StatusServiceError, StatusThreadpoolExhausted} {
		body := encResponseFrame(t, &Response{ID: 1, Serialization: Hessian2, Status: st, ErrorMessage: []byte("too busy"),
			Value: Value{Type: TypeInt, Int: 1}, Exception: true, WithAttachments: true})
		vs := encDecodeAll(t, body, 1)
		encAssertEqual(t, "error string", vs[0], "too busy")
	}
}

// encJSONLines splits a fastjson body into its lines, checking that each is
// JSON.
func encJSONLines(t testing.TB, body []byte) []string {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("\n")) {
		t.Fatalf("body %q does not end in a newline", body)
	}
	var lines []string
	for _, l := range bytes.Split(body[:len(body)-1], []byte("\n")) {
		if !json.Valid(l) {
			t.Fatalf("line %q is not JSON", l)
		}
		lines = append(lines, string(l))
	}
	return lines
}

func TestEncodeResponseFastJSON(t *testing.T) {
	for _, att := range []bool{false, true} {
		add, tail := 0, []string(nil)
		if att {
			add, tail = 3, []string{`{"dubbo":"2.0.2"}`}
		}
		check := func(r *Response, want ...string) {
			t.Helper()
			got := encJSONLines(t, encResponseFrame(t, r))
			want = append(want, tail...)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("body lines\n got %q\nwant %q", got, want)
			}
		}
		for _, c := range encTestValues {
			check(&Response{ID: 3, Serialization: FastJSON, Status: StatusOK, Value: c.v, WithAttachments: att},
				string(rune('1'+add)), c.json)
		}
		check(&Response{ID: 3, Serialization: FastJSON, Status: StatusOK, WithAttachments: att}, string(rune('2'+add)))
		check(&Response{ID: 3, Serialization: FastJSON, Status: StatusOK, Exception: true, WithAttachments: att,
			ExceptionClass: []byte("java.lang.IllegalStateException"), ErrorMessage: []byte(`say "hi"`)},
			string(rune('0'+add)), `{"@type":"java.lang.IllegalStateException","message":"say \"hi\""}`)
		check(&Response{ID: 3, Serialization: FastJSON, Status: StatusOK, Exception: true, WithAttachments: att},
			string(rune('0'+add)), `{"@type":"java.lang.RuntimeException"}`)
	}
	lines := encJSONLines(t, encResponseFrame(t, &Response{Serialization: FastJSON, Status: StatusBadRequest, ErrorMessage: []byte("bad\n\"request\"")}))
	var msg string
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &msg) != nil || msg != "bad\n\"request\"" {
		t.Fatalf("error body %q", lines)
	}
	// Invalid UTF-8 in a result still makes valid JSON.
	lines = encJSONLines(t, encResponseFrame(t, &Response{Serialization: FastJSON, Status: StatusOK, Value: Value{Type: TypeString, Bytes: []byte("a\xffb")}}))
	if lines[1] != "\"a\uFFFDb\"" {
		t.Fatalf("invalid UTF-8 written as %q", lines[1])
	}
}

func TestEncodeResponseUnknownSerialization(t *testing.T) {
	out := AppendResponse(nil, &Response{Serialization: 9, Status: StatusOK, Value: Value{Type: TypeInt, Int: 5}})
	h, err := ParseHeader(out)
	if err != nil || h.Serialization() != Hessian2 {
		t.Fatalf("header %+v, %v", h, err)
	}
	encAssertBytes(t, "body", out[HeaderSize:], []byte{0x91, 0x95})
}
