package dubbo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"

	hessian "github.com/apache/dubbo-go-hessian2"

	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// FuzzEncodeRequest checks, for any call, that RequestSize refuses what
// CheckArgs refuses, that PutRequest writes exactly RequestSize bytes, and
// that the body decodes back to the call: with the library for hessian2,
// with encoding/json for fastjson. Arguments are separated by NUL in args;
// so are the attachments in atts, each key=value (a key alone has an empty
// value).
func FuzzEncodeRequest(f *testing.F) {
	f.Add(true, encRaceInterface, "hash", "", "Ljava/lang/String;", "abc", 0, "")
	f.Add(false, encRaceInterface, "hash", "", "Ljava/lang/String;", "abc", 3000, "")
	f.Add(true, "a.B", "m", "1.0", "Ljava/lang/String;IJZD", "h\u00e9\U0001F600\x001\x00-9\x00true\x001.5", 1, "group=g")
	f.Add(false, "a.B", "m", "", "DD", "1e-7\x00-0", 0, "traceparent=00-1-2-01\x00tracestate=a=b\x00\u00e9=\"\n")
	f.Add(true, "a", "m", "", "Ljava/util/List;", "x", 0, "path=x")
	f.Add(true, "a", "m", "", "BLjava/util/List;Ljava/util/Map;[I", "-0\x00[\"x\",1]\x00{\"k\":[true]}\x00[1,2]", 0, "")
	f.Add(false, "a", "m", "", "SLjava/util/List;Ljava/math/BigDecimal;", "7\x00[null, 2.5]\x001.10", 0, "")
	f.Add(true, "a", "m", "", "Ljava/lang/Integer;Ljava/lang/Double;ILjava/util/List;", "null\x00null\x001\x00[{\"class\":\"java.lang.Long\",\"value\":1}]", 0, "")
	f.Add(false, "a", "m", "", "Ljava/lang/Long;Ljava/sql/Timestamp;", "null\x002026-12-05T08:00:00Z", 0, "")
	f.Fuzz(func(t *testing.T, hess bool, iface, method, version, types, joined string, timeout int, atts string) {
		var args [][]byte
		if joined != "" || types != "" {
			args = bytes.Split([]byte(joined), []byte{0})
		}
		s := FastJSON
		if hess {
			s = Hessian2
		}
		r := &Request{ID: 5, Serialization: s, Interface: []byte(iface), Method: []byte(method), Version: []byte(version),
			ParameterTypes: []byte(types), Args: args, Timeout: timeout, Attachments: encFuzzAttachments(atts)}
		checkErr := CheckArgs(r.ParameterTypes, r.Args)
		if checkErr == nil {
			checkErr = CheckAttachments(r.Attachments)
		}
		n, err := RequestSize(r)
		if err != nil {
			if !errors.Is(err, ErrBadArgument) {
				t.Fatalf("RequestSize error %v does not wrap ErrBadArgument", err)
			}
			return
		}
		if checkErr != nil {
			t.Fatalf("CheckArgs or CheckAttachments refused (%v) but RequestSize accepted", checkErr)
		}
		_, body := encFrame(t, r)
		if n != HeaderSize+len(body) {
			t.Fatalf("size %d, body %d", n, len(body))
		}
		if hess {
			if !encFuzzLibrarySlice(r) && !encFuzzCharMatrix(r) {
				encFuzzCheckHessian(t, r, body)
			}
		} else {
			encFuzzCheckJSON(t, r, body)
		}
		if others, _ := encFuzzOthers(r); len(others) == 0 {
			encFuzzCheckParse(t, r) // ParseRequest reads the race's types only
		}
	})
}

// encFuzzOthers returns r's arguments of types outside the fast path
// (encTOther), which jsonhessian transcodes, with their types, in order.
func encFuzzOthers(r *Request) (args [][]byte, types []jsonhessian.Type) {
	desc := r.ParameterTypes
	for _, arg := range r.Args {
		typ, k, _ := encArgType(desc, arg)
		if typ == encTOther {
			jt, _, _ := jsonhessian.NextType(desc)
			args, types = append(args, arg), append(types, jt)
		}
		desc = desc[k:]
	}
	return args, types
}

