// Package jsonhessian turns a Dubbo call's arguments, given as text and JSON,
// into hessian2 values a Java provider reads into the declared types.
//
// # Parameter types
//
// ParseTypes reads a JVM descriptor list ("Ljava/lang/String;I[Lcom/x/User;",
// empty for no parameters) into one Type per parameter, without allocating:
// the primitives Z B C S I J F D, any class L<name>; and arrays of any depth.
// A Type's Kind says how its argument is read: each primitive and box,
// String, BigDecimal, BigInteger, Date (and SQLDate: java.sql.Date, Time and
// Timestamp), Object, List (java.util collections),
// Map (java.util maps), Class (any other class: a POJO or an enum) and Array
// (with Elem and Dims). Errors name the parameter: `argument 2:
// "Lcom/x/User" lacks ';'`.
//
// # Arguments
//
// An Encoder writes the arguments of a request, in order, after Reset:
//
//	enc.Reset()
//	for i, t := range types {
//		if buf, err = enc.AppendArg(buf, t, args[i]); err != nil {
//			return fmt.Errorf("argument %d: %w", i+1, err) // wraps ErrBadArgument: 400
//		}
//	}
//
// Primitives, boxes, String, BigDecimal, BigInteger and dates are given as
// plain text: "true", "-12", "1.5E3", a char's one UTF-16 unit, a String's
// raw text, "1.10", RFC 3339 or epoch milliseconds (text.go). A box,
// BigDecimal, BigInteger or Date also takes "null". Every other type is
// given as JSON, transcoded token by token into hessian2 without building Go
// values:
//
//   - an object becomes an untyped map, which the provider reads into the
//     declared class; a "class" key makes it a typed object, a date, a
//     BigDecimal or BigInteger, a byte[] ("[B"), a box such as a Long
//     ({"class":"java.lang.Long","value":5}), or a typed map
//     (json_object.go). Java's Hessian reads an untyped map into the
//     declared class only where the class itself is declared (a parameter,
//     a field, an array's element): inside a List, Map or Object generics
//     are erased and a map stays a HashMap, so objects there need "class"
//     (docs/JAVA.md). Where the descriptor declares a Date, BigDecimal or
//     BigInteger, {"value": ...} without "class" is read as one;
//   - an array becomes an untyped list, or the typed array the descriptor
//     declares ("[int", "[string", "[com.x.User", nested "[[int"); the
//     declared element type drives each element's encoding (a long[]'s 5 is
//     a long). A byte[] is hessian binary, from a base64 string or an array
//     of numbers; a char[] is a string, from a string or an array of
//     one-character strings;
//   - a string where an enum (any class but the known java ones) is
//     declared, at the top level or as an array's element, is that enum
//     constant: an object of the class with the single field "name". Where
//     nothing declares the type (inside an object or an untyped list) an enum
//     must be written as an object, {"name":"RED"}, with or without "class";
//   - where Object is declared, or nothing is: a string is a string; an
//     integral number (no fraction or exponent) is an int when it fits,
//     else a long, else a BigInteger (as Java's JSON libraries read it;
//     exact); any other number a double; true, false and null themselves.
//
// Strings are written as protocol/dubbo writes them (dubbo-go-hessian2's
// layout: lengths in UTF-16 units, surrogate pairs as two 3-byte sequences,
// 4096-unit chunks). JSON escapes are decoded; a lone surrogate escape
// becomes U+FFFD, as in encoding/json; text that is not UTF-8 is refused.
//
// The arguments of a request are one hessian2 stream: a class definition or
// a list type written for one argument is referred to by index in the later
// ones. Errors wrap ErrBadArgument and say why: malformed JSON, a value of
// the wrong shape for its type ("a string where int[] is declared"), a
// number out of range, nesting deeper than MaxDepth (64). No input makes the
// package panic, loop or use memory beyond a small multiple of its size.
//
// # Two passes
//
// Hessian wants a list's length before its values, and a typed object's
// field names before its values, where JSON gives them after. So each JSON
// argument is read twice: pass 1 (json_scan.go) records the structure, each
// container's count and "class" key; pass 2 (json_value.go, json_object.go)
// checks the grammar and writes. Both are linear in the argument's size.
//
// # Sizing
//
// AppendArg appends to a slice. To write straight into a connection's
// buffer, reserve MaxSize(t, arg) bytes (an O(1) upper bound), append into
// the reserved slice with length 0, and give back what was not used:
//
//	buf, _ := w.Malloc(dubbo.HeaderSize + fixed + jsonhessian.MaxSize(t, arg))
//	out, err := enc.AppendArg(buf[:0], t, arg) // never grows past the bound
//	w.MallocAck(len(out))
//
// An exact size would cost a second transcoding; the bound is 4 bytes per
// input byte (8 for arrays of Date, BigDecimal or BigInteger) plus a few
// hundred.
//
// Check validates an argument as AppendArg would, writing nothing, for a
// consumer agent that refuses bad calls before sending them.
//
// # Memory and concurrency
//
// An Encoder reuses its buffers: in steady state AppendArg and Check do not
// allocate. It is not safe for concurrent use (one per event loop) and keeps
// no reference to the arguments or the output. ParseTypes and NextType return
// Types that alias the descriptor text.
//
// The hessian2 value writers (AppendString, AppendInt, ...) are exported for
// the Dubbo frame codec, which writes the same values.
package jsonhessian
