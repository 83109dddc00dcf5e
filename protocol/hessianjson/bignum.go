package hessianjson

import (
	"fmt"
	"strconv"
)

// maxMagnitude bounds a BigInteger's magnitude, in 32-bit words (16,384
// bits, 4,933 digits). Printing takes time quadratic in the words, and a
// value may be referred to and printed many times.
const maxMagnitude = 512

// decimal renders an object of class cl whose value field holds a number's
// text (java.math.BigDecimal): a string that is a valid JSON number, as
// Java's BigDecimal.toString always is, becomes that number with its exact
// digits; any other string stays a string, and a value of another kind
// renders as it is. The other fields are read and dropped.
func (r *Renderer) decimal(dst []byte, c *cursor, cl *class, depth int) ([]byte, error) {
	for f := range cl.n {
		var err error
		if f != cl.a {
			if dst, err = r.discard(dst, c, depth); err != nil {
				return dst, err
			}
			continue
		}
		p := len(dst)
		if dst, err = r.value(dst, c, depth); err != nil {
			return dst, err
		}
		if end := len(dst) - 1; dst[p] == '"' && isNumber(dst[p+1:end]) {
			copy(dst[p:], dst[p+1:end])
			dst = dst[:end-1]
		}
	}
	return dst, nil
}

// decimalFields renders an object of class cl, a java.math.BigDecimal
// written by its fields scale and intVal, as a JSON number in the form
// Java's BigDecimal.toString gives it (1234.50, 1.5E+3, 0.000001,
// 1E-7). Java keeps the unscaled value of a BigDecimal that fits in a
// long in the transient field intCompact and leaves intVal null; Caucho's
// Hessian then writes no digits at all, and that is an error (ErrMalformed)
// rather than a wrong number.
func (r *Renderer) decimalFields(dst []byte, c *cursor, cl *class, depth int) ([]byte, error) {
	var scale int64
	p := -1 // where intVal's digits start in dst
	for f := range cl.n {
		var err error
		switch f {
		case cl.a:
			at := c.pos
			if scale, err = c.readInteger("BigDecimal scale"); err == nil && scale != int64(int32(scale)) {
				err = c.errAt(at, "BigDecimal scale out of range")
			}
		case cl.b:
			at := c.pos
			if at < len(c.b) && c.b[at] == 'N' {
				return dst, c.errAt(at, "BigDecimal without its digits (intVal null: the writer dropped intCompact)")
			}
			p = len(dst)
			if dst, err = r.value(dst, c, depth); err == nil && !isInteger(dst[p:]) {
				err = c.errAt(at, "BigDecimal intVal is not an integer")
			}
		default:
			dst, err = r.discard(dst, c, depth)
		}
		if err != nil {
			return dst, err
		}
	}
	if dst[p] == '-' {
		p++
	}
	r.scratch = append(r.scratch[:0], dst[p:]...)
	return appendScaled(dst[:p], r.scratch, scale), nil
}

// isInteger reports whether s is -?[0-9]+.
func isInteger(s []byte) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	return len(s) > 0 && digits(s, 0) == len(s)
}

// appendScaled appends coeff×10^-scale as Java's BigDecimal.toString
// writes it: plainly when the scale is not negative and the adjusted
// exponent is -6 or more, else as d.dddE±n.
func appendScaled(dst, coeff []byte, scale int64) []byte {
	if scale == 0 {
		return append(dst, coeff...)
	}
	adjusted := -scale + int64(len(coeff)-1)
	if scale > 0 && adjusted >= -6 {
		if pad := scale - int64(len(coeff)); pad >= 0 {
			dst = append(dst, '0', '.')
			for range pad {
				dst = append(dst, '0')
			}
			return append(dst, coeff...)
		}
		point := len(coeff) - int(scale)
		dst = append(dst, coeff[:point]...)
		dst = append(dst, '.')
		return append(dst, coeff[point:]...)
	}
	dst = append(dst, coeff[0])
	if len(coeff) > 1 {
		dst = append(dst, '.')
		dst = append(dst, coeff[1:]...)
	}
	if adjusted != 0 {
		dst = append(dst, 'E')
		if adjusted > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, adjusted, 10)
	}
	return dst
}

// isNumber reports whether s is a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := digits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

