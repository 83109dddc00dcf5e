package load

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"testing"
)

func TestAppendRequestParsesAsTheRaceForm(t *testing.T) {
	for _, param := range []string{"", "abc123", "a b&c=d%e+f/é", "~-._"} {
		raw := AppendRequest(nil, "127.0.0.1:20000", []byte(param))
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		noErr(t, err)
		eq(t, "method", req.Method, "POST")
		eq(t, "host", req.Host, "127.0.0.1:20000")
		eq(t, "content type", req.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
		body, err := io.ReadAll(req.Body)
		noErr(t, err)
		eq(t, "content length", req.ContentLength, int64(len(body)))
		form, err := url.ParseQuery(string(body))
		noErr(t, err)
		eq(t, "interface", form.Get("interface"), Service)
		eq(t, "method", form.Get("method"), "hash")
		eq(t, "parameterTypesString", form.Get("parameterTypesString"), "Ljava/lang/String;")
		eq(t, "parameter", form.Get("parameter"), param)
	}
}

func BenchmarkAppendRequest(b *testing.B) {
	param := NewParams(1).Append(nil)
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendRequest(buf[:0], "127.0.0.1:20000", param)
	}
}
