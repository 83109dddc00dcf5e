package dubbo

import (
	"encoding/json"
	"errors"
	"testing"
)

// encAtt builds an attachment from strings.
func encAtt(k, v string) Attachment { return Attachment{Key: []byte(k), Value: []byte(v)} }

// encTracedRequest is the race's call with a group, a W3C trace context and
// an application's attachment that needs escaping.
func encTracedRequest(s Serialization) *Request {
	r := encRaceRequest(s, "abc")
	r.Timeout = 3000
	r.Attachments = []Attachment{
		encAtt("group", "g1"),
		encAtt("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
		encAtt("tracestate", "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
		encAtt("tenant", "h\u00e9\"llo\\ \U0001F600"),
		encAtt("group", "g2"), // a repeated key: the last wins
	}
	return r
}

// TestEncodeRequestAttachments: the attachments go into the map after path,
// interface, version and timeout, in both serializations; Java's reader
// (the library, encoding/json) and ParseRequest read them back.
func TestEncodeRequestAttachments(t *testing.T) {
	want := map[string]string{
		"path": encRaceInterface, "interface": encRaceInterface, "version": "0.0.0", "timeout": "3000",
		"group": "g2", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"tracestate": "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", "tenant": "h\u00e9\"llo\\ \U0001F600",
	}
	for _, s := range []Serialization{Hessian2, FastJSON} {
		t.Run(s.String(), func(t *testing.T) {
			r := encTracedRequest(s)
			_, body := encFrame(t, r)
			got := map[string]string{}
			if s == Hessian2 {
				vs := encDecodeAll(t, body, 7)
				m, ok := vs[6].(map[any]any)
				if !ok {
					t.Fatalf("attachments %#v", vs[6])
				}
				for k, v := range m {
					got[k.(string)], _ = v.(string)
				}
			} else {
				lines := encJSONLines(t, body)
				if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
					t.Fatalf("attachments %s: %v", lines[len(lines)-1], err)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("attachments %v, want %v", got, want)
			}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("attachment %s = %q, want %q", k, got[k], v)
				}
			}

			h, body, _, err := Next(encPut(t, r))
			if err != nil {
				t.Fatal(err)
			}
			var p Request
			if err := ParseRequest(h, body, &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Attachments) != len(r.Attachments) {
				t.Fatalf("ParseRequest: %d attachments, want %d", len(p.Attachments), len(r.Attachments))
			}
			for i, a := range r.Attachments {
				if string(p.Attachments[i].Key) != string(a.Key) || string(p.Attachments[i].Value) != string(a.Value) {
					t.Fatalf("attachment %d: %q=%q, want %q=%q", i, p.Attachments[i].Key, p.Attachments[i].Value, a.Key, a.Value)
				}
			}
			if string(p.Group()) != "g2" || p.Timeout != 3000 {
				t.Fatalf("group %q, timeout %d", p.Group(), p.Timeout)
			}
		})
	}
}

// encPut encodes r into a frame of exactly its size.
func encPut(t testing.TB, r *Request) []byte {
	t.Helper()
	n, err := RequestSize(r)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	PutRequest(b, r)
	return b
}

// TestParseRequestAttachmentsAsJavaSendsThem: a Java consumer's map, as the
// library writes it, with entries of other types, which are skipped, and
// without a group, which Group reports as nil.
func TestParseRequestAttachmentsAsJavaSendsThem(t *testing.T) {
	body := decLibEncode(t, "2.0.2", decIface, "1.0.0", "hash", "Ljava/lang/String;", "x",
		map[any]any{"path": decIface, "interface": decIface, "version": "1.0.0", "group": "blue", "n": int32(5), "timeout": "100"})
	var r Request
	if err := ParseRequest(Header{Flag: FlagRequest | FlagTwoWay | byte(Hessian2)}, body, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Attachments) != 1 || string(r.Group()) != "blue" || r.Timeout != 100 {
		t.Fatalf("attachments %q, group %q, timeout %d", r.Attachments, r.Group(), r.Timeout)
	}
	body = decLibEncode(t, "2.0.2", decIface, "0.0.0", "hash", "Ljava/lang/String;", "x", map[any]any{"path": decIface})
	if err := ParseRequest(Header{Flag: FlagRequest | FlagTwoWay | byte(Hessian2)}, body, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Attachments) != 0 || r.Group() != nil {
		t.Fatalf("attachments %q left from the last call", r.Attachments)
	}
}

