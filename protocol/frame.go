package protocol

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// Frame layout constants. See the package documentation for the wire format.
const (
	// Magic is the first two bytes of every frame.
	Magic uint16 = 0xDB3E
	// Version is the protocol version this package speaks.
	Version = 1
	// HeaderSize is the size of a frame header.
	HeaderSize = 16
	// MaxFrameSize bounds a whole frame, header included. A header announcing
	// more is refused with ErrFrameTooLarge before any of the body is read.
	MaxFrameSize = 16 << 20
	// MaxBodySize is the largest body a frame may carry.
	MaxBodySize = MaxFrameSize - HeaderSize
)

// Flag bits of header byte 5. A bit means something only in the kind of
// frame named here; senders leave the others 0 and receivers ignore them.
const (
	// FlagReply is the heartbeat flag bit marking the reply (the pong).
	FlagReply uint8 = 0x01
	// FlagAttachments is the request flag bit saying that an attachments
	// section follows the arguments (see Request.Attachments).
	FlagAttachments uint8 = 0x02
	// FlagJSON in a request asks for the result as JSON whatever its type
	// (the consumer's JSON form: a String is a JSON string, null is null);
	// in a response it says the body is JSON (Content-Type
	// application/json) rather than text.
	FlagJSON uint8 = 0x04
	// FlagLoad in a response or an error says that header bytes 6-7
	// (Header.Load) carry the sender's load: the calls its provider holds
	// plus those queued in its gate, as the answer leaves. Without it the
	// bytes are 0 and mean nothing, as peers of the first edition send.
	FlagLoad uint8 = 0x08
)

// MaxLoad is the largest load a header carries; SetLoad saturates at it.
const MaxLoad = 0xFFFF

// Kind is the kind of a frame, header byte 3.
type Kind uint8

// The frame kinds.
const (
	KindRequest   Kind = 1
	KindResponse  Kind = 2
	KindHeartbeat Kind = 3
	KindError     Kind = 4
	// KindGoAway is defined in goaway.go.
)

