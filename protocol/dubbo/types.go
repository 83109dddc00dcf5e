package dubbo

import "github.com/dubbomesh/dubbomesh/protocol/jsonhessian"

// Request is one Dubbo call, in the form both directions of this package use:
// the provider agent encodes it with RequestSize and PutRequest, and the
// reference provider decodes it with ParseRequest.
//
// Byte slices alias the caller's buffers; a Request owns none of them. A
// Request is not safe for concurrent use. Reuse one per goroutine: ParseRequest
// keeps the capacity of Args.
type Request struct {
	ID            int64
	Serialization Serialization

	Interface []byte
	// Version is the service version; empty means "0.0.0".
	Version []byte
	Method  []byte
	// ParameterTypes is the JVM descriptor list, e.g. "Ljava/lang/String;I".
	ParameterTypes []byte
	// Args holds one textual value per parameter type: a String's UTF-8
	// bytes, or the decimal (or "true"/"false") form of a primitive.
	Args [][]byte
	// Timeout is the "timeout" attachment in milliseconds; 0 omits it.
	Timeout int
	// Attachments are the other entries of the attachments map, in order,
	// after path, interface, version and timeout: the service group
	// ("group"), a W3C trace context, an application's own. PutRequest
	// writes them (CheckAttachments says which it accepts); ParseRequest
	// fills them with every entry whose key and value are strings, other
	// than those four. Where a key repeats, the last one counts, as in
	// Dubbo's map.
	Attachments []Attachment

	// RequestSize transcodes the arguments of types outside the fast path
	// (see CheckArgs) with enc into encArgs, each ending at its encEnds
	// entry, for PutRequest to copy; kept for reuse with the Request.
	enc     *jsonhessian.Encoder
	encArgs []byte
	encEnds []int

	// decScratch holds the values ParseRequest cannot alias from the body
	// (rendered numbers, strings that needed conversion); reused per call.
	decScratch []byte
}

// Attachment is one entry of a request's attachments map, UTF-8 key and
// value. It is an alias of an unnamed struct type, the one the agent
// protocol (protocol.Attachment) and the HTTP parser (http1.Attachment)
// declare too, so that attachments pass from one codec to the next as one
// slice, without a copy.
type Attachment = struct {
	Key, Value []byte
}

// Group returns the value of the last "group" attachment of r, or nil: the
// service group, which with the interface and the version names the
// service a provider exports (Dubbo's service key group/interface:version).
func (r *Request) Group() []byte {
	var g []byte
	for _, a := range r.Attachments {
		if string(a.Key) == "group" {
			g = a.Value
		}
	}
	return g
}

// ValueType is the Java type of a result value.
type ValueType uint8

// The result types the codec handles on its fast path.
const (
	TypeNull ValueType = iota
	TypeInt
	TypeLong
	TypeBool
	TypeDouble
	TypeString
)

// Value is a result value for the encoder. Only the field matching Type is
// read: Int for TypeInt, TypeLong and TypeBool (0 or 1), Float for
// TypeDouble, Bytes (UTF-8) for TypeString.
type Value struct {
	Type  ValueType
	Int   int64
	Float float64
	Bytes []byte
}

// Response is a Dubbo answer as the reference provider builds it.
//
// With Status other than StatusOK the body is ErrorMessage. With StatusOK the
// body is an exception when Exception is set (ExceptionClass and
// ErrorMessage), otherwise Value. WithAttachments selects the response flags
// 3, 4 and 5 that newer providers send. Byte slices alias the caller's
// buffers.
type Response struct {
	ID              int64
	Serialization   Serialization
	Status          Status
	Value           Value
	Exception       bool
	ExceptionClass  []byte
	ErrorMessage    []byte
	WithAttachments bool
}

// Outcome classifies a decoded response.
type Outcome uint8

const (
	// OutcomeValue: the call returned a value, rendered as text.
	OutcomeValue Outcome = iota
	// OutcomeNull: the call returned null; the text is empty.
	OutcomeNull
	// OutcomeException: the provider threw; the text is "class: message".
	OutcomeException
	// OutcomeError: the status was not 20; the text is the error string.
	OutcomeError
	// OutcomeJSON: the call returned a value rendered as JSON (see
	// ResultDecoder).
	OutcomeJSON
)
