package http1

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// parsed is the part of a Request a test checks, in comparable form.
type parsed struct {
	Method, URI, Path, Query, ContentType, Body string
	ContentLength                               int
	Close, HTTP10, Expect100                    bool
}

func view(r *Request) parsed {
	return parsed{
		Method: string(r.Method), URI: string(r.URI), Path: string(r.Path),
		Query: string(r.Query), ContentType: string(r.ContentType), Body: string(r.Body),
		ContentLength: r.ContentLength,
		Close:         r.Close, HTTP10: r.HTTP10, Expect100: r.Expect100,
	}
}

func TestParseGood(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want parsed
	}{
		{"post", crlf("POST /call HTTP/1.1|Host: x|Content-Type: application/x-www-form-urlencoded|Content-Length: 5||hello"),
			parsed{Method: "POST", URI: "/call", Path: "/call", ContentType: "application/x-www-form-urlencoded", Body: "hello", ContentLength: 5}},
		{"get with query", crlf("GET /?interface=a&method=b HTTP/1.1||"),
			parsed{Method: "GET", URI: "/?interface=a&method=b", Path: "/", Query: "interface=a&method=b"}},
		{"get empty query", crlf("GET /x? HTTP/1.1||"),
			parsed{Method: "GET", URI: "/x?", Path: "/x"}},
		{"get with body is consumed", crlf("GET / HTTP/1.1|Content-Length: 3||abc"),
			parsed{Method: "GET", URI: "/", Path: "/", Body: "abc", ContentLength: 3}},
		{"post empty body", crlf("POST / HTTP/1.1|Content-Length: 0||"),
			parsed{Method: "POST", URI: "/", Path: "/", ContentLength: 0}},
		{"bare LF", "POST / HTTP/1.1\nContent-Length: 2\n\nhi",
			parsed{Method: "POST", URI: "/", Path: "/", Body: "hi", ContentLength: 2}},
		{"mixed line ends", "POST / HTTP/1.1\r\nContent-Length: 2\n\r\nhi",
			parsed{Method: "POST", URI: "/", Path: "/", Body: "hi", ContentLength: 2}},
		{"leading empty lines", crlf("||\nGET / HTTP/1.1||"),
			parsed{Method: "GET", URI: "/", Path: "/"}},
		{"header case and whitespace", crlf("POST / HTTP/1.1|cOnTeNt-LeNgTh:\t 2 \t|CONTENT-TYPE:text/plain||ok"),
			parsed{Method: "POST", URI: "/", Path: "/", ContentType: "text/plain", Body: "ok", ContentLength: 2}},
		{"first content-type kept", crlf("GET / HTTP/1.1|Content-Type: a|Content-Type: b||"),
			parsed{Method: "GET", URI: "/", Path: "/", ContentType: "a"}},
		{"duplicate equal content-length", crlf("POST / HTTP/1.1|Content-Length: 1|Content-Length: 01||x"),
			parsed{Method: "POST", URI: "/", Path: "/", Body: "x", ContentLength: 1}},
		{"connection close", crlf("GET / HTTP/1.1|Connection: close||"),
			parsed{Method: "GET", URI: "/", Path: "/", Close: true}},
		{"connection close among tokens", crlf("GET / HTTP/1.1|Connection: Upgrade , CLOSE||"),
			parsed{Method: "GET", URI: "/", Path: "/", Close: true}},
		{"connection keep-alive and close", crlf("GET / HTTP/1.1|Connection: keep-alive|Connection: close||"),
			parsed{Method: "GET", URI: "/", Path: "/", Close: true}},
		{"http/1.2 as 1.1", crlf("GET / HTTP/1.2||"),
			parsed{Method: "GET", URI: "/", Path: "/"}},
		{"http/1.0 closes", crlf("GET / HTTP/1.0||"),
			parsed{Method: "GET", URI: "/", Path: "/", Close: true, HTTP10: true}},
		{"http/1.0 keep-alive", crlf("GET / HTTP/1.0|Connection: Keep-Alive||"),
			parsed{Method: "GET", URI: "/", Path: "/", HTTP10: true}},
		{"http/1.0 keep-alive then close", crlf("GET / HTTP/1.0|Connection: keep-alive, close||"),
			parsed{Method: "GET", URI: "/", Path: "/", Close: true, HTTP10: true}},
		{"expect 100-continue", crlf("POST / HTTP/1.1|Expect: 100-Continue|Content-Length: 1||x"),
			parsed{Method: "POST", URI: "/", Path: "/", Body: "x", ContentLength: 1, Expect100: true}},
		{"expect ignored from http/1.0", crlf("POST / HTTP/1.0|Expect: 100-continue|Content-Length: 1||x"),
			parsed{Method: "POST", URI: "/", Path: "/", Body: "x", ContentLength: 1, Close: true, HTTP10: true}},
		{"other expectation ignored", crlf("GET / HTTP/1.1|Expect: something||"),
			parsed{Method: "GET", URI: "/", Path: "/"}},
		{"absolute-form target", crlf("GET http://h:1/p?q=1 HTTP/1.1||"),
			parsed{Method: "GET", URI: "http://h:1/p?q=1", Path: "http://h:1/p", Query: "q=1"}},
		{"empty header value and obs-text", crlf("GET / HTTP/1.1|X-Empty:|X-Utf8: \xe4\xbd\xa0||"),
			parsed{Method: "GET", URI: "/", Path: "/"}},
		{"colon in value", crlf("GET / HTTP/1.1|Host: a:1||"),
			parsed{Method: "GET", URI: "/", Path: "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req Request
			b := []byte(tt.in)
			n, err := Parse(b, &req, nil)
			equal(t, "err", err, nil)
			equal(t, "n", n, len(b))
			equal(t, "request", view(&req), tt.want)
			equal(t, "HeaderLen", req.HeaderLen, len(b)-req.ContentLength)
		})
	}
}

