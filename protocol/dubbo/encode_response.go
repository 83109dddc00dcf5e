package dubbo

import (
	"slices"

	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// Response body flags, as Dubbo writes them.
const (
	encRespException       = 0
	encRespValue           = 1
	encRespNull            = 2
	encRespWithAttachments = 3 // added to the three above: an attachments map follows
)

// Fixed parts of fastjson response bodies.
const (
	encJSONResponseAttachmentsLine = "{\"dubbo\":\"2.0.2\"}\n"
	encJSONExceptionClassKey       = "{\"@type\":"
	encJSONExceptionMessageKey     = ",\"message\":"
	encJSONExceptionEnd            = "}\n"
	encJSONTrue                    = "true"
	encJSONFalse                   = "false"
)

// encDefaultExceptionClass names an exception whose class is not given.
var encDefaultExceptionClass = []byte("java.lang.RuntimeException")

// AppendResponse appends the whole response frame for r (header and body)
// to dst and returns the extended slice. The header carries r.ID, r.Status
// and the flag r.Serialization (serializations other than FastJSON are
// written as hessian2). The body is:
//
//   - with a Status other than StatusOK: the error string r.ErrorMessage;
//   - with r.Exception: flag 0, then the exception: in hessian2 a
//     java.lang.Throwable-shaped object of class r.ExceptionClass
//     (java.lang.RuntimeException when empty) whose detailMessage is
//     r.ErrorMessage (null when nil); in fastjson the line
//     {"@type":"<class>","message":"<msg>"} (no message when nil);
//   - otherwise flag 1 and r.Value, or flag 2 alone when r.Value.Type is
//     TypeNull (or unknown). TypeInt writes int32(r.Value.Int). In fastjson a
//     NaN or infinite double is written as null, as fastjson does.
//
// r.WithAttachments selects flags 3, 4 and 5 instead of 0, 1 and 2, followed
// by the map {"dubbo": "2.0.2"} that providers add. Invalid UTF-8 in r's
// strings is written as U+FFFD.
//
// AppendResponse allocates only to grow dst; it keeps no reference to r. It
// is meant for the reference provider and tests.
func AppendResponse(dst []byte, r *Response) []byte {
	json := r.Serialization == FastJSON
	var n int
	if json {
		n = encJSONResponseSize(r)
	} else {
		n = encHessianResponseSize(r)
	}
	start := len(dst)
	dst = slices.Grow(dst, HeaderSize+n)[:start+HeaderSize+n]
	b := dst[start:]
	if json {
		encPutJSONResponse(b[HeaderSize:], r)
	} else {
		encPutHessianResponse(b[HeaderSize:], r)
	}
	sid := Hessian2
	if json {
		sid = FastJSON
	}
	PutHeader(b, Header{Flag: byte(sid), Status: r.Status, ID: r.ID, Length: n})
	return dst
}

// encResponseFlag returns the body flag for r (Status OK).
func encResponseFlag(r *Response) int {
	flag := encRespValue
	switch {
	case r.Exception:
		flag = encRespException
	case !encHasValue(r.Value.Type):
		flag = encRespNull
	}
	if r.WithAttachments {
		flag += encRespWithAttachments
	}
	return flag
}

// encHasValue reports whether t is a non-null value type.
func encHasValue(t ValueType) bool {
	switch t {
	case TypeInt, TypeLong, TypeBool, TypeDouble, TypeString:
		return true
	}
	return false
}

// encExceptionClass returns the class name to write for r's exception.
func encExceptionClass(r *Response) []byte {
	if len(r.ExceptionClass) == 0 {
		return encDefaultExceptionClass
	}
	return r.ExceptionClass
}

// encHessianResponseSize returns the hessian2 body size for r.
func encHessianResponseSize(r *Response) int {
	if r.Status != StatusOK {
		return jsonhessian.StringSize(r.ErrorMessage)
	}
	n := 1 // the flag, 0-5, is a one-byte int
	switch {
	case r.Exception:
		n += 1 + jsonhessian.StringSize(encExceptionClass(r)) + len(encHessianThrowableFields) + 1 + len(encHessianThrowableTail)
		if r.ErrorMessage == nil {
			n++
		} else {
			n += jsonhessian.StringSize(r.ErrorMessage)
		}
	case encHasValue(r.Value.Type):
		n += encHessianValueSize(&r.Value)
	}
	if r.WithAttachments {
		n += len(encHessianResponseAttachments)
	}
	return n
}

// encPutHessianResponse writes the hessian2 body for r.
func encPutHessianResponse(b []byte, r *Response) int {
	if r.Status != StatusOK {
		return encPutString(b, r.ErrorMessage)
	}
	off := encPutInt(b, int32(encResponseFlag(r)))
	switch {
	case r.Exception:
		b[off] = encTagClassDef
		off++
		off += encPutString(b[off:], encExceptionClass(r))
		off += copy(b[off:], encHessianThrowableFields)
		b[off] = encTagObject
		off++
		if r.ErrorMessage == nil {
			b[off] = encTagNull
			off++
		} else {
			off += encPutString(b[off:], r.ErrorMessage)
		}
		off += copy(b[off:], encHessianThrowableTail)
	case encHasValue(r.Value.Type):
		off += encPutHessianValue(b[off:], &r.Value)
	}
	if r.WithAttachments {
		off += copy(b[off:], encHessianResponseAttachments)
	}
	return off
}

// encHessianValueSize returns the encoded size of the non-null value v.
func encHessianValueSize(v *Value) int {
	switch v.Type {
	case TypeInt:
		return jsonhessian.IntSize(int32(v.Int))
	case TypeLong:
		return jsonhessian.LongSize(v.Int)
	case TypeBool:
		return 1
	case TypeDouble:
		return jsonhessian.DoubleSize(v.Float)
	}
	return jsonhessian.StringSize(v.Bytes)
}

// encPutHessianValue writes the non-null value v.
func encPutHessianValue(b []byte, v *Value) int {
	switch v.Type {
	case TypeInt:
		return encPutInt(b, int32(v.Int))
	case TypeLong:
		return encPutLong(b, v.Int)
	case TypeBool:
		return encPutBool(b, v.Int != 0)
	case TypeDouble:
		return encPutDouble(b, v.Float)
	}
	return encPutString(b, v.Bytes)
}

// encJSONResponseSize returns the fastjson body size for r.
func encJSONResponseSize(r *Response) int {
	if r.Status != StatusOK {
		return encJSONStringSize(r.ErrorMessage) + 1
	}
	n := 2 // the flag digit and its newline
	switch {
	case r.Exception:
		n += len(encJSONExceptionClassKey) + encJSONStringSize(encExceptionClass(r)) + len(encJSONExceptionEnd)
		if r.ErrorMessage != nil {
			n += len(encJSONExceptionMessageKey) + encJSONStringSize(r.ErrorMessage)
		}
	case encHasValue(r.Value.Type):
		n += encJSONValueSize(&r.Value) + 1
	}
	if r.WithAttachments {
		n += len(encJSONResponseAttachmentsLine)
	}
	return n
}

// encPutJSONResponse writes the fastjson body for r.
func encPutJSONResponse(b []byte, r *Response) int {
	if r.Status != StatusOK {
		return encPutJSONLine(b, r.ErrorMessage)
	}
	b[0], b[1] = byte('0'+encResponseFlag(r)), '\n'
	off := 2
	switch {
	case r.Exception:
		off += copy(b[off:], encJSONExceptionClassKey)
		off += encPutJSONString(b[off:], encExceptionClass(r))
		if r.ErrorMessage != nil {
			off += copy(b[off:], encJSONExceptionMessageKey)
			off += encPutJSONString(b[off:], r.ErrorMessage)
		}
		off += copy(b[off:], encJSONExceptionEnd)
	case encHasValue(r.Value.Type):
		off += encPutJSONValue(b[off:], &r.Value)
		b[off] = '\n'
		off++
	}
	if r.WithAttachments {
		off += copy(b[off:], encJSONResponseAttachmentsLine)
	}
	return off
}

// encJSONValueSize returns the JSON size of the non-null value v.
func encJSONValueSize(v *Value) int {
	switch v.Type {
	case TypeInt:
		return encDecimalSize(int64(int32(v.Int)))
	case TypeLong:
		return encDecimalSize(v.Int)
	case TypeBool:
		if v.Int != 0 {
			return len(encJSONTrue)
		}
		return len(encJSONFalse)
	case TypeDouble:
		if !encIsFinite(v.Float) {
			return len(encJSONNull)
		}
		return encJSONDoubleSize(v.Float)
	}
	return encJSONStringSize(v.Bytes)
}

// encPutJSONValue writes the non-null value v as JSON.
func encPutJSONValue(b []byte, v *Value) int {
	switch v.Type {
	case TypeInt:
		return encPutDecimal(b, int64(int32(v.Int)))
	case TypeLong:
		return encPutDecimal(b, v.Int)
	case TypeBool:
		if v.Int != 0 {
			return copy(b, encJSONTrue)
		}
		return copy(b, encJSONFalse)
	case TypeDouble:
		if !encIsFinite(v.Float) {
			return copy(b, encJSONNull)
		}
		return encPutJSONDouble(b, v.Float)
	}
	return encPutJSONString(b, v.Bytes)
}
