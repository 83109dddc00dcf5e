package hessianjson

import (
	"encoding/binary"
	"math"
	"strconv"
)

// integer renders an int or a long in decimal.
func (r *Renderer) integer(dst []byte, c *cursor) ([]byte, error) {
	tag := c.b[c.pos]
	size := intSize(tag)
	if size == 0 {
		size = longSize(tag)
	}
	if err := c.need(size); err != nil {
		return dst, err
	}
	v := integer(c.b[c.pos : c.pos+size])
	c.pos += size
	dst = strconv.AppendInt(dst, v, 10)
	return dst, r.grown(dst)
}

// doubleSize returns the encoded size of a double whose first byte is tag.
func doubleSize(tag byte) int {
	switch tag {
	case 0x5b, 0x5c:
		return 1
	case 0x5d:
		return 2
	case 0x5e:
		return 3
	case 0x5f:
		return 5
	}
	return 9 // 'D'
}

// decodeDouble decodes the double at p (p[0] is its tag). The 0x5f form is
// thousandths, scaled as Java's Hessian2Input does (0.001 * mills), so the
// double Java wrote comes back exactly.
func decodeDouble(p []byte) float64 {
	switch p[0] {
	case 0x5b:
		return 0
	case 0x5c:
		return 1
	case 0x5d:
		return float64(int8(p[1]))
	case 0x5e:
		return float64(int16(binary.BigEndian.Uint16(p[1:])))
	case 0x5f:
		return 0.001 * float64(int32(binary.BigEndian.Uint32(p[1:])))
	}
	return math.Float64frombits(binary.BigEndian.Uint64(p[1:])) // 'D'
}

// double renders a double in any of its forms.
func (r *Renderer) double(dst []byte, c *cursor) ([]byte, error) {
	size := doubleSize(c.b[c.pos])
	if err := c.need(size); err != nil {
		return dst, err
	}
	f := decodeDouble(c.b[c.pos : c.pos+size])
	c.pos += size
	dst = appendDouble(dst, f)
	return dst, r.grown(dst)
}

// appendDouble appends f as encoding/json writes a float64: the shortest
// decimal that parses back to f, plainly for magnitudes in [1e-6, 1e21) and
// with an exponent otherwise (1e+21, 1e-7). JSON has no NaN or infinities,
// so those become the strings "NaN", "Infinity" and "-Infinity", as Java
// spells them.
func appendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// Two-digit negative exponents, e-07, become e-7 as in
		// encoding/json.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
