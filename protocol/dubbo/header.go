package dubbo

import (
	"encoding/binary"
	"errors"
)

// HeaderSize is the size of a Dubbo 2 frame header.
const HeaderSize = 16

// Magic is the two bytes every Dubbo 2 frame starts with.
const Magic uint16 = 0xdabb

// MaxBodySize bounds the body a peer may announce. Larger frames are refused
// with ErrTooLarge rather than buffered.
const MaxBodySize = 8 << 20

// Flag bits of header byte 2. The low five bits carry the serialization id.
const (
	FlagRequest byte = 0x80
	FlagTwoWay  byte = 0x40
	FlagEvent   byte = 0x20

	serializationMask byte = 0x1f
)

// Serialization is a Dubbo serialization id.
type Serialization byte

// The serializations this package speaks.
const (
	Hessian2 Serialization = 2
	FastJSON Serialization = 6
)

// String returns the name used by the --serialization flag.
func (s Serialization) String() string {
	switch s {
	case Hessian2:
		return "hessian2"
	case FastJSON:
		return "fastjson"
	}
	return "unknown"
}

// ParseSerialization maps a --serialization flag value to its id.
func ParseSerialization(name string) (Serialization, error) {
	switch name {
	case "hessian2":
		return Hessian2, nil
	case "fastjson":
		return FastJSON, nil
	}
	return 0, errors.New("dubbo: unknown serialization " + name + " (want hessian2 or fastjson)")
}

// Status is the status byte of a Dubbo response.
type Status byte

// Response statuses, as Dubbo defines them.
const (
	StatusOK                  Status = 20
	StatusClientTimeout       Status = 30
	StatusServerTimeout       Status = 31
	StatusBadRequest          Status = 40
	StatusBadResponse         Status = 50
	StatusServiceNotFound     Status = 60
	StatusServiceError        Status = 70
	StatusServerError         Status = 80
	StatusClientError         Status = 90
	StatusThreadpoolExhausted Status = 100
)

// String returns Dubbo's name for the status.
func (s Status) String() string {
	switch s {
	case StatusOK:
		return "OK"
	case StatusClientTimeout:
		return "CLIENT_TIMEOUT"
	case StatusServerTimeout:
		return "SERVER_TIMEOUT"
	case StatusBadRequest:
		return "BAD_REQUEST"
	case StatusBadResponse:
		return "BAD_RESPONSE"
	case StatusServiceNotFound:
		return "SERVICE_NOT_FOUND"
	case StatusServiceError:
		return "SERVICE_ERROR"
	case StatusServerError:
		return "SERVER_ERROR"
	case StatusClientError:
		return "CLIENT_ERROR"
	case StatusThreadpoolExhausted:
		return "SERVER_THREADPOOL_EXHAUSTED_ERROR"
	}
	return "UNKNOWN_STATUS"
}

// Errors returned by ParseHeader.
var (
	// ErrShort means fewer than HeaderSize bytes were given: wait for more.
	ErrShort = errors.New("dubbo: short header")
	// ErrBadMagic means the bytes are not a Dubbo frame; the connection is
	// out of sync and must be closed.
	ErrBadMagic = errors.New("dubbo: bad magic")
	// ErrTooLarge means the announced body exceeds MaxBodySize. The
	// header comes with it when its length is not negative, so that a
	// reader may skip the frame (HeaderSize+Length bytes) and stay in
	// step.
	ErrTooLarge = errors.New("dubbo: frame too large")
)

// Header is a decoded Dubbo 2 frame header.
type Header struct {
	Flag   byte
	Status Status
	ID     int64
	// Length is the body length in bytes.
	Length int
}

// IsRequest reports whether the frame is a request.
func (h Header) IsRequest() bool { return h.Flag&FlagRequest != 0 }

// IsTwoWay reports whether a request expects an answer.
func (h Header) IsTwoWay() bool { return h.Flag&FlagTwoWay != 0 }

// IsEvent reports whether the frame is an event (a heartbeat).
func (h Header) IsEvent() bool { return h.Flag&FlagEvent != 0 }

// Serialization returns the serialization id carried in the flag byte.
func (h Header) Serialization() Serialization { return Serialization(h.Flag & serializationMask) }

// ParseHeader decodes the header at the front of b. It does not allocate.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, ErrShort
	}
	if binary.BigEndian.Uint16(b) != Magic {
		return Header{}, ErrBadMagic
	}
	n := int32(binary.BigEndian.Uint32(b[12:]))
	if n < 0 {
		return Header{}, ErrTooLarge
	}
	h := Header{
		Flag:   b[2],
		Status: Status(b[3]),
		ID:     int64(binary.BigEndian.Uint64(b[4:])),
		Length: int(n),
	}
	if n > MaxBodySize {
		return h, ErrTooLarge
	}
	return h, nil
}

// PutHeader writes h into the first HeaderSize bytes of b.
func PutHeader(b []byte, h Header) {
	_ = b[HeaderSize-1]
	binary.BigEndian.PutUint16(b, Magic)
	b[2] = h.Flag
	b[3] = byte(h.Status)
	binary.BigEndian.PutUint64(b[4:], uint64(h.ID))
	binary.BigEndian.PutUint32(b[12:], uint32(h.Length))
}
