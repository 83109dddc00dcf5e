package pending

import (
	"math"
	"time"
)

// noDeadline is the sweeper's due time while no call it knows of has a
// deadline: it sleeps until Add wakes it.
const noDeadline = math.MaxInt64

// Sweep enforces deadlines, which must be UnixNano times: it calls expire
// for each call past its deadline, then done, if not nil, so that the
// caller can flush what expire wrote. It returns when stop is closed; run
// it on its own goroutine, one per table.
//
// It makes no wake-ups while nothing is due: after each pass it sleeps
// until the earliest deadline it saw, or, with no deadline in the table,
// until Add brings one, and Add wakes it early for a deadline before that
// (one atomic load per Add otherwise). Passes are at least every apart, so
// a deadline may be answered up to every late; a burst of deadlines costs
// at most one pass per every.
func (t *Table[T]) Sweep(every time.Duration, stop <-chan struct{}, expire func(id uint32, v T), done func()) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		// While the pass runs, every Add with a deadline lowers due
		// (and kicks): a call added behind the scan is not missed.
		t.due.Store(noDeadline)
		now := time.Now().UnixNano()
		n, earliest := t.expireBefore(now, expire)
		if n > 0 && done != nil {
			done()
		}
		t.lower(earliest)
		floor := now + int64(every)
		for {
			due := t.due.Load()
			if due == noDeadline {
				select {
				case <-stop:
					return
				case <-t.kick:
					continue // due is lowered: wait for it
				}
			}
			timer.Reset(time.Duration(max(due, floor) - time.Now().UnixNano()))
			select {
			case <-stop:
				return
			case <-t.kick:
				timer.Stop()
				continue // an earlier deadline: wait for it instead
			case <-timer.C:
			}
			break
		}
	}
}

// lower makes the sweeper due at deadline at the latest.
func (t *Table[T]) lower(deadline int64) bool {
	for {
		cur := t.due.Load()
		if deadline >= cur {
			return false
		}
		if t.due.CompareAndSwap(cur, deadline) {
			return true
		}
	}
}

// wakeFor is Add's part: a deadline before the sweeper's next pass lowers
// it and wakes the sweeper.
func (t *Table[T]) wakeFor(deadline int64) {
	if t.lower(deadline) {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
}

// expireBefore is Expire that also returns the earliest deadline after now
// among the calls it leaves (noDeadline if none has one).
func (t *Table[T]) expireBefore(now int64, fn func(id uint32, v T)) (n int, earliest int64) {
	earliest = noDeadline
	n = t.claim(func(s *slot[T]) bool {
		d := s.deadline.Load()
		if d != 0 && d <= now {
			return true
		}
		if d != 0 && d < earliest {
			earliest = d
		}
		return false
	}, fn)
	return n, earliest
}
