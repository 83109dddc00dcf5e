package protocol

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// raceRequest is the race's call: IHelloService.hash with one ~512-byte
// String argument.
func raceRequest() *Request {
	return &Request{
		Timeout:        3000,
		Interface:      []byte("com.alibaba.dubbo.performance.demo.provider.IHelloService"),
		Method:         []byte("hash"),
		ParameterTypes: []byte("Ljava/lang/String;"),
		Args:           [][]byte{bytes.Repeat([]byte("0123456789abcdef"), 32)},
	}
}

func encodeRequest(t testing.TB, id uint32, r *Request) []byte {
	t.Helper()
	if err := r.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	b := make([]byte, r.Size())
	equal(t, "PutRequest bytes", PutRequest(b, id, r), len(b))
	return b
}

func equalRequest(t testing.TB, got, want *Request) {
	t.Helper()
	equal(t, "Timeout", got.Timeout, want.Timeout)
	equalBytes(t, "Interface", got.Interface, want.Interface)
	equalBytes(t, "Method", got.Method, want.Method)
	equalBytes(t, "ParameterTypes", got.ParameterTypes, want.ParameterTypes)
	equalBytes(t, "Version", got.Version, want.Version)
	equal(t, "len(Args)", len(got.Args), len(want.Args))
	for i := range want.Args {
		equalBytes(t, fmt.Sprintf("Args[%d]", i), got.Args[i], want.Args[i])
	}
	equal(t, "len(Attachments)", len(got.Attachments), len(want.Attachments))
	for i := range want.Attachments {
		equalBytes(t, fmt.Sprintf("Attachments[%d].Key", i), got.Attachments[i].Key, want.Attachments[i].Key)
		equalBytes(t, fmt.Sprintf("Attachments[%d].Value", i), got.Attachments[i].Value, want.Attachments[i].Value)
	}
}

// att builds an attachment from strings.
func att(k, v string) Attachment { return Attachment{Key: []byte(k), Value: []byte(v)} }

