// Package lb provides smooth weighted round robin (nginx's algorithm) for
// picking a provider agent per call, and on top of it a shortest expected
// delay pick (PickSED, sed.go) that also weighs what each peer can take:
// its load (Report: the load a peer reports, aged, plus the calls sent
// since), its capacity and its latency, with the weights as the prior and
// the tie-breaker. Unwaited (unwaited.go) estimates a peer's capacity from
// its latency, for consumer agents and provider agents alike.
//
// SWRR is one balancer guarded by a short mutex; Sharded holds one SWRR per
// event loop so that the hot path never contends on a global lock. Pick and
// PickFunc allocate nothing; Update allocates and is meant for the rare
// moments when the registry reports a change.
//
// The algorithm, on every pick: each available peer's current weight grows by
// its weight, the peer with the largest current weight wins (the first one on
// a tie), and the winner's current weight drops by the total weight of the
// available peers. Weights 5:1:1 therefore give a a b a c a a rather than
// a a a a a b c, and over any window of total-weight picks every peer is
// chosen exactly in proportion to its weight.
package lb
