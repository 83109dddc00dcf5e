package http1

import "bytes"

// Request is one parsed HTTP/1.x request. Parse fills it; its slices alias
// the buffer given to Parse and stay valid only while the caller keeps that
// buffer (for netpoll: until Reader.Skip or Release). Copy what must outlive
// it. A Request is not safe for concurrent use; reuse one per connection.
type Request struct {
	Method      []byte // "GET" or "POST"
	URI         []byte // request-target as sent
	Path        []byte // URI up to '?'; scheme and authority stay for absolute-form targets
	Query       []byte // URI after the first '?', without it; empty if none
	ContentType []byte // first Content-Type value, trimmed; nil if absent
	Body        []byte // ContentLength bytes after the headers; capacity limited to its length

	// ContentLength is the announced body length, 0 if absent. A GET's body
	// is consumed too, but the agent reads a GET's fields from Query.
	ContentLength int
	// HeaderLen counts the request line, the headers and the blank line
	// (and any empty lines before the request line). It is set as soon as
	// the headers are complete, also when Parse returns ErrIncomplete
	// because only the body is missing.
	HeaderLen int

	// Close reports that the connection closes after the response:
	// HTTP/1.1 with "Connection: close", or HTTP/1.0 without
	// "Connection: keep-alive".
	Close bool
	// HTTP10 reports an HTTP/1.0 request; answer with mode KeepAlive10
	// unless Close is set.
	HTTP10 bool
	// Expect100 reports "Expect: 100-continue" on an HTTP/1.1 request.
	// When Parse returns ErrIncomplete with HeaderLen > 0 and Expect100
	// set, the client may wait for Continue before sending the body.
	Expect100 bool

	// Attachments are the headers the agent passes to the provider as
	// attachments, in the order sent: "traceparent" and "tracestate" (W3C
	// trace context) under those keys, and each "Dubbo-Attachment-<Name>:
	// value" under the key <Name> in small letters (Parse lowers it in b,
	// in place: header names are case-insensitive). Values are trimmed. At most
	// MaxAttachmentHeaders, each value at most MaxAttachmentValueBytes;
	// past either Parse refuses the request. Keys and values alias the
	// buffer, but for the two trace keys, which are read-only package
	// data. The slice is reused from one Parse to the next.
	Attachments []Attachment
}

// Attachment is one key and value a call carries to the provider beside its
// arguments. It is an alias of an unnamed struct type, the one the agent
// protocol (protocol.Attachment) and the Dubbo codec (dubbo.Attachment)
// declare too, so that the attachments Parse captures pass through both
// codecs as one slice, without a copy.
type Attachment = struct {
	Key, Value []byte
}

// Bounds on the attachment headers of one request (Request.Attachments).
const (
	MaxAttachmentHeaders    = 32
	MaxAttachmentValueBytes = 2048
)

// attachmentPrefix starts the name of a header passed as an attachment
// named by the rest.
const attachmentPrefix = "dubbo-attachment-"

// The keys of the W3C trace context headers' attachments. Read-only.
var (
	keyTraceparent = []byte("traceparent")
	keyTracestate  = []byte("tracestate")
)

