package hessianjson

// Kind is the kind of a rendered value, as Renderer.Kind reports it.
type Kind uint8

// The kinds of hessian2 values. Null, Bool, Int, Double and String are the
// plain scalars (Kind.Scalar).
const (
	// KindNone: no value has been rendered since the last Reset, or the
	// last Append failed.
	KindNone Kind = iota
	KindNull
	KindBool
	// KindInt is an int or a long.
	KindInt
	KindDouble
	KindString
	// KindBinary is a byte[], rendered as a base64 JSON string.
	KindBinary
	// KindDate is a java.util.Date (or a java.sql date, time or
	// timestamp), rendered as an RFC 3339 JSON string.
	KindDate
	// KindList is a list, set or array, rendered as a JSON array.
	KindList
	// KindMap is a map, rendered as a JSON object.
	KindMap
	// KindObject is an object (a POJO), rendered as a JSON object of its
	// fields.
	KindObject
	// KindEnum is an enum constant, rendered as its name.
	KindEnum
	// KindNumber is a java.math.BigDecimal or BigInteger, rendered as a
	// JSON number with its exact digits.
	KindNumber
)

var kindNames = [...]string{
	KindNone:   "none",
	KindNull:   "null",
	KindBool:   "bool",
	KindInt:    "int",
	KindDouble: "double",
	KindString: "string",
	KindBinary: "binary",
	KindDate:   "date",
	KindList:   "list",
	KindMap:    "map",
	KindObject: "object",
	KindEnum:   "enum",
	KindNumber: "number",
}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Scalar reports whether k is a plain scalar: null, a boolean, an int or
// long, a double or a String. Such values have a text form of their own
// (Java's String.valueOf), which callers may prefer to their JSON.
func (k Kind) Scalar() bool {
	return k >= KindNull && k <= KindString
}
