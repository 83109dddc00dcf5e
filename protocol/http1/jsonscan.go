package http1

import (
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds the nesting of a JSON value the scanner skips.
const maxJSONDepth = 64

// jsonSpace returns the index of the first byte at or after i that is not
// JSON white space.
func jsonSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonString reads the JSON string starting at b[i] (its opening quote). A
// string without escapes is returned aliasing b; one with escapes is
// unescaped onto scratch, which the caller sized to len(b) beforehand so
// that it never moves under earlier values. It returns the value, the index
// after the closing quote, and scratch.
func jsonString(b []byte, i int, scratch []byte) (val []byte, next int, _ []byte, err error) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, scratch, ErrBadJSON
	}
	i++
	start := i
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return b[start:i:i], i + 1, scratch, nil
		case c == '\\':
			return jsonUnescape(b, start, i, scratch)
		case c < 0x20:
			return nil, i, scratch, ErrBadJSON
		}
		i++
	}
	return nil, i, scratch, ErrBadJSON
}

// jsonUnescape finishes jsonString for a string with an escape at b[i].
func jsonUnescape(b []byte, start, i int, scratch []byte) ([]byte, int, []byte, error) {
	from := len(scratch)
	scratch = append(scratch, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return scratch[from:len(scratch):len(scratch)], i + 1, scratch, nil
		case c < 0x20:
			return nil, i, scratch, ErrBadJSON
		case c != '\\':
			scratch = append(scratch, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return nil, i, scratch, ErrBadJSON
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			scratch = append(scratch, e)
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
			r, ok := jsonHex4(b, i+2)
			if !ok {
				return nil, i, scratch, ErrBadJSON
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := jsonHex4(b, i+2); ok && i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
						r = p
						i += 6
					}
				}
			}
			scratch = utf8.AppendRune(scratch, r)
			continue
		default:
			return nil, i, scratch, ErrBadJSON
		}
		i += 2
	}
	return nil, i, scratch, ErrBadJSON
}

// jsonHex4 reads the four hex digits at b[i:].
func jsonHex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		d, ok := unhex(c)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// jsonSkip checks the JSON value starting at b[i] and returns the index
// after it. Objects and arrays may nest maxJSONDepth deep.
func jsonSkip(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, ErrBadJSON
	}
	switch c := b[i]; {
	case c == '"':
		for i++; i < len(b); i++ {
			switch b[i] {
			case '"':
				return i + 1, nil
			case '\\':
				if i+1 >= len(b) {
					return i, ErrBadJSON
				}
				switch b[i+1] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					i++
				case 'u':
					if _, ok := jsonHex4(b, i+2); !ok {
						return i, ErrBadJSON
					}
					i += 5
				default:
					return i, ErrBadJSON
				}
			default:
				if b[i] < 0x20 {
					return i, ErrBadJSON
				}
			}
		}
		return i, ErrBadJSON
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return i, ErrJSONTooDeep
		}
		return jsonSkipContainer(b, i, depth)
	case c == 't':
		return jsonWord(b, i, "true")
	case c == 'f':
		return jsonWord(b, i, "false")
	case c == 'n':
		return jsonWord(b, i, "null")
	default:
		return jsonNumber(b, i)
	}
}

// jsonSkipContainer skips the object or array opening at b[i].
func jsonSkipContainer(b []byte, i, depth int) (int, error) {
	obj := b[i] == '{'
	closing := byte(']')
	if obj {
		closing = '}'
	}
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == closing {
		return i + 1, nil
	}
	for {
		var err error
		if obj {
			if i >= len(b) || b[i] != '"' {
				return i, ErrBadJSON
			}
			if i, err = jsonSkip(b, i, depth+1); err != nil {
				return i, err
			}
			i = jsonSpace(b, i)
			if i >= len(b) || b[i] != ':' {
				return i, ErrBadJSON
			}
			i = jsonSpace(b, i+1)
		}
		if i, err = jsonSkip(b, i, depth+1); err != nil {
			return i, err
		}
		i = jsonSpace(b, i)
		if i >= len(b) {
			return i, ErrBadJSON
		}
		switch b[i] {
		case ',':
			i = jsonSpace(b, i+1)
		case closing:
			return i + 1, nil
		default:
			return i, ErrBadJSON
		}
	}
}

func jsonWord(b []byte, i int, w string) (int, error) {
	if len(b)-i < len(w) || string(b[i:i+len(w)]) != w {
		return i, ErrBadJSON
	}
	return i + len(w), nil
}

// jsonNumber checks the JSON number at b[i] against the grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func jsonNumber(b []byte, i int) (int, error) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = jsonDigits(b, i)
	default:
		return i, ErrBadJSON
	}
	if i < len(b) && b[i] == '.' {
		j := jsonDigits(b, i+1)
		if j == i+1 {
			return i, ErrBadJSON
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := jsonDigits(b, i)
		if j == i {
			return i, ErrBadJSON
		}
		i = j
	}
	return i, nil
}

func jsonDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
