package dubbo

import (
	"math"
	"strings"
	"testing"
)

// Round trips through the encode side: PutRequest → Next → ParseRequest, and
// AppendResponse → Next → DecodeResponse, in both serializations.

func TestRoundTripRequest(t *testing.T) {
	var parsed Request
	for _, s := range []Serialization{Hessian2, FastJSON} {
		for _, c := range []struct {
			version, desc string
			args          []string
			timeout       int
		}{
			{"", "Ljava/lang/String;", []string{"aZ09"}, 3000},
			{"", "Ljava/lang/String;", []string{""}, 0},
			{"1.2.3", "Ljava/lang/String;", []string{"é\"\\\n😀" + strings.Repeat("x", 40000)}, 1},
			{"", "", nil, 0},
			{"", "IJZDLjava/lang/Integer;Ljava/lang/Long;Ljava/lang/Boolean;Ljava/lang/Double;",
				[]string{"-2147483648", "9223372036854775807", "true", "1.5E10", "0", "-1", "false", "0.001"}, 0},
		} {
			args := make([][]byte, len(c.args))
			for i, a := range c.args {
				args[i] = []byte(a)
			}
			req := Request{ID: 77, Serialization: s, Interface: []byte(decIface), Version: []byte(c.version),
				Method: []byte("hash"), ParameterTypes: []byte(c.desc), Args: args, Timeout: c.timeout}
			n, err := RequestSize(&req)
			if err != nil {
				t.Fatalf("%v %q: RequestSize: %v", s, c.desc, err)
			}
			buf := make([]byte, n)
			PutRequest(buf, &req)
			h, body, m, err := Next(buf)
			if err != nil || m != n || !h.IsRequest() || !h.IsTwoWay() {
				t.Fatalf("%v: Next: %+v %d %v", s, h, m, err)
			}
			if err := ParseRequest(h, body, &parsed); err != nil {
				t.Fatalf("%v %q: ParseRequest: %v", s, c.desc, err)
			}
			version := c.version
			if version == "" && s == Hessian2 {
				version = "0.0.0"
			}
			if parsed.ID != 77 {
				t.Fatalf("id %d", parsed.ID)
			}
			decCheckRequest(t, &parsed, decIface, version, "hash", c.desc, c.args, c.timeout)
		}
	}
}

func TestRoundTripResponse(t *testing.T) {
	long := strings.Repeat("a😀é", 15000)
	for _, s := range []Serialization{Hessian2, FastJSON} {
		for _, attach := range []bool{false, true} {
			for _, c := range []struct {
				r    Response
				text string
				out  Outcome
			}{
				{Response{Value: Value{Type: TypeInt, Int: -1094917604}}, "-1094917604", OutcomeValue},
				{Response{Value: Value{Type: TypeLong, Int: math.MaxInt64}}, "9223372036854775807", OutcomeValue},
				{Response{Value: Value{Type: TypeBool, Int: 1}}, "true", OutcomeValue},
				{Response{Value: Value{Type: TypeDouble, Float: 100}}, "100.0", OutcomeValue},
				{Response{Value: Value{Type: TypeDouble, Float: 1.2345678e-7}}, "1.2345678E-7", OutcomeValue},
				{Response{Value: Value{Type: TypeString, Bytes: []byte("hé\"llo\n")}}, "hé\"llo\n", OutcomeValue},
				{Response{Value: Value{Type: TypeString, Bytes: []byte(long)}}, long, OutcomeValue},
				{Response{Value: Value{Type: TypeNull}}, "", OutcomeNull},
				{Response{Exception: true, ExceptionClass: []byte("com.x.BizException"), ErrorMessage: []byte("bad input")}, "com.x.BizException: bad input", OutcomeException},
				{Response{Exception: true, ExceptionClass: []byte("java.lang.IllegalStateException")}, "java.lang.IllegalStateException", OutcomeException},
				{Response{Status: StatusThreadpoolExhausted, ErrorMessage: []byte("pool exhausted")}, "pool exhausted", OutcomeError},
			} {
				r := c.r
				r.ID, r.Serialization, r.WithAttachments = 12, s, attach
				if r.Status == 0 {
					r.Status = StatusOK
				}
				frame := AppendResponse(nil, &r)
				h, body, n, err := Next(frame)
				if err != nil || n != len(frame) || h.ID != 12 {
					t.Fatalf("Next: %+v %d %v", h, n, err)
				}
				text, out, err := DecodeResponse(h, body, nil)
				if err != nil || string(text) != c.text || out != c.out {
					t.Fatalf("%v attach=%v %+v: got %.60q %d %v, want %.60q %d", s, attach, c.r.Value, text, out, err, c.text, c.out)
				}
			}
		}
	}
}

func TestRoundTripHeartbeat(t *testing.T) {
	for _, s := range []Serialization{Hessian2, FastJSON} {
		buf := make([]byte, HeartbeatSize(s))
		PutHeartbeat(buf, 3, s, true)
		h, body, _, err := Next(buf)
		if err != nil || !h.IsEvent() || h.IsRequest() {
			t.Fatalf("%v: %+v %v", s, h, err)
		}
		text, out, err := DecodeResponse(h, body, nil)
		if err != nil || len(text) != 0 || out != OutcomeNull {
			t.Fatalf("%v heartbeat: %q %d %v", s, text, out, err)
		}
		PutHeartbeat(buf, 3, s, false)
		h, body, _, _ = Next(buf)
		if err := ParseRequest(h, body, &Request{}); err == nil {
			t.Fatalf("%v: ParseRequest accepted a heartbeat", s)
		}
	}
}
