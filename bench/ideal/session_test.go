package main

import (
	"bufio"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

const form = "interface=com.alibaba.dubbo.performance.demo.provider.IHelloService&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter="

func post(body string, extra string) string {
	return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n" + extra +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// responses parses every response in out.
func responses(t *testing.T, out []byte) []*http.Response {
	t.Helper()
	r := bufio.NewReader(strings.NewReader(string(out)))
	var all []*http.Response
	for {
		if _, err := r.Peek(1); err == io.EOF {
			return all
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("bad response in %q: %v", out, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(strings.NewReader(string(b)))
		resp.Header.Set("X-Body", string(b))
		all = append(all, resp)
	}
}

func TestSessionAnswersTheRaceCall(t *testing.T) {
	var s session
	in := post(form+"hello", "") +
		post(form+"a%20b+c", "") +
		"GET /?" + form + "xyz HTTP/1.1\r\nHost: x\r\n\r\n" +
		post(form+"last", "Connection: close\r\n") +
		post(form+"ignored", "")
	n, closeAfter := s.process([]byte(in))
	eq(t, "close", closeAfter, true)
	if n >= len(in) {
		t.Fatalf("consumed %d of %d: past the closing request", n, len(in))
	}
	rs := responses(t, s.out)
	eq(t, "responses", len(rs), 4)
	for i, p := range []string{"hello", "a b c", "xyz", "last"} {
		eq(t, "status", rs[i].StatusCode, 200)
		eq(t, "body "+p, rs[i].Header.Get("X-Body"), strconv.Itoa(int(javahash.String([]byte(p)))))
	}
	eq(t, "content type", rs[0].Header.Get("Content-Type"), "text/plain; charset=utf-8")
	eq(t, "last closes", rs[3].Close, true)
}

func TestSessionKeepsPartialRequests(t *testing.T) {
	var s session
	full := post(form+"hello", "")
	in := full + full[:20]
	n, closeAfter := s.process([]byte(in))
	eq(t, "consumed", n, len(full))
	eq(t, "close", closeAfter, false)
	eq(t, "responses", len(responses(t, s.out)), 1)
	n, _ = s.process([]byte(full[:20]))
	eq(t, "partial consumed", n, 0)
	eq(t, "no response yet", len(s.out), 0)
}

func TestSessionRefusesOtherCalls(t *testing.T) {
	for _, c := range []struct {
		in     string
		status int
		closes bool
	}{
		{post("interface=other&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=x", ""), 400, false},
		{post(strings.Replace(form, "hash", "echo", 1)+"x", ""), 400, false},
		{post(form+"a&parameter=b", ""), 400, false},
		{post(form+"%zz", ""), 400, false},
		{post("method=hash", ""), 400, false},
		{"PUT / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, true},
		{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411, true},
		{"garbage\r\n\r\n", 400, true},
	} {
		var s session
		_, closeAfter := s.process([]byte(c.in))
		rs := responses(t, s.out)
		eq(t, c.in+" responses", len(rs), 1)
		eq(t, c.in+" status", rs[0].StatusCode, c.status)
		eq(t, c.in+" closes", closeAfter, c.closes)
		if !strings.HasPrefix(rs[0].Header.Get("X-Body"), "error: ") {
			t.Errorf("%q: body %q", c.in, rs[0].Header.Get("X-Body"))
		}
	}
}

func TestSessionAllocatesNothing(t *testing.T) {
	var s session
	in := []byte(post(form+"abcdefghijklmnopqrstuvwxyz0123456789", "") + post(form+"x%2By", ""))
	s.process(in)
	if n := testing.AllocsPerRun(1000, func() { s.process(in) }); n != 0 {
		t.Fatalf("process allocates %v times", n)
	}
}

func BenchmarkSessionProcess(b *testing.B) {
	var s session
	p := load.NewParams(1).Append(nil)
	in := load.AppendRequest(nil, "127.0.0.1:20100", p)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if n, _ := s.process(in); n != len(in) {
			b.Fatal("incomplete")
		}
	}
}
