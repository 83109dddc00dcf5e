package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// writeFaultTable prints one line per row, then each row's timeline, RSS,
// consumer counters and notes.
func writeFaultTable(w io.Writer, r *faultResults) {
	m, s, fs := r.Machine, r.Settings, r.Faults
	fmt.Fprintf(w, "\n%s, %d cores, %s, kernel %s\n", m.CPUModel, m.Cores, m.GoVersion, m.Kernel)
	fmt.Fprintf(w, "faults under load: %d conns, latency %gms, weights %d:%d:%d, %gs steady before and %gs recovery after each fault\n",
		fs.Conns, s.LatencyMs, s.Weights[0], s.Weights[1], s.Weights[2], fs.SteadySec, fs.RecoverySec)
	fmt.Fprintf(w, "fail>settle: failures from the fault's settling to the recovery; fail>recov: after the recovery settled;\n")
	fmt.Fprintf(w, "last fail: from the fault; 1st call / share: from the recovery to the watched agent's first call / half its steady rate\n\n")

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "row\tcalls\tok\t500\t502\t503\t504\tconn\twrong\tfail>settle\tfail>recov\tlast fail\t1st call\tshare\tp99 fault\tmax fault\tqps steady\tqps fault\tqps recov\thealthy\t")
	for _, row := range r.Rows {
		var calls int64
		for _, n := range row.Calls {
			calls += n
		}
		c := row.Calls
		healthy := "yes"
		if !row.Healthy {
			healthy = "NO"
		} else if row.HealthyAfter >= 0.5 {
			healthy = fmt.Sprintf("+%.0fs", row.HealthyAfter)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t%s\t\n",
			row.Name, calls, c["ok"], c["500"], c["502"], c["503"], c["504"], c["conn"]+c["other"], c["wrong"],
			row.FailSettled, row.FailAfterRecovery, ms(row.LastFailureMs), ms(row.FirstServedMs), ms(row.ShareBackMs),
			us(row.FaultLatency.P99), us(row.FaultLatency.Max), row.SteadyQPS, row.FaultQPS, row.RecoveryQPS, healthy)
	}
	tw.Flush()

	for _, row := range r.Rows {
		fmt.Fprintf(w, "\n%s: %s\n", row.Name, row.Fault)
		fmt.Fprintf(w, "  expected: %s\n", row.Expected)
		fmt.Fprintf(w, "  settled:  %s\n", row.Settle)
		fmt.Fprintf(w, "  ok/s:     %s\n", timelineLine(&row, func(t timelineSec) string { return compact(t.OK) }))
		fmt.Fprintf(w, "  failed/s: %s\n", failLine(&row))
		fmt.Fprintf(w, "  windows:  %d failed before the fault, %d fault..settled, %d settled..recovery, %d recovery..settled, %d after",
			row.FailBeforeFault, row.FailUnsettled, row.FailSettled, row.FailRecovering, row.FailAfterRecovery)
		if row.LastFailureMs >= 0 {
			fmt.Fprintf(w, "; the slowest failure took %s", ms(row.SlowestFailureMs))
		}
		if row.FailuresDropped > 0 {
			fmt.Fprintf(w, " (lower bounds: %d failures untimed)", row.FailuresDropped)
		}
		fmt.Fprintln(w)
		if row.WatchedAgent != "" {
			fmt.Fprintf(w, "  watched:  %s from %s: first call %s, half its steady rate %s\n",
				row.WatchedAgent, row.ServedFrom, ms(row.FirstServedMs), ms(row.ShareBackMs))
		}
		fmt.Fprintf(w, "  latency:  steady p99 %s max %s; fault p50 %s p99 %s max %s\n", us(row.SteadyLatency.P99),
			us(row.SteadyLatency.Max), us(row.FaultLatency.P50), us(row.FaultLatency.P99), us(row.FaultLatency.Max))
		var rss []string
		for _, p := range row.RSS {
			tag := ""
			if p.Restarted {
				tag = " (restarted)"
			}
			rss = append(rss, fmt.Sprintf("%s %.1f→%.1f%s", strings.TrimPrefix(p.Name, "provider-"),
				float64(p.BeforeKiB)/1024, float64(p.AfterKiB)/1024, tag))
		}
		fmt.Fprintf(w, "  RSS MiB:  %s\n", strings.Join(rss, ", "))
		if len(row.ConsumerCounters) > 0 {
			keys := make([]string, 0, len(row.ConsumerCounters))
			for k := range row.ConsumerCounters {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("%s +%.0f", strings.TrimPrefix(k, "consumer_agent_"), row.ConsumerCounters[k]))
			}
			fmt.Fprintf(w, "  consumer: %s\n", strings.Join(parts, ", "))
		}
		for _, n := range row.Notes {
			fmt.Fprintf(w, "  note:     %s\n", n)
		}
	}
	if r.Error != "" {
		fmt.Fprintf(w, "\nRUN FAILED: %s\n", r.Error)
	}
}

// timelineLine renders one value per second, with "|F" before the second
// of the fault and "|R" before the second of the recovery.
func timelineLine(row *faultResult, cell func(timelineSec) string) string {
	var b strings.Builder
	fs, rs := int(row.FaultAt), int(row.RecoverAt)
	for _, t := range row.Timeline {
		switch {
		case t.Sec == fs && row.FaultAt > 0:
			b.WriteString(" |F")
		case t.Sec == rs && row.RecoverAt > 0 && rs != fs:
			b.WriteString(" |R")
		}
		b.WriteByte(' ')
		b.WriteString(cell(t))
	}
	return strings.TrimSpace(b.String())
}

// failLine lists the failures of each second that had any.
func failLine(row *faultResult) string {
	var parts []string
	for _, t := range row.Timeline {
		if len(t.Failed) == 0 {
			continue
		}
		var cls []string
		for _, name := range classNames[1:] {
			if n := t.Failed[name]; n > 0 {
				cls = append(cls, fmt.Sprintf("%s×%d", name, n))
			}
		}
		parts = append(parts, fmt.Sprintf("s%d %s", t.Sec, strings.Join(cls, " ")))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// compact formats a count in at most five characters: 812, 9.8k, 12k.
func compact(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprint(n)
	case n < 10000:
		return fmt.Sprintf("%.1fk", float64(n)/1000)
	}
	return fmt.Sprintf("%dk", (n+500)/1000)
}

// ms formats milliseconds; a negative value is "-" (did not happen).
func ms(v float64) string {
	if v < 0 {
		return "-"
	}
	return us(int64(v * 1000))
}