func TestCheckAttachments(t *testing.T) {
	for _, c := range []struct {
		name string
		atts []Attachment
		ok   bool
	}{
		{"none", nil, true},
		{"group and trace", encTracedRequest(Hessian2).Attachments, true},
		{"empty value", []Attachment{encAtt("k", "")}, true},
		{"empty key", []Attachment{encAtt("", "v")}, false},
		{"bad key", []Attachment{encAtt("\xff", "v")}, false},
		{"bad value", []Attachment{encAtt("k", "a\xc0")}, false},
		{"path", []Attachment{encAtt("path", "x.Other")}, false},
		{"interface", []Attachment{encAtt("interface", "x.Other")}, false},
		{"version", []Attachment{encAtt("version", "9")}, false},
		{"timeout", []Attachment{encAtt("timeout", "1")}, false},
	} {
		err := CheckAttachments(c.atts)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, ErrBadArgument) {
			t.Errorf("%s: %v", c.name, err)
		}
		r := encRaceRequest(Hessian2, "x")
		r.Attachments = c.atts
		if _, err := RequestSize(r); (err == nil) != c.ok {
			t.Errorf("%s: RequestSize: %v", c.name, err)
		}
	}
}

func TestAttachmentsAllocs(t *testing.T) {
	buf := make([]byte, 64<<10)
	for _, s := range []Serialization{Hessian2, FastJSON} {
		r := encTracedRequest(s)
		encAssertNoAllocs(t, "request with attachments "+s.String(), func() {
			n, err := RequestSize(r)
			if err != nil {
				t.Fatal(err)
			}
			PutRequest(buf[:n], r)
		})
		h, body, _, err := Next(encPut(t, r))
		if err != nil {
			t.Fatal(err)
		}
		var p Request
		if err := ParseRequest(h, body, &p); err != nil { // grows Attachments
			t.Fatal(err)
		}
		encAssertNoAllocs(t, "ParseRequest with attachments "+s.String(), func() {
			if err := ParseRequest(h, body, &p); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Messages as Dubbo providers word them, first line and the line after.
const (
	dubbo27NoMethod = "Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:" +
		decIface + ", nosuch\n\tat org.apache.dubbo.rpc.protocol.dubbo.DecodeableRpcInvocation.decode(DecodeableRpcInvocation.java:150)"
	dubbo27NoVersion = "org.apache.dubbo.remoting.RemotingException: Not found exported service: " + decIface +
		":9.9.9:20880 in [" + decIface + ":20880], may be version or group mismatch , channel: consumer: /127.0.0.1:50000 --> provider: /127.0.0.1:20880, message:RpcInvocation [methodName=hash]\r\n" +
		"org.apache.dubbo.remoting.RemotingException: Not found exported service\n\tat ..."
	dubbo3Rejected = "Fail to decode request due to: java.io.IOException: Service " + decIface + ":9.9.9 not found, invocation rejected.\n\tat ..."
	noMethod70     = "java.lang.NoSuchMethodException: Not found method \"nosuch\" in class x.Impl."
)

func TestNotFound(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want bool
	}{
		{dubbo27NoMethod, true},
		{dubbo27NoVersion, true},
		{dubbo3Rejected, true},
		{noMethod70, true},
		{"Fail to decode request due to: java.lang.ClassNotFoundException: x.Pojo", false},
		{"Unsupported serialization id 9", false},
		{"", false},
		{"service not found", false}, // Dubbo's words, not another casing
		{"boom\nCaused by: Service not found", false}, // only the first line counts
	} {
		if got := NotFound([]byte(c.msg)); got != c.want {
			t.Errorf("NotFound(%.60q) = %v, want %v", c.msg, got, c.want)
		}
	}
	msg := []byte(dubbo27NoVersion)
	if n := testing.AllocsPerRun(100, func() { NotFound(msg) }); n != 0 {
		t.Errorf("NotFound: %v allocs per run, want 0", n)
	}
}

// TestDecodeResponseFirstLine: an error string or exception message is cut
// before its first line end, in both serializations.
func TestDecodeResponseFirstLine(t *testing.T) {
	firstLine := func(s string) string { return string(FirstLine([]byte(s))) }
	for _, msg := range []string{dubbo27NoMethod, dubbo27NoVersion, dubbo3Rejected, "one line", ""} {
		decCheckResponse(t, decHdr(Hessian2, StatusServiceError, 0), decLibEncode(t, msg), firstLine(msg), OutcomeError)
		js, _ := json.Marshal(msg)
		decCheckResponse(t, decHdr(FastJSON, StatusBadRequest, 0), append(js, '\n'), firstLine(msg), OutcomeError)
	}
	decCheckResponse(t, decHdr(FastJSON, StatusOK, 0), []byte("0\n{\"@type\":\"x.E\",\"message\":\"two\\nlines\"}\n"), "x.E: two", OutcomeException)
	decCheckResponse(t, decHdr(FastJSON, StatusOK, 0), []byte("1\n\"values keep\\nevery line\"\n"), "values keep\nevery line", OutcomeValue)
	for in, want := range map[string]string{"a\nb": "a", "a\r\nb": "a", "\nb": "", "ab": "ab", "a\rb": "a"} {
		if got := firstLine(in); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
	if line := FirstLine([]byte("ab\ncd")); cap(line) != len(line) {
		t.Errorf("FirstLine leaves capacity %d past its line", cap(line))
	}
}
