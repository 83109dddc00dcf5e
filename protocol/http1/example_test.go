package http1_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dubbomesh/dubbomesh/protocol/http1"
)

// Parse takes pipelined requests one at a time from the front of a buffer.
func ExampleParse() {
	buf := []byte("POST /call HTTP/1.1\r\nContent-Length: 11\r\n\r\nmethod=hash" +
		"GET /?method=hash HTTP/1.0\r\n\r\n" +
		"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	var req http1.Request
	for len(buf) > 0 {
		n, err := http1.Parse(buf, &req, &http1.DefaultLimits)
		if err == http1.ErrIncomplete {
			fmt.Printf("incomplete: headers done=%v, send 100 Continue=%v\n", req.HeaderLen > 0, req.Expect100)
			break
		}
		var e *http1.Error
		if errors.As(err, &e) {
			fmt.Println("answer", e.Status, e.Msg)
			break
		}
		fmt.Printf("%s %s query=%q body=%q close=%v\n", req.Method, req.Path, req.Query, req.Body, req.Close)
		buf = buf[n:]
	}
	// Output:
	// POST /call query="" body="method=hash" close=false
	// GET / query="method=hash" body="" close=true
	// incomplete: headers done=true, send 100 Continue=true
}

func ExampleForm_Parse() {
	var f http1.Form // reuse one per connection
	body := []byte("interface=com.example.Hello&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=hello+world")
	if err := f.Parse(body); err != nil {
		fmt.Println(err)
		return
	}
	if err := f.Check(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s.%s(%s) %q\n", f.Interface, f.Method, f.ParameterTypes, f.Params)

	fmt.Println(f.Parse([]byte("method=%zz")))
	fmt.Println(f.Parse([]byte("method=hash")), f.Check())
	// Output:
	// com.example.Hello.hash(Ljava/lang/String;) ["hello world"]
	// http1: bad percent-encoding in form
	// <nil> http1: missing field "interface"
}

func ExamplePutResponse() {
	body := []byte("-1094917604")
	b := make([]byte, http1.ResponseSize(200, len(body), http1.KeepAlive)) // netpoll: w.Malloc(size)
	n := http1.PutResponse(b, 200, body, http1.KeepAlive)
	fmt.Printf("%q\n", b[:n])
	// Output:
	// "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\n\r\n-1094917604"
}

func ExamplePutError() {
	err := error(http1.ErrMethodNotAllowed)
	var e *http1.Error
	if errors.As(err, &e) {
		b := make([]byte, http1.ErrorSize(e.Status, e.Msg, http1.Close))
		n := http1.PutError(b, e.Status, e.Msg, http1.Close)
		fmt.Print(strings.ReplaceAll(string(b[:n]), "\r\n", "\n"))
	}
	// Output:
	// HTTP/1.1 405 Method Not Allowed
	// Content-Type: text/plain; charset=utf-8
	// Content-Length: 51
	// Connection: close
	// Allow: GET, POST
	//
	// error: http1: method not allowed (use GET or POST)
}