// digits returns the index of the first byte from i on that is not a
// decimal digit.
func digits(s []byte, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// bigInteger renders an object of class cl, a java.math.BigInteger written
// by its fields, as a JSON integer: signum (-1, 0 or 1) and mag, the
// magnitude as a list of 32-bit words, most significant first (ints as
// Java writes them, or longs as dubbo-go-hessian2 does). The other fields
// (bitCount and the like, which Java caches) are read and dropped.
func (r *Renderer) bigInteger(dst []byte, c *cursor, cl *class, depth int) ([]byte, error) {
	// The magnitude goes to r.words from base on: a BigInteger nested in
	// a dropped field uses the words after it and gives them back.
	base := len(r.words)
	defer func() { r.words = r.words[:base] }()
	var signum int64
	for f := range cl.n {
		var err error
		switch f {
		case cl.a:
			signum, err = c.readInteger("BigInteger signum")
		case cl.b:
			r.words = r.words[:base]
			err = r.magnitude(c, depth, base)
		default:
			dst, err = r.discard(dst, c, depth)
		}
		if err != nil {
			return dst, err
		}
	}
	return r.appendBigInteger(dst, signum, r.words[base:]), nil
}

// readInteger reads an int or a long.
func (c *cursor) readInteger(what string) (int64, error) {
	if c.pos >= len(c.b) {
		return 0, ErrTruncated
	}
	tag := c.b[c.pos]
	size := intSize(tag)
	if size == 0 {
		size = longSize(tag)
	}
	if size == 0 {
		return 0, c.errAt(c.pos, what+" must be an int or a long")
	}
	if err := c.need(size); err != nil {
		return 0, err
	}
	v := integer(c.b[c.pos : c.pos+size])
	c.pos += size
	return v, nil
}

// magnitude reads a BigInteger's mag field, a list of ints (or a reference
// to one: Java shares the array between a value and its negation), onto
// r.words after base.
func (r *Renderer) magnitude(c *cursor, depth, base int) error {
	if c.pos >= len(c.b) {
		return ErrTruncated
	}
	start := c.pos
	tag := c.b[c.pos]
	switch {
	case tag == 'N':
		c.pos++
		return nil
	case tag == 'Q':
		c.pos++
		i, err := c.readIndex("reference", len(r.refs))
		if err != nil {
			return err
		}
		e := r.refs[i]
		if e.open {
			return ErrCycle
		}
		again := cursor{b: r.srcs[e.src], pos: e.off, src: e.src, replay: true, next: i}
		return r.magnitude(&again, depth, base)
	case !isListTag(tag):
		return c.errAt(start, "BigInteger mag must be a list of ints")
	}
	c.pos++
	if tag == 0x55 || tag == 'V' || (tag >= 0x70 && tag <= 0x77) {
		if err := r.skipType(c); err != nil {
			return err
		}
	}
	n := -1
	switch {
	case tag == 'V' || tag == 0x58:
		var err error
		if n, err = c.readLength("list length"); err != nil {
			return err
		}
	case tag >= 0x70:
		n = int(tag & 7)
	}
	i, err := r.enter(c, start, depth)
	if err != nil {
		return err
	}
	for k := 0; n < 0 || k < n; k++ {
		if n < 0 {
			end, err := c.end()
			if err != nil {
				return err
			}
			if end {
				break
			}
		}
		at := c.pos
		w, err := c.readInteger("BigInteger mag word")
		if err != nil {
			return err
		}
		if w < -1<<31 || w >= 1<<32 {
			return c.errAt(at, "BigInteger mag word out of 32 bits")
		}
		if len(r.words)-base == maxMagnitude {
			return fmt.Errorf("%w: BigInteger of more than %d words", ErrTooLarge, maxMagnitude)
		}
		r.words = append(r.words, uint32(w))
	}
	r.leave(i)
	return nil
}

// appendBigInteger appends the integer of sign signum and magnitude w
// (32-bit words, most significant first) in decimal. As in Java, a signum
// of 0 is zero whatever the magnitude. w is consumed.
func (r *Renderer) appendBigInteger(dst []byte, signum int64, w []uint32) []byte {
	for len(w) > 0 && w[0] == 0 {
		w = w[1:]
	}
	if signum == 0 || len(w) == 0 {
		return append(dst, '0')
	}
	if signum < 0 {
		dst = append(dst, '-')
	}
	// Divide by 10^9 until nothing is left; the remainders are the digits
	// in groups of nine, least significant first.
	r.digits = r.digits[:0]
	for len(w) > 0 {
		var rem uint64
		for i, x := range w {
			cur := rem<<32 | uint64(x)
			w[i] = uint32(cur / 1e9)
			rem = cur % 1e9
		}
		r.digits = append(r.digits, uint32(rem))
		for len(w) > 0 && w[0] == 0 {
			w = w[1:]
		}
	}
	last := len(r.digits) - 1
	dst = strconv.AppendUint(dst, uint64(r.digits[last]), 10)
	for i := last - 1; i >= 0; i-- {
		dst = appendDigits(dst, uint64(r.digits[i]), 9)
	}
	return dst
}
