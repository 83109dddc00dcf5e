// Package tick lines up a process's periodic wake-ups on one grid, so that
// its timers fire together rather than each at its own instant: an idle
// agent then wakes once a second for all of its periodic work (the etcd
// probe, the lease keep-alive, the poller mode check, the idle sweeps)
// instead of once for each.
package tick
