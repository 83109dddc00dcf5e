package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// generatorName labels the bench's own process in the accounting.
const generatorName = "load generator"

// curvePercentiles are the points of the latency curve in the JSON and SVG.
var curvePercentiles = []float64{0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99,
	99.5, 99.75, 99.9, 99.95, 99.99, 99.999, 100}

// accounted is a process whose /proc counters a phase samples; admin, if
// set, is its admin endpoint (an agent's), for its goroutine count.
type accounted struct {
	name  string
	pid   int
	admin string
}

// windowObserver is a load.Observer that records only inside the measured
// window: from the end of begin, called right before the generator's
// Reset, to the start of end, called right after its Stop.
type windowObserver interface {
	load.Observer
	begin()
	end()
}

// phaseSpec is what one phase drives and watches.
type phaseSpec struct {
	target, addr string
	addrs        []string // if set, the connections are split between these (several consumer agents)
	conns        int
	procs        []accounted       // accounted at the window's edges, and sampled with --sample
	admins       map[string]string // provider agents' admin endpoints by provider name, for their call counts
	view         *viewSpec         // optional: the agents whose /metrics to read (agentview.go)
	observer     windowObserver    // optional
}

// phase drives sp.addr with sp.conns connections: a warm-up, then a
// measured window, reading sp.procs (and the bench itself) at the window's
// edges and, with --sample, every cfg.sample within it. It returns early
// with ctx's error, or ErrDied if a child exits.
func phase(ctx context.Context, cfg config, sup *supervisor, sp phaseSpec, progress io.Writer) (runStats, error) {
	target, conns := sp.target, sp.conns
	gcfg := load.Config{Addr: sp.addr, Addrs: sp.addrs, Conns: conns, Timeout: cfg.timeout, Seed: cfg.seed + uint64(conns)<<20,
		Workload: cfg.workload}
	if sp.observer != nil {
		gcfg.Observer = sp.observer
	}
	g, err := load.Start(gcfg)
	if err != nil {
		return runStats{}, err
	}
	defer g.Close()
	label := fmt.Sprintf("%5d conns  %-5s", conns, target)
	warmup, duration := cfg.phaseTimes(conns)
	if err := wait(ctx, sup, g, warmup, label+"  warm-up", progress); err != nil {
		return runStats{}, err
	}
	procs := append(sp.procs[:len(sp.procs):len(sp.procs)], accounted{name: generatorName, pid: os.Getpid()})
	if sp.observer != nil {
		sp.observer.begin()
	}
	g.Reset()
	before, err := sampleAll(procs)
	if err != nil {
		return runStats{}, err
	}
	hostBefore, hostErr := readHostCPU()
	hostFrom := time.Now()
	agentsBefore := scrapeCalls(sp.admins)
	viewBefore := sp.view.read()
	var smp *sampler
	if cfg.sample > 0 {
		targets := make([]sampleTarget, len(procs))
		for i, p := range procs {
			targets[i] = sampleTarget{name: p.name, pid: p.pid, admin: p.admin}
		}
		smp = startSampler(cfg.sample, targets)
	}
	werr := wait(ctx, sup, g, duration, label+"  measure", progress)
	var kept *samples
	if smp != nil {
		kept = smp.stop()
	}
	if werr != nil {
		return runStats{}, werr
	}
	res := g.Stop()
	if sp.observer != nil {
		sp.observer.end()
	}
	after, err := sampleAll(procs)
	if err != nil {
		return runStats{}, err
	}
	hostAfter, err := readHostCPU()
	hostErr = errors.Join(hostErr, err)
	hostSec := time.Since(hostFrom).Seconds()
	agentsAfter := scrapeCalls(sp.admins)
	viewAfter := sp.view.read()
	fmt.Fprintln(progress)

	r := summarize(target, &res)
	ticks := float64(clockTicks())
	calls := float64(max(res.Calls(), 1))
	var benchCPU float64
	for i, p := range procs {
		b, a := before[i], after[i]
		cpu := float64(a.ticks-b.ticks) / ticks
		benchCPU += cpu
		r.Procs = append(r.Procs, procCost{Name: p.name, PID: p.pid, CPUSec: cpu,
			CPUUsPerReq:   cpu * 1e6 / calls,
			VolCSPerReq:   float64(a.vol-b.vol) / calls,
			InvolCSPerReq: float64(a.invol-b.invol) / calls,
			PeakRSSKiB:    a.hwmKiB, Threads: a.threads})
	}
	if hostErr == nil {
		u := hostUseOver(hostBefore, hostAfter, ticks, hostSec, benchCPU)
		r.Host = &u
	}
	r.Samples = kept
	r.AgentView = sp.view.since(viewBefore, viewAfter)
	if len(sp.admins) > 0 {
		r.AgentCalls = map[string]int64{}
		for name, n := range agentsAfter {
			r.AgentCalls[name] = n - agentsBefore[name]
		}
	}
	return r, nil
}

// summarize turns a generator result into the JSON's run.
func summarize(target string, res *load.Result) runStats {
	p := res.Percentiles()
	r := runStats{Target: target, DurationSec: res.Duration.Seconds(), QPS: res.QPS(), Calls: res.Calls(),
		Correct: res.Correct, Wrong: res.Wrong, Errors: res.Failed, IOErrors: res.IOErrors,
		LatencyUs: latencyUs{P50: p.P50.Microseconds(), P90: p.P90.Microseconds(), P99: p.P99.Microseconds(),
			P999: p.P999.Microseconds(), Max: p.Max.Microseconds()}}
	if len(res.Statuses) > 0 {
		r.Statuses = map[string]int64{}
		for st, n := range res.Statuses {
			r.Statuses[strconv.Itoa(st)] = n
		}
	}
	if res.Latency.TotalCount() > 0 {
		for _, q := range curvePercentiles {
			r.Curve = append(r.Curve, curvePoint{Percentile: q, Us: res.Latency.ValueAtPercentile(q)})
		}
	}
	return r
}

// wait lets d pass, printing a progress line every half second, and returns
// early if ctx ends or a child dies.
func wait(ctx context.Context, sup *supervisor, g *load.Generator, d time.Duration, label string, out io.Writer) error {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	end := time.NewTimer(d)
	defer end.Stop()
	show := func() {
		p := g.Progress()
		fmt.Fprintf(out, "\r%s %5.1fs of %gs  qps %8.1f  errors %d  wrong %d   ",
			label, p.Elapsed.Seconds(), d.Seconds(), p.QPS(), p.Failed, p.Wrong)
	}
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(out)
			return ctx.Err()
		case <-end.C:
			show()
			return nil
		case <-tick.C:
			show()
			if err := sup.check(); err != nil {
				fmt.Fprintln(out)
				return err
			}
		}
	}
}

// sampleAll samples every process.
func sampleAll(procs []accounted) ([]procSample, error) {
	out := make([]procSample, len(procs))
	for i, p := range procs {
		s, err := readProc(p.pid)
		if err != nil {
			return nil, fmt.Errorf("bench: reading /proc of %s: %w", p.name, err)
		}
		out[i] = s
	}
	return out, nil
}

// scrapeCalls reads provider_agent_requests_total from each admin endpoint,
// all at once so the readings are close in time; unreachable ones are left
// out.
func scrapeCalls(admins map[string]string) map[string]int64 {
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := map[string]int64{}
	for name, adm := range admins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if m, err := scrape(adm); err == nil {
				mu.Lock()
				out[name] = int64(m["provider_agent_requests_total"])
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}
