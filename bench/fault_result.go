package main

import (
	"time"
)

// faultResults is what a --faults run measured; it is written as JSON.
type faultResults struct {
	Started  time.Time     `json:"started"`
	Machine  machine       `json:"machine"`
	Settings settings      `json:"settings"`
	Faults   faultSettings `json:"faults"`
	Rows     []faultResult `json:"rows"`
	// Error is why the run stopped early, if it did.
	Error string `json:"error,omitempty"`
}

type faultSettings struct {
	Conns       int      `json:"conns"`
	Rows        []string `json:"rows"`
	SteadySec   float64  `json:"steady_s"`
	RecoverySec float64  `json:"recovery_s"`
	HoldSec     float64  `json:"hold_s,omitempty"`
	TimeoutSec  float64  `json:"generator_timeout_s"`
}

// faultResult is one row. Times are seconds from the row's start unless
// the name says otherwise; -1 means "did not happen".
type faultResult struct {
	Name     string `json:"name"`
	Fault    string `json:"fault"`    // what was done
	Expected string `json:"expected"` // the contract
	Settle   string `json:"settle"`   // what "settled" means for this row

	FaultAt         float64 `json:"fault_at_s"`
	SettleAt        float64 `json:"settled_at_s"`
	RecoverAt       float64 `json:"recovered_at_s"`
	RecoverSettleAt float64 `json:"recovery_settled_at_s"`
	End             float64 `json:"end_s"`

	// Calls counts every call that ended in the row, by class (ok, wrong,
	// 500, 502, 503, 504, conn, other).
	Calls map[string]int64 `json:"calls"`
	// Failures split by window: before the fault, from the fault until it
	// settled, from then until recovery, from recovery until it settled,
	// and after that to the row's end.
	FailBeforeFault   int64 `json:"failures_before_fault"`
	FailUnsettled     int64 `json:"failures_fault_to_settled"`
	FailSettled       int64 `json:"failures_settled_to_recovery"`
	FailRecovering    int64 `json:"failures_recovery_to_settled"`
	FailAfterRecovery int64 `json:"failures_after_recovery_settled"`
	// FailuresDropped failures were counted but not kept with their
	// time: the window counts above are lower bounds when it is not 0.
	FailuresDropped int64 `json:"failures_not_timed,omitempty"`

	LastFailureMs float64 `json:"last_failure_after_fault_ms"`
	// SlowestFailureMs is the longest a call that failed after the fault
	// took: whether failures were fast or waited for a deadline.
	SlowestFailureMs float64 `json:"slowest_failure_after_fault_ms"`
	// FirstServedMs is the time from ServedFrom to the watched agent's
	// first served call (provider_agent_ok_total growing); ShareBackMs to
	// its rate being back at half its steady rate.
	ServedFrom    string  `json:"served_from,omitempty"`
	WatchedAgent  string  `json:"watched_agent,omitempty"`
	FirstServedMs float64 `json:"first_served_ms"`
	ShareBackMs   float64 `json:"share_back_ms"`

	SteadyQPS     float64   `json:"steady_qps"`
	FaultQPS      float64   `json:"fault_qps"`
	RecoveryQPS   float64   `json:"recovery_qps"`
	SteadyLatency latencyUs `json:"steady_latency_us"`
	FaultLatency  latencyUs `json:"fault_latency_us"`

	// Timeline is per second of the row: correct answers and failures by
	// class.
	Timeline []timelineSec `json:"timeline"`
	// RSS of the consumer agent and provider agents at the row's start
	// and end.
	RSS []rssChange `json:"rss"`
	// ConsumerCounters are the consumer agent's counters' growth over the
	// row (responses by status, sidelining, ejection).
	ConsumerCounters map[string]float64 `json:"consumer_counters,omitempty"`
	Notes            []string           `json:"notes,omitempty"`
	// Healthy: after the recovery window every provider agent served
	// calls and none failed for healthWindow; HealthyAfter is how much
	// longer than the recovery window that took.
	Healthy      bool    `json:"healthy"`
	HealthyAfter float64 `json:"healthy_extra_wait_s"`
}

