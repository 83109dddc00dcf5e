package http1

import "strconv"

// ConnMode says what a response tells the client about the connection.
type ConnMode uint8

const (
	// KeepAlive sends no Connection header: HTTP/1.1 keeps the connection.
	KeepAlive ConnMode = iota
	// Close sends "Connection: close"; the caller closes after writing.
	Close
	// KeepAlive10 sends "Connection: keep-alive", which an HTTP/1.0 client
	// needs to keep the connection.
	KeepAlive10

	// JSON is a flag ORed into any of the modes above: the body is JSON,
	// sent as "Content-Type: application/json", where it is otherwise
	// text/plain.
	JSON ConnMode = 1 << 4
)

// Continue is the interim response to "Expect: 100-continue". Write it as
// is; it is shared and must not be modified.
var Continue = []byte("HTTP/1.1 100 Continue\r\n\r\n")

// The fixed parts of every response.
const (
	statusPrefix  = "HTTP/1.1 "
	contentType   = "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
	contentJSON   = "\r\nContent-Type: application/json\r\nContent-Length: "
	connClose     = "\r\nConnection: close"
	connKeepAlive = "\r\nConnection: keep-alive"
	allowHeader   = "\r\nAllow: GET, POST"
	headerEnd     = "\r\n\r\n"
	errorPrefix   = "error: "
)

// ResponseSize returns the exact size of the response PutResponse writes for
// these arguments.
func ResponseSize(status int, bodyLen int, mode ConnMode) int {
	status = validStatus(status)
	n := len(statusPrefix) + 3 + 1 + len(StatusText(status)) +
		len(contentType) + digits(bodyLen) + len(headerEnd) + bodyLen
	if mode&JSON != 0 {
		n += len(contentJSON) - len(contentType)
	}
	switch mode &^ JSON {
	case Close:
		n += len(connClose)
	case KeepAlive10:
		n += len(connKeepAlive)
	}
	if status == 405 {
		n += len(allowHeader)
	}
	return n
}

// PutResponse writes a complete text/plain response (application/json with
// the JSON flag in mode) with the given status
// and body into b, typically a netpoll Writer.Malloc(ResponseSize(...))
// buffer, and returns the bytes written. It panics if b is shorter than
// ResponseSize. A status outside 100..999 is written as 500. The response
// has no Date header; 405 responses carry "Allow: GET, POST". body may
// already lie in b at its final place, the last len(body) bytes of the
// response, so a caller can lay out a body first and write the head before
// it. PutResponse does not allocate and keeps no reference to b or body.
func PutResponse(b []byte, status int, body []byte, mode ConnMode) int {
	n := putHead(b, status, len(body), mode)
	return n + copy(b[n:], body)
}

// ErrorSize returns the exact size of the response PutError writes for
// these arguments.
func ErrorSize(status int, msg string, mode ConnMode) int {
	return ResponseSize(status, errorBodyLen(msg), mode)
}

// PutError writes an error response into b, like PutResponse with the body
// "error: " + msg + "\n", and returns the bytes written. It panics if b is
// shorter than ErrorSize. For an *Error e from this package, pass e.Status
// and e.Msg.
func PutError(b []byte, status int, msg string, mode ConnMode) int {
	n := putHead(b, status, errorBodyLen(msg), mode)
	n += copy(b[n:], errorPrefix)
	n += copy(b[n:], msg)
	b[n] = '\n'
	return n + 1
}

func errorBodyLen(msg string) int { return len(errorPrefix) + len(msg) + 1 }

// putHead writes the status line and headers for a body of bodyLen bytes.
func putHead(b []byte, status int, bodyLen int, mode ConnMode) int {
	if len(b) < ResponseSize(status, bodyLen, mode) {
		panic("http1: response buffer shorter than ResponseSize")
	}
	status = validStatus(status)
	n := copy(b, statusPrefix)
	b[n] = byte('0' + status/100)
	b[n+1] = byte('0' + status/10%10)
	b[n+2] = byte('0' + status%10)
	b[n+3] = ' '
	n += 4
	n += copy(b[n:], StatusText(status))
	if mode&JSON != 0 {
		n += copy(b[n:], contentJSON)
	} else {
		n += copy(b[n:], contentType)
	}
	n += len(strconv.AppendUint(b[n:n], uint64(bodyLen), 10))
	switch mode &^ JSON {
	case Close:
		n += copy(b[n:], connClose)
	case KeepAlive10:
		n += copy(b[n:], connKeepAlive)
	}
	if status == 405 {
		n += copy(b[n:], allowHeader)
	}
	return n + copy(b[n:], headerEnd)
}

func validStatus(status int) int {
	if status < 100 || status > 999 {
		return 500
	}
	return status
}

// digits returns the length of the decimal form of n >= 0.
func digits(n int) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// StatusText returns the reason phrase for the statuses the agent sends, or
// "" for others (the status line then carries an empty reason, which
// RFC 9112 allows).
func StatusText(status int) string {
	switch status {
	case 100:
		return "Continue"
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 411:
		return "Length Required"
	case 413:
		return "Content Too Large"
	case 431:
		return "Request Header Fields Too Large"
	case 500:
		return "Internal Server Error"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Gateway Timeout"
	case 505:
		return "HTTP Version Not Supported"
	}
	return ""
}
