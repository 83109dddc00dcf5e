package jsonhessian

// MaxDepth is the deepest nesting of JSON arrays and objects an argument may
// have; a deeper one is refused with an error.
const MaxDepth = 64

// maxArg bounds an argument's length, so that offsets fit in an int32.
const maxArg = 1 << 30

// Encoder turns call arguments given as text or JSON into hessian2 values.
// The arguments of one Dubbo request form one hessian2 stream, in which a
// class definition or a list type written for one argument is referred to by
// index in the later ones; so Reset starts each request, and AppendArg writes
// its arguments in order.
//
// An Encoder keeps its buffers from call to call: in steady state AppendArg
// and Check allocate nothing. It is not safe for concurrent use; give each
// event loop its own. The zero value is ready to use.
type Encoder struct {
	_ noCopy

	classes internTable // class definitions of the stream: see defKeyStart
	types   internTable // list and map types of the stream

	// The argument being transcoded.
	in   []byte
	pos  int         // pass 2's position in in
	tape []container // pass 1's containers, in document order
	next int         // the tape entry pass 2 reads next
	keys []keySpan   // the keys of the objects with a "class" key
	open []keySpan   // pass 1's keys of the objects still open

	str     []byte   // a decoded JSON string with escapes
	key     []byte   // the class definition being looked up
	name    []byte   // a type or class name being built
	words   []uint32 // a BigInteger's magnitude
	bin     []byte   // a byte[] being decoded
	check   []byte   // Check's output, discarded
	discard bool     // Check is running: the output may be cut at any value
}

// noCopy makes go vet's copylocks check flag copies of an Encoder, whose
// slices would be shared.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// Reset starts a new hessian2 stream: the next AppendArg is the first
// argument of a request. It forgets the class definitions and types written
// so far, keeping the memory.
func (e *Encoder) Reset() {
	e.classes.reset()
	e.types.reset()
}

// AppendArg appends the hessian2 encoding of one argument of type t, given as
// arg, to dst and returns the extended slice. How arg is read depends on t
// (see the package documentation): plain text for primitives, boxes, String,
// BigDecimal, BigInteger and Date; JSON for everything else.
//
// On error the result is dst unchanged, and the error wraps ErrBadArgument
// and says why (the caller adds the argument's index); the stream is then
// unusable until Reset, as a class definition may have been recorded for
// bytes that were discarded. AppendArg keeps no reference to arg or dst. The
// bytes it appends are at most MaxSize(t, arg).
func (e *Encoder) AppendArg(dst []byte, t Type, arg []byte) ([]byte, error) {
	n := len(dst)
	var err error
	if t.Kind.IsText() {
		dst, err = e.appendText(dst, t, arg)
	} else {
		dst, err = e.appendJSON(dst, t, arg)
	}
	if err != nil {
		return dst[:n], err
	}
	return dst, nil
}

// Check reports whether AppendArg would accept arg as an argument of type t,
// with the same error. It writes nothing the caller sees, keeps no more than
// a few KB of output whatever arg's size, and resets the stream (as Reset
// does), so a consumer agent validates arguments up front with it; do not
// call it between Reset and the last AppendArg of a request. In steady state
// it does not allocate.
func (e *Encoder) Check(t Type, arg []byte) error {
	e.Reset()
	e.discard = true
	out, err := e.AppendArg(e.check[:0], t, arg)
	e.check = out[:0]
	e.discard = false
	e.Reset()
	return err
}

// checkBuffer is how much output Check keeps before it starts over: its
// buffer holds at most this much plus one value.
const checkBuffer = 4096

// MaxSize returns an upper bound of the bytes AppendArg appends for arg as an
// argument of type t, whatever the stream holds already: a caller writing
// into a connection's buffer reserves MaxSize bytes, appends, and gives back
// the rest. It is O(1) and does not look at arg's bytes.
//
// The bound is 4 bytes per byte of arg (a double "1e5" becomes 9 bytes, a
// 4-byte UTF-8 character a 6-byte surrogate pair, a BigDecimal element "1,"
// an object of up to 8), 8 for an array of Date, BigDecimal or BigInteger
// (an element "1," becomes a 9-byte date or an object of up to 12 bytes),
// plus a constant for the class definitions of BigDecimal and BigInteger
// and for an enum's class, plus, for an array, the full type string at each
// nesting level the JSON can reach (later uses are references).
func MaxSize(t Type, arg []byte) int {
	perByte := 4
	if t.Kind == KindArray && (t.Elem == KindDate || t.Elem == KindSQLDate || t.Elem == KindBigDecimal || t.Elem == KindBigInteger) {
		perByte = 8
	}
	n := perByte*len(arg) + 256 + 2*len(t.Class)
	if t.Kind == KindArray {
		levels := min(t.Dims, MaxDepth, len(arg)/2+1)
		n += levels * (t.Dims + 2*len(t.Class) + 16)
	}
	return n
}

// appendJSON transcodes the JSON argument arg of type t.
func (e *Encoder) appendJSON(dst []byte, t Type, arg []byte) ([]byte, error) {
	switch t.Kind {
	case KindObject, KindList, KindMap, KindClass, KindArray:
	default:
		return dst, badArg("parameter type %q is not valid", t.Desc)
	}
	if len(arg) > maxArg {
		return dst, badArg("JSON of %d bytes is larger than %d", len(arg), maxArg)
	}
	e.in = arg
	dst, err := e.transcode(dst, t)
	e.in = nil
	return dst, err
}

// transcode runs both passes over e.in.
func (e *Encoder) transcode(dst []byte, t Type) ([]byte, error) {
	if err := e.scan(); err != nil {
		return dst, err
	}
	e.pos, e.next = 0, 0
	e.ws()
	dst, err := e.value(dst, t)
	if err != nil {
		return dst, err
	}
	e.ws()
	if e.pos != len(e.in) {
		return dst, e.syntaxError("after the JSON value")
	}
	return dst, nil
}