// tracedRequest is the race's call with a group and a W3C trace context.
func tracedRequest() *Request {
	r := raceRequest()
	r.Attachments = []Attachment{
		att("group", "g1"),
		att("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
		att("tracestate", "congo=t61rcWkgMzE"),
	}
	return r
}

func TestRequestLayout(t *testing.T) {
	r := &Request{
		Timeout:        0x01020304,
		Interface:      []byte("I"),
		Method:         []byte("m"),
		ParameterTypes: []byte("IJ"),
		Version:        []byte("1.0"),
		Args:           [][]byte{[]byte("-5"), {}},
	}
	got := encodeRequest(t, 0x0A0B0C0D, r)
	want := []byte{
		0xDB, 0x3E, 1, 1, 0, 0, 0, 0, 0, 0, 0, 31, 0x0A, 0x0B, 0x0C, 0x0D,
		1, 2, 3, 4,
		0, 1, 'I',
		0, 1, 'm',
		0, 2, 'I', 'J',
		0, 3, '1', '.', '0',
		0, 2,
		0, 0, 0, 2, '-', '5',
		0, 0, 0, 0,
	}
	equalBytes(t, "frame", got, want)
	equal(t, "BodySize", r.BodySize(), len(want)-HeaderSize)

	// The same request with two attachments: flag bit 1, then the section.
	r.Attachments = []Attachment{att("group", "g"), att("k", "")}
	got = encodeRequest(t, 0x0A0B0C0D, r)
	want[5] = FlagAttachments
	want[11] = 31 + 2 + 2 + 5 + 2 + 1 + 2 + 1 + 2
	want = append(want,
		0, 2,
		0, 5, 'g', 'r', 'o', 'u', 'p', 0, 1, 'g',
		0, 1, 'k', 0, 0,
	)
	equalBytes(t, "frame with attachments", got, want)
	equal(t, "BodySize with attachments", r.BodySize(), len(want)-HeaderSize)
}

// TestParseRequestOldFrames: a frame with FlagAttachments clear is read as
// before the section existed, attachments or not in the Request it fills
// last; bytes after the arguments are trailing bytes there.
func TestParseRequestOldFrames(t *testing.T) {
	plain := encodeRequest(t, 1, raceRequest())
	r := Request{Attachments: make([]Attachment, 0, 4)}
	traced := encodeRequest(t, 2, tracedRequest())
	h, body, _, err := Next(traced)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "flags of a request with attachments", h.Flags, FlagAttachments)
	if err := ParseRequest(h, body, &r); err != nil {
		t.Fatal(err)
	}
	equal(t, "attachments", len(r.Attachments), 3)
	h, body, _, err = Next(plain)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "flags of a request without", h.Flags, 0)
	if err := ParseRequest(h, body, &r); err != nil {
		t.Fatal(err)
	}
	equalRequest(t, &r, raceRequest())
	equal(t, "attachments capacity kept", cap(r.Attachments), 4)
	// The section without the flag is trailing bytes.
	wantErr(t, "section without the flag", ParseRequest(Header{}, traced[HeaderSize:], &r), ErrMalformed)
	// Other flag bits are ignored, as before.
	if err := ParseRequest(Header{Flags: 0xfd}, body, &r); err != nil {
		t.Fatalf("reserved flag bits: %v", err)
	}
}
func TestRequestRoundTrip(t *testing.T) {
	many := &Request{Interface: []byte("a.B"), Method: []byte("sum"), ParameterTypes: []byte(strings.Repeat("I", MaxArgs))}
	for i := range MaxArgs {
		many.Args = append(many.Args, []byte(fmt.Sprint(i-100)))
	}
	for name, r := range map[string]*Request{
		"race":        raceRequest(),
		"empty":       {},
		"no args":     {Interface: []byte("x.Y"), Method: []byte("ping"), Version: []byte("2.0.0")},
		"255 args":    many,
		"utf-8 arg":   {Interface: []byte("x.Y"), Method: []byte("hash"), ParameterTypes: []byte("Ljava/lang/String;"), Args: [][]byte{[]byte("héllo, 世界 + %20")}},
		"max fields":  {Interface: bytes.Repeat([]byte("i"), MaxFieldSize), Method: bytes.Repeat([]byte("m"), MaxFieldSize), ParameterTypes: bytes.Repeat([]byte("t"), MaxFieldSize), Version: bytes.Repeat([]byte("v"), MaxFieldSize)},
		"big arg":     {Timeout: 1, Args: [][]byte{bytes.Repeat([]byte("x"), 1<<20)}},
		"attachments": tracedRequest(),
		"64 attachments": {Interface: []byte("x.Y"), Method: []byte("m"), Attachments: func() (a []Attachment) {
			for i := range MaxAttachments {
				a = append(a, att(fmt.Sprint("k", i), strings.Repeat("v", i)))
			}
			return a
		}()},
		"max attachment": {Attachments: []Attachment{{Key: bytes.Repeat([]byte("k"), MaxFieldSize), Value: bytes.Repeat([]byte("v"), MaxFieldSize)}}},
		"repeated key":   {Attachments: []Attachment{att("k", "1"), att("k", "2")}},
	} {
		t.Run(name, func(t *testing.T) {
			frame := encodeRequest(t, 12345, r)
			h, body, n, err := Next(frame)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "n", n, len(frame))
			want := Header{Kind: KindRequest, Length: uint32(r.BodySize()), ID: 12345}
			if len(r.Attachments) > 0 {
				want.Flags = FlagAttachments
			}
			equal(t, "header", h, want)
			var got Request
			if err := ParseRequest(h, body, &got); err != nil {
				t.Fatal(err)
			}
			equalRequest(t, &got, r)
		})
	}
}

func TestParseRequestAliasesAndCapsCapacity(t *testing.T) {
	frame := encodeRequest(t, 1, raceRequest())
	body := frame[HeaderSize:]
	var r Request
	if err := ParseRequest(Header{}, body, &r); err != nil {
		t.Fatal(err)
	}
	equal(t, "Interface aliases body", &r.Interface[0], &body[4+2])
	for name, f := range map[string][]byte{"Interface": r.Interface, "Method": r.Method,
		"ParameterTypes": r.ParameterTypes, "Version": r.Version, "Args[0]": r.Args[0]} {
		equal(t, name+" cap", cap(f), len(f))
	}
	before := bytes.Clone(body)
	_ = append(r.Method, "XXXX"...) // must not write into ParameterTypes
	equalBytes(t, "body after append", body, before)
}

