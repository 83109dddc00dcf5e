package hessianjson

import (
	"encoding/binary"
	"unicode/utf8"
)

// isStringTag reports whether tag starts a string or a string chunk.
func isStringTag(tag byte) bool {
	return tag <= 0x1f || (tag >= 0x30 && tag <= 0x33) || tag == 'R' || tag == 'S'
}

// chunk reads a string chunk's header: how many UTF-16 code units follow
// and whether it is the last chunk ('R' chunks are followed by more).
func (c *cursor) chunk() (units int, final bool, err error) {
	if c.pos >= len(c.b) {
		return 0, false, ErrTruncated
	}
	switch tag := c.b[c.pos]; {
	case tag <= 0x1f:
		c.pos++
		return int(tag), true, nil
	case tag >= 0x30 && tag <= 0x33:
		if err := c.need(2); err != nil {
			return 0, false, err
		}
		units = int(tag-0x30)<<8 | int(c.b[c.pos+1])
		c.pos += 2
		return units, true, nil
	case tag == 'R' || tag == 'S':
		if err := c.need(3); err != nil {
			return 0, false, err
		}
		units = int(binary.BigEndian.Uint16(c.b[c.pos+1:]))
		c.pos += 3
		return units, tag == 'S', nil
	}
	return 0, false, c.errAt(c.pos, "not a string chunk")
}

// str renders the string at c.pos as a quoted JSON string, joining its
// chunks. It reports ErrTooLarge once dst grows past limit.
//
// Hessian2 writes a string as UTF-16 code units, each in 1, 2 or 3 bytes of
// UTF-8 form, so a character beyond the BMP comes as a surrogate pair of two
// 3-byte sequences. Pairs are joined into one 4-byte UTF-8 sequence; a
// lone surrogate, which UTF-8 cannot carry, becomes U+FFFD. Quotes,
// backslashes and control characters are escaped.
func (r *Renderer) str(dst []byte, c *cursor, limit int) ([]byte, error) {
	dst = append(dst, '"')
	var high rune // a high surrogate waiting for its low half
	for {
		units, final, err := c.chunk()
		if err != nil {
			return dst, err
		}
		if dst, high, err = appendUnits(dst, c, units, high); err != nil {
			return dst, err
		}
		if len(dst) > limit {
			return dst, ErrTooLarge
		}
		if final {
			break
		}
	}
	if high != 0 {
		dst = utf8.AppendRune(dst, utf8.RuneError)
	}
	dst = append(dst, '"')
	if len(dst) > limit {
		return dst, ErrTooLarge
	}
	return dst, nil
}

// plain marks the bytes that stand for themselves inside a JSON string:
// printable ASCII but the quote and the backslash.
var plain = func() (t [256]bool) {
	for b := 0x20; b < 0x80; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendUnits renders units code units from c.pos as JSON string content.
// high carries a high surrogate from one chunk to the next: Java does not
// split a pair between chunks, but other writers might.
func appendUnits(dst []byte, c *cursor, units int, high rune) ([]byte, rune, error) {
	b, pos := c.b, c.pos
	for units > 0 {
		if pos >= len(b) {
			return dst, 0, ErrTruncated
		}
		if ch := b[pos]; ch < 0x80 {
			if high != 0 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
				high = 0
			}
			end := pos + units
			if end > len(b) {
				end = len(b)
			}
			run := pos
			for run < end && plain[b[run]] {
				run++
			}
			if run > pos {
				dst = append(dst, b[pos:run]...)
				units -= run - pos
				pos = run
				continue
			}
			dst = appendEscape(dst, ch)
			pos++
			units--
			continue
		}
		u, n, err := unit(b, pos)
		if err != nil {
			return dst, 0, err
		}
		switch {
		case high != 0 && u >= 0xdc00 && u <= 0xdfff:
			dst = utf8.AppendRune(dst, (high-0xd800)<<10+(u-0xdc00)+0x10000)
			high = 0
		case u >= 0xd800 && u <= 0xdbff:
			if high != 0 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			}
			high = u
		case u >= 0xdc00 && u <= 0xdfff:
			dst = utf8.AppendRune(dst, utf8.RuneError) // a lone low half
		default:
			if high != 0 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
				high = 0
			}
			dst = append(dst, b[pos:pos+n]...) // valid UTF-8 as it is
		}
		pos += n
		units--
	}
	c.pos = pos
	return dst, high, nil
}

// unit decodes the code unit of 2 or 3 bytes at b[pos] (b[pos] >= 0x80) and
// returns it with its size. Overlong forms, bad continuation bytes and 4-byte
// sequences, which hessian2 does not use, are malformed.
func unit(b []byte, pos int) (rune, int, error) {
	c0 := b[pos]
	switch {
	case c0 >= 0xc2 && c0 <= 0xdf:
		if len(b)-pos < 2 {
			return 0, 0, ErrTruncated
		}
		if b[pos+1]&0xc0 != 0x80 {
			return 0, 0, malformed(b, pos, "bad UTF-8 in a string")
		}
		return rune(c0&0x1f)<<6 | rune(b[pos+1]&0x3f), 2, nil
	case c0&0xf0 == 0xe0:
		if len(b)-pos < 3 {
			return 0, 0, ErrTruncated
		}
		c1, c2 := b[pos+1], b[pos+2]
		if c1&0xc0 != 0x80 || c2&0xc0 != 0x80 {
			return 0, 0, malformed(b, pos, "bad UTF-8 in a string")
		}
		u := rune(c0&0x0f)<<12 | rune(c1&0x3f)<<6 | rune(c2&0x3f)
		if u < 0x800 {
			return 0, 0, malformed(b, pos, "overlong UTF-8 in a string")
		}
		return u, 3, nil
	}
	return 0, 0, malformed(b, pos, "bad UTF-8 in a string")
}

const hexDigits = "0123456789abcdef"

// appendEscape appends the JSON escape of the ASCII byte ch: \" and \\,
// and \u00XX for control characters.
func appendEscape(dst []byte, ch byte) []byte {
	if ch == '"' || ch == '\\' {
		return append(dst, '\\', ch)
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[ch>>4], hexDigits[ch&0xf])
}

// appendQuoted appends text, which is JSON text (no control characters),
// as a JSON string.
func appendQuoted(dst, text []byte) []byte {
	dst = append(dst, '"')
	for len(text) > 0 {
		i := 0
		for i < len(text) && text[i] != '"' && text[i] != '\\' {
			i++
		}
		dst = append(dst, text[:i]...)
		if i == len(text) {
			break
		}
		dst = append(dst, '\\', text[i])
		text = text[i+1:]
	}
	return append(dst, '"')
}
