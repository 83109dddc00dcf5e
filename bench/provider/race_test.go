//go:build race

package main

// raceEnabled reports a build with the race detector, which allocates.
const raceEnabled = true
