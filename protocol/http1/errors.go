package http1

import "errors"

// Error is a request the agent refuses. Status is the HTTP status to answer
// with and Msg a short human message for the response body; PutError writes
// both. The exported *Error values are shared and must not be modified.
// Callers match them with errors.Is, or take the status with errors.As.
type Error struct {
	Status int
	Msg    string

	// parent makes errors.Is(err, parent) hold, so every form error
	// matches ErrBadForm.
	parent *Error
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the broader error e belongs to, or nil.
func (e *Error) Unwrap() error {
	if e.parent == nil {
		return nil
	}
	return e.parent
}

// ErrIncomplete reports that the buffer does not yet hold a whole request.
// It is not an *Error: the caller waits for more bytes and calls Parse again.
var ErrIncomplete = errors.New("http1: incomplete request")

// Request errors. After any of them the request's framing is unknown, so the
// caller answers with mode Close and closes the connection.
var (
	ErrBadRequestLine   = &Error{Status: 400, Msg: "http1: malformed request line"}
	ErrBadHeader        = &Error{Status: 400, Msg: "http1: malformed header"}
	ErrMethodNotAllowed = &Error{Status: 405, Msg: "http1: method not allowed (use GET or POST)"}
	ErrLengthRequired   = &Error{Status: 411, Msg: "http1: length required: send the body with Content-Length (Transfer-Encoding is not supported)"}
	ErrBodyTooLarge     = &Error{Status: 413, Msg: "http1: request body too large"}
	ErrHeaderTooLarge   = &Error{Status: 431, Msg: "http1: request header too large"}
	// ErrTooManyAttachmentHeaders and ErrAttachmentHeaderTooLarge refuse
	// attachment headers (Request.Attachments) past their bounds.
	ErrTooManyAttachmentHeaders = &Error{Status: 400, Msg: "http1: more than 32 attachment headers (traceparent, tracestate, Dubbo-Attachment-*)"}
	ErrAttachmentHeaderTooLarge = &Error{Status: 400, Msg: "http1: attachment header value longer than 2048 bytes"}
	// ErrVersion answers a request line that names an HTTP version other
	// than 1.0 and 1.1 (HTTP/2's preface included) with 505.
	ErrVersion = &Error{Status: 505, Msg: "http1: HTTP version not supported (use HTTP/1.1 or HTTP/1.0)"}
)

// Form errors. All of them match ErrBadForm under errors.Is.
var (
	ErrBadForm               = &Error{Status: 400, Msg: "http1: bad form"}
	ErrBadEncoding           = &Error{Status: 400, Msg: "http1: bad percent-encoding in form", parent: ErrBadForm}
	ErrTooManyParams         = &Error{Status: 400, Msg: "http1: more than 255 parameters in form", parent: ErrBadForm}
	ErrMissingInterface      = &Error{Status: 400, Msg: `http1: missing field "interface"`, parent: ErrBadForm}
	ErrMissingMethod         = &Error{Status: 400, Msg: `http1: missing field "method"`, parent: ErrBadForm}
	ErrMissingParameterTypes = &Error{Status: 400, Msg: `http1: missing or empty field "parameterTypesString" (or "parameterTypes"), with parameters given`, parent: ErrBadForm}
	// The JSON form's (Form.ParseJSON).
	ErrBadJSON            = &Error{Status: 400, Msg: "http1: malformed JSON call (want an object with string fields interface, method, version and group, an array parameterTypes, an array args and an object of strings attachments)", parent: ErrBadForm}
	ErrJSONTooDeep        = &Error{Status: 400, Msg: "http1: JSON argument nested deeper than 64 levels", parent: ErrBadForm}
	ErrTooManyAttachments = &Error{Status: 400, Msg: "http1: more than 32 attachments in JSON call", parent: ErrBadForm}
	ErrRepeatedJSONKey    = &Error{Status: 400, Msg: "http1: a key of the JSON call is repeated (interface, method, version, group, parameterTypes, args and attachments may come once each)", parent: ErrBadForm}
)
