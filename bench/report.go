package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// writeTable prints the final table: per level the ideal and the mesh (and
// wrk, if run), then each process's cost, then the provider agents' shares.
func writeTable(w io.Writer, r *results) {
	m, s := r.Machine, r.Settings
	fmt.Fprintf(w, "\n%s, %d cores, %s, kernel %s\n", m.CPUModel, m.Cores, m.GoVersion, m.Kernel)
	workload := ""
	if s.Workload != "" {
		workload = "workload " + s.Workload + ", "
	}
	fmt.Fprintf(w, "%slatency %gms, weights %d:%d:%d, %d provider threads, %d consumer agent(s), %gs measured after %gs warm-up (under %d conns: %gs after %gs); qps counts correct answers only\n\n",
		workload, s.LatencyMs, s.Weights[0], s.Weights[1], s.Weights[2], s.ProviderThreads, max(s.Consumers, 1), s.DurationSec, s.WarmupSec,
		lightConns, s.LightDurationSec, s.LightWarmupSec)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "conns\ttarget\tqps\tp50\tp90\tp99\tp99.9\tmax\terrors\twrong\tqps/ideal\t")
	for _, lv := range r.Levels {
		for _, rn := range lv.runs() {
			ratio := ""
			switch rn.Target {
			case "mesh":
				ratio = fmt.Sprintf("%.3f", lv.QPSRatio)
			case tlsTarget:
				ratio = fmt.Sprintf("%.3f", lv.TLSRatio)
			}
			l := rn.LatencyUs
			fmt.Fprintf(tw, "%d\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t\n", lv.Conns, rn.Target, rn.QPS,
				us(l.P50), us(l.P90), us(l.P99), us(l.P999), us(l.Max), rn.Errors, rn.Wrong, ratio)
		}
		if wr := lv.Wrk; wr != nil {
			ratio := 0.0
			if lv.Ideal.QPS > 0 {
				ratio = wr.QPS / lv.Ideal.QPS
			}
			fmt.Fprintf(tw, "%d\twrk\t%.1f\t%s\t%s\t%s\t-\t%s\t%d\t-\t%.3f\t\n", lv.Conns, wr.QPS,
				us(wr.LatencyUs.P50), us(wr.LatencyUs.P90), us(wr.LatencyUs.P99), us(wr.LatencyUs.Max),
				wr.Non2xx+wr.SocketErrors, ratio)
		}
	}
	tw.Flush()
	writeAddedTable(w, r.Levels)

	fmt.Fprintf(w, "\nPer process, over each measured phase (per call the generator completed):\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "conns\ttarget\tprocess\tCPU µs/req\tvol cs/req\tinvol cs/req\tpeak RSS\t")
	for _, lv := range r.Levels {
		for _, rn := range lv.runs() {
			for _, p := range rn.Procs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t%.2f\t%.3f\t%.1f MiB\t\n", lv.Conns, rn.Target, p.Name,
					p.CPUUsPerReq, p.VolCSPerReq, p.InvolCSPerReq, float64(p.PeakRSSKiB)/1024)
			}
			if rn.Target == "mesh" || rn.Target == tlsTarget {
				fmt.Fprintf(tw, "%d\t%s\tagents (consumer + provider)\t%.1f\t\t\t\t\n", lv.Conns, rn.Target, agentsCPU(rn))
			}
		}
	}
	tw.Flush()
	writeTLSSummary(w, r.Levels)
	writeHostUse(w, r.Levels)

	fmt.Fprintf(w, "\nCalls per provider agent in each mesh phase (weights %d:%d:%d):\n", s.Weights[0], s.Weights[1], s.Weights[2])
	for _, lv := range r.Levels {
		var total int64
		for _, n := range lv.Mesh.AgentCalls {
			total += n
		}
		var parts []string
		for _, pv := range providers {
			n := lv.Mesh.AgentCalls[pv.name]
			parts = append(parts, fmt.Sprintf("%s %d (%.0f%%)", pv.name, n, 100*float64(n)/float64(max(total, 1))))
		}
		fmt.Fprintf(w, "%7d conns: %s\n", lv.Conns, strings.Join(parts, ", "))
	}
	writeAgentViews(w, r.Levels)
}

// writeAddedTable prints what the mesh adds to the ideal at each level: its
// latency minus the ideal's at p50, p90 and p99, and the agents' CPU per
// call against the ideal's.
func writeAddedTable(w io.Writer, levels []level) {
	if len(levels) == 0 {
		return
	}
	fmt.Fprintf(w, "\nAdded by the mesh (mesh minus ideal, same run; CPU per call the generator completed):\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "conns	mesh qps	added p50	added p90	added p99	agents CPU µs/req	ideal CPU µs/req	agents/ideal	")
	for _, lv := range levels {
		a := added(lv)
		ideal := idealCPU(lv.Ideal)
		ratio := "-"
		if ideal > 0 {
			ratio = fmt.Sprintf("%.2f×", agentsCPU(lv.Mesh)/ideal)
		}
		fmt.Fprintf(tw, "%d\t%.1f\t%s\t%s\t%s\t%.1f\t%.1f\t%s\t\n", lv.Conns, lv.Mesh.QPS,
			signedUs(a.P50), signedUs(a.P90), signedUs(a.P99), agentsCPU(lv.Mesh), ideal, ratio)
	}
	tw.Flush()
}

// added returns the mesh's latency minus the ideal's, in µs, at p50, p90
// and p99 (the other fields stay 0).
func added(lv level) latencyUs {
	m, i := lv.Mesh.LatencyUs, lv.Ideal.LatencyUs
	return latencyUs{P50: m.P50 - i.P50, P90: m.P90 - i.P90, P99: m.P99 - i.P99}
}

// idealCPU is the ideal server's CPU per call in its phase.
func idealCPU(rn runStats) float64 {
	for _, p := range rn.Procs {
		if p.Name == "ideal" {
			return p.CPUUsPerReq
		}
	}
	return 0
}

// signedUs formats a difference in microseconds with its sign: +0.64ms,
// -12µs.
func signedUs(v int64) string {
	if v < 0 {
		return "-" + us(-v)
	}
	return "+" + us(v)
}

// agentsCPU sums the CPU per request of the consumer and provider agents:
// what the mesh itself costs, providers and etcd aside.
func agentsCPU(rn runStats) float64 {
	var sum float64
	for _, p := range rn.Procs {
		if strings.HasPrefix(p.Name, "consumer-agent") || strings.HasPrefix(p.Name, "provider-agent") {
			sum += p.CPUUsPerReq
		}
	}
	return sum
}

// us formats microseconds compactly: 812µs, 50.3ms, 1.25s.
func us(v int64) string {
	d := time.Duration(v) * time.Microsecond
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", v)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(v)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(v)/1e3)
	}
	return fmt.Sprintf("%.2fs", float64(v)/1e6)
}

// writeHostUse prints, per measured phase, the machine's CPU beyond the
// processes the phase measures and the hypervisor's steal: a run to compare against
// others has both near 0.
func writeHostUse(w io.Writer, levels []level) {
	var rows []string
	for _, lv := range levels {
		for _, rn := range lv.runs() {
			if h := rn.Host; h != nil {
				rows = append(rows, fmt.Sprintf("%7d %-8s  %.2f cores busy, %.2f outside the phase's processes, steal %.1f%%",
					lv.Conns, rn.Target, h.BusyCores, h.OutsideCores, h.StealPct))
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\nThe machine over each measured phase:\n")
	for _, r := range rows {
		fmt.Fprintln(w, r)
	}
}
