package jsonhessian

import (
	"encoding/base64"
	"slices"
)

// Pass 2 of a JSON argument: each value is written as the type it is
// declared as. The descriptor declares the argument's type, and an array's
// declares its elements'; inside an object or an untyped list nothing is
// declared, and a value is written as itself (anyType).

// anyType is the type of a value nothing declares: any JSON value.
var anyType = Type{Kind: KindObject, Elem: KindObject}

// Types of the values of special objects.
var (
	typeDate       = Type{Kind: KindDate, Elem: KindDate}
	typeBigDecimal = Type{Kind: KindBigDecimal, Elem: KindBigDecimal}
	typeBigInteger = Type{Kind: KindBigInteger, Elem: KindBigInteger}
	typeBytes      = Type{Kind: KindArray, Elem: KindByte, Dims: 1, Desc: []byte("[B")}
)

// typeName names t for an error message: "int", "Integer", "int[][]",
// "com.x.User".
func typeName(t Type) string {
	var b []byte
	switch t.Elem {
	case KindClass, KindList, KindMap, KindSQLDate:
		b = t.AppendClassName(nil)
	default:
		b = []byte(t.Elem.String())
	}
	for range t.Dims {
		b = append(b, "[]"...)
	}
	return string(b)
}

// shapeError reports a JSON value at off of the wrong shape for t.
func (e *Encoder) shapeError(off int, what string, t Type) error {
	return e.errorAt(off, "%s where %s is declared", what, typeName(t))
}

// value writes the JSON value at e.pos as type t.
func (e *Encoder) value(dst []byte, t Type) ([]byte, error) {
	if e.discard && len(dst) > checkBuffer {
		dst = dst[:0]
	}
	switch c := e.peek(); {
	case c == '"':
		return e.stringValue(dst, t)
	case c == '-' || '0' <= c && c <= '9':
		return e.numberValue(dst, t)
	case c == '[':
		return e.arrayValue(dst, t)
	case c == '{':
		return e.objectValue(dst, t)
	case c == 't' || c == 'f':
		off := e.pos
		lit := "true"
		if c == 'f' {
			lit = "false"
		}
		if err := e.readLiteral(lit); err != nil {
			return dst, err
		}
		switch t.Kind {
		case KindBool, KindBoolBox, KindObject:
			return AppendBool(dst, c == 't'), nil
		}
		return dst, e.shapeError(off, "a boolean", t)
	case c == 'n':
		off := e.pos
		if err := e.readLiteral("null"); err != nil {
			return dst, err
		}
		if t.Kind.IsPrimitive() {
			return dst, e.shapeError(off, "null", t)
		}
		return AppendNull(dst), nil
	}
	return dst, e.syntaxError("where a value belongs")
}

// appendText writes a decoded JSON string.
func appendText(dst []byte, s []byte, ascii bool) []byte {
	if ascii {
		return appendASCII(dst, s)
	}
	return AppendString(dst, s)
}

// stringValue writes the JSON string at e.pos as type t.
func (e *Encoder) stringValue(dst []byte, t Type) ([]byte, error) {
	off := e.pos
	s, ascii, err := e.readString()
	if err != nil {
		return dst, err
	}
	switch t.Kind {
	case KindString, KindObject:
		return appendText(dst, s, ascii), nil
	case KindChar, KindCharBox:
		if !isOneUnit(s) {
			return dst, e.errorAt(off, "%s is not a char (one UTF-16 code unit)", quote(s))
		}
		return AppendString(dst, s), nil
	case KindClass:
		if notEnums[string(t.Class)] {
			return dst, e.errorAt(off, "a string where %s is declared: a string is read as an enum constant's name, and %s is not an enum (its value cannot be given as JSON)", typeName(t), typeName(t))
		}
		return e.appendEnum(dst, t, s, ascii), nil
	case KindDate, KindSQLDate:
		ms, ok := parseDate(s)
		if !ok {
			return dst, e.errorAt(off, "%s is not a %s (RFC 3339 or epoch milliseconds)", quote(s), typeName(t))
		}
		return e.appendDate(dst, t, ms), nil
	case KindBigDecimal:
		if !validDecimal(s) {
			return dst, e.errorAt(off, "%s is not a BigDecimal", quote(s))
		}
		return e.appendBigDecimal(dst, s), nil
	case KindBigInteger:
		return e.bigInteger(dst, s, off)
	case KindArray:
		switch {
		case t.Dims == 1 && t.Elem == KindChar:
			return appendText(dst, s, ascii), nil
		case t.Dims == 1 && t.Elem == KindByte:
			return e.base64Bytes(dst, s, off)
		}
	}
	return dst, e.shapeError(off, "a string", t)
}

