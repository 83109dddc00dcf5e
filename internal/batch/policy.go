package batch

import (
	"errors"
	"fmt"
	"time"
)

// FlushPolicy says when a Writer's frames go out: from the last Done
// (inline), or from the Writer's own flusher goroutine (see Writer.Coalesce),
// after a yield and an optional delay. The zero value is inline.
type FlushPolicy struct {
	Idle     bool // defer to the last busy handler (Writer.Join(&Handlers))
	Coalesce bool
	Delay    time.Duration // with Coalesce only
}

// Apply sets the policy on a new Writer, before it is shared.
func (p FlushPolicy) Apply(w *Writer) {
	if p.Idle {
		w.Join(&Handlers)
	}
	if p.Coalesce {
		w.Coalesce(p.Delay)
	}
}

// String returns the policy in ParseFlushPolicy's syntax.
func (p FlushPolicy) String() string {
	switch {
	case p.Idle:
		return "idle"
	case !p.Coalesce:
		return "inline"
	case p.Delay <= 0:
		return "yield"
	default:
		return p.Delay.String()
	}
}

// ErrFlushPolicy is returned for a policy ParseFlushPolicy does not know.
var ErrFlushPolicy = errors.New("batch: flush policy must be inline, idle, yield or a duration such as 100us")

// ParseFlushPolicy parses "inline" (flush from the last Done), "idle" (from
// the last busy handler of the process, see Group), "yield" (from
// a flusher goroutine, after the goroutines already runnable have written)
// or a positive duration (the same, waiting that long first).
func ParseFlushPolicy(s string) (FlushPolicy, error) {
	switch s {
	case "inline":
		return FlushPolicy{}, nil
	case "idle":
		return FlushPolicy{Idle: true}, nil
	case "yield":
		return FlushPolicy{Coalesce: true}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > time.Second {
		return FlushPolicy{}, fmt.Errorf("%w: %q", ErrFlushPolicy, s)
	}
	return FlushPolicy{Coalesce: true, Delay: d}, nil
}
