package dubbo

import (
	"errors"
	"math"
	"strings"
	"testing"
)

const decIface = "com.alibaba.dubbo.performance.demo.provider.IHelloService"

func decCheckRequest(t *testing.T, r *Request, iface, version, method, desc string, args []string, timeout int) {
	t.Helper()
	if string(r.Interface) != iface || string(r.Version) != version || string(r.Method) != method ||
		string(r.ParameterTypes) != desc || r.Timeout != timeout {
		t.Fatalf("got %q %q %q %q timeout %d; want %q %q %q %q timeout %d",
			r.Interface, r.Version, r.Method, r.ParameterTypes, r.Timeout, iface, version, method, desc, timeout)
	}
	if len(r.Args) != len(args) {
		t.Fatalf("got %d args %q, want %d", len(r.Args), r.Args, len(args))
	}
	for i := range args {
		if string(r.Args[i]) != args[i] {
			t.Fatalf("arg %d: got %.60q, want %.60q", i, r.Args[i], args[i])
		}
	}
}

func TestParseRequestHessian(t *testing.T) {
	h := Header{Flag: FlagRequest | FlagTwoWay | byte(Hessian2), ID: 99}
	attach := func(timeout string) map[any]any {
		m := map[any]any{"path": decIface, "interface": decIface, "version": "0.0.0"}
		if timeout != "" {
			m["timeout"] = timeout
		}
		return m
	}
	var r Request
	for _, c := range []struct {
		name    string
		desc    string
		args    []any
		want    []string
		attach  any
		timeout int
	}{
		{"race", "Ljava/lang/String;", []any{"aZ09xyz"}, []string{"aZ09xyz"}, attach("3000"), 3000},
		{"no args", "", nil, nil, attach(""), 0},
		{"unicode", "Ljava/lang/String;", []any{"héllo 😀"}, []string{"héllo 😀"}, attach(""), 0},
		{"long string", "Ljava/lang/String;", []any{strings.Repeat("😀a", 20000)}, []string{strings.Repeat("😀a", 20000)}, attach("5"), 5},
		{"all types", "Ljava/lang/String;IJZDLjava/lang/Integer;Ljava/lang/Long;Ljava/lang/Boolean;Ljava/lang/Double;",
			[]any{"s", int32(math.MinInt32), int64(math.MaxInt64), true, 1.5, int32(7), int64(-3), false, 1e-5},
			[]string{"s", "-2147483648", "9223372036854775807", "true", "1.5", "7", "-3", "false", "1.0E-5"}, attach(""), 0},
		{"int timeout", "I", []any{int32(0)}, []string{"0"}, map[any]any{"timeout": int32(250), "x": []any{int32(1)}}, 250},
		{"double from int", "D", []any{2.0}, []string{"2.0"}, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			vs := []any{"2.0.2", decIface, "0.0.0", "hash", c.desc}
			vs = append(vs, c.args...)
			if c.attach != nil {
				vs = append(vs, c.attach)
			}
			if err := ParseRequest(h, decLibEncode(t, vs...), &r); err != nil {
				t.Fatal(err)
			}
			if r.ID != 99 || r.Serialization != Hessian2 {
				t.Fatalf("id %d serialization %v", r.ID, r.Serialization)
			}
			decCheckRequest(t, &r, decIface, "0.0.0", "hash", c.desc, c.want, c.timeout)
		})
	}
}

