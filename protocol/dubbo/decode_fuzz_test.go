package dubbo

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeResponse decodes arbitrary bodies in both serializations, with
// any status and with or without the event flag. It must never panic, and
// every failure must wrap ErrMalformed.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(byte(Hessian2), byte(StatusOK), false, []byte("\x91\xd4\x00\x01"))
	f.Add(byte(FastJSON), byte(StatusOK), false, []byte("1\n-1094917604\n"))
	f.Add(byte(Hessian2), byte(StatusThreadpoolExhausted), false, []byte("\x04oops"))
	f.Add(byte(FastJSON), byte(StatusOK), true, []byte("null\n"))
	rd := new(ResultDecoder)
	rd.SetMaxSize(1 << 20)
	f.Fuzz(func(t *testing.T, s, status byte, event bool, body []byte) {
		h := Header{Flag: s & 0x1f, Status: Status(status)}
		if event {
			h.Flag |= FlagEvent
		}
		text, out, err := DecodeResponse(h, body, make([]byte, 0, 64))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if out > OutcomeJSON || (out == OutcomeNull && len(text) != 0) {
			t.Fatalf("outcome %d with text %q", out, text)
		}
		if len(text) > 4*len(body)+64 && out != OutcomeValue && out != OutcomeJSON {
			t.Fatalf("text of %d bytes from a body of %d", len(text), len(body))
		}
		if out == OutcomeJSON && !json.Valid(text) {
			t.Fatalf("JSON result %q is not JSON", text)
		}
		// Asked for JSON, every value is JSON.
		text, out, err = rd.Decode(h, body, make([]byte, 0, 64), true)
		if err == nil && !event && (out == OutcomeValue || out == OutcomeNull || (out == OutcomeJSON && !json.Valid(text))) {
			t.Fatalf("asked for JSON: outcome %d with text %q", out, text)
		}
	})
}

// FuzzParseRequest parses arbitrary request bodies. It must never panic, every
// failure must wrap ErrMalformed, and what it accepts must be consistent: one
// argument per parameter type, at most 255, every string valid UTF-8.
func FuzzParseRequest(f *testing.F) {
	f.Add(byte(Hessian2), []byte("\x052.0.2\x01p\x050.0.0\x01m\x12Ljava/lang/String;\x03abcH\x07timeout\x043000Z"))
	f.Add(byte(FastJSON), []byte("\"2.0.1\"\n\"p\"\nnull\n\"m\"\n\"IZ\"\n1\ntrue\n{\"timeout\":\"5\"}\n"))
	f.Add(byte(Hessian2), []byte("\x052.0.2\x01p\x050.0.0\x01m\x00H\x05group\x01g\x04path\x01p\x01k\x91\x00\x01vZ"))
	f.Add(byte(FastJSON), []byte("\"2.0.1\"\n\"p\"\nnull\n\"m\"\n\"\"\n{\"group\":\"g\",\"traceparent\":\"00-a-b-01\",\"n\":1,\"\":\"e\"}\n"))
	var r Request
	f.Fuzz(func(t *testing.T, s byte, body []byte) {
		h := Header{Flag: FlagRequest | FlagTwoWay | s&0x1f}
		err := ParseRequest(h, body, &r)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if len(r.Args) > 255 || r.Timeout < 0 {
			t.Fatalf("%d args, timeout %d", len(r.Args), r.Timeout)
		}
		if CheckArgs(r.ParameterTypes, r.Args) != nil {
			t.Fatalf("parsed arguments fail CheckArgs: %v", CheckArgs(r.ParameterTypes, r.Args))
		}
		for _, b := range [][]byte{r.Interface, r.Version, r.Method, r.ParameterTypes} {
			if !utf8.Valid(b) {
				t.Fatalf("invalid UTF-8 %q", b)
			}
		}
		// The attachments kept are ones an encoder accepts again.
		if err := CheckAttachments(r.Attachments); err != nil {
			t.Fatalf("parsed attachments fail CheckAttachments: %v", err)
		}
	})
}
