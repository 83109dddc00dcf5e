package dubbo

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"

	hessian "github.com/apache/dubbo-go-hessian2"
	"github.com/apache/dubbo-go-hessian2/java_exception"

	"github.com/dubbomesh/dubbomesh/protocol/hessianjson"
)

// Response body flags, as Dubbo writes them before the result.
const (
	decFlagException = iota
	decFlagValue
	decFlagNull
	decFlagExceptionAttachments
	decFlagValueAttachments
	decFlagNullAttachments
)

// DecodeResponse decodes the body of the response frame h (its status and
// serialization come from h) and renders the outcome as text, the way Java's
// String.valueOf would, for the consumer to copy into its HTTP body:
//
//   - OutcomeValue: the value: an int or long in decimal, a boolean as
//     true/false, a double as Double.toString does (1.0, 1.5E10, NaN), a
//     string as its UTF-8;
//   - OutcomeNull: empty (a null value, or a heartbeat's null body);
//   - OutcomeException: "<class>: <message>", or "<class>" when the message
//     is null or empty, cut before its first line end;
//   - OutcomeError (status other than 20): the error string's first line
//     (Dubbo sends "<exception>: <message>" followed by a stack trace); see
//     NotFound for what it may say.
//
// Values the fast path does not read (lists, maps, objects, binary, dates)
// are decoded with dubbo-go-hessian2 and rendered with fmt's %v; in fastjson
// bodies, objects and arrays are rendered as their JSON text. Exceptions in
// hessian2 are decoded with the library too.
//
// The text is written into dst[:0], which is grown if it is too small (a
// 64-byte dst holds any number); it may also alias body, so it is valid
// until either is reused. DecodeResponse keeps no reference to its
// arguments, is safe for concurrent use on distinct buffers, and does not
// allocate for int, long, boolean, double, string and null results given a
// big enough dst. Every failure wraps ErrMalformed.
func DecodeResponse(h Header, body []byte, dst []byte) (text []byte, out Outcome, err error) {
	return decResponse(nil, h, body, dst, false)
}

// decResponse is DecodeResponse and ResultDecoder.Decode: rd renders JSON
// (nil: a Renderer of its own is made when needed), and asJSON asks for
// every value as JSON.
func decResponse(rd *ResultDecoder, h Header, body, dst []byte, asJSON bool) (text []byte, out Outcome, err error) {
	dst = dst[:0]
	switch h.Serialization() {
	case Hessian2:
		text, out, err = decHessianResponse(rd, h, body, dst, asJSON)
	case FastJSON:
		text, out, err = decJSONResponse(h, body, dst, asJSON)
	default:
		return nil, 0, fmt.Errorf("%w: unknown serialization %d", ErrMalformed, h.Serialization())
	}
	if err == nil && (out == OutcomeError || out == OutcomeException) {
		text = FirstLine(text)
	}
	return text, out, err
}

// FirstLine returns msg up to its first line end ('\n' or '\r'), as a slice
// of msg: what of a provider's message a caller is shown. It does not
// allocate.
func FirstLine(msg []byte) []byte {
	for i, c := range msg {
		if c == '\n' || c == '\r' {
			return msg[:i:i]
		}
	}
	return msg
}

// The phrases by which a Dubbo provider says that it has no such service,
// method, version or group. Dubbo 2.7 refuses a method its service does not
// have with status 40, "Fail to decode request due to:
// java.lang.IllegalArgumentException: Service not found:<interface>,
// <method>" (DecodeableRpcInvocation), and a version or group it does not
// export with status 70, "org.apache.dubbo.remoting.RemotingException: Not
// found exported service: <group/interface:version:port> in [...], may be
// version or group mismatch ..." (DubboProtocol.getInvoker); Dubbo 3 refuses
// an unknown service with status 40, "... Service <key> not found,
// invocation rejected." (its serialization check).
var notFoundPhrases = [...]string{
	"Service not found",
	"Not found exported service",
	"Not found method",
	"not found, invocation rejected",
}

// NotFound reports whether msg, the error string of a Dubbo response whose
// status is not 20, says that the provider has no such service, method,
// version or group: whether its first line holds one of the phrases Dubbo
// words this with. That is the caller's mistake, whatever the status (40,
// 60 or 70) it came with; any other message with status 40 is a bad
// request. It does not allocate.
func NotFound(msg []byte) bool {
	line := FirstLine(msg)
	for _, p := range notFoundPhrases {
		if bytes.Contains(line, []byte(p)) {
			return true
		}
	}
	return false
}