func TestParseRequestFastJSON(t *testing.T) {
	h := Header{Flag: FlagRequest | FlagTwoWay | byte(FastJSON), ID: 5}
	var r Request
	for _, c := range []struct {
		body          string
		version, desc string
		args          []string
		timeout       int
	}{
		{"\"2.0.1\"\n\"" + decIface + "\"\nnull\n\"hash\"\n\"Ljava/lang/String;\"\n\"abc\"\n{\"path\":\"" + decIface + "\"}\n",
			"", "Ljava/lang/String;", []string{"abc"}, 0},
		{"\"2.0.1\"\n\"" + decIface + "\"\n\"1.0\"\n\"hash\"\n\"Ljava/lang/String;IJZD\"\n\"a\\\"b\\u00e9\\ud83d\\ude00\"\n-5\n12345678901\ntrue\n100\n{\"path\":\"p\",\"timeout\":\"3000\",\"version\":\"1.0\"}\n",
			"1.0", "Ljava/lang/String;IJZD", []string{"a\"bé😀", "-5", "12345678901", "true", "100.0"}, 3000},
		{"\"2.0.1\"\r\n\"" + decIface + "\"\r\nnull\r\n\"hash\"\r\n\"\"\r\n{\"timeout\":42,\"attachments\":{\"a\":[1,2]}}\r\n",
			"", "", nil, 42},
		{"\"2.0.1\"\n\"" + decIface + "\"\nnull\n\"hash\"\n\"D\"\n0.1\n",
			"", "D", []string{"0.1"}, 0},
	} {
		if err := ParseRequest(h, []byte(c.body), &r); err != nil {
			t.Fatalf("%q: %v", c.body, err)
		}
		if r.ID != 5 || r.Serialization != FastJSON {
			t.Fatalf("id %d serialization %v", r.ID, r.Serialization)
		}
		decCheckRequest(t, &r, decIface, c.version, "hash", c.desc, c.args, c.timeout)
	}
}

func TestParseRequestMalformed(t *testing.T) {
	hh := Header{Flag: FlagRequest | FlagTwoWay | byte(Hessian2)}
	hj := Header{Flag: FlagRequest | FlagTwoWay | byte(FastJSON)}
	head := []any{"2.0.2", decIface, "0.0.0", "hash"}
	var r Request
	for _, c := range []struct {
		name string
		h    Header
		body []byte
	}{
		{"empty", hh, nil},
		{"method not a string", hh, decLibEncode(t, "2.0.2", decIface, "0.0.0", int32(1), "")},
		{"missing arg", hh, decLibEncode(t, append(head, "Ljava/lang/String;")...)},
		{"arg of wrong type", hh, decLibEncode(t, append(head, "I", "x")...)},
		{"int out of range", hh, decLibEncode(t, append(head, "I", int64(1)<<40)...)},
		{"unsupported type", hh, decLibEncode(t, append(head, "Ljava/util/List;", "x")...)},
		{"truncated type", hh, decLibEncode(t, append(head, "Ljava/lang/String", "x")...)},
		{"too many args", hh, decLibEncode(t, append(head, strings.Repeat("Z", 256))...)},
		{"bad timeout", hh, decLibEncode(t, append(head, "", map[any]any{"timeout": "soon"})...)},
		{"attachments not a map", hh, decLibEncode(t, append(head, "", int32(1))...)},
		{"attachments unterminated", hh, append(decLibEncode(t, append(head, "")...), 'H', 0x01, 'a')},
		{"heartbeat", Header{Flag: FlagRequest | FlagTwoWay | FlagEvent | byte(Hessian2)}, []byte{'N'}},
		{"json missing newline", hj, []byte("\"2.0.1\" \"p\"\nnull\n\"m\"\n\"\"\n")},
		{"json int as string", hj, []byte("\"2.0.1\"\n\"p\"\nnull\n\"m\"\n\"I\"\n\"1\"\n")},
		{"json bool as int", hj, []byte("\"2.0.1\"\n\"p\"\nnull\n\"m\"\n\"Z\"\n1\n")},
		{"json int overflow", hj, []byte("\"2.0.1\"\n\"p\"\nnull\n\"m\"\n\"I\"\n2147483648\n")},
		{"json null string", hj, []byte("\"2.0.1\"\n\"p\"\nnull\n\"m\"\n\"Ljava/lang/String;\"\nnull\n")},
		{"json bad attachments", hj, []byte("\"2.0.1\"\n\"p\"\nnull\n\"m\"\n\"\"\n[1]\n")},
		{"unknown serialization", Header{Flag: FlagRequest | 9}, []byte("x")},
	} {
		if err := ParseRequest(c.h, c.body, &r); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", c.name, err)
		}
	}
	err := ParseRequest(hh, decLibEncode(t, append(head, "[I", "x")...), &r)
	if !errors.Is(err, ErrUnsupportedType) {
		t.Errorf("array type: got %v, want ErrUnsupportedType", err)
	}
}
