package jsonhessian

// BigDecimal and BigInteger, as Java's Hessian reads them.
//
// A java.math.BigDecimal is an object of class java.math.BigDecimal with the
// single field "value", its decimal text: what Hessian's StringValueSerializer
// writes and its BigDecimalDeserializer reads (and what dubbo-go-hessian2
// reads into its big.Decimal).
//
// A java.math.BigInteger has no string form in Hessian: Java writes it field
// by field, and reads it back the same way (Caucho's JavaDeserializer and
// UnsafeDeserializer, Dubbo's BigIntegerDeserializer, dubbo-go-hessian2's
// big.Integer). The fields that matter are "signum" (-1, 0 or 1) and "mag",
// the magnitude as an int[] of big-endian 32-bit words without leading zero
// words (empty for zero); the others are caches a fresh instance computes.

// maxBigIntegerDigits bounds the decimal digits of a BigInteger: the
// conversion to words is quadratic, and real values are far shorter.
const maxBigIntegerDigits = 4096

// maxExponentDigits bounds the exponent of a BigDecimal, which Java keeps in
// an int.
const maxExponentDigits = 9

// Names of the classes and fields written for BigDecimal and BigInteger.
const (
	classBigDecimal = "java.math.BigDecimal"
	classBigInteger = "java.math.BigInteger"
	classDate       = "java.util.Date"
	classBytes      = "[B"
	fieldValue      = "value"
	fieldSignum     = "signum"
	fieldMag        = "mag"
	fieldName       = "name" // the single field of an enum constant
	listTypeInt     = "[int"
)

// validDecimal reports whether b is the text of a BigDecimal as Java's
// new BigDecimal(String) reads it: an optional sign, digits with an optional
// decimal point (at least one digit), and an optional exponent.
func validDecimal(b []byte) bool {
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	n := 0
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		n++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			n++
		}
	}
	if n == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		e := 0
		for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
			e++
		}
		if e == 0 || e > maxExponentDigits {
			return false
		}
	}
	return i == len(b)
}

// parseBigInteger parses the optionally signed decimal b into its signum and
// magnitude, the big-endian 32-bit words appended to mag[:0]. ok is false when
// b is not such a decimal or has more than maxBigIntegerDigits digits.
func parseBigInteger(b []byte, mag []uint32) (signum int32, words []uint32, ok bool) {
	words = mag[:0]
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, words, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, words, false
		}
	}
	for len(b) > 1 && b[0] == '0' {
		b = b[1:]
	}
	if len(b) > maxBigIntegerDigits {
		return 0, words, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, words, true
	}
	// Little-endian words while multiplying in chunks of up to 9 digits.
	for len(b) > 0 {
		k := min(len(b), 9)
		var chunk, scale uint64 = 0, 1
		for _, c := range b[:k] {
			chunk = chunk*10 + uint64(c-'0')
			scale *= 10
		}
		b = b[k:]
		carry := chunk
		for i, w := range words {
			v := uint64(w)*scale + carry
			words[i] = uint32(v)
			carry = v >> 32
		}
		if carry != 0 {
			words = append(words, uint32(carry))
		}
	}
	for i, j := 0, len(words)-1; i < j; i, j = i+1, j-1 {
		words[i], words[j] = words[j], words[i]
	}
	if neg {
		return -1, words, true
	}
	return 1, words, true
}