type timelineSec struct {
	Sec    int              `json:"s"`
	OK     int64            `json:"ok"`
	Failed map[string]int64 `json:"failed,omitempty"`
}

type rssChange struct {
	Name      string `json:"name"`
	BeforeKiB uint64 `json:"before_kib"`
	AfterKiB  uint64 `json:"after_kib"`
	Restarted bool   `json:"restarted,omitempty"`
}

// rowMarks are the instants of a row, as offsets from its start: the fault,
// when it counts as settled, the recovery action, when recovery counts as
// settled, and the row's end. A zero recover means the row never marked
// one; then recover and recoverSettle are taken as end.
type rowMarks struct {
	fault, settle, recover, recoverSettle, end time.Duration
}

// summarizeRow fills r's counts, windows, rates, latencies and timeline
// from d and the row's marks.
func summarizeRow(r *faultResult, d *rowData, m rowMarks) {
	if m.recover == 0 {
		m.recover, m.recoverSettle = m.end, m.end
	}
	r.FaultAt, r.SettleAt, r.RecoverAt = m.fault.Seconds(), m.settle.Seconds(), m.recover.Seconds()
	r.RecoverSettleAt, r.End = m.recoverSettle.Seconds(), m.end.Seconds()

	tot := d.classTotals(0, len(d.seconds))
	r.Calls = map[string]int64{}
	for c, n := range tot {
		r.Calls[classNames[c]] = n
	}
	const forever = time.Duration(1<<63 - 1)
	r.FailBeforeFault = d.failuresIn(0, m.fault)
	r.FailUnsettled = d.failuresIn(m.fault, m.settle)
	r.FailSettled = d.failuresIn(m.settle, m.recover)
	r.FailRecovering = d.failuresIn(m.recover, m.recoverSettle)
	r.FailAfterRecovery = d.failuresIn(m.recoverSettle, forever)
	r.FailuresDropped = d.dropped
	r.LastFailureMs = -1
	if at, ok := d.lastFailure(); ok && at >= m.fault {
		r.LastFailureMs = float64(at-m.fault) / 1e6
	}
	r.SlowestFailureMs = float64(d.slowestFailure(m.fault)) / 1e6
	r.SteadyQPS = d.okRate(0, m.fault)
	r.FaultQPS = d.okRate(m.fault, m.recover)
	r.RecoveryQPS = d.okRate(m.recover, m.end)
	r.SteadyLatency = histLatency(d, phaseSteady)
	r.FaultLatency = histLatency(d, phaseFault)

	r.Timeline = r.Timeline[:0]
	for sec, counts := range d.seconds {
		ts := timelineSec{Sec: sec, OK: counts[classOK]}
		for c := classWrong; c < numClasses; c++ {
			if n := counts[c]; n > 0 {
				if ts.Failed == nil {
					ts.Failed = map[string]int64{}
				}
				ts.Failed[classNames[c]] = n
			}
		}
		r.Timeline = append(r.Timeline, ts)
	}
}

// histLatency summarizes one phase's latency histogram.
func histLatency(d *rowData, p rowPhase) latencyUs {
	h := d.hist[p]
	if h == nil || h.TotalCount() == 0 {
		return latencyUs{}
	}
	return latencyUs{P50: h.ValueAtPercentile(50), P90: h.ValueAtPercentile(90), P99: h.ValueAtPercentile(99),
		P999: h.ValueAtPercentile(99.9), Max: h.Max()}
}

// failures returns the row's failed calls, every class but ok.
func (r *faultResult) failures() int64 {
	var n int64
	for name, c := range r.Calls {
		if name != classNames[classOK] {
			n += c
		}
	}
	return n
}
