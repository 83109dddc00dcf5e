package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// overloadConns is --overload's default connection count.
const overloadConns = 10000

// overloadResults is what an --overload run measured; it is written as
// JSON.
type overloadResults struct {
	Started  time.Time `json:"started"`
	Machine  machine   `json:"machine"`
	Settings settings  `json:"settings"`
	Conns    int       `json:"conns"`
	// Mesh is the measured window: qps, statuses, latency over every call,
	// and each process's cost and peak RSS.
	Mesh runStats `json:"mesh"`
	// Classes splits the window's calls by status class, each with its own
	// latency, so refusals can be timed apart from answers.
	Classes []classStats `json:"classes"`
	// Consumer is what the consumer agent counted over the window; -1 if
	// its /metrics could not be read.
	Consumer consumerCounts `json:"consumer_agent"`
	// OpenFiles is each process's soft RLIMIT_NOFILE at the start.
	OpenFiles map[string]uint64 `json:"open_files_limit"`
}

// classStats is one status class of an overload window.
type classStats struct {
	Class     string    `json:"class"`
	Calls     int64     `json:"calls"`
	LatencyUs latencyUs `json:"latency_us"`
}

// consumerCounts are the consumer agent's counters' growth over a window.
type consumerCounts struct {
	Accepted     int64 `json:"connections_accepted"`
	Refused      int64 `json:"connections_refused"` // past --max-conns: answered 503 and closed
	Answered503  int64 `json:"calls_answered_503"`  // calls answered 503: no provider agent could take them
	RefusedTotal int64 `json:"connections_refused_since_start"`
}

// overloadRun drives the mesh alone with cfg.conns[0] connections (a
// warm-up, then the measured window), prints the overload table and
// writes <out>/overload-<time>.json.
func overloadRun(ctx context.Context, cfg config, c *cluster, stdout, stderr io.Writer) error {
	started := time.Now().UTC()
	n := cfg.conns[0]
	procs, admins := c.accountedMesh()
	limits := map[string]uint64{}
	for _, p := range append(procs, accounted{name: generatorName, pid: os.Getpid()}) {
		l, err := openFilesLimit(p.pid)
		if err != nil {
			continue
		}
		limits[p.name] = l
		if (p.name == generatorName || p.name == "consumer-agent") && l < uint64(n)+256 {
			fmt.Fprintf(stderr, "bench: warning: %s may open at most %d files, short of %d connections\n", p.name, l, n)
		}
	}
	rec := newClassRecorder(c.consAdm)
	rn, err := phase(ctx, cfg, c.sup, phaseSpec{target: "mesh", addr: c.httpAddr, conns: n,
		procs: procs, admins: admins, observer: rec}, stderr)
	if err != nil {
		return err
	}
	r := &overloadResults{Started: started, Machine: describeMachine(), Settings: runSettings(cfg), Conns: n,
		Mesh: rn, Classes: rec.classes(), OpenFiles: limits,
		Consumer: consumerCounts{Accepted: rec.growth("consumer_agent_connections_total"),
			Refused:      rec.growth("consumer_agent_refused_connections_total"),
			Answered503:  rec.growth(`consumer_agent_responses_total{code="503"}`),
			RefusedTotal: -1}}
	if v, ok := rec.after["consumer_agent_refused_connections_total"]; ok {
		r.Consumer.RefusedTotal = int64(v)
	}
	writeOverloadTable(stdout, r)
	path := filepath.Join(cfg.out, "overload-"+started.Format("20060102-150405")+".json")
	if err := writeJSON(path, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwrote %s\n", path)
	return nil
}

// writeOverloadTable prints an overload run: the window's answers by
// status, the latency of each class, the consumer agent's view, and each
// process's CPU, peak RSS and limits.
func writeOverloadTable(w io.Writer, r *overloadResults) {
	m, s, rn := r.Machine, r.Settings, r.Mesh
	fmt.Fprintf(w, "\n%s, %d cores, %s, kernel %s\n", m.CPUModel, m.Cores, m.GoVersion, m.Kernel)
	args := "default flags"
	if len(s.ConsumerArgs) > 0 {
		args = strings.Join(s.ConsumerArgs, " ")
	}
	fmt.Fprintf(w, "overload: %d connections to the consumer agent (%s), latency %gms, %gs measured after %gs warm-up\n\n",
		r.Conns, args, s.LatencyMs, s.DurationSec, s.WarmupSec)

	var other int64
	for st, k := range rn.Statuses {
		if st != "0" && st != "503" {
			other += k
		}
	}
	l := rn.LatencyUs
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "qps\tcalls\t200 ok\t200 wrong\t503\tother status\tno answer\tp50\tp99\tmax\t")
	fmt.Fprintf(tw, "%.1f\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t\n", rn.QPS, rn.Calls, rn.Correct, rn.Wrong,
		rn.Statuses["503"], other, rn.Statuses["0"], us(l.P50), us(l.P99), us(l.Max))
	tw.Flush()

	fmt.Fprintf(w, "\nBy class (latency from the request's write to the answer's end, or to the failure):\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tcalls\tper s\tp50\tp90\tp99\tmax\t")
	for _, c := range r.Classes {
		l := c.LatencyUs
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t\n", c.Class, c.Calls, float64(c.Calls)/max(rn.DurationSec, 1e-9),
			us(l.P50), us(l.P90), us(l.P99), us(l.Max))
	}
	tw.Flush()

	cc := r.Consumer
	fmt.Fprintf(w, "\nConsumer agent over the window: %d connections accepted, %d refused past --max-conns (%d since start), %d calls answered 503\n",
		cc.Accepted, cc.Refused, cc.RefusedTotal, cc.Answered503)

	fmt.Fprintf(w, "\nPer process over the window (CPU in cores: a full core is 1.0):\n\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "process\tCPU cores\tCPU µs/req\tpeak RSS\tthreads\topen files limit\t")
	for _, p := range rn.Procs {
		lim := "-"
		if v, ok := r.OpenFiles[p.Name]; ok {
			lim = fmt.Sprint(v)
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.1f\t%.1f MiB\t%d\t%s\t\n", p.Name, p.CPUSec/max(rn.DurationSec, 1e-9),
			p.CPUUsPerReq, float64(p.PeakRSSKiB)/1024, p.Threads, lim)
	}
	tw.Flush()
	if rn.Samples != nil {
		fmt.Fprintf(w, "\nGauges sampled every %gs (first→last [min..max], slope per minute):\n\n", s.SampleSec)
		tw = newSampleTable(w)
		writeSampleRows(tw, fmt.Sprintf("%d\tmesh", r.Conns), rn.Samples)
		tw.Flush()
	}
}
