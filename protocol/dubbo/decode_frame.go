package dubbo

import (
	"errors"
	"fmt"
)

// ErrMalformed wraps every failure to decode a Dubbo body: a truncated value,
// a value of the wrong type, bad UTF-8 in a string, garbage JSON, a nesting
// deeper than the decoder accepts. Check it with errors.Is; the wrapping
// error says what was wrong. A malformed body spoils only its own frame: the
// next frame starts where the header said, so the connection stays usable.
var ErrMalformed = errors.New("dubbo: malformed body")

// Errors the decoders return on their hot paths. They are prebuilt so that
// rejecting bad input does not allocate either.
var (
	decErrTruncated = fmt.Errorf("%w: truncated value", ErrMalformed)
	decErrUTF8      = fmt.Errorf("%w: bad utf-8 in string", ErrMalformed)
	decErrDepth     = fmt.Errorf("%w: values nested more than %d deep", ErrMalformed, decMaxDepth)
	decErrJSON      = fmt.Errorf("%w: bad json", ErrMalformed)
	decErrJSONLine  = fmt.Errorf("%w: json value not followed by a newline", ErrMalformed)
)

// decMaxDepth bounds the nesting of lists, maps and objects the decoders
// walk, so that hostile input cannot exhaust the stack.
const decMaxDepth = 32

// decMaxExceptionDepth bounds the nesting of an exception, whose causes
// nest one in another (each a level or two: the cause, its suppressed
// list).
const decMaxExceptionDepth = 256

// Next splits the first whole frame off the front of b: its header, its body
// and the frame's total size n (header plus body).
//
// The body aliases b, with its capacity cut to its length so that appending
// to it never overwrites the next frame; it is valid as long as b is. If b
// holds only part of a frame, Next returns ErrShort and n == 0: read more and
// call again with the same bytes (once the header is complete, h is returned
// with ErrShort, so h.Length tells how much is still to come). ErrBadMagic
// means the stream is out of sync and the connection must be closed;
// ErrTooLarge comes with the header when its length is not negative, and a
// reader may then skip HeaderSize+h.Length bytes (else it must close). Next
// does not allocate and is safe for concurrent use.
func Next(b []byte) (h Header, body []byte, n int, err error) {
	h, err = ParseHeader(b)
	if err != nil {
		return h, nil, 0, err
	}
	n = HeaderSize + h.Length
	if len(b) < n {
		return h, nil, 0, ErrShort
	}
	return h, b[HeaderSize:n:n], n, nil
}
