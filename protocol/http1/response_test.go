package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestPutResponseBytes(t *testing.T) {
	tests := []struct {
		status int
		body   string
		mode   ConnMode
		want   string
	}{
		{200, "-1094917604", KeepAlive,
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\n\r\n-1094917604"},
		{200, "", KeepAlive,
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
		{200, "x", Close,
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"},
		{200, "x", KeepAlive10,
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx"},
		{405, "no", Close,
			"HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\nAllow: GET, POST\r\n\r\nno"},
		{504, strings.Repeat("t", 1234), KeepAlive,
			"HTTP/1.1 504 Gateway Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 1234\r\n\r\n" + strings.Repeat("t", 1234)},
		{299, "", KeepAlive,
			"HTTP/1.1 299 \r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
		{42, "", KeepAlive,
			"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n"},
	}
	for _, tt := range tests {
		size := ResponseSize(tt.status, len(tt.body), tt.mode)
		equal(t, "ResponseSize", size, len(tt.want))
		b := bytes.Repeat([]byte{'#'}, size+8)
		n := PutResponse(b, tt.status, []byte(tt.body), tt.mode)
		equal(t, "n", n, size)
		equal(t, "bytes", string(b[:n]), tt.want)
		equal(t, "untouched tail", string(b[n:]), "########")
	}
}

func TestPutErrorBytes(t *testing.T) {
	msg := ErrBadEncoding.Msg
	want := "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 43\r\nConnection: close\r\n\r\nerror: http1: bad percent-encoding in form\n"
	size := ErrorSize(400, msg, Close)
	equal(t, "ErrorSize", size, len(want))
	b := make([]byte, size)
	equal(t, "n", PutError(b, 400, msg, Close), size)
	equal(t, "bytes", string(b), want)
}

// TestPutResponseBodyInPlace lays the body out at its final place in b
// first, then writes the head before it.
func TestPutResponseBodyInPlace(t *testing.T) {
	size := ResponseSize(502, 9, Close)
	b := make([]byte, size)
	body := b[size-9:]
	copy(body, "error: x\n")
	equal(t, "n", PutResponse(b, 502, body, Close), size)
	want := make([]byte, ErrorSize(502, "x", Close))
	PutError(want, 502, "x", Close)
	equal(t, "bytes", string(b), string(want))
}

func TestPutResponseShortBuffer(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("PutResponse into a short buffer did not panic")
		}
	}()
	b := make([]byte, ResponseSize(200, 3, KeepAlive)-1)
	PutResponse(b, 200, []byte("abc"), KeepAlive)
}

// TestResponsesReadByNetHTTP writes a keep-alive sequence of every status the
// agent sends and reads it back with net/http.
func TestResponsesReadByNetHTTP(t *testing.T) {
	statuses := []int{200, 400, 404, 405, 411, 413, 431, 500, 502, 503, 504, 505}
	var stream []byte
	for i, s := range statuses {
		mode := KeepAlive
		if i == len(statuses)-1 {
			mode = Close
		}
		var b []byte
		if s == 200 {
			b = make([]byte, ResponseSize(s, 3, mode))
			PutResponse(b, s, []byte("123"), mode)
		} else {
			b = make([]byte, ErrorSize(s, "boom", mode))
			PutError(b, s, "boom", mode)
		}
		stream = append(stream, b...)
	}
	br := bufio.NewReader(bytes.NewReader(stream))
	for i, s := range statuses {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("status %d: %v", s, err)
		}
		body, err := io.ReadAll(resp.Body)
		equal(t, "read body", err, nil)
		equal(t, "status", resp.StatusCode, s)
		equal(t, "status line", resp.Status, strconv.Itoa(s)+" "+StatusText(s))
		equal(t, "content type", resp.Header.Get("Content-Type"), "text/plain; charset=utf-8")
		equal(t, "content length", resp.ContentLength, int64(len(body)))
		equal(t, "close", resp.Close, i == len(statuses)-1)
		if s == 200 {
			equal(t, "body", string(body), "123")
		} else {
			equal(t, "body", string(body), "error: boom\n")
		}
		if s == 405 {
			equal(t, "Allow", resp.Header.Get("Allow"), "GET, POST")
		} else {
			equal(t, "Allow", resp.Header.Get("Allow"), "")
		}
	}
	_, err := br.ReadByte()
	equal(t, "end of stream", err, io.EOF)
}

func TestContinue(t *testing.T) {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(Continue)), nil)
	equal(t, "err", err, nil)
	equal(t, "status", resp.StatusCode, 100)
}

func TestStatusText(t *testing.T) {
	for _, s := range []int{100, 200, 400, 404, 405, 411, 413, 431, 500, 502, 503, 504, 505} {
		if StatusText(s) == "" {
			t.Errorf("no reason for %d", s)
		}
	}
	equal(t, "unknown", StatusText(299), "")
}
