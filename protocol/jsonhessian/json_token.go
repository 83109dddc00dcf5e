package jsonhessian

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON tokens for pass 2: whitespace, strings, numbers and literals, read at
// Encoder.pos with the full grammar of RFC 8259.

// errorAt returns an error wrapping ErrBadArgument about the JSON at offset
// off.
func (e *Encoder) errorAt(off int, format string, args ...any) error {
	return badArg("JSON at offset %d: %s", off, fmt.Sprintf(format, args...))
}

// syntaxError reports the byte at e.pos, or the end of the text, as
// unexpected where the text says.
func (e *Encoder) syntaxError(where string) error {
	if e.pos >= len(e.in) {
		return e.errorAt(e.pos, "unexpected end %s", where)
	}
	return e.errorAt(e.pos, "unexpected %s %s", quote(e.in[e.pos:e.pos+1]), where)
}

// ws skips whitespace.
func (e *Encoder) ws() {
	for e.pos < len(e.in) {
		switch e.in[e.pos] {
		case ' ', '\t', '\n', '\r':
			e.pos++
		default:
			return
		}
	}
}

// peek returns the byte at e.pos, or 0 at the end.
func (e *Encoder) peek() byte {
	if e.pos < len(e.in) {
		return e.in[e.pos]
	}
	return 0
}

// expect consumes c, after whitespace, or fails saying where.
func (e *Encoder) expect(c byte, where string) error {
	e.ws()
	if e.peek() != c {
		return e.syntaxError(where)
	}
	e.pos++
	return nil
}

// readString reads the JSON string at e.pos (its opening quote) and returns
// its text, decoded to UTF-8, and whether the text is all ASCII. The text
// aliases the input or e.str: it is valid until the next readString.
func (e *Encoder) readString() ([]byte, bool, error) {
	s, end, ascii, escaped, why := decodeString(e.in, e.pos, e.str[:0])
	if why != "" {
		return nil, false, e.errorAt(end, "%s", why)
	}
	if escaped {
		e.str = s[:0] // keep a grown scratch buffer
	}
	e.pos = end
	return s, ascii, nil
}

// Masks for testing eight bytes at once.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// plainBytes returns the length of the prefix of s that a JSON string holds
// as is: ASCII other than control characters, '"' and '\'.
func plainBytes(s []byte) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		q := x ^ ('"' * lsb)
		b := x ^ ('\\' * lsb)
		// A high bit is set in a byte below 0x20, at or above 0x80, equal
		// to '"' or '\', or above one of those (borrows): all fall back to
		// the byte loop.
		if ((x-0x20*lsb)|(q-lsb)|(b-lsb)|x)&msb != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

// decodeString decodes the JSON string starting with the quote at in[i]. It
// returns the text, which aliases in when the string has no escapes and is
// otherwise appended to scratch (escaped says which); the offset just past
// the closing quote; whether the text is ASCII; and, for a malformed string,
// why (and the offset of the fault in end). Lone surrogates in \u escapes become U+FFFD,
// as in encoding/json; bytes that are not UTF-8 are refused.
func decodeString(in []byte, i int, scratch []byte) (text []byte, end int, ascii, escaped bool, why string) {
	start := i + 1
	j := start
	ascii = true
	for {
		j += plainBytes(in[j:])
		if j >= len(in) {
			return nil, j, false, false, "the string never ends"
		}
		c := in[j]
		switch {
		case c == '"':
			return in[start:j], j + 1, ascii, false, ""
		case c == '\\':
			text, end, ascii, why = decodeEscaped(in, start, j, scratch, ascii)
			return text, end, ascii, true, why
		case c < 0x20:
			return nil, j, false, false, "a control character in a string"
		}
		r, n := utf8.DecodeRune(in[j:])
		if r == utf8.RuneError && n == 1 {
			return nil, j, false, false, "a string is not valid UTF-8"
		}
		ascii = false
		j += n
	}
}

// decodeEscaped continues decodeString from the first escape at in[j],
// copying the text from start into scratch.
func decodeEscaped(in []byte, start, j int, scratch []byte, ascii bool) ([]byte, int, bool, string) {
	out := append(scratch, in[start:j]...)
	for {
		k := plainBytes(in[j:])
		out = append(out, in[j:j+k]...)
		j += k
		if j >= len(in) {
			return nil, j, false, "the string never ends"
		}
		c := in[j]
		switch {
		case c == '"':
			return out, j + 1, ascii, ""
		case c < 0x20:
			return nil, j, false, "a control character in a string"
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(in[j:])
			if r == utf8.RuneError && n == 1 {
				return nil, j, false, "a string is not valid UTF-8"
			}
			out = append(out, in[j:j+n]...)
			ascii = false
			j += n
			continue
		}
		// A backslash.
		if j+1 >= len(in) {
			return nil, j, false, "the string never ends"
		}
		esc := in[j+1]
		j += 2
		switch esc {
		case '"', '\\', '/':
			out = append(out, esc)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(in, j)
			if !ok {
				return nil, j - 2, false, `a \u escape lacks four hex digits`
			}
			j += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if r < 0xdc00 && j+1 < len(in) && in[j] == '\\' && in[j+1] == 'u' {
					r2, _ = hex4(in, j+2)
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			if r >= utf8.RuneSelf {
				ascii = false
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, j - 2, false, fmt.Sprintf("%s is not an escape", quote(in[j-2:j]))
		}
	}
}

// hex4 parses the four hex digits at in[j:].
func hex4(in []byte, j int) (rune, bool) {
	if j+4 > len(in) {
		return 0, false
	}
	var r rune
	for _, c := range in[j : j+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// readNumber reads the JSON number at e.pos and returns its text and whether
// it is integral in form (no fraction, no exponent).
func (e *Encoder) readNumber() ([]byte, bool, error) {
	in, start := e.in, e.pos
	i := start
	if i < len(in) && in[i] == '-' {
		i++
	}
	switch {
	case i < len(in) && in[i] == '0':
		i++
	case i < len(in) && '1' <= in[i] && in[i] <= '9':
		for i++; i < len(in) && '0' <= in[i] && in[i] <= '9'; i++ {
		}
	default:
		e.pos = i
		return nil, false, e.syntaxError("in a number")
	}
	integral := true
	if i < len(in) && in[i] == '.' {
		integral = false
		i++
		d := i
		for ; i < len(in) && '0' <= in[i] && in[i] <= '9'; i++ {
		}
		if i == d {
			e.pos = i
			return nil, false, e.syntaxError("in a number's fraction")
		}
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		integral = false
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		d := i
		for ; i < len(in) && '0' <= in[i] && in[i] <= '9'; i++ {
		}
		if i == d {
			e.pos = i
			return nil, false, e.syntaxError("in a number's exponent")
		}
	}
	e.pos = i
	return in[start:i], integral, nil
}

// readLiteral consumes the literal lit ("true", "false" or "null") at e.pos.
func (e *Encoder) readLiteral(lit string) error {
	if len(e.in)-e.pos < len(lit) || string(e.in[e.pos:e.pos+len(lit)]) != lit {
		return e.syntaxError("in a literal (true, false or null)")
	}
	e.pos += len(lit)
	return nil
}
