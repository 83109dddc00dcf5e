package dubbo

import (
	"math"
	"strconv"
)

// decAppendJavaDouble appends f as Java's Double.toString renders it (the
// JDK 19+ specification, which String.valueOf(double) follows):
//
//   - NaN, Infinity, -Infinity, 0.0 and -0.0 are spelt out;
//   - the digits are the shortest decimal that rounds back to f, the one
//     closest to f when there are several; when that decimal has a single
//     digit, the closest decimal of one or two digits is taken instead, which
//     is why Double.MIN_VALUE renders as 4.9E-324 rather than 5.0E-324;
//   - magnitudes in [1e-3, 1e7) are written plainly with at least one digit
//     after the point (100.0, 0.001); others as d.dddE±n (1.0E7, 1.0E-4).
//
// It does not allocate beyond growing dst.
func decAppendJavaDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var buf [32]byte
	digits, exp := decShortest(buf[:0], f)
	if len(digits) == 1 {
		var two [32]byte
		if d, e := decDigits(strconv.AppendFloat(two[:0], f, 'e', 1, 64)); decRoundTrips(d, e, f) {
			digits, exp = d, e
			for len(digits) > 1 && digits[len(digits)-1] == '0' {
				digits = digits[:len(digits)-1]
			}
		}
	}
	if exp >= -3 && exp < 7 {
		if exp < 0 {
			dst = append(dst, "0."...)
			for i := -1; i > exp; i-- {
				dst = append(dst, '0')
			}
			return append(dst, digits...)
		}
		whole := exp + 1
		if len(digits) <= whole {
			dst = append(dst, digits...)
			for i := len(digits); i < whole; i++ {
				dst = append(dst, '0')
			}
			return append(dst, ".0"...)
		}
		dst = append(dst, digits[:whole]...)
		dst = append(dst, '.')
		return append(dst, digits[whole:]...)
	}
	dst = append(dst, digits[0], '.')
	if len(digits) > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// decShortest returns the shortest round-tripping significant digits of
// f > 0 (written into buf) and the decimal exponent of the first digit.
func decShortest(buf []byte, f float64) ([]byte, int) {
	return decDigits(strconv.AppendFloat(buf, f, 'e', -1, 64))
}

// decDigits splits strconv's 'e' format, d.ddde±xx, into the digits (in
// place, the point removed) and the exponent.
func decDigits(s []byte) ([]byte, int) {
	e := len(s) - 1
	for s[e] != 'e' {
		e--
	}
	exp := 0
	neg := s[e+1] == '-'
	for _, c := range s[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if neg {
		exp = -exp
	}
	digits := s[:e]
	if len(digits) > 1 {
		copy(digits[1:], digits[2:])
		digits = digits[:len(digits)-1]
	}
	return digits, exp
}

// decRoundTrips reports whether the decimal digits×10^(exp-len+1) parses
// back to f.
func decRoundTrips(digits []byte, exp int, f float64) bool {
	var buf [40]byte
	s := append(buf[:0], digits...)
	s = append(s, 'e')
	s = strconv.AppendInt(s, int64(exp-len(digits)+1), 10)
	g, err := strconv.ParseFloat(string(s), 64)
	return err == nil && g == f
}
