package logging

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Limiter lets a line that repeats through at most once per interval,
// keyed by the caller (usually the message): the first occurrence is
// logged at once, later ones within the interval are counted, and the next
// one let through carries the count as "repeated". It is safe for
// concurrent use.
type Limiter struct {
	every time.Duration
	now   func() time.Time // time.Now; tests replace it

	mu   sync.Mutex
	keys map[string]*held
}

type held struct {
	last time.Time // when a line with the key was last let through
	n    int       // lines held back since
}

// maxKeys bounds the keys a Limiter remembers: past it, it forgets them all
// (and so lets the next of each through), rather than grow with keys that
// are not the fixed messages they should be.
const maxKeys = 1024

// NewLimiter returns a Limiter that lets each key through at most once per
// every.
func NewLimiter(every time.Duration) *Limiter {
	return &Limiter{every: every, now: time.Now, keys: map[string]*held{}}
}

// Allow reports whether a line with key may be logged now and, if so, how
// many were held back since the last one.
func (l *Limiter) Allow(key string) (ok bool, repeated int) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.keys[key]
	if h == nil {
		if len(l.keys) >= maxKeys {
			clear(l.keys)
		}
		l.keys[key] = &held{last: now}
		return true, 0
	}
	if now.Sub(h.last) < l.every {
		h.n++
		return false, 0
	}
	repeated, h.n, h.last = h.n, 0, now
	return true, repeated
}

// Log logs msg with args on lg at level, keyed by msg, if Allow lets it
// through; "repeated" then says how many lines like it were held back.
func (l *Limiter) Log(lg *slog.Logger, level slog.Level, msg string, args ...any) {
	ok, repeated := l.Allow(msg)
	if !ok {
		return
	}
	if repeated > 0 {
		args = append(args, "repeated", repeated)
	}
	lg.Log(context.Background(), level, msg, args...)
}
