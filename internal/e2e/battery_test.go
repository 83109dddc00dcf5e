package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// batteryReadTimeout is the battery's consumer agent's --read-timeout: short,
// so the cases that stall are closed within the test's time.
const batteryReadTimeout = 2 * time.Second

// hostile is one case of the battery: bytes sent on a connection of its own,
// and what must come back.
type hostile struct {
	name string
	sent string // what is sent, for the report

	raw   string               // written at once, unless drive is set
	h2    bool                 // the answer is HTTP/2's: SETTINGS, then GOAWAY with HTTP_1_1_REQUIRED
	drive func(w *net.TCPConn) // writes the request its own way
	after func(w *net.TCPConn) // runs once raw or drive is written
	want  []answer             // the answers, in order
	end   ending               // what the connection does after them
	check func(t *testing.T, o *outcome)
	wait  time.Duration // read deadline; default 5s
}

// answer is an expected response: its status and, for 200, its body.
type answer struct {
	status int
	body   string
}

// ending is what must follow a case's answers.
type ending int

const (
	closes         ending = iota // the agent closes the connection cleanly (EOF)
	staysOpen                    // a valid call on the same connection is answered 200
	answerOrEOF                  // either the answers come, then EOF, or EOF at once
	closesOrResets               // the agent closes; RST allowed, for it leaves bytes unread (a body, or a slow client's next byte)
)

// outcome is what a case observed.
type outcome struct {
	statuses []int
	closed   bool
	// closedIn is the time from the end of writing to EOF; when the agent
	// closed before the client was done writing, writing is set and
	// closedIn counts from the start instead.
	closedIn time.Duration
	writing  bool
	reset    bool // the close was a RST
	note     string
}

func (o *outcome) String() string {
	var b strings.Builder
	b.WriteString(statusList(o.statuses))
	if o.closed {
		if b.Len() > 0 {
			b.WriteString(", then ")
		}
		b.WriteString("close")
		if o.reset {
			b.WriteString(" (RST)")
		}
		switch {
		case o.closedIn < 500*time.Millisecond:
		case o.writing:
			fmt.Fprintf(&b, " %.1f s after the first byte, the client still writing", o.closedIn.Seconds())
		default:
			fmt.Fprintf(&b, " %.1f s after the last byte", o.closedIn.Seconds())
		}
	}
	if o.note != "" {
		b.WriteString("; " + o.note)
	}
	return b.String()
}

// statusList renders statuses compactly: "200×4, 400".
func statusList(s []int) string {
	var parts []string
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > 1 {
			parts = append(parts, fmt.Sprintf("%d×%d", s[i], j-i))
		} else {
			parts = append(parts, strconv.Itoa(s[i]))
		}
		i = j
	}
	return strings.Join(parts, ", ")
}

func (h *hostile) wantString() string {
	s := make([]int, len(h.want))
	for i, a := range h.want {
		s[i] = a.status
	}
	w := statusList(s)
	if h.h2 {
		w = "HTTP/2 GOAWAY (HTTP_1_1_REQUIRED)"
	}
	switch h.end {
	case closes:
		if w == "" {
			return "close"
		}
		return w + ", close"
	case closesOrResets:
		return w + ", close or RST"
	case staysOpen:
		return w + ", stays open"
	default:
		return "answer or close"
	}
}

// ok is the answer to a valid hash call for p.
func ok(p string) answer { return answer{200, strconv.Itoa(int(javaHash(p)))} }