func TestParseRequestReusesArgs(t *testing.T) {
	two := encodeRequest(t, 1, &Request{Args: [][]byte{[]byte("1"), []byte("2")}})
	one := encodeRequest(t, 1, &Request{Timeout: 9, Args: [][]byte{[]byte("3")}})
	r := Request{Args: make([][]byte, 0, 4)}
	backing := &r.Args[:1][0]
	if err := ParseRequest(Header{}, two[HeaderSize:], &r); err != nil {
		t.Fatal(err)
	}
	equal(t, "same backing array", &r.Args[0], backing)
	if err := ParseRequest(Header{}, one[HeaderSize:], &r); err != nil {
		t.Fatal(err)
	}
	equal(t, "len after a shorter request", len(r.Args), 1)
	equalBytes(t, "arg", r.Args[0], []byte("3"))
	equal(t, "timeout", r.Timeout, 9)
	// An error empties r but keeps the capacity.
	wantErr(t, "garbage", ParseRequest(Header{}, []byte{1, 2, 3}, &r), ErrMalformed)
	equal(t, "len(Args) after error", len(r.Args), 0)
	equal(t, "cap(Args) after error", cap(r.Args), 4)
	equal(t, "Interface after error", r.Interface == nil, true)
	equal(t, "Timeout after error", r.Timeout, 0)
}

// TestParseRequestMalformed builds bodies of many broken shapes by hand.
func TestParseRequestMalformed(t *testing.T) {
	u16 := func(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
	u32 := func(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	timeout := u32(100)
	fields := cat(u16(1), []byte("I"), u16(1), []byte("m"), u16(1), []byte("I"), u16(0))
	valid := cat(timeout, fields, u16(1), u32(2), []byte("42"))
	var r Request
	if err := ParseRequest(Header{}, valid, &r); err != nil {
		t.Fatalf("the valid base case: %v", err)
	}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"empty", nil},
		{"timeout only", timeout},
		{"cut inside the timeout", timeout[:3]},
		{"interface length overruns", cat(timeout, u16(200), []byte("I"))},
		{"cut inside a length", cat(timeout, u16(1), []byte("I"), []byte{0})},
		{"method overruns", cat(timeout, u16(1), []byte("I"), u16(5), []byte("m"), u16(0), u16(0), u16(0))},
		{"version overruns", cat(timeout, u16(0), u16(0), u16(0), u16(9), u16(0))},
		{"no argument count", cat(timeout, fields)},
		{"half an argument count", cat(timeout, fields, []byte{0})},
		{"count 1, no argument", cat(timeout, fields, u16(1))},
		{"count 2, one argument", cat(timeout, fields, u16(2), u32(2), []byte("42"))},
		{"count 2, one argument and 3 bytes", cat(timeout, fields, u16(2), u32(2), []byte("42"), []byte{0, 0, 0})},
		{"count 256", cat(timeout, fields, u16(256), bytes.Repeat(u32(0), 256))},
		{"count 65535", cat(timeout, fields, u16(65535))},
		{"argument overruns", cat(timeout, fields, u16(1), u32(3), []byte("42"))},
		{"argument length 4 GiB", cat(timeout, fields, u16(1), u32(-1), []byte("42"))},
		{"cut inside an argument length", cat(timeout, fields, u16(1), []byte{0, 0})},
		{"trailing byte", cat(valid, []byte{0})},
		{"trailing argument", cat(valid, u32(0))},
		{"no arguments, trailing", cat(timeout, fields, u16(0), []byte("x"))},
	} {
		err := ParseRequest(Header{}, tc.body, &r)
		wantErr(t, tc.name, err, ErrMalformed)
		if s, ok := RefusalStatus(err); !ok || s != StatusBadFrame {
			t.Errorf("%s: RefusalStatus = %v, %v", tc.name, s, ok)
		}
	}
	// Every strict prefix of a valid body is malformed, never a panic.
	full := encodeRequest(t, 1, raceRequest())[HeaderSize:]
	for i := range full {
		wantErr(t, fmt.Sprintf("prefix %d", i), ParseRequest(Header{}, full[:i], &r), ErrMalformed)
	}

	// The attachments section, after the valid arguments.
	flagged := Header{Kind: KindRequest, Flags: FlagAttachments, ID: 1}
	kv := cat(u16(1), []byte("k"), u16(1), []byte("v"))
	if err := ParseRequest(flagged, cat(valid, u16(1), kv), &r); err != nil {
		t.Fatalf("the valid base case with an attachment: %v", err)
	}
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"flag, no section", valid},
		{"half a count", cat(valid, []byte{0})},
		{"count 0", cat(valid, u16(0))},
		{"count 65", cat(valid, u16(65), bytes.Repeat(kv, 65))},
		{"count 65535", cat(valid, u16(65535))},
		{"count 2, one attachment", cat(valid, u16(2), kv)},
		{"count 2, one attachment and 3 bytes", cat(valid, u16(2), kv, []byte{0, 0, 0})},
		{"key overruns", cat(valid, u16(1), u16(9), []byte("k"), u16(0))},
		{"value overruns", cat(valid, u16(1), u16(1), []byte("k"), u16(9), []byte("v"))},
		{"no value length", cat(valid, u16(1), u16(1), []byte("k"), []byte{0, 0})[:len(valid)+2+3]},
		{"empty key", cat(valid, u16(1), u16(0), u16(1), []byte("v"))},
		{"trailing byte", cat(valid, u16(1), kv, []byte{0})},
	} {
		err := ParseRequest(flagged, tc.body, &r)
		wantErr(t, tc.name, err, ErrMalformed)
		if len(r.Attachments) != 0 || len(r.Args) != 0 {
			t.Errorf("%s: request not emptied: %d args, %d attachments", tc.name, len(r.Args), len(r.Attachments))
		}
	}
	traced := encodeRequest(t, 1, tracedRequest())[HeaderSize:]
	for i := range traced {
		wantErr(t, fmt.Sprintf("traced prefix %d", i), ParseRequest(flagged, traced[:i], &r), ErrMalformed)
	}
}

