package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// ErrUnhealthy is returned when the mesh has not recovered after a fault
// row: a process is gone, a provider agent serves nothing, or calls still
// fail.
var ErrUnhealthy = errors.New("bench: mesh not healthy after the fault")

const (
	// healthWindow is how long, at the end of a row, every provider agent
	// must serve calls and no call fail.
	healthWindow = 2 * time.Second
	// healthGrace bounds the extra wait for a row that is not healthy at
	// the end of its recovery window.
	healthGrace = 20 * time.Second
	// watchPoll is how often a watched agent's counter is read.
	watchPoll = 25 * time.Millisecond
	// shareWindow is the span over which a watched agent's rate is
	// compared with half its steady rate.
	shareWindow = 500 * time.Millisecond
)

// okMetric counts a provider agent's calls answered with a value;
// reqMetric, every call it received, is read if okMetric is missing.
const (
	okMetric  = "provider_agent_ok_total"
	reqMetric = "provider_agent_requests_total"
)

// runFaults runs cfg.faultRows against the running cluster c under
// cfg.conns[0] connections, one row after another, and returns what they
// measured. It stops at the first row after which the mesh is not healthy,
// returning the rows so far and an error wrapping ErrUnhealthy.
func runFaults(ctx context.Context, cfg config, c *cluster, progress io.Writer) (*faultResults, error) {
	res := &faultResults{Faults: faultSettings{Conns: cfg.conns[0], Rows: cfg.faultRows,
		SteadySec: cfg.faultSteady.Seconds(), RecoverySec: cfg.faultRecovery.Seconds(),
		HoldSec: cfg.faultHold.Seconds(), TimeoutSec: cfg.timeout.Seconds()}}
	rec := newFaultRecorder()
	g, err := load.Start(load.Config{Addr: c.httpAddr, Conns: cfg.conns[0], Timeout: cfg.timeout,
		Seed: cfg.seed + uint64(cfg.conns[0])<<20, Observer: rec, Workload: cfg.workload})
	if err != nil {
		return nil, err
	}
	defer g.Close()
	f := &faultEnv{ctx: ctx, cfg: cfg, c: c, rec: rec, gen: g, progress: progress, start: time.Now(), label: "all rows"}
	if err := f.wait(cfg.warmup, "warm-up"); err != nil {
		return res, err
	}
	for _, name := range cfg.faultRows {
		def, _ := faultRowByName(name)
		r, err := f.runRow(def)
		if r != nil {
			res.Rows = append(res.Rows, *r)
		}
		if err != nil {
			return res, fmt.Errorf("row %s: %w", name, err)
		}
	}
	return res, nil
}

// faultEnv is what a row's function steers: the cluster, the generator's
// recorder, and the row being measured. It is used by one goroutine.
type faultEnv struct {
	ctx      context.Context
	cfg      config
	c        *cluster
	rec      *faultRecorder
	gen      *load.Generator
	progress io.Writer

	// The current row.
	def        faultRowDef
	start      time.Time
	marks      rowMarks
	label      string
	notes      []string
	restarted  map[string]bool
	steadyRate [3]float64 // each agent's calls per second in the steady window
	watch      *agentWatch
}

// agentWatch polls one provider agent's counter from a reference instant
// until it served a call and until its rate is back to half its steady
// rate.
type agentWatch struct {
	agent       int
	from        string
	stop        chan struct{}
	done        chan struct{}
	firstServed time.Duration // -1: not yet
	shareBack   time.Duration // -1: not yet
}

// runRow runs one row: a steady window, the row's fault and recovery (its
// function), the recovery window, then the health check.
func (f *faultEnv) runRow(def faultRowDef) (*faultResult, error) {
	f.def, f.label = def, def.name
	f.marks, f.notes, f.restarted, f.watch = rowMarks{}, nil, map[string]bool{}, nil
	r := &faultResult{Name: def.name, Fault: def.fault, Expected: def.expect, Settle: def.settle,
		FirstServedMs: -1, ShareBackMs: -1}
	before := f.sampleRSS()
	consBefore, _ := scrape(f.c.consAdm)
	f.gen.Reset()
	f.start = f.rec.beginRow()

	// Steady window, with each agent's served rate.
	agentsBefore := f.agentCounts()
	t0 := time.Now()
	if err := f.wait(f.cfg.faultSteady, "steady"); err != nil {
		return nil, err
	}
	agentsAfter := f.agentCounts()
	for i := range f.steadyRate {
		f.steadyRate[i] = (agentsAfter[i] - agentsBefore[i]) / time.Since(t0).Seconds()
	}

	rowErr := def.run(f)
	if rowErr == nil {
		if f.marks.recover == 0 {
			rowErr = fmt.Errorf("bench: row %s marked no recovery", def.name)
		} else {
			rowErr = f.waitUntil(f.marks.recover+f.cfg.faultRecovery-healthWindow, "recovery")
		}
	}
	if rowErr == nil {
		var extra time.Duration
		extra, rowErr = f.awaitHealthy()
		r.Healthy, r.HealthyAfter = rowErr == nil, extra.Seconds()
	}
	f.marks.end = time.Since(f.start)
	if f.watch != nil {
		close(f.watch.stop)
		<-f.watch.done
		r.ServedFrom, r.WatchedAgent = f.watch.from, "provider-agent-"+providers[f.watch.agent].name
		if f.watch.firstServed >= 0 {
			r.FirstServedMs = float64(f.watch.firstServed) / 1e6
		}
		if f.watch.shareBack >= 0 {
			r.ShareBackMs = float64(f.watch.shareBack) / 1e6
		}
	}
	d := f.rec.snapshot()
	summarizeRow(r, &d, f.marks)
	r.RSS = rssChanges(before, f.sampleRSS(), f.restarted)
	if consAfter, err := scrape(f.c.consAdm); err == nil && consBefore != nil {
		r.ConsumerCounters = counterGrowth(consBefore, consAfter)
	}
	r.Notes = f.notes
	fmt.Fprintln(f.progress)
	if rowErr != nil && !errors.Is(rowErr, context.Canceled) {
		r.Notes = append(r.Notes, "error: "+rowErr.Error())
	}
	return r, rowErr
}

