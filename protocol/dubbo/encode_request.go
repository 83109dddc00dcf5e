package dubbo

import (
	"fmt"
	"unicode/utf8"

	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// CheckAttachments validates attachments for a Request: each key is a
// non-empty UTF-8 string and each value a UTF-8 string, and no key is one of
// those the encoder writes itself, "path", "interface", "version" and
// "timeout" (a caller names the version with Request.Version). Errors wrap
// ErrBadArgument. It does not allocate on success.
func CheckAttachments(atts []Attachment) error {
	for _, a := range atts {
		switch {
		case len(a.Key) == 0:
			return fmt.Errorf("%w: an attachment with an empty key", ErrBadArgument)
		case !utf8.Valid(a.Key):
			return fmt.Errorf("%w: attachment key %s is not valid UTF-8", ErrBadArgument, encQuote(a.Key))
		case !utf8.Valid(a.Value):
			return fmt.Errorf("%w: attachment %s: value %s is not valid UTF-8", ErrBadArgument, encQuote(a.Key), encQuote(a.Value))
		case encReservedKey(a.Key):
			return fmt.Errorf("%w: attachment %s is set by the agent, not the caller", ErrBadArgument, encQuote(a.Key))
		}
	}
	return nil
}

// encReservedKey reports whether key is an attachment the encoder writes
// from the Request's own fields.
func encReservedKey(key []byte) bool {
	switch string(key) {
	case "path", "interface", "version", "timeout":
		return true
	}
	return false
}

// encZeroVersion is the service version sent when Request.Version is empty.
var encZeroVersion = []byte("0.0.0")

// encVersion returns the service version to send for r.
func encVersion(r *Request) []byte {
	if len(r.Version) == 0 {
		return encZeroVersion
	}
	return r.Version
}

// RequestSize validates r and returns the exact size of the frame (header
// and body) PutRequest will write for it. r.Serialization selects hessian2
// or fastjson. Errors wrap ErrBadArgument: an unknown serialization, an
// empty interface or method, names that are not valid UTF-8, anything
// CheckArgs or CheckAttachments refuses, a NaN or infinite double in a
// fastjson request, or a body over MaxBodySize (that error wraps
// ErrTooLarge as well).
//
// Arguments of types outside the race's fast path (String, int, long,
// boolean, double and their boxes) are transcoded here, by package
// jsonhessian, into r's own buffers, which PutRequest copies: RequestSize
// modifies r, and must be called again after any change to r. Reuse a
// Request (one per goroutine) so that those buffers are kept: RequestSize
// then does not allocate on success. It keeps no reference to r's fields.
func RequestSize(r *Request) (int, error) {
	if r.Serialization != Hessian2 && r.Serialization != FastJSON {
		return 0, fmt.Errorf("%w: unknown serialization %d", ErrBadArgument, r.Serialization)
	}
	if len(r.Interface) == 0 || !utf8.Valid(r.Interface) {
		return 0, fmt.Errorf("%w: interface %s is empty or not valid UTF-8", ErrBadArgument, encQuote(r.Interface))
	}
	if len(r.Method) == 0 || !utf8.Valid(r.Method) {
		return 0, fmt.Errorf("%w: method %s is empty or not valid UTF-8", ErrBadArgument, encQuote(r.Method))
	}
	if !utf8.Valid(r.Version) {
		return 0, fmt.Errorf("%w: version %s is not valid UTF-8", ErrBadArgument, encQuote(r.Version))
	}
	// In hessian2 the arguments outside the fast path are checked as they
	// are transcoded, below; in fastjson with r's own encoder.
	if r.enc == nil {
		r.enc = new(jsonhessian.Encoder)
	}
	if err := encCheckArgs(r.ParameterTypes, r.Args, r.enc, r.Serialization != Hessian2); err != nil {
		return 0, err
	}
	if err := CheckAttachments(r.Attachments); err != nil {
		return 0, err
	}
	var n int
	var err error
	if r.Serialization == Hessian2 {
		n, err = encHessianRequestSize(r)
	} else {
		n, err = encJSONRequestSize(r)
	}
	if err != nil {
		return 0, err
	}
	if n > MaxBodySize {
		return 0, fmt.Errorf("%w: request body of %d bytes is over %d: %w", ErrBadArgument, n, MaxBodySize, ErrTooLarge)
	}
	return HeaderSize + n, nil
}

// PutRequest writes the whole request frame for r into b: the header (id
// r.ID, flag FlagRequest|FlagTwoWay|r.Serialization, the body length) and
// the body. r must have passed RequestSize and b must hold at least
// RequestSize(r) bytes; PutRequest returns that many, the bytes written.
//
// PutRequest does not allocate and keeps no reference to r or b, so b may be
// a connection's write buffer (e.g. from netpoll's Writer.Malloc). It is
// safe for concurrent use on distinct buffers.
func PutRequest(b []byte, r *Request) int {
	var n int
	if r.Serialization == FastJSON {
		n = encPutJSONRequest(b[HeaderSize:], r)
	} else {
		n = encPutHessianRequest(b[HeaderSize:], r)
	}
	PutHeader(b, Header{
		Flag:   FlagRequest | FlagTwoWay | byte(r.Serialization),
		ID:     r.ID,
		Length: n,
	})
	return HeaderSize + n
}

// encHessianRequestSize returns the hessian2 body size of the checked r,
// transcoding the arguments of other types into r.encArgs.
func encHessianRequestSize(r *Request) (int, error) {
	iface := jsonhessian.StringSize(r.Interface)
	ver := jsonhessian.StringSize(encVersion(r))
	n := len(encHessianDubboVersion) + iface + ver + jsonhessian.StringSize(r.Method) + jsonhessian.StringSize(r.ParameterTypes)
	r.encArgs, r.encEnds = r.encArgs[:0], r.encEnds[:0]
	types := r.ParameterTypes
	for i, arg := range r.Args {
		t, k, _ := encArgType(types, arg)
		if t == encTOther {
			// The arguments are one hessian2 stream: class definitions
			// and list types written for one are referred to by the
			// next. Only these arguments define any.
			if len(r.encEnds) == 0 {
				r.enc.Reset()
			}
			jt, _, _ := jsonhessian.NextType(types)
			var err error
			if r.encArgs, err = r.enc.AppendArg(r.encArgs, jt, arg); err != nil {
				return 0, encOtherError(i+1, err)
			}
			r.encEnds = append(r.encEnds, len(r.encArgs))
		} else {
			n += encHessianArgSize(t, arg)
		}
		types = types[k:]
	}
	n += len(r.encArgs)
	n += 1 + len(encHessianKeyPath) + iface + len(encHessianKeyInterface) + iface + len(encHessianKeyVersion) + ver + 1
	if r.Timeout > 0 {
		n += len(encHessianKeyTimeout) + 1 + encDecimalSize(int64(r.Timeout))
	}
	for _, a := range r.Attachments {
		n += jsonhessian.StringSize(a.Key) + jsonhessian.StringSize(a.Value)
	}
	return n, nil
}

// encPutHessianRequest writes the hessian2 body of the valid r.
func encPutHessianRequest(b []byte, r *Request) int {
	ver := encVersion(r)
	off := copy(b, encHessianDubboVersion)
	off += encPutString(b[off:], r.Interface)
	off += encPutString(b[off:], ver)
	off += encPutString(b[off:], r.Method)
	off += encPutString(b[off:], r.ParameterTypes)
	types := r.ParameterTypes
	other, prev := 0, 0
	for _, arg := range r.Args {
		t, k, _ := encArgType(types, arg)
		types = types[k:]
		if t == encTOther {
			end := r.encEnds[other]
			off += copy(b[off:], r.encArgs[prev:end])
			other, prev = other+1, end
			continue
		}
		off += encPutHessianArg(b[off:], t, arg)
	}
	b[off] = encTagMap
	off++
	off += copy(b[off:], encHessianKeyPath)
	off += encPutString(b[off:], r.Interface)
	off += copy(b[off:], encHessianKeyInterface)
	off += encPutString(b[off:], r.Interface)
	off += copy(b[off:], encHessianKeyVersion)
	off += encPutString(b[off:], ver)
	if r.Timeout > 0 {
		off += copy(b[off:], encHessianKeyTimeout)
		// The decimal is at most 20 ASCII digits: a one-byte length.
		k := encPutDecimal(b[off+1:], int64(r.Timeout))
		b[off] = byte(k)
		off += 1 + k
	}
	for _, a := range r.Attachments {
		off += encPutString(b[off:], a.Key)
		off += encPutString(b[off:], a.Value)
	}
	b[off] = encTagEnd
	return off + 1
}

// encHessianArgSize returns the encoded size of the valid argument arg.
func encHessianArgSize(t encType, arg []byte) int {
	switch t {
	case encTString:
		return jsonhessian.StringSize(arg)
	case encTInt:
		v, _ := jsonhessian.ParseInteger(arg, 32)
		return jsonhessian.IntSize(int32(v))
	case encTLong:
		v, _ := jsonhessian.ParseInteger(arg, 64)
		return jsonhessian.LongSize(v)
	case encTBool:
		return 1
	}
	f, _ := encParseDouble(arg)
	return jsonhessian.DoubleSize(f)
}

// encPutHessianArg writes the valid argument arg as its Java type.
func encPutHessianArg(b []byte, t encType, arg []byte) int {
	switch t {
	case encTString:
		return encPutString(b, arg)
	case encTInt:
		v, _ := jsonhessian.ParseInteger(arg, 32)
		return encPutInt(b, int32(v))
	case encTLong:
		v, _ := jsonhessian.ParseInteger(arg, 64)
		return encPutLong(b, v)
	case encTBool:
		v, _ := encParseBool(arg)
		return encPutBool(b, v)
	}
	f, _ := encParseDouble(arg)
	return encPutDouble(b, f)
}

// Fixed parts of fastjson request bodies. The race's agents sent "2.0.1"
// as the dubbo version.
const (
	encJSONDubboVersion   = "\"2.0.1\"\n"
	encJSONNull           = "null"
	encJSONKeyPath        = "{\"path\":"
	encJSONKeyInterface   = ",\"interface\":"
	encJSONKeyVersion     = ",\"version\":"
	encJSONKeyTimeout     = ",\"timeout\":\""
	encJSONAttachmentsEnd = "}\n"
)

// encJSONRequestSize returns the fastjson body size of the checked r, or an
// error for a double JSON cannot carry.
func encJSONRequestSize(r *Request) (int, error) {
	iface := encJSONStringSize(r.Interface)
	ver := encJSONStringSize(encVersion(r))
	n := len(encJSONDubboVersion) + iface + 1 + encJSONStringSize(r.Method) + 1 + encJSONStringSize(r.ParameterTypes) + 1
	if len(r.Version) == 0 {
		n += len(encJSONNull) + 1
	} else {
		n += ver + 1
	}
	types := r.ParameterTypes
	for i, arg := range r.Args {
		t, k, _ := encArgType(types, arg)
		var m int
		ok := true
		if t == encTOther {
			jt, _, _ := jsonhessian.NextType(types)
			m = encPutJSONOther(nil, jt, arg)
		} else {
			m, ok = encJSONArgSize(t, arg)
		}
		types = types[k:]
		if !ok {
			return 0, fmt.Errorf("%w: parameter %d: %s cannot be sent as JSON", ErrBadArgument, i+1, encQuote(arg))
		}
		n += m + 1
	}
	n += len(encJSONKeyPath) + iface + len(encJSONKeyInterface) + iface + len(encJSONKeyVersion) + ver
	if r.Timeout > 0 {
		n += len(encJSONKeyTimeout) + encDecimalSize(int64(r.Timeout)) + 1
	}
	for _, a := range r.Attachments {
		n += 1 + encJSONStringSize(a.Key) + 1 + encJSONStringSize(a.Value)
	}
	return n + len(encJSONAttachmentsEnd), nil
}

// encPutJSONRequest writes the fastjson body of the valid r: one JSON text
// per line.
func encPutJSONRequest(b []byte, r *Request) int {
	ver := encVersion(r)
	off := copy(b, encJSONDubboVersion)
	off += encPutJSONLine(b[off:], r.Interface)
	if len(r.Version) == 0 {
		off += copy(b[off:], encJSONNull)
		b[off] = '\n'
		off++
	} else {
		off += encPutJSONLine(b[off:], ver)
	}
	off += encPutJSONLine(b[off:], r.Method)
	off += encPutJSONLine(b[off:], r.ParameterTypes)
	types := r.ParameterTypes
	for _, arg := range r.Args {
		t, k, _ := encArgType(types, arg)
		if t == encTOther {
			jt, _, _ := jsonhessian.NextType(types)
			off += encPutJSONOther(b[off:], jt, arg)
		} else {
			off += encPutJSONArg(b[off:], t, arg)
		}
		types = types[k:]
		b[off] = '\n'
		off++
	}
	off += copy(b[off:], encJSONKeyPath)
	off += encPutJSONString(b[off:], r.Interface)
	off += copy(b[off:], encJSONKeyInterface)
	off += encPutJSONString(b[off:], r.Interface)
	off += copy(b[off:], encJSONKeyVersion)
	off += encPutJSONString(b[off:], ver)
	if r.Timeout > 0 {
		off += copy(b[off:], encJSONKeyTimeout)
		off += encPutDecimal(b[off:], int64(r.Timeout))
		b[off] = '"'
		off++
	}
	for _, a := range r.Attachments {
		b[off] = ','
		off++
		off += encPutJSONString(b[off:], a.Key)
		b[off] = ':'
		off++
		off += encPutJSONString(b[off:], a.Value)
	}
	return off + copy(b[off:], encJSONAttachmentsEnd)
}

// encPutJSONLine writes s as a JSON string and a newline.
func encPutJSONLine(b []byte, s []byte) int {
	n := encPutJSONString(b, s)
	b[n] = '\n'
	return n + 1
}

// encJSONArgSize returns the JSON size of the checked argument arg; ok is
// false for a NaN or infinite double.
func encJSONArgSize(t encType, arg []byte) (n int, ok bool) {
	switch t {
	case encTString:
		return encJSONStringSize(arg), true
	case encTInt, encTLong:
		v, _ := jsonhessian.ParseInteger(arg, 64)
		return encDecimalSize(v), true
	case encTBool:
		return len(arg), true // "true" or "false", as checked
	}
	f, _ := encParseDouble(arg)
	if !encIsFinite(f) {
		return 0, false
	}
	return encJSONDoubleSize(f), true
}

// encPutJSONArg writes the checked argument arg as a JSON value.
func encPutJSONArg(b []byte, t encType, arg []byte) int {
	switch t {
	case encTString:
		return encPutJSONString(b, arg)
	case encTInt, encTLong:
		v, _ := jsonhessian.ParseInteger(arg, 64)
		return encPutDecimal(b, v)
	case encTBool:
		return copy(b, arg)
	}
	f, _ := encParseDouble(arg)
	return encPutJSONDouble(b, f)
}

// encPutJSONOther writes the checked argument arg, of a type outside the
// fast path, as the one-line JSON value fastjson reads into that type, and
// returns its size; with a nil b it only measures. JSON arguments go
// through as they are, less the white space outside strings (a value must
// stay on its line); a text argument is written as a JSON number or
// literal when it is one (a byte, short, float, BigDecimal, BigInteger, a
// date in epoch milliseconds, null), else as a JSON string (a char, an RFC
// 3339 date).
func encPutJSONOther(b []byte, t jsonhessian.Type, arg []byte) int {
	if !t.Kind.IsText() {
		return encPutCompactJSON(b, arg)
	}
	j := decJSON{b: arg}
	if _, _, err := j.number(); (err == nil && j.pos == len(arg)) || string(arg) == "null" || string(arg) == "true" || string(arg) == "false" {
		if b == nil {
			return len(arg)
		}
		return copy(b, arg)
	}
	if b == nil {
		return encJSONStringSize(arg)
	}
	return encPutJSONString(b, arg)
}

// encPutCompactJSON copies the valid JSON text v without the white space
// outside its strings; with a nil b it only measures.
func encPutCompactJSON(b []byte, v []byte) int {
	n := 0
	inString := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inString:
			switch c {
			case '\\':
				if b != nil {
					b[n] = c
				}
				n++
				i++
				c = v[i]
			case '"':
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case c == '"':
			inString = true
		}
		if b != nil {
			b[n] = c
		}
		n++
	}
	return n
}
