package load

import (
	"bytes"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"strconv"
)

// Outcome classifies one answer.
type Outcome uint8

const (
	// Correct is a 200 whose body is the decimal hash, byte for byte.
	Correct Outcome = iota
	// Wrong is a 200 with any other body.
	Wrong
	// Failed is any other status, or no answer at all.
	Failed
)

// String returns the outcome's name.
func (o Outcome) String() string {
	switch o {
	case Correct:
		return "correct"
	case Wrong:
		return "wrong"
	}
	return "failed"
}

// Check classifies the answer (status, body) to a call with parameter param,
// as the race's consumer did: a 200 must carry exactly the decimal form of
// Java's param.hashCode(). scratch is a buffer of at least 11 bytes that
// Check may overwrite; with it Check allocates nothing. It is safe for
// concurrent use with distinct scratch buffers.
func Check(status int, body, param, scratch []byte) Outcome {
	if status != 200 {
		return Failed
	}
	want := strconv.AppendInt(scratch[:0], int64(javahash.String(param)), 10)
	if !bytes.Equal(body, want) {
		return Wrong
	}
	return Correct
}
