package dubbo

import (
	"strconv"
	"unicode/utf8"
)

// decJSON reads fastjson bodies: a sequence of JSON texts, each followed by
// a newline (Java's println, so "\r\n" is accepted too).
type decJSON struct {
	b   []byte
	pos int
}

// space skips blanks inside a line: spaces, tabs and carriage returns.
func (j *decJSON) space() {
	for j.pos < len(j.b) {
		switch j.b[j.pos] {
		case ' ', '\t', '\r':
			j.pos++
		default:
			return
		}
	}
}

// endLine consumes the newline ending a value. The end of the body stands
// for the last newline.
func (j *decJSON) endLine() error {
	j.space()
	if j.pos == len(j.b) {
		return nil
	}
	if j.b[j.pos] != '\n' {
		return decErrJSONLine
	}
	j.pos++
	return nil
}

// peek skips blanks and returns the next byte, or 0 at the end.
func (j *decJSON) peek() byte {
	j.space()
	if j.pos < len(j.b) {
		return j.b[j.pos]
	}
	return 0
}

// value reads the next JSON value if the fast path knows it: null, true,
// false, a number (decKLong for integers that fit an int64, decKRaw for
// longer ones, decKDouble for the rest) or a string (aliasing j.b unless it has escapes, which are
// decoded by appending to scratch). Objects and arrays give decKOther
// without moving.
func (j *decJSON) value(scratch []byte) (decValue, []byte, error) {
	switch c := j.peek(); {
	case c == '"':
		s, scratch, err := j.str(scratch)
		return decValue{kind: decKString, s: s}, scratch, err
	case c == '-' || (c >= '0' && c <= '9'):
		raw, isInt, err := j.number()
		if err != nil {
			return decValue{}, scratch, err
		}
		if isInt {
			if i, ok := decParseDecimal(raw); ok {
				return decValue{kind: decKLong, i: i}, scratch, nil
			}
			return decValue{kind: decKRaw, s: raw}, scratch, nil
		}
		// The grammar is checked, so the only error left is a range error,
		// for which ParseFloat returns ±Inf or 0 as Java's parseDouble does.
		f, _ := strconv.ParseFloat(string(raw), 64)
		return decValue{kind: decKDouble, f: f}, scratch, nil
	case c == 'n':
		return decValue{kind: decKNull}, scratch, j.literal("null")
	case c == 't':
		return decValue{kind: decKBool, i: 1}, scratch, j.literal("true")
	case c == 'f':
		return decValue{kind: decKBool}, scratch, j.literal("false")
	case c == '{' || c == '[':
		return decValue{kind: decKOther}, scratch, nil
	case c == 0:
		return decValue{}, scratch, decErrTruncated
	}
	return decValue{}, scratch, decErrJSON
}

func (j *decJSON) literal(word string) error {
	if len(j.b)-j.pos < len(word) || string(j.b[j.pos:j.pos+len(word)]) != word {
		return decErrJSON
	}
	j.pos += len(word)
	return nil
}

// number reads a JSON number and reports whether it is an integer (no
// fraction, no exponent).
func (j *decJSON) number() (raw []byte, isInt bool, err error) {
	start := j.pos
	b := j.b
	p := j.pos
	if p < len(b) && b[p] == '-' {
		p++
	}
	switch {
	case p < len(b) && b[p] == '0':
		p++
	case p < len(b) && b[p] >= '1' && b[p] <= '9':
		for p < len(b) && b[p] >= '0' && b[p] <= '9' {
			p++
		}
	default:
		return nil, false, decErrJSON
	}
	isInt = true
	if p < len(b) && b[p] == '.' {
		isInt = false
		p++
		d := p
		for p < len(b) && b[p] >= '0' && b[p] <= '9' {
			p++
		}
		if p == d {
			return nil, false, decErrJSON
		}
	}
	if p < len(b) && (b[p] == 'e' || b[p] == 'E') {
		isInt = false
		p++
		if p < len(b) && (b[p] == '+' || b[p] == '-') {
			p++
		}
		d := p
		for p < len(b) && b[p] >= '0' && b[p] <= '9' {
			p++
		}
		if p == d {
			return nil, false, decErrJSON
		}
	}
	j.pos = p
	return b[start:p:p], isInt, nil
}

// decParseDecimal parses an optionally negative decimal integer that fits an
// int64. It does not allocate.
func decParseDecimal(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	switch {
	case neg && u <= 1<<63:
		return int64(-u), true
	case !neg && u < 1<<63:
		return int64(u), true
	}
	return 0, false
}

