//go:build !race

package main

// raceEnabled reports a build with the race detector, which allocates: it
// drops a quarter of sync.Pool's puts on purpose, so pooled values are made
// again.
const raceEnabled = false