// appendDate writes the date ms as t: a Date, or the java.sql date t names.
func (e *Encoder) appendDate(dst []byte, t Type, ms int64) []byte {
	if t.Kind == KindSQLDate {
		e.name = t.AppendClassName(e.name[:0])
		return e.appendSQLDate(dst, e.name, ms)
	}
	return AppendDate(dst, ms)
}

// bigInteger writes the decimal s, read at off, as a BigInteger.
func (e *Encoder) bigInteger(dst []byte, s []byte, off int) ([]byte, error) {
	signum, words, ok := parseBigInteger(s, e.words)
	e.words = words[:0]
	if !ok {
		return dst, e.errorAt(off, "%s is not a BigInteger (a decimal of at most %d digits)", quote(s), maxBigIntegerDigits)
	}
	return e.appendBigInteger(dst, signum, words), nil
}

// base64Bytes writes the base64 text s (standard alphabet, padded or not)
// as a byte[].
func (e *Encoder) base64Bytes(dst []byte, s []byte, off int) ([]byte, error) {
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	e.bin = slices.Grow(e.bin[:0], enc.DecodedLen(len(s)))
	n, err := enc.Decode(e.bin[:cap(e.bin)], s)
	if err != nil {
		return dst, e.errorAt(off, "a byte[] string is not base64: %v", err)
	}
	return AppendBinary(dst, e.bin[:n]), nil
}

// numberValue writes the JSON number at e.pos as type t.
func (e *Encoder) numberValue(dst []byte, t Type) ([]byte, error) {
	off := e.pos
	num, integral, err := e.readNumber()
	if err != nil {
		return dst, err
	}
	switch k := t.Kind.unbox(); k {
	case KindByte, KindShort, KindInt, KindLong:
		bits := integralBits[k]
		v, ok := ParseInteger(num, bits)
		if !integral || !ok {
			return dst, e.errorAt(off, "%s is not a %s (%d to %d)", quote(num), k, -1<<(bits-1), 1<<(bits-1)-1)
		}
		if k == KindLong {
			return AppendLong(dst, v), nil
		}
		return AppendInt(dst, int32(v)), nil
	case KindFloat, KindDouble:
		f, err := parseFloating(num, k)
		if err != nil {
			return dst, e.errorAt(off, "%s is not a %s", quote(num), k)
		}
		return AppendDouble(dst, f), nil
	case KindObject:
		if integral {
			if v, ok := ParseInteger(num, 32); ok {
				return AppendInt(dst, int32(v)), nil
			}
			if v, ok := ParseInteger(num, 64); ok {
				return AppendLong(dst, v), nil
			}
			return e.bigInteger(dst, num, off)
		}
		f, err := parseFloat(num, 64)
		if err != nil {
			return dst, e.errorAt(off, "%s is out of double's range", quote(num))
		}
		return AppendDouble(dst, f), nil
	case KindBigDecimal:
		if !validDecimal(num) {
			return dst, e.errorAt(off, "%s is not a BigDecimal", quote(num))
		}
		return e.appendBigDecimal(dst, num), nil
	case KindBigInteger:
		if !integral {
			return dst, e.errorAt(off, "%s is not a BigInteger", quote(num))
		}
		return e.bigInteger(dst, num, off)
	case KindDate, KindSQLDate:
		ms, ok := ParseInteger(num, 64)
		if !integral || !ok {
			return dst, e.errorAt(off, "%s is not a %s in epoch milliseconds", quote(num), typeName(t))
		}
		return e.appendDate(dst, t, ms), nil
	}
	return dst, e.shapeError(off, "a number", t)
}

