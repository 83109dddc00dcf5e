package dubbo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// ErrBadArgument wraps every problem with a call's parameter types or
// argument values found by CheckArgs and RequestSize. Callers check it with
// errors.Is and answer HTTP 400; the wrapping error carries the detail, e.g.
// `dubbo: bad argument: parameter 2: "x" is not an int`.
var ErrBadArgument = errors.New("dubbo: bad argument")

// ErrUnsupportedType is returned, wrapped with the offending descriptor, for
// a parameter type the codec cannot encode, e.g.
// `dubbo: unsupported parameter type "Ljava/util/List;"`. It wraps
// ErrBadArgument, so errors.Is(err, ErrBadArgument) holds for it too.
var ErrUnsupportedType error = &encError{msg: "dubbo: unsupported parameter type", parent: ErrBadArgument}

// encMaxParams is the JVM's limit on method parameters.
const encMaxParams = 255

// encError is a sentinel error that wraps a more general sentinel.
type encError struct {
	msg    string
	parent error
}

func (e *encError) Error() string { return e.msg }
func (e *encError) Unwrap() error { return e.parent }

// encType is a supported parameter type. Boxed and primitive forms share one
// value: they encode the same way.
type encType uint8

const (
	encTString encType = iota
	encTInt
	encTLong
	encTBool
	encTDouble
	// encTOther is every other valid type: its argument is transcoded by
	// package jsonhessian (text for the other primitives, boxes, decimals
	// and dates; JSON for the rest).
	encTOther
)

// encBoxed maps the supported reference-type descriptors to their types.
var encBoxed = [...]struct {
	desc string
	t    encType
}{
	{"Ljava/lang/String;", encTString},
	{"Ljava/lang/Integer;", encTInt},
	{"Ljava/lang/Long;", encTLong},
	{"Ljava/lang/Boolean;", encTBool},
	{"Ljava/lang/Double;", encTDouble},
}

// encNextType reads the descriptor at the front of desc (which must not be
// empty) and returns its type and length: one of the five types of the
// race's fast path, or encTOther for any other valid descriptor. It
// allocates only on error.
func encNextType(desc []byte) (encType, int, error) {
	switch desc[0] {
	case 'I':
		return encTInt, 1, nil
	case 'J':
		return encTLong, 1, nil
	case 'Z':
		return encTBool, 1, nil
	case 'D':
		return encTDouble, 1, nil
	case 'L':
		if end := encIndexByte(desc, ';'); end >= 0 {
			tok := desc[:end+1]
			for _, b := range encBoxed {
				if string(tok) == b.desc {
					return b.t, len(tok), nil
				}
			}
		}
	}
	_, n, err := jsonhessian.NextType(desc)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: parameter type %w", ErrBadArgument, err)
	}
	return encTOther, n, nil
}

// encArgType is encNextType for a descriptor and its argument arg: a box of
// the fast path given "null" is encTOther, for package jsonhessian, which
// writes null.
func encArgType(desc, arg []byte) (encType, int, error) {
	t, n, err := encNextType(desc)
	if err == nil && encNullBox(t, n, arg) {
		return encTOther, n, nil
	}
	return t, n, err
}

// encNullBox reports whether the descriptor of type t and length n is a box
// of the fast path and arg is "null".
func encNullBox(t encType, n int, arg []byte) bool {
	return t != encTString && t != encTOther && n > 1 && string(arg) == "null"
}

func encIndexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// encQuote quotes b for an error message, cut to a readable length.
func encQuote(b []byte) string {
	const max = 64
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// CheckArgs validates the JVM descriptor list types against the textual
// arguments args: the descriptors must be supported, there must be one
// argument per descriptor (at most 255), and each argument must be a valid
// value of its type (see Request.Args):
//
//   - String: valid UTF-8;
//   - int/Integer: a decimal in int32 range, with an optional sign;
//   - long/Long: a decimal in int64 range, with an optional sign;
//   - boolean/Boolean: exactly "true" or "false";
//   - double/Double: anything strconv.ParseFloat accepts without error,
//     including "NaN" and "Inf" forms (fastjson requests reject those later,
//     in RequestSize, as JSON cannot carry them);
//   - a box (Integer, Long, Boolean, Double as well) also "null";
//   - every other type: what package jsonhessian accepts for it (text for
//     the other primitives and boxes, BigDecimal, BigInteger and Date;
//     JSON for classes, collections, maps and arrays).
//
// The error wraps ErrBadArgument (or ErrUnsupportedType). CheckArgs does not
// allocate on success, keeps no reference to its arguments and is safe for
// concurrent use.
func CheckArgs(types []byte, args [][]byte) error {
	return encCheckArgs(types, args, nil, true)
}

// encCheckArgs is CheckArgs, checking the arguments outside the fast path
// with enc (nil: one lent by encCheckers). With other false it checks only
// the count and the descriptors of those arguments, for a caller that
// transcodes them next (which checks them again).
func encCheckArgs(types []byte, args [][]byte, enc *jsonhessian.Encoder, other bool) error {
	i := 0
	for len(types) > 0 {
		t, n, err := encNextType(types)
		if err != nil {
			return err
		}
		if i == len(args) {
			return encCountError(i+1+encCountTypes(types[n:]), len(args))
		}
		if encNullBox(t, n, args[i]) {
			t = encTOther
		}
		if t == encTOther {
			if other {
				err = encCheckOther(enc, types, args[i], i+1)
			}
		} else {
			err = encCheckArg(t, args[i], i+1)
		}
		if err != nil {
			return err
		}
		types = types[n:]
		i++
	}
	if i != len(args) {
		return encCountError(i, len(args))
	}
	return nil
}

// encCountTypes counts the descriptors left in types, for an error message.
func encCountTypes(types []byte) int {
	n := 0
	for len(types) > 0 {
		_, k, err := encNextType(types)
		if err != nil {
			return n + 1
		}
		types = types[k:]
		n++
	}
	return n
}

func encCountError(types, args int) error {
	if types > encMaxParams {
		return fmt.Errorf("%w: %d parameters, more than the JVM's %d", ErrBadArgument, types, encMaxParams)
	}
	return fmt.Errorf("%w: %d parameter types but %d arguments", ErrBadArgument, types, args)
}

// encCheckArg validates argument number pos (1-based) of type t.
func encCheckArg(t encType, arg []byte, pos int) error {
	if pos > encMaxParams {
		return fmt.Errorf("%w: more than %d parameters", ErrBadArgument, encMaxParams)
	}
	switch t {
	case encTString:
		if !utf8.Valid(arg) {
			return fmt.Errorf("%w: parameter %d: string is not valid UTF-8", ErrBadArgument, pos)
		}
	case encTInt:
		if _, ok := jsonhessian.ParseInteger(arg, 32); !ok {
			return fmt.Errorf("%w: parameter %d: %s is not an int", ErrBadArgument, pos, encQuote(arg))
		}
	case encTLong:
		if _, ok := jsonhessian.ParseInteger(arg, 64); !ok {
			return fmt.Errorf("%w: parameter %d: %s is not a long", ErrBadArgument, pos, encQuote(arg))
		}
	case encTBool:
		if _, ok := encParseBool(arg); !ok {
			return fmt.Errorf("%w: parameter %d: %s is not a boolean (want true or false)", ErrBadArgument, pos, encQuote(arg))
		}
	case encTDouble:
		if _, ok := encParseDouble(arg); !ok {
			return fmt.Errorf("%w: parameter %d: %s is not a double", ErrBadArgument, pos, encQuote(arg))
		}
	}
	return nil
}

// encCheckers lends CheckArgs a jsonhessian.Encoder for the arguments of
// other types, so that checking them does not allocate in steady state.
var encCheckers = sync.Pool{New: func() any { return new(jsonhessian.Encoder) }}

// encCheckOther validates argument number pos (1-based) whose descriptor is
// at the front of desc, of a type outside the fast path, with e (nil: one
// lent by encCheckers).
func encCheckOther(e *jsonhessian.Encoder, desc []byte, arg []byte, pos int) error {
	t, _, err := jsonhessian.NextType(desc)
	if err == nil {
		if e != nil {
			err = e.Check(t, arg)
		} else {
			e = encCheckers.Get().(*jsonhessian.Encoder)
			err = e.Check(t, arg)
			encCheckers.Put(e)
		}
	}
	if err != nil {
		return encOtherError(pos, err)
	}
	return nil
}

// encOtherError wraps a jsonhessian error for parameter pos.
func encOtherError(pos int, err error) error {
	return fmt.Errorf("%w: parameter %d: %w", ErrBadArgument, pos, err)
}

// encParseBool parses exactly "true" or "false".
func encParseBool(b []byte) (bool, bool) {
	switch string(b) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// encParseDouble parses b with strconv.ParseFloat. The conversion to string
// does not escape, so short texts are parsed without allocating.
func encParseDouble(b []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(b), 64)
	return f, err == nil
}

// encIsFinite reports whether f is neither NaN nor infinite.
func encIsFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
