package upstream

import "time"

// Probation: a path that dies again and again (a link that flaps, a
// path-MTU black hole that lets the dial and the pings through but not
// the calls) would otherwise be redialed within the backoff, answer the
// first ping, be offered, and lose the calls sent to it each time. After
// an offered connection is declared dead for a ping unanswered, the next
// dial waits probationBase, doubling with each such death in a row up to
// probationMax; callers send elsewhere meanwhile. A connection that stays
// up for probationForget ends the series.
const (
	probationBase   = time.Second
	probationMax    = 30 * time.Second
	probationForget = 30 * time.Second
)

// probation returns the least wait before the next dial after a
// connection that lived for lived and, if died is set, was offered and
// then declared dead for a ping unanswered. run's goroutine only.
func (c *Conn) probation(died bool, lived time.Duration) time.Duration {
	if lived >= probationForget {
		c.deaths = 0
	}
	if !died {
		return 0
	}
	c.deaths++
	return min(probationBase<<min(c.deaths-1, 5), probationMax)
}
