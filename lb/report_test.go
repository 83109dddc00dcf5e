package lb

import "testing"

var testAging = Aging{Fresh: 100, Stale: 1100}

func TestReportNoneIsLocal(t *testing.T) {
	var r Report
	assertEq(t, r.Estimate(50, 7, 1000, testAging), 7, "no report")
}

// TestReportAddsCallsSentSince: the report plus the calls sent after it,
// never below the caller's own calls in flight.
func TestReportAddsCallsSentSince(t *testing.T) {
	var r Report
	r.Set(150, 1000, 10) // 150 calls, counting other consumers'
	assertEq(t, r.Estimate(1000, 40, 20, testAging), 150, "at the report")
	assertEq(t, r.Estimate(1012, 52, 20, testAging), 162, "12 sent since")
	assertEq(t, r.Estimate(1012, 170, 20, testAging), 170, "own calls in flight above it")
	r.Set(1<<20, 1012, 30)
	assertEq(t, r.Estimate(1012, 0, 30, testAging), 0xFFFF, "clamped")
	// A report that records more calls sent than the caller read (a race
	// between loops) adds nothing.
	r.Set(100, 2000, 40)
	assertEq(t, r.Estimate(1990, 3, 40, testAging), 100, "report newer than the count")
}

// TestReportAges: trusted fully while fresh, linearly less until stale,
// then not at all: a stale report of a full peer does not keep calls from
// it forever.
func TestReportAges(t *testing.T) {
	var r Report
	r.Set(200, 0, 1000)
	for _, tc := range []struct {
		now  int64
		want int
	}{
		{1000, 200}, {1100, 200}, // fresh
		{1600, 110}, // halfway: local 20 + 180/2
		{2000, 38},
		{2100, 20}, {99999, 20}, // stale: own calls only
	} {
		assertEq(t, r.Estimate(0, 20, tc.now, testAging), tc.want, "estimate")
	}
	// A new report is trusted again.
	r.Set(190, 0, 100000)
	assertEq(t, r.Estimate(0, 20, 100050, testAging), 190, "renewed")
}

// TestReportWraps: the count of calls sent is kept in 48 bits.
func TestReportWraps(t *testing.T) {
	var r Report
	r.Set(10, 1<<48-2, 5)
	assertEq(t, r.Estimate(1<<48+3, 0, 5, testAging), 15, "5 sent across the wrap")
}
