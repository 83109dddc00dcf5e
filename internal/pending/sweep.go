package pending

import "time"

// Sweep enforces deadlines: every interval it calls Expire with the current
// time (UnixNano), handing each call past its deadline to expire, then calls
// done, if not nil, so that the caller can flush what expire wrote. It
// returns when stop is closed; run it on its own goroutine.
func (t *Table[T]) Sweep(every time.Duration, stop <-chan struct{}, expire func(id uint32, v T), done func()) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			if t.Expire(now.UnixNano(), expire) > 0 && done != nil {
				done()
			}
		}
	}
}
