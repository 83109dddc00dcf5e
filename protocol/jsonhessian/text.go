package jsonhessian

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// Plain-text arguments: primitives, boxes, String, BigDecimal, BigInteger
// and Date are given as their text, not as JSON.
//
//   - boolean: "true" or "false";
//   - byte, short, int, long: an optionally signed decimal in the type's
//     range ("-12", "+7");
//   - float, double: anything Go's strconv.ParseFloat reads ("1.5E3",
//     "NaN", "-Inf"); a float must not overflow float32;
//   - char: exactly one UTF-16 code unit (one character of the BMP);
//   - String: any valid UTF-8, as is;
//   - BigDecimal: Java's decimal form ("1.10", "-3E+5"); BigInteger: an
//     optionally signed decimal of at most 4096 digits;
//   - Date: RFC 3339 or epoch milliseconds (see date.go).
//
// The java.sql dates (Date, Time, Timestamp) are read as a Date is.
//
// A box, BigDecimal, BigInteger or date also takes the text "null", for Java
// null (a String cannot: "null" is that string).

// appendText encodes the text argument arg of the text kind t.Kind.
func (e *Encoder) appendText(dst []byte, t Type, arg []byte) ([]byte, error) {
	k := t.Kind
	if string(arg) == "null" && (k.IsBox() || k == KindBigDecimal || k == KindBigInteger || k == KindDate || k == KindSQLDate) {
		return AppendNull(dst), nil
	}
	switch k.unbox() {
	case KindBool:
		switch string(arg) {
		case "true":
			return AppendBool(dst, true), nil
		case "false":
			return AppendBool(dst, false), nil
		}
		return dst, badArg("%s is not a boolean (true or false)", quote(arg))
	case KindByte, KindShort, KindInt, KindLong:
		v, err := parseIntegral(arg, k.unbox())
		if err != nil {
			return dst, err
		}
		if k.unbox() == KindLong {
			return AppendLong(dst, v), nil
		}
		return AppendInt(dst, int32(v)), nil
	case KindFloat, KindDouble:
		f, err := parseFloating(arg, k.unbox())
		if err != nil {
			return dst, err
		}
		return AppendDouble(dst, f), nil
	case KindChar:
		if !isOneUnit(arg) {
			return dst, badArg("%s is not a char (one UTF-16 code unit)", quote(arg))
		}
		return AppendString(dst, arg), nil
	case KindString:
		if !utf8.Valid(arg) {
			return dst, badArg("a String is not valid UTF-8")
		}
		return AppendString(dst, arg), nil
	case KindBigDecimal:
		if !validDecimal(arg) {
			return dst, badArg("%s is not a BigDecimal", quote(arg))
		}
		return e.appendBigDecimal(dst, arg), nil
	case KindBigInteger:
		return e.appendBigIntegerText(dst, arg)
	case KindDate, KindSQLDate:
		ms, ok := parseDate(arg)
		if !ok {
			return dst, badArg("%s is not a %s (RFC 3339 or epoch milliseconds)", quote(arg), typeName(t))
		}
		return e.appendDate(dst, t, ms), nil
	}
	return dst, badArg("parameter type %q is not valid", t.Desc)
}

// integralBits is the size of each integral primitive kind.
var integralBits = [...]uint{KindByte: 8, KindShort: 16, KindInt: 32, KindLong: 64}

// parseIntegral parses the decimal b as the integral primitive kind k.
func parseIntegral(b []byte, k Kind) (int64, error) {
	v, ok := ParseInteger(b, integralBits[k])
	if !ok {
		bits := integralBits[k]
		return 0, badArg("%s is not a %s (%d to %d)", quote(b), k, -1<<(bits-1), 1<<(bits-1)-1)
	}
	return v, nil
}

// ParseInteger parses b as the text of a Java integral value: an optionally
// signed decimal that fits in a signed integer of the given bit size (8, 16,
// 32 or 64). It reports false for anything else, and does not allocate.
func ParseInteger(b []byte, bits uint) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	limit := uint64(1) << (bits - 1) // |min|; max is limit-1
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (limit-uint64(c-'0'))/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		return -int64(u), true // -(1<<63) wraps to itself, as wanted
	}
	if u == limit {
		return 0, false
	}
	return int64(u), true
}

// parseFloating parses b as a float or double (k): a float is rounded to
// float32 once, from the text, and must not overflow it.
func parseFloating(b []byte, k Kind) (float64, error) {
	bits := 64
	if k == KindFloat {
		bits = 32
	}
	f, err := parseFloat(b, bits)
	if err != nil {
		return 0, badArg("%s is not a %s", quote(b), k)
	}
	return f, nil
}

// parseFloat is strconv.ParseFloat over b without copying it. A value that
// overflows is an error; one that underflows is rounded to zero or a
// subnormal.
func parseFloat(b []byte, bits int) (float64, error) {
	if len(b) == 0 {
		return 0, strconv.ErrSyntax
	}
	// The string does not outlive the call: strconv copies it into its
	// errors.
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), bits)
	if err != nil && !(errors.Is(err, strconv.ErrRange) && !math.IsInf(f, 0)) {
		return 0, err
	}
	return f, nil
}

// isOneUnit reports whether b is one character of the BMP in UTF-8: one
// UTF-16 code unit.
func isOneUnit(b []byte) bool {
	r, n := utf8.DecodeRune(b)
	return n == len(b) && n > 0 && !(r == utf8.RuneError && n == 1) && r < 0x10000
}

// appendBigIntegerText encodes the decimal text b as a BigInteger.
func (e *Encoder) appendBigIntegerText(dst []byte, b []byte) ([]byte, error) {
	signum, words, ok := parseBigInteger(b, e.words)
	e.words = words[:0]
	if !ok {
		return dst, badArg("%s is not a BigInteger (a decimal of at most %d digits)", quote(b), maxBigIntegerDigits)
	}
	return e.appendBigInteger(dst, signum, words), nil
}