// encFuzzLibrarySlice reports whether r has an array of Date, BigDecimal or
// BigInteger whose argument has a "class" key: an element may then be an
// object of another class, written as that class, and the library, which
// decodes such arrays into slices of Go types of its own, panics on it
// (librarySlice in protocol/jsonhessian's tests).
func encFuzzLibrarySlice(r *Request) bool {
	args, types := encFuzzOthers(r)
	for i, jt := range types {
		switch jt.Elem {
		case jsonhessian.KindDate, jsonhessian.KindBigDecimal, jsonhessian.KindBigInteger:
			if jt.Kind == jsonhessian.KindArray && bytes.Contains(args[i], []byte(`"class"`)) {
				return true
			}
		}
	}
	return false
}

// encFuzzCharMatrix reports whether r has a char[][] or deeper: the library
// cannot read one (it reads "[[char" as a list of string lists, where Java
// writes each char[] as a string; libraryDecodes in protocol/jsonhessian's
// tests).
func encFuzzCharMatrix(r *Request) bool {
	_, types := encFuzzOthers(r)
	for _, jt := range types {
		if jt.Kind == jsonhessian.KindArray && jt.Elem == jsonhessian.KindChar && jt.Dims >= 2 {
			return true
		}
	}
	return false
}

// encFuzzOtherValues returns what the library reads from r's arguments of
// other types (encFuzzOthers), transcoded on their own, in order, by a
// fresh jsonhessian.Encoder: one hessian2 stream, as in the request, so
// that class definitions number alike.
func encFuzzOtherValues(t *testing.T, r *Request) []any {
	var (
		e   jsonhessian.Encoder
		buf []byte
	)
	args, types := encFuzzOthers(r)
	for i, jt := range types {
		var err error
		if buf, err = e.AppendArg(buf, jt, args[i]); err != nil {
			t.Fatalf("AppendArg %q alone: %v, but RequestSize accepted it", args[i], err)
		}
	}
	return encDecodeAll(t, buf, len(args))
}

// encFuzzAttachments splits NUL-separated key=value pairs.
func encFuzzAttachments(s string) []Attachment {
	if s == "" {
		return nil
	}
	var atts []Attachment
	for _, kv := range bytes.Split([]byte(s), []byte{0}) {
		k, v, _ := bytes.Cut(kv, []byte("="))
		atts = append(atts, Attachment{Key: k, Value: v})
	}
	return atts
}

// encFuzzWantAttachments is the map the provider reads: path, interface,
// version and timeout, then r's attachments, the last of a key winning.
func encFuzzWantAttachments(r *Request) map[string]string {
	m := map[string]string{"path": string(r.Interface), "interface": string(r.Interface), "version": string(encVersion(r))}
	if r.Timeout > 0 {
		m["timeout"] = strconv.Itoa(r.Timeout)
	}
	for _, a := range r.Attachments {
		m[string(a.Key)] = string(a.Value)
	}
	return m
}

// encFuzzCheckAttachments compares the map a reader decoded with the want.
func encFuzzCheckAttachments(t *testing.T, r *Request, got map[string]string) {
	want := encFuzzWantAttachments(r)
	if len(got) != len(want) {
		t.Fatalf("attachments %q, want %q", got, want)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Fatalf("attachment %q = %q, want %q", k, g, v)
		}
	}
}