func TestParseBad(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"no target", crlf("GET HTTP/1.1||"), ErrBadRequestLine},
		{"double space", crlf("GET  / HTTP/1.1||"), ErrBadRequestLine},
		{"double space before version", crlf("GET /  HTTP/1.1||"), ErrBadRequestLine},
		{"leading space", crlf(" GET / HTTP/1.1||"), ErrBadRequestLine},
		{"trailing space", crlf("GET / HTTP/1.1 ||"), ErrBadRequestLine},
		{"tab separator", crlf("GET\t/ HTTP/1.1||"), ErrBadRequestLine},
		{"http/0.9", crlf("GET /||"), ErrBadRequestLine},
		{"lower-case version", crlf("GET / http/1.1||"), ErrBadRequestLine},
		{"garbage version", crlf("GET / HTTP/1.x||"), ErrBadRequestLine},
		{"control in target", crlf("GET /\x01 HTTP/1.1||"), ErrBadRequestLine},
		{"CR in request line", "GET /\r HTTP/1.1\r\n\r\n", ErrBadRequestLine},
		{"non-token method", crlf("G(T / HTTP/1.1||"), ErrBadRequestLine},
		{"binary", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n", ErrBadRequestLine},
		{"http/2.0", crlf("GET / HTTP/2.0||"), ErrVersion},
		{"h2 preface", crlf("PRI * HTTP/2.0||SM||"), ErrVersion},
		{"http/1.10", crlf("GET / HTTP/1.10||"), ErrVersion},
		{"head", crlf("HEAD / HTTP/1.1||"), ErrMethodNotAllowed},
		{"put", crlf("PUT / HTTP/1.1|Content-Length: 1||x"), ErrMethodNotAllowed},
		{"lower-case post", crlf("post / HTTP/1.1||"), ErrMethodNotAllowed},
		{"obs-fold", crlf("GET / HTTP/1.1|X: a| b||"), ErrBadHeader},
		{"obs-fold tab", crlf("GET / HTTP/1.1|X: a|\tb||"), ErrBadHeader},
		{"missing colon", crlf("GET / HTTP/1.1|Host||"), ErrBadHeader},
		{"empty name", crlf("GET / HTTP/1.1|: x||"), ErrBadHeader},
		{"space before colon", crlf("GET / HTTP/1.1|Host : x||"), ErrBadHeader},
		{"control in value", crlf("GET / HTTP/1.1|X: a\x00b||"), ErrBadHeader},
		{"DEL in value", crlf("GET / HTTP/1.1|X: a\x7fb||"), ErrBadHeader},
		{"CR in value", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", ErrBadHeader},
		{"content-length sign", crlf("POST / HTTP/1.1|Content-Length: +1||x"), ErrBadHeader},
		{"content-length empty", crlf("POST / HTTP/1.1|Content-Length: ||"), ErrBadHeader},
		{"content-length list", crlf("POST / HTTP/1.1|Content-Length: 1, 1||x"), ErrBadHeader},
		{"content-length hex", crlf("POST / HTTP/1.1|Content-Length: 0x1||x"), ErrBadHeader},
		{"content-length differs", crlf("POST / HTTP/1.1|Content-Length: 1|Content-Length: 2||xx"), ErrBadHeader},
		{"post without length", crlf("POST / HTTP/1.1||"), ErrLengthRequired},
		{"chunked", crlf("POST / HTTP/1.1|Transfer-Encoding: chunked||5|hello|0||"), ErrLengthRequired},
		{"chunked and length", crlf("POST / HTTP/1.1|Transfer-Encoding: chunked|Content-Length: 5||hello"), ErrLengthRequired},
		{"transfer-encoding on get", crlf("GET / HTTP/1.1|Transfer-Encoding: gzip||"), ErrLengthRequired},
		{"body too large", crlf("POST / HTTP/1.1|Content-Length: 1048577||"), ErrBodyTooLarge},
		{"huge length", crlf("POST / HTTP/1.1|Content-Length: 99999999999999999999999999||"), ErrBodyTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req Request
			n, err := Parse([]byte(tt.in), &req, nil)
			isErr(t, "Parse", err, tt.want)
			equal(t, "n", n, 0)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%v is not an *Error", err)
			}
		})
	}
}