func TestRequestValidate(t *testing.T) {
	long := bytes.Repeat([]byte("x"), MaxFieldSize+1)
	for name, r := range map[string]*Request{
		"interface":            {Interface: long},
		"method":               {Method: long},
		"parameter types":      {ParameterTypes: long},
		"service version":      {Version: long},
		"256 args":             {Args: make([][]byte, MaxArgs+1)},
		"attachment key":       {Attachments: []Attachment{{Key: long}}},
		"attachment value":     {Attachments: []Attachment{{Key: []byte("k"), Value: long}}},
		"empty attachment key": {Attachments: []Attachment{{Value: []byte("v")}}},
		"65 attachments":       {Attachments: make([]Attachment, MaxAttachments+1)},
	} {
		err := r.Validate()
		wantErr(t, name, err, ErrMalformed)
		if !strings.Contains(err.Error(), strings.Fields(name)[0]) && name != "256 args" && name != "65 attachments" && name != "empty attachment key" {
			t.Errorf("%s: message %q does not name the field", name, err)
		}
		mustPanic(t, "PutRequest "+name, func() { PutRequest(make([]byte, r.Size()), 1, r) })
	}
	huge := &Request{Args: [][]byte{make([]byte, MaxFrameSize)}}
	wantErr(t, "frame too large", huge.Validate(), ErrFrameTooLarge)
	edge := &Request{Args: [][]byte{make([]byte, MaxFrameSize-HeaderSize-requestFixedSize-4)}}
	equal(t, "a request of exactly MaxFrameSize", edge.Validate(), nil)
	equal(t, "its size", edge.Size(), MaxFrameSize)
}

func TestPutRequestShortBuffer(t *testing.T) {
	r := raceRequest()
	mustPanic(t, "short buffer", func() { PutRequest(make([]byte, r.Size()-1), 1, r) })
	// A short len with enough capacity is still short.
	mustPanic(t, "short len", func() { PutRequest(make([]byte, r.Size()-1, r.Size()), 1, r) })
	big := make([]byte, r.Size()+10)
	equal(t, "bytes written into a larger buffer", PutRequest(big, 1, r), r.Size())
}

// BenchmarkPutRequest encodes the race's request into a reused buffer, as
// the consumer agent does into a netpoll write buffer.
func BenchmarkPutRequest(b *testing.B) {
	r := raceRequest()
	buf := make([]byte, r.Size())
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		PutRequest(buf[:r.Size()], 1, r)
	}
}

// BenchmarkParseRequest decodes the race's request into a reused Request,
// as the provider agent does.
func BenchmarkParseRequest(b *testing.B) {
	frame := encodeRequest(b, 1, raceRequest())
	body := frame[HeaderSize:]
	var r Request
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ParseRequest(Header{}, body, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRequestJSONFlag(t *testing.T) {
	r := &Request{Interface: []byte("a"), Method: []byte("m"), JSON: true}
	b := make([]byte, r.Size())
	PutRequest(b, 7, r)
	h, body, _, err := Next(b)
	if err != nil || h.Flags&FlagJSON == 0 {
		t.Fatalf("header %+v, %v: want FlagJSON", h, err)
	}
	var got Request
	if err := ParseRequest(h, body, &got); err != nil || !got.JSON {
		t.Fatalf("ParseRequest: JSON %v, %v", got.JSON, err)
	}
	resp := make([]byte, ResponseSize(2))
	PutJSONResponse(resp, 7, []byte("{}"))
	if h, body, _, _ := Next(resp); h.Flags&FlagJSON == 0 || string(body) != "{}" {
		t.Fatalf("JSON response %+v %q", h, body)
	}
}
