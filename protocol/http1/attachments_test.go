package http1

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// viewAttachments renders req.Attachments as "k=v" entries joined by "&".
func viewAttachments(req *Request) string {
	var b strings.Builder
	for i, a := range req.Attachments {
		if i > 0 {
			b.WriteByte('&')
		}
		fmt.Fprintf(&b, "%s=%s", a.Key, a.Value)
	}
	return b.String()
}

// tracedRequest is the race's request with a W3C trace context and two
// Dubbo-Attachment headers.
func tracedRequest() string {
	body := raceBody(10)
	return crlf("POST / HTTP/1.1|Host: x|TraceParent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01|"+
		"tracestate:congo=t61rcWkgMzE  |dubbo-attachment-Tenant: acme|Content-Length: ") +
		fmt.Sprint(len(body)) + crlf("|DUBBO-ATTACHMENT-x-Region:\teu west||") + body
}

func TestParseAttachments(t *testing.T) {
	var req Request
	b := []byte(tracedRequest())
	n, err := Parse(b, &req, nil)
	if err != nil || n != len(b) {
		t.Fatalf("Parse = %d, %v", n, err)
	}
	equal(t, "attachments", viewAttachments(&req),
		"traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01&tracestate=congo=t61rcWkgMzE&tenant=acme&x-region=eu west")
	for _, a := range req.Attachments[2:] {
		if !inside(a.Key, b) || !inside(a.Value, b) {
			t.Fatalf("attachment %q=%q does not alias the buffer", a.Key, a.Value)
		}
	}

	// The next request starts afresh, in the same slice.
	backing := &req.Attachments[:1][0]
	for _, tc := range []struct{ in, want string }{
		{raceRequest(3), ""},
		{crlf("GET /?a HTTP/1.1|Dubbo-Attachment-k:|Traceparent: 1||"), "k=&traceparent=1"},
		{crlf("GET / HTTP/1.1|Dubbo-Attachment-k: 1|Dubbo-Attachment-k: 2||"), "k=1&k=2"},
		{crlf("GET / HTTP/1.1|Dubbo-Attachments: no|X-Dubbo-Attachment-k: no|tracestat: no||"), ""},
		{crlf("GET / HTTP/1.1|Dubbo-Attachment-Group: gray|Dubbo-Attachment-TenantID: A||"), "group=gray&tenantid=A"},
	} {
		if _, err := Parse([]byte(tc.in), &req, nil); err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		equal(t, tc.in, viewAttachments(&req), tc.want)
	}
	equal(t, "same backing array", &req.Attachments[:1][0], backing)
}

func TestParseAttachmentBounds(t *testing.T) {
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("GET / HTTP/1.1\r\n")
		for i := range n {
			fmt.Fprintf(&b, "Dubbo-Attachment-k%d: v\r\n", i)
		}
		return b.String() + "\r\n"
	}
	var req Request
	if _, err := Parse([]byte(many(MaxAttachmentHeaders)), &req, nil); err != nil {
		t.Fatalf("%d attachment headers: %v", MaxAttachmentHeaders, err)
	}
	isErr(t, "one too many", errOf(Parse([]byte(many(MaxAttachmentHeaders+1)), &req, nil)), ErrTooManyAttachmentHeaders)

	value := strings.Repeat("v", MaxAttachmentValueBytes)
	if _, err := Parse([]byte(crlf("GET / HTTP/1.1|tracestate: "+value+"||")), &req, nil); err != nil {
		t.Fatalf("a value of %d bytes: %v", MaxAttachmentValueBytes, err)
	}
	isErr(t, "a value too long", errOf(Parse([]byte(crlf("GET / HTTP/1.1|Dubbo-Attachment-k: "+value+"v||")), &req, nil)), ErrAttachmentHeaderTooLarge)
	isErr(t, "no name", errOf(Parse([]byte(crlf("GET / HTTP/1.1|Dubbo-Attachment-: v||")), &req, nil)), ErrBadHeader)
	for _, e := range []*Error{ErrTooManyAttachmentHeaders, ErrAttachmentHeaderTooLarge} {
		var he *Error
		if !errors.As(e, &he) || he.Status != 400 {
			t.Fatalf("%v: status %d, want 400", e, he.Status)
		}
	}
}

func errOf(_ int, err error) error { return err }

func TestAllocsParseAttachments(t *testing.T) {
	b := []byte(tracedRequest())
	var req Request
	var f Form
	if _, err := Parse(b, &req, nil); err != nil { // grows Attachments
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Parse(b, &req, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.Parse(req.Body); err != nil {
			t.Fatal(err)
		}
	})
	equal(t, "Parse with attachments allocs", allocs, 0.0)
	equal(t, "attachments", len(req.Attachments), 4)
}

func TestFormGroup(t *testing.T) {
	var f Form
	for in, want := range map[string]string{
		raceBody(3):                          "",
		raceBody(3) + "&group=g1":            "g1",
		"group=a%2Fb&group=c&interface=i":    "a/b",
		"group=&group=x":                     "",
		"version=1.0&group=blue+green&x=y":   "blue green",
		"Group=no&groups=no&interface=i&m=n": "",
	} {
		if err := f.Parse([]byte(in)); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		equal(t, in, string(f.Group), want)
	}
	if err := f.ParseQuery([]byte("interface=i&method=m&group=q")); err != nil || string(f.Group) != "q" {
		t.Fatalf("query: group %q, %v", f.Group, err)
	}
	f.Reset()
	equal(t, "group after Reset", f.Group == nil, true)
}
