package jsonhessian

import "encoding/binary"

// Class definitions and types within a stream.
//
// A typed object is written as a class definition ('C', the class name, the
// field count and names), once per stream for each class and field list, and
// then an instance that refers to its definition by index, followed by the
// field values. A typed list or map names its type once per stream as a
// string; later uses refer to it by index. Encoder.classes and Encoder.types
// number them in the order they are written, as Java's Hessian2Input and
// dubbo-go-hessian2's decoder number them when reading.
//
// A class definition is looked up by a key: the class name, then each field
// name, each preceded by its length as a uvarint.

// defKeyStart starts e.key for the class named name (Java form).
func (e *Encoder) defKeyStart(name []byte) {
	e.key = binary.AppendUvarint(e.key[:0], uint64(len(name)))
	e.key = append(e.key, name...)
}

// defKeyField adds the field named name to e.key.
func (e *Encoder) defKeyField(name []byte) {
	e.key = binary.AppendUvarint(e.key, uint64(len(name)))
	e.key = append(e.key, name...)
}

// appendInstance writes the class definition in key, with fields fields,
// unless the stream has it already, and then the head of an instance of it.
// The field values follow.
func (e *Encoder) appendInstance(dst []byte, key []byte, fields int) []byte {
	idx, added := e.classes.add(key)
	if added {
		key = e.classes.key(idx)
		dst = append(dst, tagClassDef)
		var name []byte
		name, key = splitKey(key)
		dst = AppendString(dst, name)
		dst = AppendInt(dst, int32(fields))
		for len(key) > 0 {
			name, key = splitKey(key)
			dst = AppendString(dst, name)
		}
	}
	if idx <= 0xf {
		return append(dst, byte(tagObjectDirect+idx))
	}
	return AppendInt(append(dst, tagObject), int32(idx))
}

// splitKey splits the first length-prefixed name off a class definition key.
func splitKey(key []byte) (name, rest []byte) {
	n, k := binary.Uvarint(key)
	return key[k : k+int(n)], key[k+int(n):]
}

// classKey returns the key of the class named name with fields.
func classKey(name string, fields ...string) []byte {
	var e Encoder
	e.defKeyStart([]byte(name))
	for _, f := range fields {
		e.defKeyField([]byte(f))
	}
	return e.key
}

// Keys of the class definitions written for BigDecimal and BigInteger, and
// names as byte slices.
var (
	keyBigDecimal = classKey(classBigDecimal, fieldValue)
	keyBigInteger = classKey(classBigInteger, fieldSignum, fieldMag)
	nameListInt   = []byte(listTypeInt)
	nameField     = []byte(fieldName)
	nameValue     = []byte(fieldValue)
)

// appendType writes the type name of a typed list or map: a string the first
// time in the stream, then its index.
func (e *Encoder) appendType(dst []byte, name []byte) []byte {
	idx, added := e.types.add(name)
	if added {
		return AppendString(dst, name)
	}
	return AppendInt(dst, int32(idx))
}

// appendListHead writes the head of a typed list of n values of type name.
func (e *Encoder) appendListHead(dst []byte, name []byte, n int) []byte {
	if n <= 7 {
		return e.appendType(append(dst, byte(tagListTypedDirect+n)), name)
	}
	dst = e.appendType(append(dst, tagListTyped), name)
	return AppendInt(dst, int32(n))
}

// appendUntypedListHead writes the head of an untyped list of n values.
func appendUntypedListHead(dst []byte, n int) []byte {
	if n <= 7 {
		return append(dst, byte(tagListUntypedDirect+n))
	}
	return AppendInt(append(dst, tagListUntyped), int32(n))
}

// appendSQLDate writes a java.sql.Date, Time or Timestamp of ms, the Java
// name of whose class is name, as Java's Hessian writes one
// (SqlDateSerializer): an object of the class with the single field
// "value", a date.
func (e *Encoder) appendSQLDate(dst []byte, name []byte, ms int64) []byte {
	e.defKeyStart(name)
	e.defKeyField(nameValue)
	dst = e.appendInstance(dst, e.key, 1)
	return AppendDate(dst, ms)
}

// appendBigDecimal writes a BigDecimal of the valid decimal text.
func (e *Encoder) appendBigDecimal(dst []byte, text []byte) []byte {
	dst = e.appendInstance(dst, keyBigDecimal, 1)
	return appendASCII(dst, text)
}

// appendBigInteger writes a BigInteger of signum and the big-endian words of
// its magnitude.
func (e *Encoder) appendBigInteger(dst []byte, signum int32, words []uint32) []byte {
	dst = e.appendInstance(dst, keyBigInteger, 2)
	dst = AppendInt(dst, signum)
	dst = e.appendListHead(dst, nameListInt, len(words))
	for _, w := range words {
		dst = AppendInt(dst, int32(w))
	}
	return dst
}

// appendEnum writes the enum constant named name of the class t names: an
// object of that class with the single field "name".
func (e *Encoder) appendEnum(dst []byte, t Type, name []byte, ascii bool) []byte {
	e.name = t.AppendClassName(e.name[:0])
	e.defKeyStart(e.name)
	e.defKeyField(nameField)
	dst = e.appendInstance(dst, e.key, 1)
	if ascii {
		return appendASCII(dst, name)
	}
	return AppendString(dst, name)
}