// String returns the kind's name, or "kind(N)" for an unknown value.
func (k Kind) String() string {
	switch k {
	case KindRequest:
		return "request"
	case KindResponse:
		return "response"
	case KindHeartbeat:
		return "heartbeat"
	case KindError:
		return "error"
	case KindGoAway:
		return "goaway"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Status is the status of a frame, header byte 4. It is StatusOK in every
// frame but an error frame, where it says what went wrong.
type Status uint8

// The statuses. HTTPStatus gives the HTTP status the consumer agent answers
// with for each.
const (
	// StatusOK is the status of requests, responses and heartbeats.
	StatusOK Status = 0
	// StatusBadRequest: the provider agent could not encode the arguments
	// (unsupported type, bad value).
	StatusBadRequest Status = 1
	// StatusException: the provider threw; the message is "class: message".
	StatusException Status = 2
	// StatusUnavailable: the provider is unreachable; the call was not sent
	// to it, so it may be sent elsewhere.
	StatusUnavailable Status = 3
	// StatusBadResponse: the provider answered with a frame the provider
	// agent could not decode, or with a Dubbo status not mapped elsewhere.
	StatusBadResponse Status = 4
	// StatusOverloaded: the provider's thread pool is exhausted (Dubbo status
	// 100), or the agent's in-flight table is full.
	StatusOverloaded Status = 5
	// StatusServiceNotFound: Dubbo status 60 with a message that does not
	// say what is missing (see StatusNotFound for one that does): the
	// provider refused a service its agent registered for.
	StatusServiceNotFound Status = 6
	// StatusTimeout: the deadline passed (Dubbo status 30 or 31, or the
	// agent's own deadline).
	StatusTimeout Status = 7
	// StatusBadVersion is connection-level (id 0): the peer speaks another
	// protocol version.
	StatusBadVersion Status = 8
	// StatusBadFrame is connection-level (id 0): the peer sent a malformed
	// frame.
	StatusBadFrame Status = 9
	// StatusLost: the connection to the provider was lost, or the agent
	// shut down, with the call sent: whether the provider ran it is unknown.
	StatusLost Status = 10
	// StatusNotFound: the provider has no such service, method, version or
	// group, as its message says (Dubbo's "Service not found", "Not found
	// exported service", "Not found method", "... not found, invocation
	// rejected"): the caller's mistake.
	StatusNotFound Status = 11
	// StatusBadResult: the provider answered a value the agent cannot
	// render as JSON: a reference cycle, nesting deeper than 64 levels, or
	// JSON larger than MaxBodySize; or the provider could not write its
	// result (Dubbo status 50). The provider ran the call, and would
	// answer the same through any agent: the call's fault, not the path's.
	StatusBadResult Status = 12
)

// HTTPStatus returns the HTTP status code the consumer agent answers with
// for a call that ended with s. Unknown statuses map to 502 Bad Gateway.
func (s Status) HTTPStatus() int {
	switch s {
	case StatusOK:
		return 200
	case StatusBadRequest:
		return 400
	case StatusNotFound:
		return 404
	case StatusException:
		return 500
	case StatusOverloaded, StatusServiceNotFound:
		return 503
	case StatusTimeout:
		return 504
	}
	// StatusUnavailable, StatusBadResponse, StatusBadVersion, StatusBadFrame,
	// StatusLost, StatusBadResult and unknown values.
	return 502
}

// PathFault reports whether an error frame with status s says something
// about the path to the provider (the provider agent, its provider, or the
// connections between them) rather than about the call: an unreachable or
// lost provider, an undecodable answer, an overload, a timeout, a refused
// service, a broken frame, and every status this package does not know. A
// caller counts such an answer against the provider agent that gave it
// (sidelining, ejection); it never counts an answer about the call itself,
// the statuses for which PathFault is false: StatusOK, the caller's
// mistakes StatusBadRequest, StatusNotFound and StatusException (the
// provider ran the call, or refused it as malformed), and StatusBadResult
// (the provider ran the call and answered a value no agent can render).
func (s Status) PathFault() bool {
	switch s {
	case StatusOK, StatusBadRequest, StatusNotFound, StatusException, StatusBadResult:
		return false
	}
	return true
}

// String returns a short lower-case description of s, or "status(N)" for an
// unknown value.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusBadRequest:
		return "bad request"
	case StatusException:
		return "exception"
	case StatusUnavailable:
		return "unavailable"
	case StatusBadResponse:
		return "bad response"
	case StatusOverloaded:
		return "overloaded"
	case StatusServiceNotFound:
		return "service not found"
	case StatusTimeout:
		return "timeout"
	case StatusBadVersion:
		return "bad version"
	case StatusLost:
		return "lost"
	case StatusBadFrame:
		return "bad frame"
	case StatusNotFound:
		return "not found"
	case StatusBadResult:
		return "bad result"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// Header is a decoded frame header. It is a plain value, safe to copy.
type Header struct {
	Kind   Kind
	Status Status
	// Flags holds header byte 5. Only FlagReply and FlagGoAwayOK of a
	// heartbeat, FlagAttachments and FlagJSON of a request and FlagJSON of
	// a response have a meaning.
	Flags uint8
	// Load is header bytes 6-7: the sender's load in a response or an
	// error that sets FlagLoad (see SetLoad); 0 and meaningless otherwise.
	Load uint16
	// Length is the body length: the number of bytes after the header.
	Length uint32
	// ID is the request id; see the package documentation.
	ID uint32
}

// IsReply reports whether h is a heartbeat reply (a pong).
func (h Header) IsReply() bool { return h.Kind == KindHeartbeat && h.Flags&FlagReply != 0 }

// IsConnectionError reports whether h is an error frame about the whole
// connection (id 0): its sender closes the connection after it.
func (h Header) IsConnectionError() bool { return h.Kind == KindError && h.ID == 0 }

// FrameSize returns the size of the whole frame h heads, header included.
func (h Header) FrameSize() int { return HeaderSize + int(h.Length) }

// Errors returned by the decoders. Callers compare with errors.Is: the
// decoders may return errors that wrap these with detail.
var (
	// ErrShort means the buffer holds only part of a frame (or of a header):
	// wait for more bytes. It is the only error that is not fatal to the
	// connection.
	ErrShort = errors.New("protocol: short frame")
	// ErrBadMagic means the bytes are not an agent protocol frame: the stream
	// is out of sync or the peer speaks something else. Close the connection.
	ErrBadMagic = errors.New("protocol: bad magic")
	// ErrBadVersion means the peer speaks another version of the protocol.
	// The error returned is a VersionError, which carries the version seen.
	ErrBadVersion = errors.New("protocol: unsupported version")
	// ErrBadKind means the header's kind byte is not a known kind.
	ErrBadKind = errors.New("protocol: unknown frame kind")
	// ErrFrameTooLarge means a header announces a frame larger than
	// MaxFrameSize, or a request would encode to one.
	ErrFrameTooLarge = errors.New("protocol: frame too large")
	// ErrMalformed means a header or body is inconsistent with the format:
	// a field overruns the body, bytes trail the last field, a status or
	// length does not fit the kind, or a request cannot be represented.
	ErrMalformed = errors.New("protocol: malformed frame")
)

// VersionError is the error ParseHeader returns when the magic matches but
// the version byte is not Version. It matches ErrBadVersion under errors.Is,
// and its message is the one to send the peer in the refusing error frame.
type VersionError struct {
	// Version is the version byte the peer sent.
	Version uint8
}

func (e VersionError) Error() string {
	return "protocol: agent protocol version " + strconv.Itoa(int(e.Version)) +
		" not supported, want " + strconv.Itoa(Version)
}

// Is reports whether target is ErrBadVersion.
func (e VersionError) Is(target error) bool { return target == ErrBadVersion }

// formatError is a decode error with a fixed, detailed message that wraps
// one of the exported sentinels. The decoders return preallocated values of
// it, so that a hostile peer cannot make them allocate.
type formatError struct {
	msg  string
	kind error
}

func (e *formatError) Error() string { return e.msg }
func (e *formatError) Unwrap() error { return e.kind }

func malformed(msg string) error {
	return &formatError{msg: "protocol: malformed frame: " + msg, kind: ErrMalformed}
}

var (
	errStatusInNonError = malformed("non-zero status in a request, response or heartbeat")
	errStatusOKInError  = malformed("status 0 in an error frame")
	errHeartbeatBody    = malformed("heartbeat with a body")
	errZeroID           = malformed("request or response with id 0")
	errGoAwayID         = malformed("goaway with an id")
)

// RefusalStatus tells a receiver how to refuse a peer after a decode error
// err: ok is true and s is the status of the error frame (id 0) to send
// before closing, StatusBadVersion or StatusBadFrame. ok is false for
// ErrBadMagic (close without a word), for ErrShort (not a refusal: wait for
// more bytes) and for errors this package did not produce.
func RefusalStatus(err error) (s Status, ok bool) {
	switch {
	case errors.Is(err, ErrBadVersion):
		return StatusBadVersion, true
	case errors.Is(err, ErrBadKind), errors.Is(err, ErrFrameTooLarge), errors.Is(err, ErrMalformed):
		return StatusBadFrame, true
	}
	return 0, false
}

// ParseHeader decodes the frame header at the front of b. It reads b and
// keeps nothing; it does not allocate.
//
// It judges the magic as soon as b holds 2 bytes and the version as soon as
// it holds 3, so that a peer of another version is refused even if its
// header is shorter: ErrBadMagic, then a VersionError (ErrBadVersion). With
// fewer than HeaderSize bytes and no such verdict it returns ErrShort. It
// then checks, in order, the kind (ErrBadKind), the length (ErrFrameTooLarge)
// and the consistency of status, length and id with the kind (ErrMalformed).
// After ErrBadKind, ErrFrameTooLarge or ErrMalformed the returned Header
// holds the fields as read, for logging; after other errors it is zero.
func ParseHeader(b []byte) (Header, error) {
	if len(b) >= 2 && binary.BigEndian.Uint16(b) != Magic {
		return Header{}, ErrBadMagic
	}
	if len(b) >= 3 && b[2] != Version {
		return Header{}, VersionError{Version: b[2]}
	}
	if len(b) < HeaderSize {
		return Header{}, ErrShort
	}
	h := Header{
		Kind:   Kind(b[3]),
		Status: Status(b[4]),
		Flags:  b[5],
		Load:   binary.BigEndian.Uint16(b[6:]),
		Length: binary.BigEndian.Uint32(b[8:]),
		ID:     binary.BigEndian.Uint32(b[12:]),
	}
	if h.Kind < KindRequest || h.Kind > KindGoAway {
		return h, ErrBadKind
	}
	if h.Length > MaxBodySize {
		return h, ErrFrameTooLarge
	}
	switch {
	case h.Kind == KindError:
		if h.Status == StatusOK {
			return h, errStatusOKInError
		}
	case h.Status != StatusOK:
		return h, errStatusInNonError
	case h.Kind == KindGoAway:
		if h.ID != 0 {
			return h, errGoAwayID
		}
	case h.Kind == KindHeartbeat:
		if h.Length != 0 {
			return h, errHeartbeatBody
		}
	case h.ID == 0: // a request or a response
		return h, errZeroID
	}
	return h, nil
}

// PutHeader writes h into the first HeaderSize bytes of b, with the magic,
// the version and h.Load in bytes 6-7 (0 unless the caller set it). It panics if len(b) < HeaderSize.
// It does not check h: the Put functions build consistent headers, and
// PutHeader is for callers that write a body themselves.
func PutHeader(b []byte, h Header) {
	_ = b[HeaderSize-1] // one bounds check for the writes below
	binary.BigEndian.PutUint16(b[0:], Magic)
	b[2] = Version
	b[3] = byte(h.Kind)
	b[4] = byte(h.Status)
	b[5] = h.Flags
	binary.BigEndian.PutUint16(b[6:], h.Load)
	binary.BigEndian.PutUint32(b[8:], h.Length)
	binary.BigEndian.PutUint32(b[12:], h.ID)
}

// Next splits one whole frame off the front of b. It returns the header, the
// body and the frame's total size n, so the next frame starts at b[n:]. This
// is what a batch decoder loops on: every whole frame in a read, in one pass.
//
// The body aliases b (its capacity ends with the frame, so appending to it
// cannot overwrite the next frame); it is valid for as long as b is, for a
// netpoll Reader until Release. Next does not allocate.
//
// ErrShort, with n == 0, means b holds only part of a frame: wait for more
// bytes. If b held a whole header, h is that header, and h.FrameSize() is the
// number of bytes to wait for. Any other error is one of ParseHeader's and is
// fatal to the connection; see RefusalStatus.
func Next(b []byte) (h Header, body []byte, n int, err error) {
	h, err = ParseHeader(b)
	if err != nil {
		return h, nil, 0, err
	}
	n = h.FrameSize()
	if len(b) < n {
		return h, nil, 0, ErrShort
	}
	return h, b[HeaderSize:n:n], n, nil
}