// hold returns how long a fault lasts: --fault-hold if set, else d.
func (f *faultEnv) hold(d time.Duration) time.Duration {
	if f.cfg.faultHold > 0 {
		return f.cfg.faultHold
	}
	return d
}

// markFault records the fault's instant (now) and that it settles after
// settleAfter, and switches the latency histogram to the fault's.
func (f *faultEnv) markFault(settleAfter time.Duration) {
	now := time.Since(f.start)
	f.marks.fault, f.marks.settle = now, now+settleAfter
	f.rec.setPhase(phaseFault)
	f.label = f.def.name + " fault"
}

// markRecovered records the recovery action's instant (now), which
// settles after settleAfter.
func (f *faultEnv) markRecovered(settleAfter time.Duration) {
	now := time.Since(f.start)
	f.marks.recover, f.marks.recoverSettle = now, now+settleAfter
	f.rec.setPhase(phaseRecovery)
	f.label = f.def.name + " recovery"
}

// notef adds a note to the row.
func (f *faultEnv) notef(format string, args ...any) {
	f.notes = append(f.notes, fmt.Sprintf(format, args...))
}

// wait lets d pass, showing progress and checking every half second that
// no process died unexpectedly.
func (f *faultEnv) wait(d time.Duration, stage string) error {
	end := time.Now().Add(d)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		left := time.Until(end)
		if left <= 0 {
			f.show(stage)
			return f.c.sup.check()
		}
		t := time.NewTimer(min(left, time.Second))
		select {
		case <-f.ctx.Done():
			t.Stop()
			return f.ctx.Err()
		case <-tick.C:
			t.Stop()
			f.show(stage)
			if err := f.c.sup.check(); err != nil {
				return err
			}
		case <-t.C:
		}
	}
}

// waitUntil waits until the row has run for at, if it has not yet.
func (f *faultEnv) waitUntil(at time.Duration, stage string) error {
	return f.wait(at-time.Since(f.start), stage)
}

func (f *faultEnv) show(stage string) {
	p := f.gen.Progress()
	fmt.Fprintf(f.progress, "\r%-24s %-10s %5.1fs  qps %8.1f  failed %7d  wrong %d   ",
		f.label, stage, time.Since(f.start).Seconds(), p.QPS(), p.Failed, p.Wrong)
}

// awaitHealthy checks that over the last healthWindow every provider agent
// served calls and no call failed, waiting up to healthGrace longer for it.
// It returns the extra wait.
func (f *faultEnv) awaitHealthy() (time.Duration, error) {
	began := time.Now()
	for {
		from := time.Since(f.start)
		counts := f.agentCounts()
		if err := f.wait(healthWindow, "health"); err != nil {
			return time.Since(began), err
		}
		now := f.agentCounts()
		d := f.rec.snapshot()
		failed := d.failuresIn(from, 1<<62)
		var idle []string
		for i := range now {
			if now[i] <= counts[i] {
				idle = append(idle, "provider-agent-"+providers[i].name)
			}
		}
		extra := max(time.Since(began)-healthWindow, 0)
		if failed == 0 && len(idle) == 0 {
			return extra, nil
		}
		why := fmt.Sprintf("%d calls failed and %d provider agents served nothing %v in the last %v",
			failed, len(idle), idle, healthWindow)
		if extra >= healthGrace {
			return extra, fmt.Errorf("%w: %s, %v after the recovery window", ErrUnhealthy, why, extra)
		}
		f.label = f.def.name + " unhealthy"
	}
}

// agentCounts reads each provider agent's served-call counter (0 when it
// cannot be read).
func (f *faultEnv) agentCounts() [3]float64 {
	var out [3]float64
	var wg sync.WaitGroup
	for i, adm := range f.c.agentAdm {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], _ = servedCount(adm)
		}()
	}
	wg.Wait()
	return out
}

