package tick

import (
	"testing"
	"time"
)

func TestNextOnTheGrid(t *testing.T) {
	base := time.Unix(1_800_000_000, 0).Add(phase)
	for _, c := range []struct {
		at, d, want time.Duration
	}{
		{0, time.Second, time.Second},
		{1, time.Second, time.Second - 1},
		{300 * time.Millisecond, time.Second, 700 * time.Millisecond},
		{999 * time.Millisecond, time.Second, time.Millisecond},
		{300 * time.Millisecond, 3*time.Second + 333*time.Millisecond, 2*time.Second + 700*time.Millisecond},
		{800 * time.Millisecond, 3*time.Second + 333*time.Millisecond, 3*time.Second + 200*time.Millisecond},
		{30 * time.Millisecond, 250 * time.Millisecond, 220 * time.Millisecond},
		{260 * time.Millisecond, 250 * time.Millisecond, 240 * time.Millisecond},
		{5 * time.Millisecond, 20 * time.Millisecond, 15 * time.Millisecond},
	} {
		if got := Next(base.Add(c.at), c.d); got != c.want {
			t.Errorf("Next(grid+%v, %v) = %v, want %v", c.at, c.d, got, c.want)
		}
	}
}

// TestNextBounds checks, at many instants, that the wait ends on the grid,
// after now, no later than d, and (for d of a Grid or more) later than
// d-Grid.
func TestNextBounds(t *testing.T) {
	start := time.Unix(1_800_000_000, 123_456_789)
	for _, d := range []time.Duration{time.Millisecond, 100 * time.Millisecond, 999 * time.Millisecond, time.Second, 3333 * time.Millisecond, 10 * time.Second} {
		step := min(d, Grid)
		for i := range 10_000 {
			now := start.Add(time.Duration(i) * 7919 * time.Microsecond)
			w := Next(now, d)
			if w <= 0 || w > d {
				t.Fatalf("Next(%v, %v) = %v: not in (0, d]", now, d, w)
			}
			if d >= Grid && w <= d-Grid {
				t.Fatalf("Next(%v, %v) = %v: a Grid or more early", now, d, w)
			}
			if at := time.Duration(now.Add(w).UnixNano()) - phase; at%step != 0 {
				t.Fatalf("Next(%v, %v) = %v: ends %v off the grid", now, d, w, at%step)
			}
		}
	}
}

// TestLoopsLineUp: two loops of different periods, started at different
// instants, wake at the same instants of the grid.
func TestLoopsLineUp(t *testing.T) {
	wakes := func(start, d time.Duration, n int) []int64 {
		var at []int64
		now := time.Unix(1_800_000_000, 0).Add(start)
		for range n {
			now = now.Add(Next(now, d))
			at = append(at, now.UnixNano())
			now = now.Add(300 * time.Microsecond) // the loop's own work
		}
		return at
	}
	fast := map[int64]bool{}
	for _, at := range wakes(17*time.Millisecond, time.Second, 100) {
		fast[at] = true
	}
	for i, at := range wakes(640*time.Millisecond, 3333*time.Millisecond, 20) {
		if !fast[at] {
			t.Fatalf("the slow loop's wake-up %d is not one of the fast loop's", i)
		}
	}
}

// TestWindow checks, at many instants, that a rate window ends on the
// grid, lasts at least half of d, and at most d and a grid step.
func TestWindow(t *testing.T) {
	start := time.Unix(1_800_000_000, 123_456_789)
	for _, d := range []time.Duration{10 * time.Millisecond, 300 * time.Millisecond, time.Second, 1500 * time.Millisecond, 3 * time.Second} {
		step := min(d, Grid)
		short := 0
		for i := range 10_000 {
			now := start.Add(time.Duration(i) * 7919 * time.Microsecond)
			w := Window(now, d)
			if w < d/2 || w > d+step {
				t.Fatalf("Window(%v, %v) = %v: not in [d/2, d+step]", now, d, w)
			}
			if at := time.Duration(now.Add(w).UnixNano()) - phase; at%step != 0 {
				t.Fatalf("Window(%v, %v) = %v: ends %v off the grid", now, d, w, at%step)
			}
			if Next(now, d) < d/2 {
				short++
			}
		}
		if d < 2*Grid && short == 0 {
			t.Fatalf("d %v: Next was never under half of d, the case Window is for", d)
		}
	}
}

func TestNextZero(t *testing.T) {
	if got := Next(time.Now(), 0); got != 0 {
		t.Fatalf("Next(now, 0) = %v, want 0", got)
	}
}