// takeContainer returns pass 1's record of the array or object at e.pos.
func (e *Encoder) takeContainer() (container, error) {
	if e.next >= len(e.tape) {
		return container{}, e.errorAt(e.pos, "the JSON's structure is not valid")
	}
	c := e.tape[e.next]
	e.next++
	return c, nil
}

// arrayValue writes the JSON array at e.pos as type t: an untyped list
// where nothing or a collection is declared, a typed list where an array is.
func (e *Encoder) arrayValue(dst []byte, t Type) ([]byte, error) {
	off := e.pos
	c, err := e.takeContainer()
	if err != nil {
		return dst, err
	}
	n := int(c.count)
	switch {
	case t.Kind == KindObject || t.Kind == KindList:
		e.pos++
		return e.elements(appendUntypedListHead(dst, n), anyType, n)
	case t.Kind != KindArray:
		return dst, e.shapeError(off, "an array", t)
	case t.Dims == 1 && t.Elem == KindByte:
		return e.byteArray(dst, n)
	case t.Dims == 1 && t.Elem == KindChar:
		return e.charArray(dst, n)
	}
	e.name = t.AppendListType(e.name[:0])
	dst = e.appendListHead(dst, e.name, n)
	e.pos++
	return e.elements(dst, t.ElemType(), n)
}

// elements writes the n values of the array whose '[' is just behind e.pos,
// as type et, and consumes its ']'.
func (e *Encoder) elements(dst []byte, et Type, n int) ([]byte, error) {
	var err error
	for i := range n {
		if i > 0 {
			if err = e.expect(',', "between array values"); err != nil {
				return dst, err
			}
		}
		e.ws()
		if dst, err = e.value(dst, et); err != nil {
			return dst, err
		}
	}
	return dst, e.expect(']', "at the end of an array")
}

// byteArray writes the JSON array of n numbers at e.pos as a byte[]. Values
// from -128 to 255 are taken, as signed or unsigned bytes.
func (e *Encoder) byteArray(dst []byte, n int) ([]byte, error) {
	e.pos++
	e.bin = e.bin[:0]
	for i := range n {
		if i > 0 {
			if err := e.expect(',', "between array values"); err != nil {
				return dst, err
			}
		}
		e.ws()
		off := e.pos
		if c := e.peek(); c != '-' && (c < '0' || c > '9') {
			if bytesHas(`"[{tfn`, c) {
				return dst, e.errorAt(off, "a byte[] holds numbers from -128 to 255")
			}
			return dst, e.syntaxError("where a value belongs")
		}
		num, integral, err := e.readNumber()
		if err != nil {
			return dst, err
		}
		v, ok := ParseInteger(num, 16)
		if !integral || !ok || v < -128 || v > 255 {
			return dst, e.errorAt(off, "%s is not a byte (-128 to 255)", quote(num))
		}
		e.bin = append(e.bin, byte(v))
	}
	if err := e.expect(']', "at the end of an array"); err != nil {
		return dst, err
	}
	return AppendBinary(dst, e.bin), nil
}

// charArray writes the JSON array of n one-character strings at e.pos as a
// char[], which Hessian writes as a string.
func (e *Encoder) charArray(dst []byte, n int) ([]byte, error) {
	e.pos++
	e.bin = e.bin[:0]
	for i := range n {
		if i > 0 {
			if err := e.expect(',', "between array values"); err != nil {
				return dst, err
			}
		}
		e.ws()
		off := e.pos
		if e.peek() != '"' {
			if e.pos < len(e.in) && bytesHas("-0123456789[{tfn", e.in[e.pos]) {
				return dst, e.errorAt(off, "a char[] holds one-character strings")
			}
			return dst, e.syntaxError("where a value belongs")
		}
		s, _, err := e.readString()
		if err != nil {
			return dst, err
		}
		if !isOneUnit(s) {
			return dst, e.errorAt(off, "%s is not a char (one UTF-16 code unit)", quote(s))
		}
		e.bin = append(e.bin, s...)
	}
	if err := e.expect(']', "at the end of an array"); err != nil {
		return dst, err
	}
	return AppendString(dst, e.bin), nil
}

// bytesHas reports whether the set s holds c.
func bytesHas(s string, c byte) bool {
	for i := range len(s) {
		if s[i] == c {
			return true
		}
	}
	return false
}
