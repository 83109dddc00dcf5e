package tick

import (
	"hash/maphash"
	"time"
)

// Grid is the step of the process's grid: periodic work of a second or
// more wakes on it.
const Grid = time.Second

// phase is where the process's grid starts within a Grid, chosen at random
// when the process starts, so that the agents on one host do not all wake,
// and reach etcd, at the same instant.
var phase = time.Duration(new(maphash.Hash).Sum64() % uint64(Grid))

// Next returns how long to wait from now for periodic work due about d
// from now, d > 0: until the latest instant of the process's grid that is
// after now and no later than now+d. The wait is never longer than d, so
// a deadline kept by waiting d is kept by waiting Next(now, d); for d of
// a Grid or more it is longer than d-Grid. Under a Grid, the grid's step
// is d itself, so that periods that divide a Grid line up with it.
//
// A loop that waits Next(time.Now(), d) after each run wakes on the grid
// every d, rounded down to a whole number of Grids, whatever its own work
// takes. Next is safe for concurrent use.
func Next(now time.Time, d time.Duration) time.Duration {
	step := min(d, Grid)
	if step <= 0 {
		return d
	}
	off := time.Duration(now.UnixNano()) - phase
	end := off + d
	end -= end % step
	if end <= off {
		end += step
	}
	return end - off
}

// Window is Next for a loop that takes a rate over each wait: the wait is
// never under half of d, since a rate taken over a sliver of a period (the
// first wait after a start or a sleep) is mostly noise. Where Next's wait
// is under half of d, Window's is one step of the grid longer. Window is
// safe for concurrent use.
func Window(now time.Time, d time.Duration) time.Duration {
	w := Next(now, d)
	if w < d/2 {
		w += min(d, Grid)
	}
	return w
}
