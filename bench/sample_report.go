package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// writeSampleTable prints, for every phase that was sampled, one line per
// process: each gauge's first and last value, its range, and for RSS and
// goroutines the least-squares slope per minute. It prints nothing when no
// phase was sampled.
func writeSampleTable(w io.Writer, r *results) {
	var phases []runStats
	var conns []int
	for _, lv := range r.Levels {
		for _, rn := range []runStats{lv.Ideal, lv.Mesh} {
			if rn.Samples != nil {
				phases, conns = append(phases, rn), append(conns, lv.Conns)
			}
		}
	}
	if len(phases) == 0 {
		return
	}
	fmt.Fprintf(w, "\nGauges sampled every %gs over each measured phase (first→last [min..max], slope per minute):\n\n",
		r.Settings.SampleSec)
	tw := newSampleTable(w)
	for i, rn := range phases {
		writeSampleRows(tw, fmt.Sprintf("%d\t%s", conns[i], rn.Target), rn.Samples)
	}
	tw.Flush()
}

// newSampleTable starts a table of sampled gauges, for writeSampleRows.
func newSampleTable(w io.Writer) *tabwriter.Writer {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "conns\ttarget\tprocess\tpoints\tRSS MiB\tRSS/min\tfds\tthreads\tgoroutines\tgoroutines/min\t")
	return tw
}

// writeSampleRows writes one tab-separated line per process of s, each
// starting with lead.
func writeSampleRows(tw io.Writer, lead string, s *samples) {
	for _, ps := range s.Procs {
		rss := trendOf(s.OffsetsSec, ps.RSSKiB)
		g := trendOf(s.OffsetsSec, ps.Goroutines)
		gSlope := "-"
		if g.ok {
			gSlope = fmt.Sprintf("%+.1f", g.perMin)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%+.2f\t%s\t%s\t%s\t%s\t\n", lead, ps.Name, len(s.OffsetsSec),
			gaugeMiB(rss), rss.perMin/1024, gauge(trendOf(s.OffsetsSec, ps.FDs)),
			gauge(trendOf(s.OffsetsSec, ps.Threads)), gauge(g), gSlope)
	}
}

// gauge formats a trend as "first→last [min..max]", or "-" if unread.
func gauge(t trend) string {
	if !t.ok {
		return "-"
	}
	return fmt.Sprintf("%d→%d [%d..%d]", t.first, t.last, t.min, t.max)
}

// gaugeMiB formats a KiB trend in MiB.
func gaugeMiB(t trend) string {
	if !t.ok {
		return "-"
	}
	m := func(kib int64) float64 { return float64(kib) / 1024 }
	return fmt.Sprintf("%.1f→%.1f [%.1f..%.1f]", m(t.first), m(t.last), m(t.min), m(t.max))
}
