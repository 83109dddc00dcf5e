package http1

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

func TestPutJSONError(t *testing.T) {
	for _, msg := range []string{"", `a "b" \c`, "tab\there\x01", "héllo \xff"} {
		b := make([]byte, JSONErrorSize(404, []byte(msg), Close))
		if n := PutJSONError(b, 404, []byte(msg), Close); n != len(b) {
			t.Fatalf("%q: wrote %d of %d", msg, n, len(b))
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		var got struct{ Error string }
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json" || !resp.Close {
			t.Errorf("%q: %d %q close %v", msg, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Close)
		}
		if err := json.Unmarshal(body, &got); err != nil || got.Error != string(bytes.ToValidUTF8([]byte(msg), []byte("\ufffd"))) {
			t.Errorf("%q: body %q, %v", msg, body, err)
		}
	}
}

func TestJSONResponseHead(t *testing.T) {
	body := []byte(`{"a":1}`)
	b := make([]byte, ResponseSize(200, len(body), KeepAlive|JSON))
	PutResponse(b, 200, body, KeepAlive|JSON)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	if err != nil || resp.Header.Get("Content-Type") != "application/json" || resp.ContentLength != int64(len(body)) {
		t.Fatalf("%v %v", resp, err)
	}
}
