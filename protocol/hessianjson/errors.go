package hessianjson

import (
	"errors"
	"fmt"
)

// Errors returned by Renderer.Append; check them with errors.Is. Those about
// the input carry details (the tag and its offset in the src where it was
// met) in a wrapping error.
var (
	// ErrMalformed: the bytes are not hessian2 (an unknown tag, a bad
	// length, a reference or class index out of range, bad UTF-8 in a
	// string).
	ErrMalformed = errors.New("hessianjson: malformed hessian2")
	// ErrTruncated: src ends inside the value.
	ErrTruncated = errors.New("hessianjson: truncated hessian2 value")
	// ErrCycle: a reference points to a map, list or object that encloses
	// it, so writing it out again would never end.
	ErrCycle = errors.New("hessianjson: reference cycle")
	// ErrTooDeep: maps, lists and objects nest deeper than MaxDepth.
	ErrTooDeep = errors.New("hessianjson: nesting deeper than 64 levels")
	// ErrTooLarge: the JSON would be longer than the Renderer's MaxSize.
	ErrTooLarge = errors.New("hessianjson: JSON longer than MaxSize")
)

// malformed reports what is wrong with the byte at b[at]. It allocates, on
// the error path only.
func malformed(b []byte, at int, what string) error {
	if at >= len(b) {
		return ErrTruncated
	}
	return fmt.Errorf("%w: tag 0x%02x at offset %d: %s", ErrMalformed, b[at], at, what)
}