func decHessianResponse(rd *ResultDecoder, h Header, body, dst []byte, asJSON bool) ([]byte, Outcome, error) {
	d := decHessian{b: body}
	if h.Status != StatusOK {
		text, _, err := d.render(dst)
		return text, OutcomeError, err
	}
	if h.IsEvent() {
		return decOutcome(d.render(dst))
	}
	flag, err := d.intValue()
	if err != nil {
		return nil, 0, err
	}
	var (
		text []byte
		out  Outcome
	)
	switch {
	case flag == decFlagValue || flag == decFlagValueAttachments:
		text, out, err = d.result(rd, dst, asJSON)
	case (flag == decFlagNull || flag == decFlagNullAttachments) && asJSON:
		text, out = append(dst, "null"...), OutcomeJSON
	case flag == decFlagNull || flag == decFlagNullAttachments:
		text, out = dst, OutcomeNull
	case flag == decFlagException || flag == decFlagExceptionAttachments:
		text, out, err = d.exception(dst)
	default:
		return nil, 0, fmt.Errorf("%w: unknown response flag %d", ErrMalformed, flag)
	}
	if err != nil {
		return nil, 0, err
	}
	if flag >= decFlagExceptionAttachments && !d.cut {
		if err := d.skip(0); err != nil {
			return nil, 0, err
		}
	}
	return text, out, nil
}

// decOutcome classifies a rendered value.
func decOutcome(text []byte, null bool, err error) ([]byte, Outcome, error) {
	if err != nil {
		return nil, 0, err
	}
	if null {
		return text, OutcomeNull, nil
	}
	return text, OutcomeValue, nil
}

// render reads the next value and renders it into dst (or returns it as a
// slice of the body, for strings). null reports a null value.
func (d *decHessian) render(dst []byte) (text []byte, null bool, err error) {
	v, dst, err := d.value(dst)
	if err != nil {
		return nil, false, err
	}
	if v.kind != decKOther {
		text, null = decRenderValue(dst, v)
		return text, null, nil
	}
	return nil, false, fmt.Errorf("%w: hessian tag 0x%02x at offset %d is not a text value", ErrMalformed, d.b[d.pos], d.pos)
}

// result reads the value of a response: as text when it is null, a
// primitive, a box or a String (OutcomeValue, OutcomeNull), unless asJSON;
// otherwise as JSON (OutcomeJSON), rendered by rd.
func (d *decHessian) result(rd *ResultDecoder, dst []byte, asJSON bool) ([]byte, Outcome, error) {
	if !asJSON {
		start := d.pos
		v, text, err := d.value(dst)
		if err != nil {
			return nil, 0, err
		}
		if v.kind != decKOther {
			text, null := decRenderValue(text, v)
			if null {
				return text, OutcomeNull, nil
			}
			return text, OutcomeValue, nil
		}
		d.pos = start
	}
	if rd == nil {
		rd = new(ResultDecoder)
	}
	rd.json.Reset()
	text, n, err := rd.json.Append(dst, d.b[d.pos:])
	k := rd.json.Kind()
	rd.json.Reset() // keep no reference to body
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	d.pos += n
	if !asJSON && k.Scalar() && k != hessianjson.KindString {
		// A Byte, Short or Float box, which Caucho's Hessian writes as
		// an object holding the number: text, like the other boxes.
		return decJavaScalar(text, len(dst), k)
	}
	return text, OutcomeJSON, nil
}

// decJavaScalar turns the scalar of kind k that the renderer wrote as JSON
// at text[start:] into Java's String.valueOf text of it.
func decJavaScalar(text []byte, start int, k hessianjson.Kind) ([]byte, Outcome, error) {
	switch k {
	case hessianjson.KindNull:
		return text[:start], OutcomeNull, nil
	case hessianjson.KindDouble:
		// Digits as encoding/json writes them, or "NaN", "Infinity" and
		// "-Infinity" as JSON strings.
		var buf [40]byte
		j := append(buf[:0], text[start:]...)
		if len(j) >= 2 && j[0] == '"' {
			j = j[1 : len(j)-1]
		}
		f, err := strconv.ParseFloat(string(j), 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, 0, fmt.Errorf("%w: a double rendered as %q", ErrMalformed, j)
		}
		return decAppendJavaDouble(text[:start], f), OutcomeValue, nil
	}
	return text, OutcomeValue, nil // an int or a boolean: the same text
}