// Parse parses one request from the front of b into req, overwriting all of
// req, and returns the bytes it took: headers plus body. b may hold more
// (pipelined requests); the caller skips n bytes and calls Parse again.
//
// If b does not yet hold the whole request Parse returns 0, ErrIncomplete;
// the caller calls again with b extended by the bytes read since. If only the
// body is missing, req's header fields, HeaderLen and Expect100 included, are
// already set. Line ends may be CRLF or a bare LF.
//
// Any other error is an *Error carrying the status to answer with, and n is
// 0. Malformed lines are reported as soon as they are complete; length and
// size errors (411, 413) as soon as the headers are. lim may be nil for
// DefaultLimits. Parse does not allocate and is safe for concurrent use on
// different Requests and buffers. It writes to b in one way only: the names
// of Dubbo-Attachment headers are lowered in place (see
// Request.Attachments), which parsing the same bytes again repeats.
func Parse(b []byte, req *Request, lim *Limits) (n int, err error) {
	clear(req.Attachments) // drop references into old buffers
	*req = Request{Attachments: req.Attachments[:0]}
	maxHeader := lim.header()
	// Every header line must be found within hb, so a header section
	// longer than maxHeader is refused without scanning past it.
	hb := b
	if len(hb) > maxHeader {
		hb = hb[:maxHeader]
	}
	incomplete := ErrIncomplete
	if len(b) > maxHeader {
		incomplete = ErrHeaderTooLarge
	}

	// Servers should ignore empty lines before the request line
	// (RFC 9112, section 2.2); some clients send CRLF after a body.
	pos := 0
	var line []byte
	for {
		i := bytes.IndexByte(hb[pos:], '\n')
		if i < 0 {
			return 0, incomplete
		}
		line = hb[pos : pos+i]
		pos += i + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) > 0 {
			break
		}
	}
	if err := parseRequestLine(line, req); err != nil {
		return 0, err
	}

	var h headers
	for {
		i := bytes.IndexByte(hb[pos:], '\n')
		if i < 0 {
			return 0, incomplete
		}
		line = hb[pos : pos+i]
		pos += i + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			break
		}
		if err := h.parse(line, req); err != nil {
			return 0, err
		}
	}

	req.HeaderLen = pos
	if req.HTTP10 {
		req.Close = h.close || !h.keepAlive
	} else {
		req.Close = h.close
		req.Expect100 = h.expect // RFC 9110, 10.1.1: ignore it from HTTP/1.0
	}
	if h.chunked {
		return 0, ErrLengthRequired
	}
	if !h.hasLength && string(req.Method) == "POST" {
		return 0, ErrLengthRequired
	}
	if h.length > lim.body() {
		return 0, ErrBodyTooLarge
	}
	req.ContentLength = h.length
	if len(b)-pos < h.length {
		return 0, ErrIncomplete
	}
	n = pos + h.length
	req.Body = b[pos:n:n]
	return n, nil
}

// parseRequestLine parses `method SP request-target SP HTTP-version` (line
// end removed) into req.
func parseRequestLine(line []byte, req *Request) error {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 || !isToken(line[:sp]) {
		return ErrBadRequestLine
	}
	method := line[:sp]
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return ErrBadRequestLine
	}
	uri, version := rest[:sp], rest[sp+1:]
	for _, c := range uri {
		if c <= ' ' || c == 0x7f {
			return ErrBadRequestLine
		}
	}
	switch string(version) {
	case "HTTP/1.1":
	case "HTTP/1.0":
		req.HTTP10 = true
	case "HTTP/1.2", "HTTP/1.3", "HTTP/1.4", "HTTP/1.5", "HTTP/1.6", "HTTP/1.7", "HTTP/1.8", "HTTP/1.9":
		// A later minor version is served as the highest this parser
		// knows (RFC 9110, 2.5).
	default:
		if isVersion(version) {
			return ErrVersion
		}
		return ErrBadRequestLine
	}
	if string(method) != "POST" && string(method) != "GET" {
		return ErrMethodNotAllowed
	}
	req.Method = method
	req.URI = uri
	req.Path = uri
	req.Query = uri[len(uri):]
	if q := bytes.IndexByte(uri, '?'); q >= 0 {
		req.Path, req.Query = uri[:q], uri[q+1:]
	}
	return nil
}