// encFuzzCheckParse reads the request back with the decode side's
// ParseRequest.
func encFuzzCheckParse(t *testing.T, r *Request) {
	n, _ := RequestSize(r)
	frame := make([]byte, n)
	PutRequest(frame, r)
	h, body, m, err := Next(frame)
	if err != nil || m != n {
		t.Fatalf("Next: %d of %d, %v", m, n, err)
	}
	var got Request
	if err := ParseRequest(h, body, &got); err != nil {
		t.Fatalf("ParseRequest: %v", err)
	}
	if string(got.Interface) != string(r.Interface) || string(got.Method) != string(r.Method) ||
		string(got.ParameterTypes) != string(r.ParameterTypes) || len(got.Args) != len(r.Args) || got.ID != r.ID ||
		max(r.Timeout, 0) != got.Timeout || len(got.Attachments) != len(r.Attachments) {
		t.Fatalf("ParseRequest gave %+v for %+v", got, r)
	}
	for i, a := range r.Attachments {
		if string(got.Attachments[i].Key) != string(a.Key) || string(got.Attachments[i].Value) != string(a.Value) {
			t.Fatalf("attachment %d: ParseRequest gave %q=%q, want %q=%q", i, got.Attachments[i].Key, got.Attachments[i].Value, a.Key, a.Value)
		}
	}
	types := r.ParameterTypes
	for i, arg := range r.Args {
		typ, k, _ := encArgType(types, arg)
		types = types[k:]
		want := string(arg)
		switch typ {
		case encTInt, encTLong:
			v, _ := jsonhessian.ParseInteger(arg, 64)
			want = strconv.FormatInt(v, 10)
		case encTDouble:
			continue // rendered the Java way
		}
		if string(got.Args[i]) != want {
			t.Fatalf("argument %d: ParseRequest gave %q, want %q", i, got.Args[i], want)
		}
	}
}

func encFuzzCheckHessian(t *testing.T, r *Request, body []byte) {
	vs := encDecodeAll(t, body, 6+len(r.Args))
	others := encFuzzOtherValues(t, r)
	for i, want := range []string{"2.0.2", string(r.Interface), string(encVersion(r)), string(r.Method), string(r.ParameterTypes)} {
		encAssertEqual(t, "field "+strconv.Itoa(i), vs[i], want)
	}
	types := r.ParameterTypes
	for i, arg := range r.Args {
		typ, k, _ := encArgType(types, arg)
		types = types[k:]
		var want any
		switch typ {
		case encTString:
			want = string(arg)
		case encTInt:
			v, _ := jsonhessian.ParseInteger(arg, 32)
			want = int32(v)
		case encTLong:
			v, _ := jsonhessian.ParseInteger(arg, 64)
			want = v
		case encTBool:
			want, _ = encParseBool(arg)
		case encTDouble:
			f, _ := encParseDouble(arg)
			if f == 0 {
				f = 0 // the library writes -0.0 as 0.0
			}
			want = f
		case encTOther:
			want, others = others[0], others[1:]
			// DeepEqual for maps and objects; Sprint for a NaN inside.
			if got := vs[5+i]; !reflect.DeepEqual(got, want) && fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("argument %d: got %#v, the library reads %#v alone", i, got, want)
			}
			continue
		}
		encAssertEqual(t, "argument "+strconv.Itoa(i), vs[5+i], want)
	}
	m, ok := vs[len(vs)-1].(map[any]any)
	if !ok {
		t.Fatalf("attachments %#v", vs[len(vs)-1])
	}
	got := map[string]string{}
	for k, v := range m {
		ks, ok1 := k.(string)
		vs, ok2 := v.(string)
		if !ok1 || !ok2 {
			t.Fatalf("attachment %#v: %#v", k, v)
		}
		got[ks] = vs
	}
	encFuzzCheckAttachments(t, r, got)
}

func encFuzzCheckJSON(t *testing.T, r *Request, body []byte) {
	lines := encJSONLines(t, body)
	if len(lines) != 6+len(r.Args) {
		t.Fatalf("%d lines for %d arguments", len(lines), len(r.Args))
	}
	for i, want := range []string{"2.0.1", string(r.Interface), string(r.Method), string(r.ParameterTypes)} {
		var got string
		if err := json.Unmarshal([]byte(lines[[]int{0, 1, 3, 4}[i]]), &got); err != nil || got != want {
			t.Fatalf("field %d: %s, want %q (%v)", i, lines[i], want, err)
		}
	}
	types := r.ParameterTypes
	for i, arg := range r.Args {
		typ, k, _ := encArgType(types, arg)
		types = types[k:]
		line := []byte(lines[5+i])
		switch typ {
		case encTString:
			var got string
			if err := json.Unmarshal(line, &got); err != nil || got != string(arg) {
				t.Fatalf("argument %q written as %s", arg, line)
			}
		case encTInt, encTLong:
			want, _ := jsonhessian.ParseInteger(arg, 64)
			if got, err := strconv.ParseInt(string(line), 10, 64); err != nil || got != want {
				t.Fatalf("argument %q written as %s", arg, line)
			}
		case encTBool:
			if string(line) != string(arg) {
				t.Fatalf("argument %q written as %s", arg, line)
			}
		case encTDouble:
			want, _ := encParseDouble(arg)
			var got float64
			if err := json.Unmarshal(line, &got); err != nil || got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("argument %q written as %s", arg, line)
			}
		case encTOther:
			if !json.Valid(line) {
				t.Fatalf("argument %q written as %s, not one JSON text", arg, line)
			}
		}
	}
	var att map[string]string
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &att); err != nil {
		t.Fatalf("attachments %s: %v", lines[len(lines)-1], err)
	}
	encFuzzCheckAttachments(t, r, att)
}

