package dubbo

import (
	"fmt"
	"unicode/utf8"
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
// RequestSize does not allocate on success, keeps no reference to r and is
// safe for concurrent use as long as r is not modified meanwhile.
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
	if err := CheckArgs(r.ParameterTypes, r.Args); err != nil {
		return 0, err
	}
	if err := CheckAttachments(r.Attachments); err != nil {
		return 0, err
	}
	var n int
	if r.Serialization == Hessian2 {
		n = encHessianRequestSize(r)
	} else {
		var err error
		if n, err = encJSONRequestSize(r); err != nil {
			return 0, err
		}
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

// encHessianRequestSize returns the hessian2 body size of the valid r.
func encHessianRequestSize(r *Request) int {
	iface := encStringSize(r.Interface)
	ver := encStringSize(encVersion(r))
	n := len(encHessianDubboVersion) + iface + ver + encStringSize(r.Method) + encStringSize(r.ParameterTypes)
	types := r.ParameterTypes
	for _, arg := range r.Args {
		t, k, _ := encNextType(types)
		types = types[k:]
		n += encHessianArgSize(t, arg)
	}
	n += 1 + len(encHessianKeyPath) + iface + len(encHessianKeyInterface) + iface + len(encHessianKeyVersion) + ver + 1
	if r.Timeout > 0 {
		n += len(encHessianKeyTimeout) + 1 + encDecimalSize(int64(r.Timeout))
	}
	for _, a := range r.Attachments {
		n += encStringSize(a.Key) + encStringSize(a.Value)
	}
	return n
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
	for _, arg := range r.Args {
		t, k, _ := encNextType(types)
		types = types[k:]
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
		return encStringSize(arg)
	case encTInt:
		v, _ := encParseInt(arg, 32)
		return encIntSize(int32(v))
	case encTLong:
		v, _ := encParseInt(arg, 64)
		return encLongSize(v)
	case encTBool:
		return 1
	}
	f, _ := encParseDouble(arg)
	return encDoubleSize(f)
}

// encPutHessianArg writes the valid argument arg as its Java type.
func encPutHessianArg(b []byte, t encType, arg []byte) int {
	switch t {
	case encTString:
		return encPutString(b, arg)
	case encTInt:
		v, _ := encParseInt(arg, 32)
		return encPutInt(b, int32(v))
	case encTLong:
		v, _ := encParseInt(arg, 64)
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
		t, k, _ := encNextType(types)
		types = types[k:]
		m, ok := encJSONArgSize(t, arg)
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
		t, k, _ := encNextType(types)
		types = types[k:]
		off += encPutJSONArg(b[off:], t, arg)
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
		v, _ := encParseInt(arg, 64)
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
		v, _ := encParseInt(arg, 64)
		return encPutDecimal(b, v)
	case encTBool:
		return copy(b, arg)
	}
	f, _ := encParseDouble(arg)
	return encPutJSONDouble(b, f)
}
