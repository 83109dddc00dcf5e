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
}

func TestRequestRoundTrip(t *testing.T) {
	many := &Request{Interface: []byte("a.B"), Method: []byte("sum"), ParameterTypes: []byte(strings.Repeat("I", MaxArgs))}
	for i := range MaxArgs {
		many.Args = append(many.Args, []byte(fmt.Sprint(i-100)))
	}
	for name, r := range map[string]*Request{
		"race":       raceRequest(),
		"empty":      {},
		"no args":    {Interface: []byte("x.Y"), Method: []byte("ping"), Version: []byte("2.0.0")},
		"255 args":   many,
		"utf-8 arg":  {Interface: []byte("x.Y"), Method: []byte("hash"), ParameterTypes: []byte("Ljava/lang/String;"), Args: [][]byte{[]byte("héllo, 世界 + %20")}},
		"max fields": {Interface: bytes.Repeat([]byte("i"), MaxFieldSize), Method: bytes.Repeat([]byte("m"), MaxFieldSize), ParameterTypes: bytes.Repeat([]byte("t"), MaxFieldSize), Version: bytes.Repeat([]byte("v"), MaxFieldSize)},
		"big arg":    {Timeout: 1, Args: [][]byte{bytes.Repeat([]byte("x"), 1<<20)}},
	} {
		t.Run(name, func(t *testing.T) {
			frame := encodeRequest(t, 12345, r)
			h, body, n, err := Next(frame)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "n", n, len(frame))
			equal(t, "header", h, Header{Kind: KindRequest, Length: uint32(r.BodySize()), ID: 12345})
			var got Request
			if err := ParseRequest(body, &got); err != nil {
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
	if err := ParseRequest(body, &r); err != nil {
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
	if err := ParseRequest(two[HeaderSize:], &r); err != nil {
		t.Fatal(err)
	}
	equal(t, "same backing array", &r.Args[0], backing)
	if err := ParseRequest(one[HeaderSize:], &r); err != nil {
		t.Fatal(err)
	}
	equal(t, "len after a shorter request", len(r.Args), 1)
	equalBytes(t, "arg", r.Args[0], []byte("3"))
	equal(t, "timeout", r.Timeout, 9)
	// An error empties r but keeps the capacity.
	wantErr(t, "garbage", ParseRequest([]byte{1, 2, 3}, &r), ErrMalformed)
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
	if err := ParseRequest(valid, &r); err != nil {
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
		err := ParseRequest(tc.body, &r)
		wantErr(t, tc.name, err, ErrMalformed)
		if s, ok := RefusalStatus(err); !ok || s != StatusBadFrame {
			t.Errorf("%s: RefusalStatus = %v, %v", tc.name, s, ok)
		}
	}
	// Every strict prefix of a valid body is malformed, never a panic.
	full := encodeRequest(t, 1, raceRequest())[HeaderSize:]
	for i := range full {
		wantErr(t, fmt.Sprintf("prefix %d", i), ParseRequest(full[:i], &r), ErrMalformed)
	}
}

func TestRequestValidate(t *testing.T) {
	long := bytes.Repeat([]byte("x"), MaxFieldSize+1)
	for name, r := range map[string]*Request{
		"interface":       {Interface: long},
		"method":          {Method: long},
		"parameter types": {ParameterTypes: long},
		"service version": {Version: long},
		"256 args":        {Args: make([][]byte, MaxArgs+1)},
	} {
		err := r.Validate()
		wantErr(t, name, err, ErrMalformed)
		if !strings.Contains(err.Error(), strings.Fields(name)[0]) && name != "256 args" {
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
		if err := ParseRequest(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}