// servedCount reads a provider agent's served-call counter.
func servedCount(admin string) (float64, error) {
	m, err := scrape(admin)
	if err != nil {
		return 0, err
	}
	if v, ok := m[okMetric]; ok {
		return v, nil
	}
	return m[reqMetric], nil
}

// watchAgent starts polling agent i's counter, measuring from now (named
// from): first served is when it first exceeds base, share back when its
// rate over shareWindow reaches half its steady rate. Only one watch per
// row; the row's end stops it.
func (f *faultEnv) watchAgent(i int, from string, base float64) {
	w := &agentWatch{agent: i, from: from, stop: make(chan struct{}), done: make(chan struct{}),
		firstServed: -1, shareBack: -1}
	f.watch = w
	adm, want := f.c.agentAdm[i], f.steadyRate[i]/2
	go func() {
		defer close(w.done)
		t0 := time.Now()
		type sample struct {
			at time.Duration
			v  float64
		}
		var samples []sample
		tick := time.NewTicker(watchPoll)
		defer tick.Stop()
		for w.shareBack < 0 {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			v, err := servedCount(adm)
			if err != nil {
				continue
			}
			now := time.Since(t0)
			if w.firstServed < 0 && v > base {
				w.firstServed = now
			}
			samples = append(samples, sample{now, v})
			for len(samples) > 1 && now-samples[1].at >= shareWindow {
				samples = samples[1:]
			}
			if old := samples[0]; w.firstServed >= 0 && now-old.at >= shareWindow {
				if (v-old.v)/(now-old.at).Seconds() >= want {
					w.shareBack = now
				}
			}
		}
	}()
}

// signalWait sends sig to p and waits up to timeout for it to exit. It
// reports how long the exit took; after the timeout it kills p and says so.
func (f *faultEnv) signalWait(p *proc, sig syscall.Signal, timeout time.Duration) (time.Duration, error) {
	t0 := time.Now()
	if err := f.c.sup.signal(p, sig); err != nil {
		return 0, err
	}
	select {
	case <-p.done:
		return time.Since(t0), nil
	case <-time.After(timeout):
		f.c.sup.signal(p, syscall.SIGKILL)
		<-p.done
		return time.Since(t0), fmt.Errorf("bench: %s did not exit within %v of %s", p.name, timeout, sigName(sig))
	case <-f.ctx.Done():
		return 0, f.ctx.Err()
	}
}

// restartAgent starts provider agent i again with its flags and address.
func (f *faultEnv) restartAgent(i int) error {
	p, err := f.c.sup.restart(f.c.agents[i])
	if err != nil {
		return err
	}
	f.c.agents[i] = p
	f.restarted[p.name] = true
	return nil
}

// restartProvider starts provider i again on its address and waits until
// it listens.
func (f *faultEnv) restartProvider(i int) error {
	p, err := f.c.sup.restart(f.c.providers[i])
	if err != nil {
		return err
	}
	f.c.providers[i] = p
	return waitListening(f.c.provAddrs[i], p, 15*time.Second)
}

// control sends POST /control?query to provider i's control endpoint.
func (f *faultEnv) control(i int, query url.Values) error {
	resp, err := adminClient.Post("http://"+f.c.provAdm[i]+"/control?"+query.Encode(), "", nil)
	if err != nil {
		return fmt.Errorf("bench: control of provider-%s: %w", providers[i].name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("bench: control of provider-%s: %s", providers[i].name, resp.Status)
	}
	return nil
}

// rssProcs are the processes whose RSS a row reports.
func (f *faultEnv) rssProcs() []*proc {
	return []*proc{f.c.consumer, f.c.agents[0], f.c.agents[1], f.c.agents[2]}
}

type rssSample struct {
	name string
	kib  uint64
}

func (f *faultEnv) sampleRSS() []rssSample {
	var out []rssSample
	for _, p := range f.rssProcs() {
		s, err := readProc(p.pid())
		if err != nil {
			s.rssKiB = 0 // exited
		}
		out = append(out, rssSample{p.name, s.rssKiB})
	}
	return out
}

// rssChanges pairs samples by process name.
func rssChanges(before, after []rssSample, restarted map[string]bool) []rssChange {
	var out []rssChange
	for i, b := range before {
		c := rssChange{Name: b.name, BeforeKiB: b.kib, Restarted: restarted[b.name]}
		if i < len(after) {
			c.AfterKiB = after[i].kib
		}
		out = append(out, c)
	}
	return out
}

// counterGrowth returns how much the consumer agent's response, sidelining
// and ejection counters grew (those that did).
func counterGrowth(before, after map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if !strings.Contains(k, "responses_") && !strings.Contains(k, "sideline") && !strings.Contains(k, "eject") {
			continue
		}
		if d := v - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// faultsJSONPath names the results file of a run started at t.
func faultsJSONPath(out string, t time.Time) string {
	return filepath.Join(out, "faults-"+t.Format("20060102-150405")+".json")
}

// sigName names the signals the rows send.
func sigName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}