// postRaw is an HTTP/1.1 POST of body with the given extra header lines.
func postRaw(body string, headers ...string) string {
	var b strings.Builder
	b.WriteString("POST / HTTP/1.1\r\nHost: mesh\r\nContent-Type: application/x-www-form-urlencoded\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	return b.String() + "\r\n" + body
}

// headOnly is a request head with no body and the given lines.
func headOnly(line string, headers ...string) string {
	return line + "\r\n" + strings.Join(append(headers, ""), "\r\n") + "\r\n"
}

// formOf encodes a form from raw (already encoded) fields.
func formOf(iface, method, types string, params ...string) string {
	s := "interface=" + iface + "&method=" + method + "&parameterTypesString=" + types
	for _, p := range params {
		s += "&parameter=" + p
	}
	return s
}

const strType = "Ljava%2Flang%2FString%3B"

// drip writes s[:from] at once, s[from:to] one byte every gap, then the
// rest at once. It stops at the first failed write.
func drip(s string, from, to int, gap time.Duration) func(*net.TCPConn) {
	return func(c *net.TCPConn) {
		if _, err := c.Write([]byte(s[:from])); err != nil {
			return
		}
		for i := from; i < to; i++ {
			time.Sleep(gap)
			if _, err := c.Write([]byte{s[i]}); err != nil {
				return
			}
		}
		c.Write([]byte(s[to:]))
	}
}

// noise is n pseudo-random bytes, the same each run.
func noise(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return string(b)
}

// batteryCases is the battery. Statuses are the README's error table.
func batteryCases() []hostile {
	bad := func(status int) []answer { return []answer{{status: status}} }
	valid := postRaw(hashForm("battery"))
	// A valid body of exactly 1 MiB (--max-body-bytes), and one byte more.
	bigParam := strings.Repeat("m", 1<<20-len(hashForm("")))
	big := hashForm(bigParam)
	pipelined := func(n int, bad int) (string, []answer) {
		var b strings.Builder
		var want []answer
		for i := range n {
			if i == bad {
				b.WriteString("POST / HTTP/1.1\r\nContent-Length: 3\r\nX-Broken\r\n\r\nabc")
				want = append(want, answer{status: 400})
				continue
			}
			p := "pipe" + strconv.Itoa(i)
			b.WriteString(postRaw(hashForm(p)))
			if bad < 0 || i < bad {
				want = append(want, ok(p))
			}
		}
		return b.String(), want
	}
	pipe1000, want1000 := pipelined(1000, -1)
	pipe10, want10 := pipelined(10, 4)
	longHeader := "X-Long: " + strings.Repeat("h", 9<<10)
	manyHeaders := make([]string, 600)
	for i := range manyHeaders {
		manyHeaders[i] = "X-H" + strconv.Itoa(i) + ": 0123456789"
	}
	tooManyParams := formOf(helloService, "hash", strings.Repeat("I", 300), strings.Split(strings.Repeat("1,", 300)[:599], ",")...)
	closeWrite := func(c *net.TCPConn) { c.CloseWrite() }
	slowReq := postRaw(hashForm("slow"))
	dripReq := postRaw(hashForm("drip"), "X-Drip: 0123456789abcdefghijklmnopqrstuvwxyz")
	dripHeadEnd := strings.Index(dripReq, "\r\n\r\n")
	bodyReq := postRaw(hashForm("dripbody"))

	return []hostile{
		// Not HTTP at all.
		{name: "garbage line", sent: "`hello world, this is not HTTP` + blank line", raw: "hello world, this is not HTTP\r\n\r\n", want: bad(400)},
		{name: "binary noise", sent: "512 random bytes + CRLF CRLF", raw: noise(512, 1) + "\r\n\r\n", want: bad(400)},
		{name: "binary noise, no line end", sent: "4 KiB of random bytes without `\\n`, then FIN", raw: strings.ReplaceAll(noise(4096, 2), "\n", " "), after: closeWrite},
		{name: "TLS ClientHello", sent: "a TLS 1.2 ClientHello's first bytes, then FIN", raw: "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + strings.ReplaceAll(noise(160, 3), "\n", " "), after: closeWrite},
		{name: "empty lines only", sent: "200 × CRLF, then FIN", raw: strings.Repeat("\r\n", 200), after: closeWrite},
		{name: "truncated request line", sent: "`POST / HT`, then FIN", raw: "POST / HT", after: closeWrite},
		{name: "truncated headers", sent: "request line and half a header, then FIN", raw: "POST / HTTP/1.1\r\nContent-Le", after: closeWrite},
		{name: "truncated body", sent: "Content-Length 200, 20 bytes of body, then FIN", raw: "POST / HTTP/1.1\r\nContent-Length: 200\r\n\r\ninterface=com.alibab", after: closeWrite},

		// The request line.
		{name: "HTTP/0.9", sent: "`GET /`", raw: "GET /\r\n\r\n", want: bad(400)},
		{name: "HTTP/2 preface", sent: "`PRI * HTTP/2.0` preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", h2: true},
		{name: "HTTP/2.0", sent: "`POST / HTTP/2.0`, valid body", raw: strings.Replace(valid, "HTTP/1.1", "HTTP/2.0", 1), want: bad(505)},
		{name: "HTTP/1.2", sent: "`POST / HTTP/1.2`", raw: strings.Replace(valid, "HTTP/1.1", "HTTP/1.2", 1), want: []answer{ok("battery")}, end: staysOpen},
		{name: "lower-case version", sent: "`POST / http/1.1`", raw: strings.Replace(valid, "HTTP/1.1", "http/1.1", 1), want: bad(400)},
		{name: "extra field in request line", sent: "`POST / HTTP/1.1 x`", raw: strings.Replace(valid, "HTTP/1.1", "HTTP/1.1 x", 1), want: bad(400)},
		{name: "NUL in request target", sent: "`POST /\\0 HTTP/1.1`", raw: strings.Replace(valid, "POST /", "POST /\x00", 1), want: bad(400)},
		{name: "NUL in method", sent: "`PO\\0ST / HTTP/1.1`", raw: strings.Replace(valid, "POST", "PO\x00ST", 1), want: bad(400)},
		{name: "space in target", sent: "`POST /a b HTTP/1.1`", raw: strings.Replace(valid, "POST /", "POST /a b", 1), want: bad(400)},
		{name: "PUT", sent: "`PUT /`, valid body", raw: strings.Replace(valid, "POST", "PUT", 1), want: bad(405)},
		{name: "DELETE", sent: "`DELETE /`", raw: headOnly("DELETE / HTTP/1.1", "Host: mesh"), want: bad(405)},
		{name: "PATCH", sent: "`PATCH /`, valid body", raw: strings.Replace(valid, "POST", "PATCH", 1), want: bad(405)},
		{name: "HEAD", sent: "`HEAD /`", raw: headOnly("HEAD / HTTP/1.1", "Host: mesh"), want: bad(405)},
		{name: "OPTIONS", sent: "`OPTIONS *`", raw: headOnly("OPTIONS * HTTP/1.1", "Host: mesh"), want: bad(405)},
		{name: "CONNECT", sent: "`CONNECT host:443`", raw: headOnly("CONNECT mesh:443 HTTP/1.1", "Host: mesh"), want: bad(405)},
		{name: "lower-case method", sent: "`post /`, valid body", raw: strings.Replace(valid, "POST", "post", 1), want: bad(405)},

		// Headers.
		{name: "header without colon", sent: "`X-Broken` line", raw: headOnly("POST / HTTP/1.1", "X-Broken", "Content-Length: 0"), want: bad(400)},
		{name: "obs-fold", sent: "a header continued on a line starting with a space", raw: headOnly("POST / HTTP/1.1", "X-A: b", " c", "Content-Length: 0"), want: bad(400)},
		{name: "space before colon", sent: "`Content-Length : 5`", raw: headOnly("POST / HTTP/1.1", "Content-Length : 5") + "abcde", want: bad(400)},
		{name: "NUL in header value", sent: "`X-A: a\\0b`", raw: headOnly("POST / HTTP/1.1", "X-A: a\x00b", "Content-Length: 0"), want: bad(400)},
		{name: "oversized header", sent: "one 9 KiB header (limit 8 KiB)", raw: headOnly("POST / HTTP/1.1", longHeader, "Content-Length: 0"), want: bad(431)},
		{name: "many headers", sent: "600 headers, 13 KiB", raw: headOnly("POST / HTTP/1.1", manyHeaders...), want: bad(431)},
		{name: "oversized target", sent: "a 9 KiB GET query", raw: headOnly("GET /?"+strings.Repeat("q", 9<<10)+" HTTP/1.1", "Host: mesh"), want: bad(431)},
		{name: "oversized header, no line end", sent: "9 KiB of header bytes without `\\n`", raw: "POST / HTTP/1.1\r\nX-Long: " + strings.Repeat("h", 9<<10), want: bad(431)},

		// Framing of the body.
		{name: "no Content-Length", sent: "POST with a body and no length", raw: "POST / HTTP/1.1\r\nHost: mesh\r\n\r\n" + hashForm("x"), want: bad(411)},
		{name: "chunked", sent: "`Transfer-Encoding: chunked`", raw: "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", want: bad(411)},
		{name: "chunked and Content-Length", sent: "both headers (smuggling shape)", raw: postRaw(hashForm("x"), "Transfer-Encoding: chunked"), want: bad(411)},
		{name: "oversized body", sent: "Content-Length 2 MiB, headers only", raw: headOnly("POST / HTTP/1.1", "Content-Length: 2097152"), want: bad(413)},
		{name: "oversized body, sent", sent: "Content-Length 2 MiB and the 2 MiB", raw: postRaw(strings.Repeat("b", 2<<20)), want: bad(413), end: closesOrResets},
		{name: "body one byte past the limit", sent: "a valid form of 1 MiB + 1 byte", raw: postRaw(big + "x"), want: bad(413), end: closesOrResets},
		{name: "huge Content-Length", sent: "Content-Length of 30 digits", raw: headOnly("POST / HTTP/1.1", "Content-Length: "+strings.Repeat("9", 30)), want: bad(413)},
		{name: "negative Content-Length", sent: "`Content-Length: -1`", raw: headOnly("POST / HTTP/1.1", "Content-Length: -1"), want: bad(400)},
		{name: "non-numeric Content-Length", sent: "`Content-Length: 0x10`", raw: headOnly("POST / HTTP/1.1", "Content-Length: 0x10") + strings.Repeat("a", 16), want: bad(400)},
		{name: "differing Content-Lengths", sent: "`Content-Length: 5` and `: 6`", raw: headOnly("POST / HTTP/1.1", "Content-Length: 5", "Content-Length: 6") + "abcdef", want: bad(400)},
		{name: "list Content-Length", sent: "`Content-Length: 5, 5`", raw: headOnly("POST / HTTP/1.1", "Content-Length: 5, 5") + "abcde", want: bad(400)},
		{name: "equal Content-Lengths", sent: "the same Content-Length twice, valid body", raw: postRaw(hashForm("twice"), "Content-Length: "+strconv.Itoa(len(hashForm("twice")))), want: []answer{ok("twice")}, end: staysOpen},
		{name: "1 MiB body", sent: "a valid form of exactly 1 MiB (the limit)", raw: postRaw(big), want: []answer{ok(bigParam)}, end: staysOpen},

		// The form: well framed, so the connection stays open.
		{name: "bad percent-encoding", sent: "`parameter=%zz`", raw: postRaw(formOf(helloService, "hash", strType, "%zz")), want: bad(400), end: staysOpen},
		{name: "truncated percent-encoding", sent: "form ending in `%4`", raw: postRaw(hashForm("x") + "%4"), want: bad(400), end: staysOpen},
		{name: "missing interface", sent: "no `interface`", raw: postRaw("method=hash&parameterTypesString=" + strType + "&parameter=x"), want: bad(400), end: staysOpen},
		{name: "missing method", sent: "no `method`", raw: postRaw("interface=" + helloService + "&parameterTypesString=" + strType + "&parameter=x"), want: bad(400), end: staysOpen},
		{name: "missing parameterTypesString", sent: "no `parameterTypesString`", raw: postRaw("interface=" + helloService + "&method=hash&parameter=x"), want: bad(400), end: staysOpen},
		{name: "missing parameter", sent: "no `parameter` for a String", raw: postRaw(formOf(helloService, "hash", strType)), want: bad(400), end: staysOpen},
		{name: "empty body", sent: "`Content-Length: 0`", raw: postRaw(""), want: bad(400), end: staysOpen},
		{name: "JSON body", sent: "a JSON object as the body", raw: postRaw(`{"interface":"`+helloService+`"}`, "Content-Type: application/json"), want: bad(400), end: staysOpen},
		{name: "GET with no fields", sent: "`GET /?a=b`", raw: headOnly("GET /?a=b HTTP/1.1", "Host: mesh"), want: bad(400), end: staysOpen},
		{name: "unknown interface", sent: "`interface=com.example.Nope`", raw: postRaw(formOf("com.example.Nope", "hash", strType, "x")), want: bad(503), end: staysOpen},
		{name: "wrong descriptor", sent: "`Ljava/lang/String` (no `;`)", raw: postRaw(formOf(helloService, "hash", "Ljava%2Flang%2FString", "x")), want: bad(400), end: staysOpen},
		{name: "unsupported type", sent: "`Ljava/util/List;`", raw: postRaw(formOf(helloService, "hash", "Ljava%2Futil%2FList%3B", "x")), want: bad(400), end: staysOpen},
		{name: "int that does not parse", sent: "`I` with `abc`", raw: postRaw(formOf(helloService, "hash", "I", "abc")), want: bad(400), end: staysOpen},
		{name: "int overflow", sent: "`I` with `2147483648`", raw: postRaw(formOf(helloService, "hash", "I", "2147483648")), want: bad(400), end: staysOpen},
		{name: "double that does not parse", sent: "`D` with `1.2.3`", raw: postRaw(formOf(helloService, "hash", "D", "1.2.3")), want: bad(400), end: staysOpen},
		{name: "too many parameters", sent: "300 `I` parameters", raw: postRaw(tooManyParams), want: bad(400), end: staysOpen},

		// Pipelining and closing.
		{name: "10 pipelined, 5th malformed", sent: "10 requests in one write; the 5th has a header without colon", raw: pipe10, want: want10},
		{name: "1,000 pipelined", sent: "1,000 valid requests in one write (200 KiB)", raw: pipe1000, want: want1000, end: staysOpen, wait: 30 * time.Second},
		// A FIN ends the client's input, not the connection: what came
		// before it is answered, then the agent closes.
		{name: "1,000 pipelined, then FIN", sent: "1,000 valid requests, then FIN at once", raw: pipe1000, after: closeWrite, want: want1000, end: closes, wait: 30 * time.Second},
		{name: "half-close", sent: "a valid request, then FIN", raw: valid, after: closeWrite, want: []answer{ok("battery")}, end: closes},
		{name: "Connection: close", sent: "a valid request with `Connection: close`", raw: postRaw(hashForm("bye"), "Connection: close"), want: []answer{ok("bye")}},
		{name: "HTTP/1.0", sent: "a valid HTTP/1.0 request", raw: strings.Replace(postRaw(hashForm("old")), "HTTP/1.1", "HTTP/1.0", 1), want: []answer{ok("old")}},

		// Slow clients; the agent runs with --read-timeout 2s.
		{name: "slowloris, finishing in time", sent: "a valid request, its last 6 bytes one per 200 ms", drive: drip(slowReq, len(slowReq)-6, len(slowReq), 200*time.Millisecond), want: []answer{ok("slow")}, end: staysOpen},
		{name: "slowloris in the headers, 5 s", sent: "a valid request, 25 bytes of its headers one per 200 ms", drive: drip(dripReq, dripHeadEnd-25, dripHeadEnd, 200*time.Millisecond), end: closesOrResets,
			check: func(t *testing.T, o *outcome) {
				if !o.writing || o.closedIn < batteryReadTimeout-300*time.Millisecond || o.closedIn > batteryReadTimeout+1500*time.Millisecond {
					t.Errorf("closed %v after the first byte (client still writing: %v), want about the read timeout %v", o.closedIn, o.writing, batteryReadTimeout)
				}
			}},
		{name: "slowloris in the body, 5 s", sent: "a valid request, the last 25 bytes of its body one per 200 ms", drive: drip(bodyReq, len(bodyReq)-25, len(bodyReq), 200*time.Millisecond), end: closesOrResets,
			check: func(t *testing.T, o *outcome) {
				if !o.writing || o.closedIn < batteryReadTimeout-300*time.Millisecond || o.closedIn > batteryReadTimeout+1500*time.Millisecond {
					t.Errorf("closed %v after the first byte (client still writing: %v), want about the read timeout %v", o.closedIn, o.writing, batteryReadTimeout)
				}
			}},
		{name: "slowloris that stops", sent: "half a request line, then silence", raw: "POST / HTTP/1.1\r\nHost: me", check: closedByReadTimeout},
		{name: "body that stops", sent: "headers and half the body, then silence", raw: postRaw(hashForm("stop"))[:len(postRaw(hashForm("stop")))-20], check: closedByReadTimeout},
		{name: "silent connection", sent: "nothing for 3 s, then a valid request", drive: func(c *net.TCPConn) { time.Sleep(3 * time.Second); c.Write([]byte(valid)) }, want: []answer{ok("battery")}, end: staysOpen},
	}
}

// closedByReadTimeout checks that a stalled case was closed by the read
// timeout: not before it, and not long after.
func closedByReadTimeout(t *testing.T, o *outcome) {
	if !o.closed || o.closedIn < batteryReadTimeout-300*time.Millisecond || o.closedIn > batteryReadTimeout+2*time.Second {
		t.Errorf("closed %v after the last byte, want about the read timeout %v", o.closedIn, batteryReadTimeout)
	}
}

// slowCase reports cases that take seconds; they run concurrently.
func (h *hostile) slow() bool { return h.drive != nil || h.check != nil && h.after == nil }

// run plays the case on a new connection to addr.
func (h *hostile) run(t *testing.T, addr string) *outcome {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := conn.(*net.TCPConn)
	wait := h.wait
	if wait == 0 {
		wait = 5 * time.Second
	}
	// Writes run beside the reads: the agent may answer and close before
	// all is written, and big writes must not wait for us to read.
	wrote := make(chan time.Time, 1)
	started := time.Now()
	go func() {
		if h.drive != nil {
			h.drive(c)
		} else {
			c.Write([]byte(h.raw))
		}
		if h.after != nil {
			h.after(c)
		}
		wrote <- time.Now()
	}()
	c.SetReadDeadline(time.Now().Add(wait + h.dripTime()))
	br := bufio.NewReaderSize(c, 64<<10)
	o := &outcome{}
	if h.h2 {
		h2Refused(t, br)
		o.note = "HTTP/2 GOAWAY HTTP_1_1_REQUIRED"
	}
	for i, w := range h.want {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			if h.end == answerOrEOF && i == len(o.statuses) && isEOF(err) {
				break
			}
			t.Fatalf("answer %d: %v (after %s)", i+1, err, statusList(o.statuses))
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("answer %d body: %v", i+1, err)
		}
		o.statuses = append(o.statuses, resp.StatusCode)
		if resp.StatusCode != w.status {
			t.Fatalf("answer %d: %d %q, want %d", i+1, resp.StatusCode, body, w.status)
		}
		if w.status == 200 {
			if string(body) != w.body {
				t.Fatalf("answer %d: body %q, want %q", i+1, body, w.body)
			}
			continue
		}
		if !strings.HasPrefix(string(body), "error: ") || !strings.HasSuffix(string(body), "\n") {
			t.Fatalf("answer %d: error body %q is not `error: ...\\n`", i+1, body)
		}
		if w.status == 405 && resp.Header.Get("Allow") != "GET, POST" {
			t.Errorf("405 without `Allow: GET, POST`: %q", resp.Header.Get("Allow"))
		}
		// (After the client's FIN the agent cannot know which answer is
		// its last when it writes it.)
		if (h.end == closes || h.end == closesOrResets) && i == len(h.want)-1 && !resp.Close && h.after == nil {
			t.Errorf("last answer %d lacks `Connection: close`", w.status)
		}
	}
	switch h.end {
	case staysOpen:
		p := "after " + h.name
		form := hashForm(p)
		if _, err := c.Write([]byte(postRaw(form))); err != nil {
			t.Fatalf("connection not open after the answers: %v", err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("connection not open after the answers: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := ok(p); resp.StatusCode != 200 || string(body) != want.body {
			t.Fatalf("valid call after the answers: %d %q, want 200 %q", resp.StatusCode, body, want.body)
		}
		o.note = "next call on it 200"
	case closes, answerOrEOF, closesOrResets:
		if h.end == answerOrEOF && len(h.want) == 0 {
			// Whatever comes must be answers to the valid requests, in
			// order, then EOF.
			h.readAnswers(t, br, o)
		}
		b, err := br.ReadByte()
		if err == nil {
			t.Fatalf("connection still open: read %q", b)
		}
		switch {
		case isEOF(err):
		case h.end == closesOrResets && errors.Is(err, syscall.ECONNRESET):
			o.reset = true
		default:
			t.Fatalf("want a clean close, got %v", err)
		}
		o.closed = true
		select {
		case end := <-wrote:
			o.closedIn = time.Since(end)
		default:
			o.closedIn, o.writing = time.Since(started), true
		}
	}
	if h.check != nil {
		h.check(t, o)
	}
	return o
}

// h2Refused reads the HTTP/2 frames that refuse an HTTP/2 client: the
// server's SETTINGS, then a GOAWAY whose error is HTTP_1_1_REQUIRED (RFC
// 9113 7).
func h2Refused(t *testing.T, br *bufio.Reader) {
	t.Helper()
	frame := func() (typ byte, payload []byte) {
		var head [9]byte
		if _, err := io.ReadFull(br, head[:]); err != nil {
			t.Fatalf("HTTP/2 frame header: %v", err)
		}
		payload = make([]byte, int(head[0])<<16|int(head[1])<<8|int(head[2]))
		if _, err := io.ReadFull(br, payload); err != nil {
			t.Fatalf("HTTP/2 frame payload: %v", err)
		}
		return head[3], payload
	}
	if typ, _ := frame(); typ != 0x4 {
		t.Fatalf("first frame of type %d, want SETTINGS (4)", typ)
	}
	typ, p := frame()
	if typ != 0x7 || len(p) < 8 || p[7] != 0xd || p[4]|p[5]|p[6] != 0 {
		t.Fatalf("frame of type %d, payload % x; want GOAWAY (7) with HTTP_1_1_REQUIRED (0xd)", typ, p)
	}
}

// readAnswers reads the 200 answers a raw run of hash calls gets, until the
// connection ends, checking each against its request in order.
func (h *hostile) readAnswers(t *testing.T, br *bufio.Reader, o *outcome) {
	for i := 0; ; i++ {
		if _, err := br.Peek(1); err != nil {
			return
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		o.statuses = append(o.statuses, resp.StatusCode)
		if want := ok("pipe" + strconv.Itoa(i)); resp.StatusCode != 200 || string(body) != want.body {
			t.Fatalf("answer %d: %d %q, want 200 %q", i+1, resp.StatusCode, body, want.body)
		}
	}
}

// dripTime bounds how long drive takes, to extend the read deadline.
func (h *hostile) dripTime() time.Duration {
	if h.drive != nil {
		return 8 * time.Second
	}
	return 0
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// TestBattery sends the hostile requests of issue 5 to a consumer agent, each
// on its own connection, while valid load runs on 16 others; every case gets
// its status or a clean close, the load sees no error, and the agent stays
// healthy. Run with -v for the observed outcomes as a Markdown table.
func TestBattery(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newCluster(t, "hessian2", 10*time.Millisecond, 1, 1)
	// The battery's own consumer agent: a short read timeout.
	addr, admin := freeAddr(t), freeAddr(t)
	start(t, "battery-consumer-agent", "consumer-agent", "--listen", addr, "--admin", admin,
		"--etcd", c.endpoints, "--loops", "2", "--read-timeout", batteryReadTimeout.String())
	waitListening(t, addr)
	mine := *c
	mine.httpAddr, mine.adminAddr = addr, admin
	mine.waitRoutable()

	counters := []string{"400", "405", "41x", "503", "505"}
	before := map[string]float64{}
	for _, s := range counters {
		before[s] = metric(t, admin, "consumer_agent_responses_"+s+"_total")
	}
	timeoutsBefore := metric(t, admin, "consumer_agent_read_timeouts_total")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loadDone := make(chan loadResult, 1)
	go func() { loadDone <- runLoad(ctx, t, addr, 16, 0, param(5)) }()
	time.Sleep(200 * time.Millisecond)

	cases := batteryCases()
	outcomes := make([]*outcome, len(cases))
	var wg sync.WaitGroup
	runCase := func(i int) {
		t.Run(cases[i].name, func(t *testing.T) { outcomes[i] = cases[i].run(t, addr) })
	}
	for i := range cases {
		if cases[i].slow() {
			wg.Add(1)
			go func() { defer wg.Done(); runCase(i) }()
		}
	}
	for i := range cases {
		if !cases[i].slow() {
			runCase(i)
		}
	}
	wg.Wait()

	cancel()
	res := <-loadDone
	if res.failed != 0 || res.wrong != 0 || res.ok == 0 {
		t.Errorf("valid load beside the battery: ok %d, wrong %d, failed %d (%v), first: %s", res.ok, res.wrong, res.failed, res.statuses, res.firstErr)
	}
	t.Logf("valid load beside the battery: %d calls on 16 connections, none failed", res.ok)

	// Every refusal was counted, by status.
	want := map[string]float64{}
	for i := range cases {
		if outcomes[i] == nil {
			continue
		}
		if cases[i].h2 {
			want["505"]++ // counted as the 505 it stands for
		}
		for _, s := range outcomes[i].statuses {
			switch {
			case s == 200:
			case s == 411 || s == 413 || s == 431:
				want["41x"]++
			default:
				want[strconv.Itoa(s)]++
			}
		}
	}
	for _, s := range counters {
		got := metric(t, admin, "consumer_agent_responses_"+s+"_total") - before[s]
		if got != want[s] || got == 0 {
			t.Errorf("consumer_agent_responses_%s_total moved by %v, want %v (> 0)", s, got, want[s])
		}
	}
	if n := metric(t, admin, "consumer_agent_read_timeouts_total") - timeoutsBefore; n == 0 {
		t.Error("consumer_agent_read_timeouts_total did not move")
	}
	// Every connection of the battery and the load is closed and uncounted.
	deadline := time.Now().Add(5 * time.Second)
	for metric(t, admin, "consumer_agent_open_connections") != 0 {
		if time.Now().After(deadline) {
			t.Errorf("consumer_agent_open_connections = %v after every client closed", metric(t, admin, "consumer_agent_open_connections"))
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// And a fresh call works.
	cl := dialClient(t, addr)
	defer cl.close()
	if status, body, err := cl.call(hashForm("after the battery")); err != nil || status != 200 || body != ok("after the battery").body {
		t.Errorf("call after the battery: %d %q %v", status, body, err)
	}

	t.Run("max conns", func(t *testing.T) { testMaxConns(t, c) })

	if testing.Verbose() || os.Getenv("BATTERY_TABLE") != "" {
		var b strings.Builder
		b.WriteString("| case | sent | expected | observed |\n|---|---|---|---|\n")
		for i, h := range cases {
			obs := "failed"
			if outcomes[i] != nil {
				obs = outcomes[i].String()
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", h.name, h.sent, h.wantString(), obs)
		}
		t.Logf("%d cases:\n%s", len(cases), b.String())
	}
}

// testMaxConns runs a consumer agent with --max-conns 8 beside the cluster:
// past 8 open connections each new one is answered 503 and closed at once,
// and counted; the 8 keep working, and a slot freed serves a new one.
func testMaxConns(t *testing.T, c *cluster) {
	const limit, extra = 8, 20
	addr, admin := freeAddr(t), freeAddr(t)
	start(t, "max-conns-consumer-agent", "consumer-agent", "--listen", addr, "--admin", admin,
		"--etcd", c.endpoints, "--loops", "2", "--max-conns", strconv.Itoa(limit))
	waitListening(t, addr)
	mine := *c
	mine.httpAddr, mine.adminAddr = addr, admin
	mine.waitRoutable()

	var open []*client
	defer func() {
		for _, cl := range open {
			cl.close()
		}
	}()
	call := func(cl *client, p string) {
		t.Helper()
		status, body, err := cl.call(hashForm(p))
		if err != nil || status != 200 || body != ok(p).body {
			t.Fatalf("call %q: %d %q %v", p, status, body, err)
		}
	}
	for i := range limit {
		cl := dialClient(t, addr)
		open = append(open, cl)
		call(cl, "held"+strconv.Itoa(i))
	}
	var slowest time.Duration
	for i := range extra {
		cl := dialClient(t, addr)
		begin := time.Now()
		status, body, err := cl.call(hashForm("refused"))
		if err != nil || status != 503 || body != "error: too many connections\n" {
			t.Fatalf("connection %d past --max-conns: %d %q %v", limit+i+1, status, body, err)
		}
		cl.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		// The agent does not read what a refused connection sent, so
		// the kernel may close it with a RST after the 503.
		if n, err := cl.r.Read(make([]byte, 1)); n != 0 || !isEOF(err) && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("refused connection not closed: %d %v", n, err)
		}
		slowest = max(slowest, time.Since(begin))
		cl.close()
	}
	if got := metric(t, admin, "consumer_agent_refused_connections_total"); got != extra {
		t.Errorf("consumer_agent_refused_connections_total = %v, want %d", got, extra)
	}
	for i, cl := range open {
		call(cl, "still"+strconv.Itoa(i))
	}
	open[0].close()
	open = open[1:]
	deadline := time.Now().Add(5 * time.Second)
	for metric(t, admin, "consumer_agent_open_connections") != limit-1 {
		if time.Now().After(deadline) {
			t.Fatalf("consumer_agent_open_connections = %v, want %d", metric(t, admin, "consumer_agent_open_connections"), limit-1)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cl := dialClient(t, addr)
	open = append(open, cl)
	call(cl, "freed")
	t.Logf("%d connections past --max-conns %d: each 503 and closed, slowest in %v", extra, limit, slowest)
}
