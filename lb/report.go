package lb

import "sync/atomic"

// Report holds the last load a peer reported (in the answers it sends) and
// turns it into an estimate of the calls the peer holds now: the report
// plus the calls sent to it since, which it had not seen yet. A report is
// trusted fully while it is at most fresh old, less and less after, and
// not at all once it is stale old: a peer that got no call for a while
// sends no report, and a load it reported then says little about now.
// Without a trusted report the estimate is the caller's own count of its
// calls in flight to the peer, which the estimate never goes below.
//
// Reports from several consumers' points of view need no merging: each
// peer reports its own load, which counts every consumer's calls.
//
// The zero Report holds no report. Its methods are safe for concurrent use
// and allocate nothing; concurrent Sets may interleave, in which case one
// of them wins, which is as good as either.
type Report struct {
	// word packs the load (high 16 bits) and the caller's count of calls
	// sent as of the report (low 48 bits).
	word atomic.Uint64
	// at is when the report arrived, in the caller's clock (UnixNano);
	// 0: none.
	at atomic.Int64
}

// Aging is how long a report is trusted: fully up to Fresh after it
// arrived, linearly less up to Stale, not at all after. Both are in the
// unit of the caller's clock (nanoseconds for UnixNano).
type Aging struct {
	Fresh, Stale int64
}

const sentMask = 1<<48 - 1

// Set records a report of load calls, arrived at now, when the caller had
// sent sent calls to the peer in all. load is clamped to [0, 65535].
func (r *Report) Set(load int, sent uint64, now int64) {
	load = min(max(load, 0), 0xFFFF)
	r.word.Store(uint64(load)<<48 | sent&sentMask)
	r.at.Store(now)
}

// At returns when the last report arrived (the now of its Set), or 0 when
// none has.
func (r *Report) At() int64 { return r.at.Load() }

// Estimate returns the calls the peer holds by the last report, at now,
// when the caller has sent sent calls to it in all and has local of them
// in flight: max(local, report + calls sent since), the report's part
// weighed down by its age as a says.
func (r *Report) Estimate(sent uint64, local int, now int64, a Aging) int {
	at := r.at.Load()
	if at == 0 {
		return local
	}
	age := now - at
	if age >= a.Stale {
		return local
	}
	w := r.word.Load()
	since := (sent - w) & sentMask // sent wraps at 48 bits alike
	if since > sentMask/2 {
		since = 0 // a report newer than the caller's count of calls sent
	}
	est := int(w>>48) + int(since)
	if est <= local {
		return local
	}
	if age > a.Fresh {
		// Linearly from the report at Fresh to local at Stale.
		est = local + int(int64(est-local)*(a.Stale-age)/(a.Stale-a.Fresh))
	}
	return est
}