// decRenderValue renders a fast-path value as String.valueOf does.
func decRenderValue(dst []byte, v decValue) (text []byte, null bool) {
	switch v.kind {
	case decKNull:
		return dst, true
	case decKInt, decKLong:
		return strconv.AppendInt(dst, v.i, 10), false
	case decKBool:
		return strconv.AppendBool(dst, v.i != 0), false
	case decKDouble:
		return decAppendJavaDouble(dst, v.f), false
	}
	return v.s, false
}

// exception decodes a Java Throwable with the library and renders it as
// "<class>: <message>".
func (d *decHessian) exception(dst []byte) ([]byte, Outcome, error) {
	start := d.pos
	// An exception nests as deep as its chain of causes: further than
	// values may elsewhere.
	d.maxDepth = decMaxExceptionDepth
	err := d.skip(0)
	d.maxDepth = 0
	if errors.Is(err, decErrDepth) {
		// The provider threw all the same: name the class, which its
		// first bytes hold, and leave the rest.
		d.pos, d.cut = len(d.b), true
		msg := fmt.Sprintf("(its message is not read: nested more than %d deep)", decMaxExceptionDepth)
		return decAppendException(dst, decObjectClass(d.b[start:]), msg), OutcomeException, nil
	}
	if err != nil {
		return nil, 0, err
	}
	v, err := decLibraryDecode(d.b[start:d.pos])
	if err != nil {
		return nil, 0, err
	}
	class, msg := decThrowable(v)
	if class == "" {
		// The library names exception classes it registered on the fly
		// only in their Error text; read the name from the class definition.
		class = decObjectClass(d.b[start:d.pos])
	}
	return decAppendException(dst, class, msg), OutcomeException, nil
}

// decObjectClass returns the class name of the object encoded in b (class
// definitions followed by an instance), or "" if b does not start with
// such an object. Only that start of b is read.
func decObjectClass(b []byte) string {
	d := decHessian{b: b}
	var names [][]byte
	for d.pos < len(d.b) && d.b[d.pos] == 'C' {
		d.pos++
		name, _, err := d.str(nil)
		if err != nil {
			return ""
		}
		names = append(names, name)
		n, err := d.intValue()
		if err != nil {
			return ""
		}
		for ; n > 0; n-- {
			if d.skipString() != nil {
				return ""
			}
		}
	}
	if d.pos >= len(d.b) {
		return ""
	}
	idx := int64(-1)
	switch tag := d.b[d.pos]; {
	case tag >= 0x60 && tag <= 0x6f:
		idx = int64(tag - 0x60)
	case tag == 'O':
		d.pos++
		idx, _ = d.intValue()
	}
	if idx < 0 || idx >= int64(len(names)) {
		return ""
	}
	return string(names[idx])
}

// decThrowable finds the class name and detail message of a Throwable as the
// library decodes it: a registered java_exception type, an exception class it
// registered on the fly, or a map of fields for other classes. A plain
// string is taken as the message alone; anything else is rendered with %v.
func decThrowable(v any) (class, msg string) {
	switch t := v.(type) {
	case nil:
		return "", ""
	case java_exception.Throwabler:
		class = t.JavaClassName()
		if rv := reflect.Indirect(reflect.ValueOf(t)); rv.Kind() == reflect.Struct {
			if f := rv.FieldByName("DetailMessage"); f.IsValid() && f.Kind() == reflect.String {
				return class, f.String()
			}
		}
		return class, t.Error()
	case map[string]any:
		class, _ = t[hessian.ClassKey].(string)
		msg, _ = t["detailMessage"].(string)
		return class, msg
	case string:
		return "", t
	}
	return fmt.Sprintf("%v", v), ""
}

// decAppendException appends "class: msg", or whichever of the two is not
// empty, after dst's bytes and returns just the appended text. White space
// and line breaks before the message are left out, so that its first line
// (what an answer keeps of it) is not empty. class and msg may alias dst's
// earlier bytes.
func decAppendException[T string | []byte](dst []byte, class, msg T) []byte {
	for len(msg) > 0 && (msg[0] == ' ' || msg[0] == '\t' || msg[0] == '\r' || msg[0] == '\n') {
		msg = msg[1:]
	}
	mark := len(dst)
	out := append(dst, class...)
	if len(class) > 0 && len(msg) > 0 {
		out = append(out, ": "...)
	}
	out = append(out, msg...)
	return out[mark:len(out):len(out)]
}