// isVersion reports whether v looks like an HTTP version, "HTTP/" followed by
// digits and dots, so it deserves 505 rather than 400.
func isVersion(v []byte) bool {
	if len(v) < 6 || string(v[:5]) != "HTTP/" || v[5] < '0' || v[5] > '9' {
		return false
	}
	for _, c := range v[6:] {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

// headers collects what Parse needs from the header lines.
type headers struct {
	length    int  // Content-Length, saturated at maxLength
	hasLength bool // a Content-Length was seen
	chunked   bool // a Transfer-Encoding was seen, whatever its value
	close     bool // Connection: close
	keepAlive bool // Connection: keep-alive
	expect    bool // Expect: 100-continue
}

// maxLength saturates Content-Length parsing: far above any MaxBodyBytes,
// far below overflow.
const maxLength = 1 << 50

// parse handles one header line (line end removed). Only Content-Type and
// the attachment headers go straight to req.
func (h *headers) parse(line []byte, req *Request) error {
	// A leading space or tab is obs-fold, deprecated by RFC 9112 and
	// refused here; so is whitespace before the colon (not a token char).
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || !isToken(line[:colon]) {
		return ErrBadHeader
	}
	name := line[:colon]
	value := trimOWS(line[colon+1:])
	for _, c := range value {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return ErrBadHeader
		}
	}
	switch len(name) {
	case len("content-length"):
		if !equalFold(name, "content-length") {
			return nil
		}
		v, ok := parseLength(value)
		if !ok || (h.hasLength && v != h.length) {
			return ErrBadHeader
		}
		h.length, h.hasLength = v, true
	case len("transfer-encoding"):
		if equalFold(name, "transfer-encoding") {
			h.chunked = true
		}
	case len("connection"): // and len("tracestate")
		switch {
		case equalFold(name, "connection"):
			h.connection(value)
		case equalFold(name, "tracestate"):
			return req.attach(keyTracestate, value)
		}
	case len("traceparent"):
		if equalFold(name, "traceparent") {
			return req.attach(keyTraceparent, value)
		}
	case len("content-type"):
		if equalFold(name, "content-type") && req.ContentType == nil {
			req.ContentType = value
		}
	case len("expect"):
		if equalFold(name, "expect") && equalFold(value, "100-continue") {
			h.expect = true
		}
	}
	if len(name) >= len(attachmentPrefix) && equalFold(name[:len(attachmentPrefix)], attachmentPrefix) {
		if len(name) == len(attachmentPrefix) {
			return ErrBadHeader // no attachment name
		}
		key := name[len(attachmentPrefix):]
		lower(key)
		return req.attach(key, value)
	}
	return nil
}

// lower turns the ASCII capitals of b into small letters, in place. HTTP
// header names are case-insensitive, and clients, proxies and HTTP/2 change
// their case (Go's net/http sends Dubbo-Attachment-Group), so an attachment
// header's name reaches the provider in one form: small letters.
func lower(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// attach records an attachment header, within the bounds.
func (req *Request) attach(key, value []byte) error {
	switch {
	case len(req.Attachments) == MaxAttachmentHeaders:
		return ErrTooManyAttachmentHeaders
	case len(value) > MaxAttachmentValueBytes:
		return ErrAttachmentHeaderTooLarge
	}
	req.Attachments = append(req.Attachments, Attachment{Key: key, Value: value})
	return nil
}

// parseLength parses a Content-Length value: one or more digits, nothing
// else. Values past maxLength saturate.
func parseLength(v []byte) (int, bool) {
	if len(v) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > maxLength {
			n = maxLength
		}
	}
	return n, true
}

// connection notes the comma-separated options of a Connection header:
// "close" and "keep-alive"; others are ignored.
func (h *headers) connection(v []byte) {
	for len(v) > 0 {
		tok := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		tok = trimOWS(tok)
		switch {
		case equalFold(tok, "close"):
			h.close = true
		case equalFold(tok, "keep-alive"):
			h.keepAlive = true
		}
	}
}

// trimOWS removes leading and trailing spaces and tabs.
func trimOWS(v []byte) []byte {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// equalFold reports whether b equals lower, a lower-case string of letters,
// digits and '-', ignoring ASCII case. Setting bit 0x20 maps only upper-case
// letters and control characters onto that set, and Parse has refused
// control characters (other than tab) before comparing.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range len(b) {
		if b[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// isToken reports whether b is a non-empty RFC 9110 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenChars[c] {
			return false
		}
	}
	return true
}

// tokenChars marks the tchar set of RFC 9110, section 5.6.2.
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
