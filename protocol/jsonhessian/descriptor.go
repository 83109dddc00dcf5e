package jsonhessian

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// MaxParams is the JVM's limit on a method's parameters.
const MaxParams = 255

// maxDims is the JVM's limit on array dimensions.
const maxDims = 255

// maxClassName bounds a class name in a descriptor, in bytes. Real names are
// far shorter; the bound keeps MaxSize small for any descriptor.
const maxClassName = 1024

// Type is one parameter type of a JVM descriptor list, as ParseTypes and
// NextType read it. Desc and Class alias the descriptor text: a Type is valid
// as long as that text is neither modified nor reused.
type Type struct {
	// Kind says how the argument is read; KindArray for an array.
	Kind Kind
	// Elem is the kind of an array's innermost element (never KindArray);
	// for other types it equals Kind.
	Elem Kind
	// Dims is the number of array dimensions: 1 for [I, 2 for [[I, 0 for a
	// type that is not an array.
	Dims int
	// Desc is the descriptor of this parameter: "I", "Ljava/lang/String;",
	// "[[Lcom/x/User;".
	Desc []byte
	// Class is the internal name of the class a L type (or an array of
	// one) names, "com/x/User", or nil. AppendClassName gives its Java form.
	Class []byte
}

// ElemType returns the type of the elements of the array type t: for [[I,
// the type [I; for [I, the type I. It returns the zero Type when t is not an
// array.
func (t Type) ElemType() Type {
	if t.Kind != KindArray {
		return Type{}
	}
	e := Type{Kind: KindArray, Elem: t.Elem, Dims: t.Dims - 1, Desc: t.Desc[1:], Class: t.Class}
	if e.Dims == 0 {
		e.Kind = t.Elem
	}
	return e
}

// AppendClassName appends the Java name of t's class, "com.x.User", to dst
// and returns the extended slice. It appends nothing when t names no class.
func (t Type) AppendClassName(dst []byte) []byte {
	for _, c := range t.Class {
		if c == '/' {
			c = '.'
		}
		dst = append(dst, c)
	}
	return dst
}

// AppendListType appends the hessian type of the array type t, as Java's
// Hessian writes it for a typed list, to dst: "[int", "[[long", "[string",
// "[object", "[date", "[java.lang.Integer", "[com.x.User". It appends
// nothing when t is not an array.
func (t Type) AppendListType(dst []byte) []byte {
	if t.Kind != KindArray {
		return dst
	}
	for range t.Dims {
		dst = append(dst, '[')
	}
	switch {
	case int(t.Elem) < len(listTypeElem) && listTypeElem[t.Elem] != "":
		return append(dst, listTypeElem[t.Elem]...)
	case string(t.Class) == "java/lang/Object":
		return append(dst, "object"...)
	}
	return t.AppendClassName(dst)
}

// String returns the descriptor text of t.
func (t Type) String() string { return string(t.Desc) }

// descError is why a descriptor is not valid, before it is placed in the
// list (the argument index) and wrapped.
type descError struct {
	text string // the offending descriptor text, quoted
	why  string
}

// NextType reads the parameter type at the front of desc, which must not be
// empty, and returns it and the length of its descriptor. Errors wrap
// ErrBadArgument and say why, e.g. `"Lcom/x/User" lacks ';'`. NextType does
// not allocate on success; the Type aliases desc.
func NextType(desc []byte) (Type, int, error) {
	t, n, de := nextType(desc)
	if de != nil {
		return Type{}, 0, fmt.Errorf("%w: %s %s", ErrBadArgument, de.text, de.why)
	}
	return t, n, nil
}

