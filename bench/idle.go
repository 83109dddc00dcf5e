package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// idleSettle is how long the idle phase waits after its calls before it
// starts measuring, so that their answers, the agents' flushes and any
// timers they armed are over.
const idleSettle = 2 * time.Second

// idleStats is the idle phase: Conns connections open on the consumer agent,
// each after one call, and no calls for DurationSec.
type idleStats struct {
	Conns       int        `json:"conns"`
	DurationSec float64    `json:"duration_s"`
	Procs       []idleCost `json:"processes"`
	Host        *hostUse   `json:"host,omitempty"`
}

// idleCost is one process's cost over the idle phase.
type idleCost struct {
	Name string `json:"name"`
	// CorePct is its CPU time as a share of one core, in percent.
	CorePct float64 `json:"core_pct"`
	// WakeupsPerSec counts its voluntary context switches per second: how
	// often its threads went to sleep, so about how often they woke.
	WakeupsPerSec float64 `json:"wakeups_per_s"`
}

// idlePhase opens conns connections to addr, makes one call on each and
// reads its answer, waits idleSettle, then measures procs over d with the
// connections open and silent. It returns early with ctx's error, or
// ErrDied if a child exits.
func idlePhase(ctx context.Context, sup *supervisor, addr string, conns int, d time.Duration, procs []accounted, progress io.Writer) (*idleStats, error) {
	open := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	fmt.Fprintf(progress, "%5d conns  idle   opening, one call each", conns)
	params := load.NewParams(1)
	req, param := make([]byte, 0, 2048), make([]byte, 0, load.MaxParamLen)
	rr := load.NewResponseReader(nil, 16<<10)
	for range conns {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return nil, fmt.Errorf("bench: idle phase: %w", err)
		}
		open = append(open, c)
		param = params.Append(param[:0])
		req = load.AppendRequest(req[:0], addr, param)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write(req); err != nil {
			return nil, fmt.Errorf("bench: idle phase: %w", err)
		}
		rr.Reset(c)
		resp, err := rr.Read()
		if err != nil {
			return nil, fmt.Errorf("bench: idle phase: %w", err)
		}
		if resp.Status != 200 || resp.Close {
			return nil, fmt.Errorf("bench: idle phase: status %d (close %v) on a warm-up call", resp.Status, resp.Close)
		}
		c.SetDeadline(time.Time{})
	}
	if err := sleepChecking(ctx, sup, idleSettle); err != nil {
		return nil, err
	}
	before, err := sampleAll(procs)
	if err != nil {
		return nil, err
	}
	hostBefore, hostErr := readHostCPU()
	from := time.Now()
	fmt.Fprintf(progress, "\r%5d conns  idle   measuring for %v, no calls          ", conns, d)
	if err := sleepChecking(ctx, sup, d); err != nil {
		fmt.Fprintln(progress)
		return nil, err
	}
	after, err := sampleAll(procs)
	if err != nil {
		return nil, err
	}
	hostAfter, err := readHostCPU()
	hostErr = errors.Join(hostErr, err)
	sec := time.Since(from).Seconds()
	fmt.Fprintln(progress)
	ticks := float64(clockTicks())
	st := &idleStats{Conns: conns, DurationSec: sec}
	var all float64
	for i, p := range procs {
		cpu := float64(after[i].ticks-before[i].ticks) / ticks
		all += cpu
		st.Procs = append(st.Procs, idleCost{Name: p.name, CorePct: 100 * cpu / sec,
			WakeupsPerSec: float64(after[i].vol-before[i].vol) / sec})
	}
	if hostErr == nil {
		u := hostUseOver(hostBefore, hostAfter, ticks, sec, all)
		st.Host = &u
	}
	return st, nil
}

// sleepChecking lets d pass, returning early if ctx ends or a child dies.
func sleepChecking(ctx context.Context, sup *supervisor, d time.Duration) error {
	end := time.NewTimer(d)
	defer end.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-end.C:
			return nil
		case <-tick.C:
			if err := sup.check(); err != nil {
				return err
			}
		}
	}
}

// idleTarget is the bound on an idle agent: 0.3% of a core.
const idleTarget = 0.3

// writeIdleTable prints the idle phase: each process's share of a core and
// wake-ups per second, agents checked against idleTarget.
func writeIdleTable(w io.Writer, st *idleStats) {
	if st == nil {
		return
	}
	fmt.Fprintf(w, "\nIdle: %d connections open on the consumer agent, no calls, over %.0fs:\n\n", st.Conns, st.DurationSec)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "process\tCPU % of a core\twake-ups/s\tagent under 0.3%\t")
	for _, p := range st.Procs {
		verdict := ""
		if strings.HasPrefix(p.Name, "consumer-agent") || strings.HasPrefix(p.Name, "provider-agent") {
			verdict = "yes"
			if p.CorePct >= idleTarget {
				verdict = "NO"
			}
		}
		fmt.Fprintf(tw, "%s\t%.2f\t%.1f\t%s\t\n", p.Name, p.CorePct, p.WakeupsPerSec, verdict)
	}
	tw.Flush()
	if h := st.Host; h != nil {
		fmt.Fprintf(w, "the machine: %.2f cores busy, %.2f outside these processes, steal %.1f%%\n", h.BusyCores, h.OutsideCores, h.StealPct)
	}
}

// idleProcs returns the processes the idle phase measures: the mesh's and
// the bench's own.
func idleProcs(mesh []accounted) []accounted {
	return append(mesh[:len(mesh):len(mesh)], accounted{name: generatorName, pid: os.Getpid()})
}