func decJSONResponse(h Header, body, dst []byte, asJSON bool) ([]byte, Outcome, error) {
	j := decJSON{b: body}
	if h.Status != StatusOK {
		text, _, err := j.renderLine(dst)
		return text, OutcomeError, err
	}
	if h.IsEvent() {
		return decOutcome(j.renderLine(dst))
	}
	v, _, err := j.value(nil)
	if err != nil {
		return nil, 0, err
	}
	if v.kind != decKLong {
		return nil, 0, fmt.Errorf("%w: response flag is not an integer", ErrMalformed)
	}
	if err := j.endLine(); err != nil {
		return nil, 0, err
	}
	var (
		text []byte
		out  Outcome
	)
	switch {
	case v.i == decFlagValue || v.i == decFlagValueAttachments:
		text, out, err = j.result(dst, asJSON)
	case (v.i == decFlagNull || v.i == decFlagNullAttachments) && asJSON:
		text, out = append(dst, "null"...), OutcomeJSON
	case v.i == decFlagNull || v.i == decFlagNullAttachments:
		text, out = dst, OutcomeNull
	case v.i == decFlagException || v.i == decFlagExceptionAttachments:
		text, out, err = j.exception(dst)
	default:
		return nil, 0, fmt.Errorf("%w: unknown response flag %d", ErrMalformed, v.i)
	}
	if err != nil {
		return nil, 0, err
	}
	if v.i >= decFlagExceptionAttachments {
		if j.peek() != '{' {
			return nil, 0, fmt.Errorf("%w: attachments are not an object", ErrMalformed)
		}
		if err := j.skip(0); err != nil {
			return nil, 0, err
		}
		if err := j.endLine(); err != nil {
			return nil, 0, err
		}
	}
	return text, out, nil
}

// renderLine reads the next value line and renders it into dst (strings are
// returned as slices of the body unless they have escapes). Objects and
// arrays are rendered as their JSON text.
func (j *decJSON) renderLine(dst []byte) (text []byte, null bool, err error) {
	v, dst, err := j.value(dst)
	if err != nil {
		return nil, false, err
	}
	if v.kind == decKOther {
		start := j.pos
		if err := j.skip(0); err != nil {
			return nil, false, err
		}
		text = j.b[start:j.pos:j.pos]
	} else {
		text, null = decRenderValue(dst, v)
	}
	return text, null, j.endLine()
}

// result reads a value line: as text when it is null, a number, a boolean
// or a string, unless asJSON; otherwise as the JSON text it is
// (OutcomeJSON).
func (j *decJSON) result(dst []byte, asJSON bool) ([]byte, Outcome, error) {
	if asJSON || j.peek() == '{' || j.peek() == '[' {
		start := j.pos
		if err := j.skip(0); err != nil {
			return nil, 0, err
		}
		text := j.b[start:j.pos:j.pos]
		return text, OutcomeJSON, j.endLine()
	}
	return decOutcome(j.renderLine(dst))
}

// exception reads an exception line: an object whose class is "@type" (or
// "class") and whose message is "message" (or "detailMessage", or
// "localizedMessage"), or a plain string taken as the message.
func (j *decJSON) exception(dst []byte) ([]byte, Outcome, error) {
	var class, msg []byte
	switch j.peek() {
	case '{':
		j.pos++
		msgRank := 0 // 3 message, 2 detailMessage, 1 localizedMessage
		for first := true; ; first = false {
			more, err := j.more('}', first)
			if err != nil {
				return nil, 0, err
			}
			if !more {
				break
			}
			var key []byte
			if key, dst, err = j.str(dst); err != nil {
				return nil, 0, err
			}
			if err := j.colon(); err != nil {
				return nil, 0, err
			}
			rank := 0
			switch string(key) {
			case "@type", "class":
				rank = -1
			case "message":
				rank = 3
			case "detailMessage":
				rank = 2
			case "localizedMessage":
				rank = 1
			}
			if rank == 0 || j.peek() != '"' {
				if err := j.skip(1); err != nil {
					return nil, 0, err
				}
				continue
			}
			var s []byte
			if s, dst, err = j.str(dst); err != nil {
				return nil, 0, err
			}
			switch {
			case rank < 0:
				class = s
			case rank > msgRank:
				msg, msgRank = s, rank
			}
		}
	case '"':
		var err error
		if msg, dst, err = j.str(dst); err != nil {
			return nil, 0, err
		}
	default:
		if err := j.skip(0); err != nil {
			return nil, 0, err
		}
	}
	if err := j.endLine(); err != nil {
		return nil, 0, err
	}
	return decAppendException(dst, class, msg), OutcomeException, nil
}