// str reads a JSON string. Without escapes it is a slice of j.b (checked to
// be valid UTF-8); with escapes it is decoded by appending to scratch, with
// \u surrogate pairs joined and lone surrogates turned into U+FFFD, as
// encoding/json does.
func (j *decJSON) str(scratch []byte) ([]byte, []byte, error) {
	if j.peek() != '"' {
		return nil, scratch, decErrJSON
	}
	j.pos++
	start := j.pos
	ascii := true
	for p := start; p < len(j.b); p++ {
		c := j.b[p]
		switch {
		case c == '"':
			s := j.b[start:p:p]
			if !ascii && !utf8.Valid(s) {
				return nil, scratch, decErrUTF8
			}
			j.pos = p + 1
			return s, scratch, nil
		case c == '\\':
			return j.unescape(scratch, start)
		case c < 0x20:
			return nil, scratch, decErrJSON
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, scratch, decErrTruncated
}

// unescape decodes the string whose text starts at start into scratch.
func (j *decJSON) unescape(scratch []byte, start int) ([]byte, []byte, error) {
	base := len(scratch)
	b := j.b
	p := start
	run := start // start of the pending run of plain bytes
	for p < len(b) {
		c := b[p]
		switch {
		case c == '"':
			if !utf8.Valid(b[run:p]) {
				return nil, scratch, decErrUTF8
			}
			scratch = append(scratch, b[run:p]...)
			j.pos = p + 1
			return scratch[base:len(scratch):len(scratch)], scratch, nil
		case c < 0x20:
			return nil, scratch, decErrJSON
		case c != '\\':
			p++
			continue
		}
		if !utf8.Valid(b[run:p]) {
			return nil, scratch, decErrUTF8
		}
		scratch = append(scratch, b[run:p]...)
		if p+1 >= len(b) {
			return nil, scratch, decErrTruncated
		}
		p++
		switch b[p] {
		case '"', '\\', '/':
			scratch = append(scratch, b[p])
		case 'b':
			scratch = append(scratch, '\b')
		case 'f':
			scratch = append(scratch, '\f')
		case 'n':
			scratch = append(scratch, '\n')
		case 'r':
			scratch = append(scratch, '\r')
		case 't':
			scratch = append(scratch, '\t')
		case 'u':
			u, ok := decHex4(b, p+1)
			if !ok {
				return nil, scratch, decErrJSON
			}
			p += 4
			if u >= 0xd800 && u <= 0xdbff {
				if lo, ok := decHex4(b, p+3); ok && p+2 < len(b) && b[p+1] == '\\' && b[p+2] == 'u' && lo >= 0xdc00 && lo <= 0xdfff {
					u = (u-0xd800)<<10 + (lo - 0xdc00) + 0x10000
					p += 6
				} else {
					u = utf8.RuneError
				}
			} else if u >= 0xdc00 && u <= 0xdfff {
				u = utf8.RuneError
			}
			scratch = utf8.AppendRune(scratch, u)
		default:
			return nil, scratch, decErrJSON
		}
		p++
		run = p
	}
	return nil, scratch, decErrTruncated
}

// decHex4 decodes the four hex digits at b[p:].
func decHex4(b []byte, p int) (rune, bool) {
	if p < 0 || len(b)-p < 4 {
		return 0, false
	}
	var u rune
	for _, c := range b[p : p+4] {
		switch {
		case c >= '0' && c <= '9':
			u = u<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			u = u<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			u = u<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return u, true
}

// skip moves past one JSON value of any kind, nesting up to decMaxDepth.
// Strings are validated but not decoded, so it does not allocate.
func (j *decJSON) skip(depth int) error {
	if depth > decMaxDepth {
		return decErrDepth
	}
	switch j.peek() {
	case '{':
		j.pos++
		for first := true; ; first = false {
			more, err := j.more('}', first)
			if err != nil || !more {
				return err
			}
			if err := j.skipString(); err != nil {
				return err
			}
			if err := j.colon(); err != nil {
				return err
			}
			if err := j.skip(depth + 1); err != nil {
				return err
			}
		}
	case '[':
		j.pos++
		for first := true; ; first = false {
			more, err := j.more(']', first)
			if err != nil || !more {
				return err
			}
			if err := j.skip(depth + 1); err != nil {
				return err
			}
		}
	case '"':
		return j.skipString()
	}
	v, _, err := j.value(nil)
	if err == nil && v.kind == decKOther {
		err = decErrJSON
	}
	return err
}

// skipString moves past a string, checking its escapes and UTF-8 in place
// without decoding it.
func (j *decJSON) skipString() error {
	if j.peek() != '"' {
		return decErrJSON
	}
	b := j.b
	run := j.pos + 1
	for p := run; p < len(b); p++ {
		switch c := b[p]; {
		case c == '"':
			if !utf8.Valid(b[run:p]) {
				return decErrUTF8
			}
			j.pos = p + 1
			return nil
		case c < 0x20:
			return decErrJSON
		case c == '\\':
			if p+1 >= len(b) {
				return decErrTruncated
			}
			switch b[p+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p++
			case 'u':
				if _, ok := decHex4(b, p+2); !ok {
					return decErrJSON
				}
				p += 5
			default:
				return decErrJSON
			}
		}
	}
	return decErrTruncated
}

// more advances inside an object or array: it consumes the separating comma
// (not before the first member) and reports whether a member follows, or
// consumes the closing byte and reports false.
func (j *decJSON) more(closing byte, first bool) (bool, error) {
	c := j.peek()
	if c == closing {
		j.pos++
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, decErrJSON
		}
		j.pos++
	}
	if j.peek() == 0 {
		return false, decErrTruncated
	}
	return true, nil
}

func (j *decJSON) colon() error {
	if j.peek() != ':' {
		return decErrJSON
	}
	j.pos++
	return nil
}

// open consumes the opening brace of an object.
func (j *decJSON) open() error {
	if j.peek() != '{' {
		return decErrJSON
	}
	j.pos++
	return nil
}
