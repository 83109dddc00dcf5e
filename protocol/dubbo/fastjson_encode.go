package dubbo

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"
)

// JSON value encoding for the fastjson serialization. encXxxSize returns the
// exact size and encPutXxx writes at the front of b (large enough) and
// returns the bytes written; neither allocates.

// encJSONEscape[c] is the escape letter for the ASCII byte c ('u' for the
// \u00XX form), or 0 when c is written as is. Only what JSON requires is
// escaped: '"', '\\' and control characters.
var encJSONEscape = func() (t [utf8.RuneSelf]byte) {
	for c := range 0x20 {
		t[c] = 'u'
	}
	t['"'] = '"'
	t['\\'] = '\\'
	t['\b'] = 'b'
	t['\f'] = 'f'
	t['\n'] = 'n'
	t['\r'] = 'r'
	t['\t'] = 't'
	return t
}()

// encReplacement is U+FFFD, written for each byte of invalid UTF-8 (as the
// library does). Requests never contain any: CheckArgs refuses them.
const encReplacement = "\uFFFD"

// encJSONPlainPrefix returns the length of the prefix of s written as is:
// ASCII bytes that need no escape. It tests eight bytes at a time: a word
// passes when no byte has its high bit set, is below 0x20, or equals '"' or
// '\\' (the classic "has zero byte" tests).
func encJSONPlainPrefix(s []byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		q := x ^ (lo * '"')
		bs := x ^ (lo * '\\')
		if (x|(x-lo*0x20)&^x|(q-lo)&^q|(bs-lo)&^bs)&hi != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || encJSONEscape[c] != 0 {
			return i
		}
	}
	return i
}

// encJSONStringSize returns the size of s (UTF-8) as a JSON string literal.
func encJSONStringSize(s []byte) int {
	n := 2
	for i := 0; i < len(s); {
		k := encJSONPlainPrefix(s[i:])
		n += k
		if i += k; i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if encJSONEscape[c] == 'u' {
				n += 6
			} else {
				n += 2
			}
			i++
			continue
		}
		r, k := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && k == 1 {
			n += len(encReplacement)
		} else {
			n += k
		}
		i += k
	}
	return n
}

// encPutJSONString writes s (UTF-8) as a JSON string literal. Non-ASCII
// characters are written raw; invalid UTF-8 bytes become U+FFFD.
func encPutJSONString(b []byte, s []byte) int {
	const hex = "0123456789abcdef"
	b[0] = '"'
	off := 1
	for i := 0; i < len(s); {
		k := encJSONPlainPrefix(s[i:])
		off += copy(b[off:], s[i:i+k])
		if i += k; i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if e := encJSONEscape[c]; e == 'u' {
				b[off], b[off+1], b[off+2], b[off+3] = '\\', 'u', '0', '0'
				b[off+4], b[off+5] = hex[c>>4], hex[c&0xf]
				off += 6
			} else {
				b[off], b[off+1] = '\\', e
				off += 2
			}
			i++
			continue
		}
		r, k := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && k == 1 {
			off += copy(b[off:], encReplacement)
		} else {
			off += copy(b[off:], s[i:i+k])
		}
		i += k
	}
	b[off] = '"'
	return off + 1
}

// encDecimalSize returns the length of v in decimal.
func encDecimalSize(v int64) int {
	var tmp [20]byte
	return len(strconv.AppendInt(tmp[:0], v, 10))
}

// encPutDecimal writes v in decimal.
func encPutDecimal(b []byte, v int64) int {
	return len(strconv.AppendInt(b[:0], v, 10))
}

// encAppendJSONDouble appends the finite double f as a JSON number: plain
// notation for 1e-6 <= |f| < 1e21, exponent notation outside (as
// encoding/json does), and a ".0" suffix on integral values so the text
// still reads as a double, as Java's fastjson writes it ("1.0").
func encAppendJSONDouble(dst []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	n := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9.
		m := len(dst)
		if m-n >= 4 && dst[m-4] == 'e' && dst[m-3] == '-' && dst[m-2] == '0' {
			dst[m-2] = dst[m-1]
			dst = dst[:m-1]
		}
		return dst
	}
	for _, c := range dst[n:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

// encJSONDoubleSize returns the size of the finite double f as written by
// encPutJSONDouble.
func encJSONDoubleSize(f float64) int {
	var tmp [64]byte
	return len(encAppendJSONDouble(tmp[:0], f))
}

// encPutJSONDouble writes the finite double f as a JSON number.
func encPutJSONDouble(b []byte, f float64) int {
	return len(encAppendJSONDouble(b[:0], f))
}
