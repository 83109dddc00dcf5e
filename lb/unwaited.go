package lb

import "time"

// Measuring a capacity from latency, as TCP Vegas sizes a window: a peer
// (a provider agent seen from a consumer agent, or a provider seen from its
// agent) holding load calls whose latency passes WaitSlack × base +
// WaitSlackAbs, base being the latency of calls that do not wait, makes the
// calls past load × base / latency wait. Consumer agents measure each
// provider agent so (against the quickest agent of its services), and a
// provider agent with no thread bound measures its provider so (against
// the least latency of the last minute); both use these thresholds.
const (
	WaitSlack    = 1.10
	WaitSlackAbs = float64(2 * time.Millisecond) // nanoseconds
	// MeasureMinLoad: a peer holding fewer calls is not measured; its
	// latency is too noisy to judge and it is far from any bound.
	MeasureMinLoad = 16
	// MeasureFloor is the smallest capacity measured.
	MeasureFloor = 8
)

// Unwaited returns how many of the load calls a peer holds it serves
// without making them wait, given their mean latency lat and the base
// latency (both in nanoseconds): at least MeasureFloor. waits is false,
// and n 0, while lat stays within the slack of base: nothing is seen to
// wait. It does not judge whether load is enough to go by (MeasureMinLoad).
func Unwaited(load, lat, base float64) (n int64, waits bool) {
	if lat <= base*WaitSlack+WaitSlackAbs {
		return 0, false
	}
	return max(int64(load*base/lat), MeasureFloor), true
}
