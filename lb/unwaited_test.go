package lb

import "testing"

func TestUnwaited(t *testing.T) {
	const ms = 1e6
	for _, c := range []struct {
		load, lat, base float64
		n               int64
		waits           bool
	}{
		{160, 125 * ms, 62.5 * ms, 80, true},           // half of them wait
		{160, 70 * ms, 62.5 * ms, 0, false},            // within 1.1 x base + 2 ms
		{160, 70.76 * ms, 62.5 * ms, 141, true},        // just past it
		{20, 1000 * ms, 62.5 * ms, MeasureFloor, true}, // never below the floor
	} {
		n, waits := Unwaited(c.load, c.lat, c.base)
		if n != c.n || waits != c.waits {
			t.Errorf("Unwaited(%v, %v, %v) = %d, %v; want %d, %v", c.load, c.lat, c.base, n, waits, c.n, c.waits)
		}
	}
}
