package jsonhessian

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrBadArgument wraps every error about parameter types and arguments:
// a descriptor that is not valid, a text or JSON argument that is malformed,
// a value of the wrong shape for its type, nesting deeper than MaxDepth.
// Callers check it with errors.Is and answer HTTP 400; the message says why
// (the caller adds the argument's index to AppendArg's and Check's errors).
var ErrBadArgument = errors.New("jsonhessian: bad argument")

// badArg returns an error wrapping ErrBadArgument with the formatted reason.
func badArg(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadArgument}, args...)...)
}

// quote quotes b for an error message, cut to a readable length.
func quote(b []byte) string {
	const max = 64
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
