package registry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Retry timing shared by Register and Discover.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
	// attemptTimeout bounds one etcd call, so a retry loop notices an
	// unreachable etcd instead of blocking until its context ends.
	attemptTimeout = 3 * time.Second
)

// backoff is a capped exponential delay with jitter. The zero value starts
// at minBackoff. It is not safe for concurrent use.
type backoff struct{ d time.Duration }

// wait sleeps for the next delay, or until ctx ends, and reports whether it
// slept the full delay.
func (b *backoff) wait(ctx context.Context) bool {
	if b.d == 0 {
		b.d = minBackoff
	}
	// Jitter of ±25% keeps many agents from retrying in step.
	d := b.d - b.d/4 + rand.N(b.d/2+1)
	b.d = min(2*b.d, maxBackoff)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reset starts the next wait from minBackoff again.
func (b *backoff) reset() { b.d = 0 }