// FuzzEncodeResponse checks that AppendResponse frames any response
// consistently and that the library (hessian2) or encoding/json (fastjson)
// reads the body.
func FuzzEncodeResponse(f *testing.F) {
	f.Add(true, byte(20), byte(TypeInt), int64(-1094917604), 0.0, "", "", false, false)
	f.Add(false, byte(20), byte(TypeString), int64(0), 0.0, "h\u00e9\U0001F600", "", false, true)
	f.Add(true, byte(20), byte(TypeDouble), int64(0), 1.5, "", "", false, true)
	f.Add(true, byte(20), byte(TypeNull), int64(0), 0.0, "boom", "java.lang.IllegalStateException", true, false)
	f.Add(false, byte(100), byte(TypeNull), int64(0), 0.0, "thread pool is exhausted", "", false, false)
	f.Fuzz(func(t *testing.T, hess bool, status, typ byte, i int64, fl float64, str, class string, exc, att bool) {
		s := FastJSON
		if hess {
			s = Hessian2
		}
		r := &Response{ID: i, Serialization: s, Status: Status(status), Exception: exc, ExceptionClass: []byte(class),
			ErrorMessage: []byte(str), WithAttachments: att,
			Value: Value{Type: ValueType(typ), Int: i, Float: fl, Bytes: []byte(str)}}
		body := encResponseFrame(t, r)
		encFuzzCheckDecode(t, r)
		if !hess {
			encJSONLines(t, body)
			return
		}
		want := 1
		switch {
		case r.Status != StatusOK:
		case exc || encHasValue(r.Value.Type):
			want++
			fallthrough
		default:
			if att {
				want++
			}
		}
		if r.Status == StatusOK && exc {
			// The library needs a registered or recognizable class; only
			// check that the flag and the object decode.
			d := hessian.NewDecoder(body)
			if _, err := d.Decode(); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Decode(); err != nil {
				t.Fatalf("exception object: %v", err)
			}
			return
		}
		encDecodeAll(t, body, want)
	})
}

// encFuzzCheckDecode reads the response back with the decode side's
// DecodeResponse.
func encFuzzCheckDecode(t *testing.T, r *Response) {
	frame := AppendResponse(nil, r)
	h, body, _, err := Next(frame)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	text, out, err := DecodeResponse(h, body, nil)
	if err != nil {
		t.Fatalf("DecodeResponse: %v", err)
	}
	var want Outcome
	switch {
	case r.Status != StatusOK:
		want = OutcomeError
	case r.Exception:
		want = OutcomeException
	case !encHasValue(r.Value.Type):
		want = OutcomeNull
	default:
		want = OutcomeValue
	}
	if out != want {
		t.Fatalf("outcome %d, want %d (text %q)", out, want, text)
	}
	if want != OutcomeValue || !utf8.Valid(r.Value.Bytes) {
		return
	}
	switch r.Value.Type {
	case TypeInt:
		if string(text) != strconv.Itoa(int(int32(r.Value.Int))) {
			t.Fatalf("int %d decoded as %q", int32(r.Value.Int), text)
		}
	case TypeString:
		if string(text) != string(r.Value.Bytes) {
			t.Fatalf("string %q decoded as %q", r.Value.Bytes, text)
		}
	}
}
