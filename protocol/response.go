package protocol

import "encoding/binary"

// The answers to a request (a response or an error) and the heartbeat. Their
// bodies need no parsing: a response's body is the rendered result and an
// error's body is its message, both exactly as Next returns them.

// ResponseSize returns the size of a response frame carrying payload bytes:
// the length of the buffer PutResponse needs.
func ResponseSize(payload int) int { return HeaderSize + payload }

// PutResponse writes a response frame (kind 2, status 0) with the given id
// and payload, the rendered result, into the front of b, and returns the
// number of bytes written, ResponseSize(len(payload)). It does not allocate
// and keeps no reference to b or payload.
//
// id must not be 0. PutResponse panics if len(b) is too short or if payload
// is longer than MaxBodySize; a caller holding a larger result sends an
// error frame instead.
func PutResponse(b []byte, id uint32, payload []byte) int {
	return putResponse(b, id, 0, payload)
}

// PutJSONResponse is PutResponse for a payload that is JSON: the frame
// carries FlagJSON, and the consumer agent answers with Content-Type
// application/json.
func PutJSONResponse(b []byte, id uint32, payload []byte) int {
	return putResponse(b, id, FlagJSON, payload)
}

func putResponse(b []byte, id uint32, flags uint8, payload []byte) int {
	if len(payload) > MaxBodySize {
		panic("protocol: PutResponse payload longer than MaxBodySize")
	}
	n := HeaderSize + len(payload)
	if len(b) < n {
		panic("protocol: PutResponse buffer shorter than ResponseSize")
	}
	PutHeader(b, Header{Kind: KindResponse, Flags: flags, Length: uint32(len(payload)), ID: id})
	copy(b[HeaderSize:], payload)
	return n
}

// ErrorSize returns the size of an error frame carrying msg: the length of
// the buffer PutError needs.
func ErrorSize(msg string) int { return HeaderSize + len(msg) }

// PutError writes an error frame (kind 4) with the given id, status and
// message into the front of b, and returns the number of bytes written,
// ErrorSize(msg). It does not allocate and keeps no reference to b.
//
// An id of 0 makes the error concern the whole connection: the caller
// closes the connection after writing it. PutError panics if s is
// StatusOK, if len(b) is too short, or if msg is longer than MaxBodySize.
func PutError(b []byte, id uint32, s Status, msg string) int {
	if s == StatusOK {
		panic("protocol: PutError with StatusOK")
	}
	if len(msg) > MaxBodySize {
		panic("protocol: PutError message longer than MaxBodySize")
	}
	n := HeaderSize + len(msg)
	if len(b) < n {
		panic("protocol: PutError buffer shorter than ErrorSize")
	}
	PutHeader(b, Header{Kind: KindError, Status: s, Length: uint32(len(msg)), ID: id})
	copy(b[HeaderSize:], msg)
	return n
}

// PutHeartbeat writes a heartbeat frame with the given id into the front of
// b and returns HeaderSize. A ping has reply false; the answer to a ping has
// reply true and echoes the ping's id. It does not allocate, and it panics if
// len(b) < HeaderSize.
func PutHeartbeat(b []byte, id uint32, reply bool) int {
	var flags uint8
	if reply {
		flags = FlagReply
	}
	PutHeader(b, Header{Kind: KindHeartbeat, Flags: flags, ID: id})
	return HeaderSize
}

// SetLoad stamps load into the response or error frame at the front of b,
// written by PutResponse, PutJSONResponse, PutError or PutHeader: it sets
// FlagLoad and writes load, clamped to [0, MaxLoad], into header bytes 6-7.
// A receiver of the first edition of this format ignores both. It does not
// allocate, and it panics if len(b) < HeaderSize.
func SetLoad(b []byte, load int) {
	_ = b[HeaderSize-1]
	b[5] |= FlagLoad
	binary.BigEndian.PutUint16(b[6:], uint16(min(max(load, 0), MaxLoad)))
}

// ReportedLoad returns the load an answer's header carries, and whether it
// carries one: a response or an error with FlagLoad set.
func (h Header) ReportedLoad() (load int, ok bool) {
	if h.Flags&FlagLoad == 0 || (h.Kind != KindResponse && h.Kind != KindError) {
		return 0, false
	}
	return int(h.Load), true
}