func TestParseStatuses(t *testing.T) {
	for _, c := range []struct {
		err    *Error
		status int
	}{
		{ErrBadRequestLine, 400}, {ErrBadHeader, 400}, {ErrMethodNotAllowed, 405},
		{ErrLengthRequired, 411}, {ErrBodyTooLarge, 413}, {ErrHeaderTooLarge, 431},
		{ErrVersion, 505}, {ErrBadForm, 400}, {ErrBadEncoding, 400},
	} {
		equal(t, c.err.Msg, c.err.Status, c.status)
		if !strings.HasPrefix(c.err.Error(), "http1: ") {
			t.Errorf("%q lacks the package prefix", c.err.Error())
		}
	}
	var e *Error
	if errors.As(ErrIncomplete, &e) {
		t.Fatal("ErrIncomplete must not be an *Error")
	}
}

func TestParseLimits(t *testing.T) {
	lim := Limits{MaxHeaderBytes: 64, MaxBodyBytes: 10}
	var req Request

	head := crlf("POST / HTTP/1.1|Content-Length: 10||")
	n, err := Parse([]byte(head+"0123456789"), &req, &lim)
	equal(t, "err at body limit", err, nil)
	equal(t, "n", n, len(head)+10)

	// Refused as soon as the headers are complete, body not yet sent.
	_, err = Parse([]byte(crlf("POST / HTTP/1.1|Content-Length: 11||")), &req, &lim)
	isErr(t, "body over limit", err, ErrBodyTooLarge)

	// A header section of exactly MaxHeaderBytes passes.
	pad := crlf("GET / HTTP/1.1|X: ||")
	exact := crlf("GET / HTTP/1.1|X: " + strings.Repeat("a", 64-len(pad)) + "||")
	equal(t, "exact len", len(exact), 64)
	n, err = Parse([]byte(exact+"GET"), &req, &lim)
	equal(t, "err at header limit", err, nil)
	equal(t, "n", n, 64)

	over := crlf("GET / HTTP/1.1|X: " + strings.Repeat("a", 65-len(pad)) + "||")
	_, err = Parse([]byte(over), &req, &lim)
	isErr(t, "header one over", err, ErrHeaderTooLarge)

	// Unterminated: incomplete up to the limit, too large past it.
	partial := []byte("GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 100))
	_, err = Parse(partial[:64], &req, &lim)
	equal(t, "unterminated at limit", err, ErrIncomplete)
	_, err = Parse(partial[:65], &req, &lim)
	isErr(t, "unterminated past limit", err, ErrHeaderTooLarge)

	// An endless request line, and endless empty lines, hit the limit too.
	_, err = Parse(bytes.Repeat([]byte("A"), 65), &req, &lim)
	isErr(t, "long request line", err, ErrHeaderTooLarge)
	_, err = Parse(bytes.Repeat([]byte("\r\n"), 40), &req, &lim)
	isErr(t, "empty lines", err, ErrHeaderTooLarge)

	// Zero limits are the defaults.
	big := crlf("POST / HTTP/1.1|Content-Length: 1048576||")
	_, err = Parse([]byte(big), &req, &Limits{})
	equal(t, "default body limit", err, ErrIncomplete)
	_, err = Parse([]byte(crlf("POST / HTTP/1.1|Content-Length: 1048577||")), &req, &Limits{})
	isErr(t, "default body limit + 1", err, ErrBodyTooLarge)
	_, err = Parse([]byte("GET / HTTP/1.1\r\nX: "+strings.Repeat("a", 8<<10)), &req, &Limits{})
	isErr(t, "default header limit", err, ErrHeaderTooLarge)
}

// TestParseByteByByte feeds each request one byte at a time, as the slowest
// client would: every prefix is incomplete, and the whole parses as it does
// in one piece.
func TestParseByteByByte(t *testing.T) {
	for _, in := range []string{
		raceRequest(300),
		crlf("GET /?a=b HTTP/1.0|Connection: keep-alive||"),
		"POST / HTTP/1.1\nExpect: 100-continue\nContent-Length: 3\n\nabc",
		crlf("||GET / HTTP/1.1||"),
	} {
		b := []byte(in)
		var whole Request
		wn, err := Parse(b, &whole, nil)
		equal(t, "whole err", err, nil)
		for k := 0; k < len(b); k++ {
			var req Request
			n, err := Parse(b[:k], &req, nil)
			if err != ErrIncomplete || n != 0 {
				t.Fatalf("prefix %d of %q: n=%d err=%v, want ErrIncomplete", k, in, n, err)
			}
			if req.HeaderLen != 0 && k < whole.HeaderLen {
				t.Fatalf("prefix %d: HeaderLen %d set before the headers end at %d", k, req.HeaderLen, whole.HeaderLen)
			}
			if k >= whole.HeaderLen {
				equal(t, "HeaderLen once headers are in", req.HeaderLen, whole.HeaderLen)
				equal(t, "Expect100 once headers are in", req.Expect100, whole.Expect100)
				equal(t, "ContentLength once headers are in", req.ContentLength, whole.ContentLength)
			}
		}
		var req Request
		n, err := Parse(b, &req, nil)
		equal(t, "err", err, nil)
		equal(t, "n", n, wn)
		equal(t, "request", view(&req), view(&whole))
	}
}

func TestParseExpect100Pending(t *testing.T) {
	head := crlf("POST /call HTTP/1.1|Expect: 100-continue|Content-Length: 5||")
	var req Request
	n, err := Parse([]byte(head), &req, nil)
	equal(t, "err", err, ErrIncomplete)
	equal(t, "n", n, 0)
	equal(t, "HeaderLen", req.HeaderLen, len(head))
	equal(t, "Expect100", req.Expect100, true)
	equal(t, "ContentLength", req.ContentLength, 5)
	equal(t, "Body", req.Body == nil, true)

	n, err = Parse([]byte(head+"hel"), &req, nil)
	equal(t, "err", err, ErrIncomplete)
	equal(t, "n", n, 0)
	n, err = Parse([]byte(head+"hello"), &req, nil)
	equal(t, "err", err, nil)
	equal(t, "n", n, len(head)+5)
	equal(t, "Body", string(req.Body), "hello")
}

func TestParsePipelined(t *testing.T) {
	reqs := []string{
		raceRequest(10),
		crlf("GET /?interface=x HTTP/1.1||"),
		crlf("POST /a HTTP/1.1|Content-Length: 3||abc"),
		crlf("GET /last HTTP/1.1|Connection: close||"),
	}
	stream := []byte(strings.Join(reqs, "") + "GET /partial HTTP/1.1\r\n")
	var req Request
	var paths []string
	for i := 0; ; i++ {
		n, err := Parse(stream, &req, nil)
		if err == ErrIncomplete {
			break
		}
		equal(t, "err", err, nil)
		equal(t, "n", n, len(reqs[i]))
		paths = append(paths, string(req.Path))
		if i == 2 {
			equal(t, "body", string(req.Body), "abc")
			equal(t, "body cap", cap(req.Body), 3)
		}
		stream = stream[n:]
	}
	equal(t, "paths", strings.Join(paths, " "), "/ / /a /last")
	equal(t, "close on last", req.Close, false) // the partial one was parsed last
	equal(t, "rest", string(stream), "GET /partial HTTP/1.1\r\n")
}

// TestParseOverwrites checks that nothing from an earlier request leaks into
// the next one parsed with the same Request.
func TestParseOverwrites(t *testing.T) {
	var req Request
	_, err := Parse([]byte(crlf("POST /?q HTTP/1.0|Content-Type: a|Expect: 100-continue|Content-Length: 1||x")), &req, nil)
	equal(t, "err", err, nil)
	_, err = Parse([]byte(crlf("GET / HTTP/1.1||")), &req, nil)
	equal(t, "err", err, nil)
	equal(t, "request", view(&req), parsed{Method: "GET", URI: "/", Path: "/"})
}
