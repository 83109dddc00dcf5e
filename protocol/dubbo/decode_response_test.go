package dubbo

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/dubbo-go-hessian2/java_exception"
)

func decHdr(s Serialization, status Status, flag byte) Header {
	return Header{Flag: flag | byte(s), Status: status, ID: 7}
}

func decCheckResponse(t *testing.T, h Header, body []byte, wantText string, wantOut Outcome) {
	t.Helper()
	text, out, err := DecodeResponse(h, body, make([]byte, 0, 64))
	if err != nil {
		t.Fatalf("DecodeResponse(% x): %v", body, err)
	}
	if string(text) != wantText || out != wantOut {
		t.Fatalf("DecodeResponse(%.80q) = %.80q, %d; want %.80q, %d", body, text, out, wantText, wantOut)
	}
}

func TestDecodeResponseHessian(t *testing.T) {
	ok := decHdr(Hessian2, StatusOK, 0)
	attach := map[any]any{"dubbo": "2.0.2"}
	cases := []struct {
		name string
		body []any
		text string
		out  Outcome
	}{
		{"int", []any{int32(1), int32(-1094917604)}, "-1094917604", OutcomeValue},
		{"int with attachments", []any{int32(4), int32(42), attach}, "42", OutcomeValue},
		{"long", []any{int32(1), int64(math.MinInt64)}, "-9223372036854775808", OutcomeValue},
		{"bool", []any{int32(1), true}, "true", OutcomeValue},
		{"double", []any{int32(1), 1.5e10}, "1.5E10", OutcomeValue},
		{"double one", []any{int32(1), 1.0}, "1.0", OutcomeValue},
		{"string", []any{int32(1), "héllo 😀"}, "héllo 😀", OutcomeValue},
		{"long string", []any{int32(4), strings.Repeat("é", 40000), attach}, strings.Repeat("é", 40000), OutcomeValue},
		{"null value", []any{int32(1), nil}, "", OutcomeNull},
		{"null", []any{int32(2)}, "", OutcomeNull},
		{"null with attachments", []any{int32(5), attach}, "", OutcomeNull},
		{"exception", []any{int32(0), java_exception.NewRuntimeException("boom")}, "java.lang.RuntimeException: boom", OutcomeException},
		{"exception without message", []any{int32(3), java_exception.NewIllegalStateException(""), attach}, "java.lang.IllegalStateException", OutcomeException},
		{"exception message after a line break", []any{int32(0), java_exception.NewRuntimeException("\n \tboom\nat x")}, "java.lang.RuntimeException: boom", OutcomeException},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			decCheckResponse(t, ok, decLibEncode(t, c.body...), c.text, c.out)
		})
	}
	t.Run("error status", func(t *testing.T) {
		msg := "Thread pool is EXHAUSTED!"
		decCheckResponse(t, decHdr(Hessian2, StatusThreadpoolExhausted, 0), decLibEncode(t, msg), msg, OutcomeError)
	})
	t.Run("heartbeat", func(t *testing.T) {
		decCheckResponse(t, decHdr(Hessian2, StatusOK, FlagEvent), []byte{'N'}, "", OutcomeNull)
	})
}

// A Throwable of a class the library does not know, as Java writes it: a
// class definition with Throwable's fields, then the instance whose cause
// refers to itself.
func TestDecodeResponseUnknownException(t *testing.T) {
	b := []byte{0x90, 'C'}
	b = append(b, decLibEncode(t, "com.example.BizException")...)
	b = append(b, 0x94)
	for _, f := range []string{"detailMessage", "cause", "stackTrace", "suppressedExceptions"} {
		b = append(b, decLibEncode(t, f)...)
	}
	b = append(b, 0x60)
	b = append(b, decLibEncode(t, "no such user")...)
	b = append(b, 0x51, 0x90) // cause: this
	b = append(b, 0x78)       // stackTrace: empty list
	b = append(b, 'N')        // suppressedExceptions
	decCheckResponse(t, decHdr(Hessian2, StatusOK, 0), b, "com.example.BizException: no such user", OutcomeException)
}

