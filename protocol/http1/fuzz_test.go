package http1

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. It must not panic, must consume
// only what it was given, must report failures as ErrIncomplete or an
// *Error, and a request it accepts must parse the same from exactly its own
// bytes while every shorter prefix is incomplete.
func FuzzParse(f *testing.F) {
	f.Add([]byte(raceRequest(20)))
	f.Add([]byte("GET /?interface=a&method=b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\nExpect: 100-continue\nContent-Length: 3\n\nabcGET / HTTP/1.1\n\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
	f.Add([]byte(tracedRequest()))
	lim := &Limits{MaxHeaderBytes: 512, MaxBodyBytes: 256}
	f.Fuzz(func(t *testing.T, b []byte) {
		var req Request
		n, err := Parse(b, &req, lim)
		if n < 0 || n > len(b) {
			t.Fatalf("n = %d for %d bytes", n, len(b))
		}
		if err != nil {
			var e *Error
			if err != ErrIncomplete && !errors.As(err, &e) {
				t.Fatalf("error %v is neither ErrIncomplete nor *Error", err)
			}
			if n != 0 {
				t.Fatalf("n = %d with error %v", n, err)
			}
			if err == ErrIncomplete && req.HeaderLen > 0 && len(b)-req.HeaderLen >= req.ContentLength {
				t.Fatalf("incomplete although the body is in: %+v", req)
			}
			return
		}
		if m := string(req.Method); m != "GET" && m != "POST" {
			t.Fatalf("accepted method %q", m)
		}
		if n != req.HeaderLen+req.ContentLength || len(req.Body) != req.ContentLength {
			t.Fatalf("n = %d, HeaderLen %d, ContentLength %d, body %d", n, req.HeaderLen, req.ContentLength, len(req.Body))
		}
		if req.HeaderLen > lim.MaxHeaderBytes || req.ContentLength > lim.MaxBodyBytes {
			t.Fatalf("limits exceeded: %+v", req)
		}
		if !inside(req.Body, b[:n]) || !inside(req.URI, b[:req.HeaderLen]) || !inside(req.ContentType, b[:req.HeaderLen]) {
			t.Fatal("a field lies outside its part of b")
		}
		if bytes.Contains(req.URI, []byte(" ")) {
			t.Fatalf("URI %q holds a space", req.URI)
		}
		if len(req.Attachments) > MaxAttachmentHeaders {
			t.Fatalf("%d attachment headers", len(req.Attachments))
		}
		for _, a := range req.Attachments {
			if len(a.Key) == 0 || len(a.Value) > MaxAttachmentValueBytes || !inside(a.Value, b[:req.HeaderLen]) {
				t.Fatalf("attachment %q=%q", a.Key, a.Value)
			}
		}

		var again Request
		if n2, err := Parse(b[:n], &again, lim); err != nil || n2 != n || view(&again) != view(&req) {
			t.Fatalf("own bytes parse differently: n=%d err=%v", n2, err)
		}
		// Every prefix is incomplete; check a few to keep runs fast.
		for _, k := range []int{0, n / 3, n / 2, req.HeaderLen - 1, n - 1} {
			if k < 0 {
				continue
			}
			if m, err := Parse(b[:k], &again, lim); err != ErrIncomplete || m != 0 {
				t.Fatalf("prefix %d of %d: n=%d err=%v", k, n, m, err)
			}
		}
	})
}

// FuzzForm checks Form against url.ParseQuery: where url.ParseQuery accepts
// an input, Form must accept it and agree on every field; where it refuses
// one for bad escaping, Form must refuse it too.
func FuzzForm(f *testing.F) {
	f.Add(raceBody(20))
	f.Add("parameter=%E4%BD%A0+x&parameter=&&interface")
	f.Add("inter%66ace=a%2Fb&method=%zz")
	f.Add("parameter=%4")
	var form Form
	f.Fuzz(func(t *testing.T, body string) {
		compareWithNetURL(t, &form, body)
		err := form.Parse([]byte(body))
		if err != nil && !errors.Is(err, ErrBadForm) {
			t.Fatalf("error %v does not match ErrBadForm", err)
		}
		if _, uerr := url.ParseQuery(body); uerr != nil && err == nil &&
			!strings.Contains(body, ";") && strings.Count(body, "&") < 1000 {
			t.Fatalf("%q: url.ParseQuery refuses it (%v), Form accepts it", body, uerr)
		}
		for _, v := range append([][]byte{form.Interface, form.Method, form.ParameterTypes, form.Version}, form.Params...) {
			if len(v) > len(body) {
				t.Fatalf("value longer than the input: %q", v)
			}
		}
	})
}
