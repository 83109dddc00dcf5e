package http1

import "unicode/utf8"

// The JSON error body, {"error":"<msg>"} and a newline, which answers a
// call made in the JSON form.
const (
	jsonErrorStart = `{"error":"`
	jsonErrorEnd   = "\"}\n"
)

// JSONErrorSize returns the exact size of the response PutJSONError writes
// for these arguments.
func JSONErrorSize(status int, msg []byte, mode ConnMode) int {
	return ResponseSize(status, jsonErrorBodyLen(msg), mode|JSON)
}

// PutJSONError writes an error response whose body is the JSON object
// {"error":"<msg>"} (msg escaped as a JSON string; bytes that are not UTF-8
// become U+FFFD) into b, and returns the bytes written. It panics if b is
// shorter than JSONErrorSize. It does not allocate.
func PutJSONError(b []byte, status int, msg []byte, mode ConnMode) int {
	n := putHead(b, status, jsonErrorBodyLen(msg), mode|JSON)
	n += copy(b[n:], jsonErrorStart)
	for i := 0; i < len(msg); {
		c := msg[i]
		if c < utf8.RuneSelf {
			n += putJSONByte(b[n:], c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(msg[i:])
		if r == utf8.RuneError && size == 1 {
			n += utf8.EncodeRune(b[n:], utf8.RuneError)
		} else {
			n += copy(b[n:], msg[i:i+size])
		}
		i += size
	}
	return n + copy(b[n:], jsonErrorEnd)
}

func jsonErrorBodyLen(msg []byte) int {
	n := len(jsonErrorStart) + len(jsonErrorEnd)
	for i := 0; i < len(msg); {
		c := msg[i]
		if c < utf8.RuneSelf {
			n += putJSONByte(nil, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(msg[i:])
		if r == utf8.RuneError && size == 1 {
			n += utf8.RuneLen(utf8.RuneError)
		} else {
			n += size
		}
		i += size
	}
	return n
}

// putJSONByte writes the ASCII byte c as it goes in a JSON string, escaped
// if it must be, and returns its size; with a nil b it only measures.
func putJSONByte(b []byte, c byte) int {
	const hex = "0123456789abcdef"
	switch {
	case c == '"' || c == '\\':
		if b != nil {
			b[0], b[1] = '\\', c
		}
		return 2
	case c < 0x20:
		if b != nil {
			copy(b, `\u00`)
			b[4], b[5] = hex[c>>4], hex[c&0xf]
		}
		return 6
	}
	if b != nil {
		b[0] = c
	}
	return 1
}