func TestDecodeResponseFastJSON(t *testing.T) {
	ok := decHdr(FastJSON, StatusOK, 0)
	cases := []struct {
		body, text string
		out        Outcome
	}{
		{"1\n-1094917604\n", "-1094917604", OutcomeValue},
		{"1\r\n42\r\n", "42", OutcomeValue},
		{"4\n42\n{\"dubbo\":\"2.0.2\"}\n", "42", OutcomeValue},
		{"1\n9223372036854775808\n", "9223372036854775808", OutcomeValue},
		{"1\n-0\n", "0", OutcomeValue},
		{"1\n1.0\n", "1.0", OutcomeValue},
		{"1\n1e7\n", "1.0E7", OutcomeValue},
		{"1\n0.001\n", "0.001", OutcomeValue},
		{"1\ntrue\n", "true", OutcomeValue},
		{"1\n\"h\\u00e9llo \\ud83d\\ude00\\n\"\n", "héllo 😀\n", OutcomeValue},
		{"1\n\"plain\"\n", "plain", OutcomeValue},
		{"1\n[1,2]\n", "[1,2]", OutcomeJSON},
		{"1\nnull\n", "", OutcomeNull},
		{"2\n", "", OutcomeNull},
		{"5\n{\"a\":[1,{\"b\":null}]}\n", "", OutcomeNull},
		{"0\n{\"@type\":\"java.lang.RuntimeException\",\"message\":\"boom\"}\n", "java.lang.RuntimeException: boom", OutcomeException},
		{"0\n{\"localizedMessage\":\"l\",\"stackTrace\":[{\"lineNumber\":1}],\"class\":\"x.Y\",\"detailMessage\":\"d\"}\n", "x.Y: d", OutcomeException},
		{"3\n{\"@type\":\"x.Z\",\"message\":null}\n{}\n", "x.Z", OutcomeException},
		{"0\n\"just a message\"\n", "just a message", OutcomeException},
	}
	for _, c := range cases {
		decCheckResponse(t, ok, []byte(c.body), c.text, c.out)
	}
	decCheckResponse(t, decHdr(FastJSON, StatusServiceError, 0), []byte("\"service error\"\n"), "service error", OutcomeError)
	decCheckResponse(t, decHdr(FastJSON, StatusOK, FlagEvent), []byte("null\n"), "", OutcomeNull)
}

func TestDecodeResponseMalformed(t *testing.T) {
	for _, c := range []struct {
		s    Serialization
		body string
	}{
		{Hessian2, ""},
		{Hessian2, "\x96"},                    // flag 6
		{Hessian2, "\x91"},                    // value missing
		{Hessian2, "\x94\x91"},                // attachments missing
		{Hessian2, "\x91\x05ab"},              // truncated string
		{Hessian2, "\x90C\x01x\x91\x01a\x60"}, // exception truncated
		{Hessian2, "S"},
		{FastJSON, ""},
		{FastJSON, "1\n"},
		{FastJSON, "7\n1\n"},
		{FastJSON, "\"1\"\n2\n"},
		{FastJSON, "1\n01\n"},
		{FastJSON, "1\n1.\n"},
		{FastJSON, "1\n\"abc\n"},
		{FastJSON, "1\n\"a\\x\"\n"},
		{FastJSON, "1\n\"\xff\"\n"},
		{FastJSON, "1\n1 2\n"},
		{FastJSON, "1\ntru\n"},
		{FastJSON, "1\n[1,]\n"},
		{FastJSON, "4\n1\n{\"a\"}\n"},
		{FastJSON, "1\n" + strings.Repeat("[", 100) + "\n"},
		{Serialization(3), "\x91\x91"},
	} {
		_, _, err := DecodeResponse(decHdr(c.s, StatusOK, 0), []byte(c.body), nil)
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%v %q: got %v, want ErrMalformed", c.s, c.body, err)
		}
	}
}

// An exception nests as deep as its chain of causes. Past
// decMaxExceptionDepth it is still the provider's exception, named by its
// class, not an undecodable answer.
func TestDecodeResponseDeepException(t *testing.T) {
	chain := func(n int) *java_exception.RuntimeException {
		e := java_exception.NewRuntimeException("level 0")
		for i := 1; i < n; i++ {
			outer := java_exception.NewRuntimeException(fmt.Sprint("level ", i))
			outer.Cause = e
			e = outer
		}
		return e
	}
	ok := decHdr(Hessian2, StatusOK, 0)
	attach := map[any]any{"dubbo": "2.0.2"}
	decCheckResponse(t, ok, decLibEncode(t, int32(3), chain(60), attach), "java.lang.RuntimeException: level 59", OutcomeException)
	decCheckResponse(t, ok, decLibEncode(t, int32(0), chain(300)), "java.lang.RuntimeException: (its message is not read: nested more than 256 deep)", OutcomeException)
	decCheckResponse(t, ok, decLibEncode(t, int32(3), chain(300), attach), "java.lang.RuntimeException: (its message is not read: nested more than 256 deep)", OutcomeException)
	// Values elsewhere keep their bound.
	if _, _, err := DecodeResponse(ok, decLibEncode(t, int32(1), deepList(70)), nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("a value 70 deep: %v, want ErrMalformed", err)
	}
}

// deepList is a list holding a list, n deep.
func deepList(n int) any {
	var v any = []any{}
	for range n - 1 {
		v = []any{v}
	}
	return v
}