// ParseTypes parses the JVM descriptor list desc, e.g.
// "Ljava/lang/String;I[Lcom/x/User;" (empty for a method without
// parameters), appending one Type per parameter to dst[:0]. It returns the
// extended slice. Errors wrap ErrBadArgument and name the parameter, 1-based:
// `argument 2: "Lcom/x/User" lacks ';'`.
//
// ParseTypes does not allocate when cap(dst) is large enough; the Types
// alias desc. It is safe for concurrent use on distinct dst.
func ParseTypes(desc []byte, dst []Type) ([]Type, error) {
	dst = dst[:0]
	for len(desc) > 0 {
		if len(dst) == MaxParams {
			return dst, fmt.Errorf("%w: more than %d parameters", ErrBadArgument, MaxParams)
		}
		t, n, de := nextType(desc)
		if de != nil {
			return dst, fmt.Errorf("%w: argument %d: %s %s", ErrBadArgument, len(dst)+1, de.text, de.why)
		}
		dst = append(dst, t)
		desc = desc[n:]
	}
	return dst, nil
}

// errDescEmpty is NextType's answer to an empty descriptor.
var errDescEmpty = &descError{text: `""`, why: "is empty"}

// nextType reads the descriptor at the front of desc.
func nextType(desc []byte) (Type, int, *descError) {
	if len(desc) == 0 {
		return Type{}, 0, errDescEmpty
	}
	dims := 0
	for dims < len(desc) && desc[dims] == '[' {
		dims++
	}
	if dims > maxDims {
		return Type{}, 0, &descError{text: quote(desc[:dims]), why: fmt.Sprintf("has more than %d array dimensions", maxDims)}
	}
	if dims == len(desc) {
		return Type{}, 0, &descError{text: quote(desc), why: "lacks an element type"}
	}
	c := desc[dims]
	var t Type
	n := dims + 1
	switch {
	case primitiveKinds[c] != KindInvalid:
		t.Kind = primitiveKinds[c]
	case c == 'L':
		end := indexByte(desc[dims+1:], ';')
		if end < 0 {
			return Type{}, 0, &descError{text: quote(desc), why: "lacks ';'"}
		}
		n = dims + 1 + end + 1
		name := desc[dims+1 : n-1]
		if why := checkClassName(name); why != "" {
			return Type{}, 0, &descError{text: quote(desc[:n]), why: why}
		}
		t.Kind = classKind(name)
		t.Class = name
	case c == 'V':
		return Type{}, 0, &descError{text: quote(desc[:n]), why: "is void, not a parameter type"}
	default:
		return Type{}, 0, &descError{text: quote(desc[:n]), why: "is not a type"}
	}
	t.Elem = t.Kind
	t.Desc = desc[:n]
	if dims > 0 {
		t.Kind = KindArray
		t.Dims = dims
	}
	return t, n, nil
}

// classNameBad marks the bytes a class name in a descriptor must not hold,
// and (with value 2) the bytes that start a multi-byte UTF-8 sequence.
var classNameBad = func() (t [256]byte) {
	for c := range 0x20 {
		t[c] = 1
	}
	for _, c := range ".[;<>\x7f" {
		t[c] = 1
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = 2
	}
	return t
}()

// checkClassName returns why the internal class name name is not valid, or
// "" when it is.
func checkClassName(name []byte) string {
	switch {
	case len(name) == 0:
		return "names no class"
	case len(name) > maxClassName:
		return fmt.Sprintf("names a class longer than %d bytes", maxClassName)
	case name[0] == '/' || bytes.Contains(name, doubleSlash):
		return "has an empty package segment"
	case name[len(name)-1] == '/':
		return "ends with '/'"
	}
	var seen byte
	for _, c := range name {
		seen |= classNameBad[c]
	}
	if seen&1 != 0 {
		for _, c := range name {
			if classNameBad[c] == 1 {
				if c < 0x20 || c == 0x7f {
					return "has a control character in its class name"
				}
				return fmt.Sprintf("has %q in its class name", c)
			}
		}
	}
	if seen&2 != 0 && !utf8.Valid(name) {
		return "is not valid UTF-8"
	}
	return ""
}

var doubleSlash = []byte("//")

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}
