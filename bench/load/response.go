package load

import (
	"bytes"
	"errors"
	"io"
)

// Errors returned by ResponseReader.Read.
var (
	ErrMalformed = errors.New("load: malformed response")
	ErrTooLarge  = errors.New("load: response larger than the read buffer")
	ErrNoLength  = errors.New("load: response without Content-Length")
	ErrChunked   = errors.New("load: chunked or encoded response body")
)

// Response is one parsed HTTP/1.x response. Body and ContentType alias the
// reader's buffer and are valid until the next Read.
type Response struct {
	Status int
	Body   []byte
	// ContentType is the Content-Type header's value, trimmed; nil when
	// the response has none.
	ContentType []byte
	// Close reports "Connection: close", or an HTTP/1.0 response without
	// "Connection: keep-alive": the server closes after this response.
	Close bool
}

// ResponseReader reads HTTP/1.x responses from a connection into one
// fixed-size buffer: the status line, then the headers Content-Length,
// Content-Type, Transfer-Encoding and Connection (others are skipped), then exactly
// Content-Length bytes of body. Bytes past a response stay buffered for the
// next. It is not safe for concurrent use; give each connection its own.
type ResponseReader struct {
	r          io.Reader
	buf        []byte
	start, end int
}

// NewResponseReader returns a reader of r whose buffer holds size bytes: a
// response (headers and body) larger than that fails with ErrTooLarge.
func NewResponseReader(r io.Reader, size int) *ResponseReader {
	return &ResponseReader{r: r, buf: make([]byte, size)}
}

// Reset makes rr read from r, dropping anything buffered.
func (rr *ResponseReader) Reset(r io.Reader) {
	rr.r, rr.start, rr.end = r, 0, 0
}

// Read reads the next response. It returns io.EOF if the connection closed
// cleanly before the response began, io.ErrUnexpectedEOF if it closed in the
// middle, ErrMalformed, ErrTooLarge, ErrNoLength or ErrChunked for responses
// it cannot frame, or the connection's error. After an error the connection
// is of no further use. Read allocates nothing.
func (rr *ResponseReader) Read() (Response, error) {
	var resp Response
	// Headers.
	var hlen int
	for {
		if i := bytes.Index(rr.buf[rr.start:rr.end], crlfcrlf); i >= 0 {
			hlen = i + len(crlfcrlf)
			break
		}
		if err := rr.fill(); err != nil {
			return resp, err
		}
	}
	head := rr.buf[rr.start : rr.start+hlen-len(crlfcrlf)]
	length, err := parseHead(head, &resp)
	if err != nil {
		return resp, err
	}
	total := hlen + length
	if total > len(rr.buf) {
		return resp, ErrTooLarge
	}
	for rr.end-rr.start < total {
		if err := rr.fill(); err != nil {
			return resp, err
		}
	}
	resp.Body = rr.buf[rr.start+hlen : rr.start+total : rr.start+total]
	rr.start += total
	return resp, nil
}

var crlfcrlf = []byte("\r\n\r\n")

// fill reads more bytes, first moving what is buffered to the front.
func (rr *ResponseReader) fill() error {
	if rr.start > 0 {
		rr.end = copy(rr.buf, rr.buf[rr.start:rr.end])
		rr.start = 0
	}
	if rr.end == len(rr.buf) {
		return ErrTooLarge
	}
	n, err := rr.r.Read(rr.buf[rr.end:])
	rr.end += n
	if n > 0 {
		return nil
	}
	if err == io.EOF {
		if rr.end > 0 {
			return io.ErrUnexpectedEOF
		}
		return io.EOF
	}
	if err == nil {
		return io.ErrNoProgress
	}
	return err
}

// parseHead parses the status line and headers (without the final CRLFCRLF)
// into resp and returns the body's length.
func parseHead(head []byte, resp *Response) (int, error) {
	line, rest, _ := bytes.Cut(head, crlf)
	// "HTTP/1.1 200 OK": the reason phrase may be empty or absent.
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' ||
		(len(line) > 12 && line[12] != ' ') {
		return 0, ErrMalformed
	}
	http10 := line[7] == '0'
	if !http10 && line[7] != '1' {
		return 0, ErrMalformed
	}
	status := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, ErrMalformed
		}
		status = status*10 + int(c-'0')
	}
	if status < 100 {
		return 0, ErrMalformed
	}
	resp.Status = status
	length := -1
	keepAlive := false
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, crlf)
		name, value, ok := bytes.Cut(line, colon)
		if !ok || len(name) == 0 {
			return 0, ErrMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case equalFold(name, "content-length"):
			n, ok := parseLength(value)
			if !ok || (length >= 0 && n != length) {
				return 0, ErrMalformed
			}
			length = n
		case equalFold(name, "content-type"):
			resp.ContentType = value
		case equalFold(name, "transfer-encoding"):
			if !equalFold(value, "identity") {
				return 0, ErrChunked
			}
		case equalFold(name, "connection"):
			if containsFold(value, "close") {
				resp.Close = true
			}
			if containsFold(value, "keep-alive") {
				keepAlive = true
			}
		}
	}
	if http10 && !keepAlive {
		resp.Close = true
	}
	if length < 0 {
		// 1xx, 204 and 304 have no body; any other response without a
		// length runs to the connection's end, which a keep-alive client
		// cannot frame.
		if status < 200 || status == 204 || status == 304 {
			return 0, nil
		}
		return 0, ErrNoLength
	}
	return length, nil
}

var (
	crlf  = []byte("\r\n")
	colon = []byte(":")
)

// maxLength bounds Content-Length so that the sum with the header length
// cannot overflow.
const maxLength = 1 << 40

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
			return 0, false
		}
	}
	return n, true
}

// equalFold reports whether b equals lower, an ASCII lower-case string,
// ignoring ASCII case.
func equalFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// containsFold reports whether lower, an ASCII lower-case token, is one of
// the comma-separated tokens of b, ignoring case.
func containsFold(b []byte, lower string) bool {
	for len(b) > 0 {
		var tok []byte
		tok, b, _ = bytes.Cut(b, []byte(","))
		if equalFold(bytes.TrimSpace(tok), lower) {
			return true
		}
	}
	return false
}
