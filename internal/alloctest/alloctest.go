// Package alloctest measures the allocations of code that runs beside other
// goroutines: an agent's event loops, its timers, an earlier test's
// connections closing, and the race detector's sync.Pool, which drops items
// at random.
//
// testing.AllocsPerRun counts every allocation the process makes while it
// runs, so a goroutine that allocates in the background shows as the code's
// own now and then. Code that allocates per call does so on every run; the
// background does not. PerRun therefore measures a few times and keeps the
// least figure: zero once means the path itself allocates nothing.
package alloctest

import "testing"

// Tries is how many times PerRun measures before it gives its least figure.
const Tries = 3

// PerRun is testing.AllocsPerRun(runs, f) taken up to Tries times, stopping
// at the first zero. It returns the least figure and how many times f ran
// (AllocsPerRun's own warm-up run included), for tests that count what f
// did. Like AllocsPerRun, it must not run in parallel with other tests.
func PerRun(runs int, f func()) (allocs float64, calls int) {
	counted := func() { calls++; f() }
	for try := 0; try < Tries; try++ {
		n := testing.AllocsPerRun(runs, counted)
		if try == 0 || n < allocs {
			allocs = n
		}
		if allocs == 0 {
			break
		}
	}
	return allocs, calls
}
