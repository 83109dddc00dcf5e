// Package hessianjson renders hessian2 values as JSON, streaming from the
// hessian2 bytes to JSON text without building Go values, for the provider
// agent to hand Java results to HTTP clients.
//
// # Use
//
// A Renderer reads one hessian2 stream. Append renders the value at the
// front of src and says how many bytes it took; Kind says what it was:
//
//	var r hessianjson.Renderer // one per event loop
//	r.Reset()                  // a new response body, a new stream
//	out, n, err := r.Append(buf[:0], body[pos:])
//	if err == nil && !r.Kind().Scalar() { ... out is the JSON ... }
//
// In a Dubbo response the body (the flag int, the result, the optional
// attachments map) is one hessian2 stream: class definitions, list and map
// types and the reference table accumulate across the Appends made on it
// until Reset. A reference is rendered by reading the bytes of the value it
// refers to again.
//
// # Buffers
//
// Append only appends to dst, growing it when it is too small; the Renderer
// keeps no reference to dst or to the returned slice. It keeps every src it
// is given until Reset: each must stay valid and unchanged until then, as
// references read the bytes of earlier values again. A Renderer is not safe
// for concurrent use. Its tables are reused from stream to stream, so a
// warm Renderer renders without allocating.
//
// # JSON
//
//   - null, true, false; ints and longs in decimal; doubles as
//     encoding/json writes them (the shortest text that parses back), NaN
//     and the infinities as the strings "NaN", "Infinity", "-Infinity".
//   - Strings as JSON strings: chunks joined, surrogate pairs joined into
//     one character, a lone surrogate as U+FFFD; quotes, backslashes and
//     control characters escaped (\u00XX for the latter).
//   - byte[] (binary) as a string of its padded standard base64.
//   - Dates as strings in RFC 3339 form, UTC, with milliseconds:
//     "2026-12-05T08:00:00.123Z".
//   - Lists, sets and arrays, typed or not, as arrays; their types are
//     skipped.
//   - Maps as objects. A key is written as text: a string as it is; a
//     number, boolean or null as its JSON in quotes ("12", "true",
//     "null"); a key whose JSON is a string (a date, an enum) as that
//     string; a map, list or object key as its JSON text in a string.
//   - Objects as objects of their fields, in the order of the class
//     definition, without the class name. Some classes are special, as
//     Java writes them:
//     an object whose class has the single field name is an enum constant
//     and renders as its name ("MEMBER");
//     java.math.BigDecimal renders as a JSON number with its exact digits,
//     written as text in the field value (Dubbo's hessian-lite,
//     dubbo-go-hessian2; a text that is not a JSON number stays a string)
//     or by the fields scale and intVal (Caucho's Hessian; the number
//     then takes the form of Java's BigDecimal.toString); a BigDecimal
//     whose intVal is null lost its digits to the writer (Caucho leaves
//     out the transient intCompact of any BigDecimal whose unscaled value
//     fits in a long) and fails with ErrMalformed rather than render a
//     wrong number;
//     java.math.BigInteger renders as a JSON integer, from its fields
//     signum and mag or from a value text;
//     java.sql.Date, Time and Timestamp (a date in the field value) and
//     Caucho's ShortHandle, ByteHandle and FloatHandle (a boxed Short,
//     Byte or Float in the field _value) render as the value they wrap,
//     and Kind reports that value's kind; so does the proxy Java writes
//     for an EnumSet (java.util.EnumSet$SerializationProxy), as its
//     elements.
//   - A reference is written out again in full, as often as it occurs; a
//     reference to a map, list or object that encloses it is a cycle and
//     fails with ErrCycle. A Java exception is an object like any other,
//     and its cause refers to itself unless set (Throwable's default), so
//     exceptions are for the caller to render its own way.
//
// Everything renders as JSON, a String as a JSON string and null as null.
// A caller that answers plain scalars as text (Java's String.valueOf)
// checks Kind().Scalar() and renders those itself.
//
// Maps, lists and objects nest at most MaxDepth (64) deep, references
// included (ErrTooDeep), and one Append writes at most the Renderer's
// MaxSize bytes (ErrTooLarge). Bad bytes fail with ErrMalformed, saying
// which tag at which offset, and bytes that end too soon with
// ErrTruncated; nothing panics, loops or allocates without bound.
package hessianjson
