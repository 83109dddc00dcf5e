package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// stopGrace bounds each stop wave before SIGKILL; provider agents drain for
// at most a second (--drain-timeout 1s).
const stopGrace = 5 * time.Second

// run performs the whole benchmark: build, start, measure every level,
// report. The table goes to stdout, progress and notes to stderr. It
// returns the results and stops every process it started before returning,
// whatever happens.
func run(ctx context.Context, cfg config, stdout, stderr io.Writer) (res *results, err error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	if cfg.out == "" {
		cfg.out = filepath.Join(root, "bench", "results")
	}
	tmp, err := os.MkdirTemp("", "dubbomesh-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	binDir, logDir := filepath.Join(tmp, "bin"), filepath.Join(tmp, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	var wrkBin, wrkScript string
	if cfg.wrk {
		if wrkBin, wrkScript, err = prepareWrk(tmp); err != nil {
			return nil, err
		}
	}

	// Many connections need many descriptors, here and in the children,
	// which inherit the raised limit.
	if _, err := raiseNoFile(); err != nil {
		fmt.Fprintf(stderr, "bench: cannot raise the open files limit: %v\n", err)
	}
	fmt.Fprintf(stderr, "bench: building into %s\n", binDir)
	if err := build(root, binDir, cfg.etcd == ""); err != nil {
		return nil, err
	}
	sup := newSupervisor(logDir)
	defer func() {
		sup.stopAll(stopGrace)
		// A failure's logs are worth keeping: copy them out of tmp.
		if err != nil && !errors.Is(err, context.Canceled) {
			if dir, cerr := keepLogs(logDir, cfg.out); cerr == nil {
				fmt.Fprintf(stderr, "bench: process logs kept in %s\n", dir)
			}
		}
	}()
	fmt.Fprintf(stderr, "bench: starting %s, 3 providers (latency %v, %d threads), the ideal, 3 provider agents (weights %s), %d consumer agent(s)\n",
		etcdWhat(cfg), cfg.latency, cfg.threads(), cfg.weightString(), max(cfg.consumers, 1))
	c, err := startCluster(ctx, cfg, sup, binDir, tmp)
	if err != nil {
		return nil, err
	}

	if cfg.faults {
		return nil, faultRun(ctx, cfg, c, stdout, stderr)
	}
	if cfg.overload {
		return nil, overloadRun(ctx, cfg, c, stdout, stderr)
	}

	res = &results{Started: time.Now().UTC(), Machine: describeMachine(), Settings: runSettings(cfg)}
	meshProcs, admins := c.accountedMesh()
	if cfg.idle > 0 {
		if res.Idle, err = idlePhase(ctx, sup, c.httpAddr, cfg.idleConns, cfg.idle, idleProcs(meshProcs), stderr); err != nil {
			return nil, err
		}
	}
	for _, n := range cfg.conns {
		lv := level{Conns: n}
		if lv.Ideal, err = phase(ctx, cfg, sup, phaseSpec{target: "ideal", addr: c.idealAddr, conns: n,
			procs: []accounted{{name: "ideal", pid: c.ideal.pid()}}}, stderr); err != nil {
			return nil, err
		}
		if lv.Mesh, err = phase(ctx, cfg, sup, phaseSpec{target: "mesh", addr: c.httpAddr, addrs: c.httpAddrs, conns: n,
			procs: meshProcs, admins: admins, view: c.meshViewSpec()}, stderr); err != nil {
			return nil, err
		}
		if lv.Ideal.QPS > 0 {
			lv.QPSRatio = lv.Mesh.QPS / lv.Ideal.QPS
		}
		if m := c.tls; m != nil {
			procs, admins := m.accounted(c)
			tr, err := phase(ctx, cfg, sup, phaseSpec{target: tlsTarget, addr: m.httpAddr, conns: n,
				procs: procs, admins: admins, view: m.viewSpec()}, stderr)
			if err != nil {
				return nil, err
			}
			lv.TLS = &tr
			lv.tlsRatios()
		}
		if cfg.wrk {
			fmt.Fprintf(stderr, "%5d conns  wrk   running for %v\n", n, cfg.duration)
			w, err := runWrk(ctx, sup, wrkBin, wrkScript, c.httpAddr, n, cfg.duration, cfg.timeout)
			if err != nil {
				return nil, err
			}
			lv.Wrk = w
		}
		res.Levels = append(res.Levels, lv)
	}

	writeTable(stdout, res)
	writeIdleTable(stdout, res.Idle)
	writeSampleTable(stdout, res)
	stamp := res.Started.Format("20060102-150405")
	jsonPath := filepath.Join(cfg.out, stamp+".json")
	if err := writeJSON(jsonPath, res); err != nil {
		return nil, err
	}
	svgPath := filepath.Join(cfg.out, stamp+".svg")
	if err := writeSVGFile(svgPath, res); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "\nwrote %s and %s\n", jsonPath, svgPath)
	return res, nil
}

// runSettings records cfg in the results.
func runSettings(cfg config) settings {
	return settings{
		Conns: cfg.conns, DurationSec: cfg.duration.Seconds(), WarmupSec: cfg.warmup.Seconds(),
		LightDurationSec: min(cfg.duration, cfg.lightDuration).Seconds(), LightWarmupSec: min(cfg.warmup, cfg.lightWarmup).Seconds(),
		LatencyMs: float64(cfg.latency) / 1e6, Weights: cfg.weights, ProviderThreads: cfg.threads(), Consumers: max(cfg.consumers, 1),
		Capacities:   [3]int{cfg.capacity(0), cfg.capacity(1), cfg.capacity(2)},
		ExternalEtcd: cfg.etcd, EtcdMembers: etcdMembersSetting(cfg), Seed: cfg.seed, ConsumerArgs: cfg.consumerArgs, AgentArgs: cfg.agentArgs,
		ConsumerEnv: cfg.consumerEnv, TLS: cfg.tls, AgentEnv: cfg.agentEnv, SampleSec: cfg.sample.Seconds(), Workload: workloadSetting(cfg)}
}

// workloadSetting is the workload recorded in the results: "" (left out)
// for the race's hash.
func workloadSetting(cfg config) string {
	if cfg.workload == load.Hash {
		return ""
	}
	return cfg.workload.String()
}

// etcdMembersSetting is the etcd member count recorded in the results: 0
// (left out) for the usual single member or an external etcd.
func etcdMembersSetting(cfg config) int {
	if cfg.etcd != "" || cfg.etcdMembers <= 1 {
		return 0
	}
	return cfg.etcdMembers
}

// etcdWhat describes the etcd the run starts, for the progress line.
func etcdWhat(cfg config) string {
	if cfg.etcd == "" && cfg.etcdMembers > 1 {
		return fmt.Sprintf("a %d-member etcd", cfg.etcdMembers)
	}
	return "etcd"
}

// faultRun runs the fault rows on the started cluster, prints their table
// and writes <out>/faults-<time>.json, also when a row failed (the error is
// then returned after both).
func faultRun(ctx context.Context, cfg config, c *cluster, stdout, stderr io.Writer) error {
	started := time.Now().UTC()
	fmt.Fprintf(stderr, "bench: fault rows %s at %d connections\n", strings.Join(cfg.faultRows, ", "), cfg.conns[0])
	fr, err := runFaults(ctx, cfg, c, stderr)
	if errors.Is(err, context.Canceled) || fr == nil {
		return err
	}
	fr.Started, fr.Machine, fr.Settings = started, describeMachine(), runSettings(cfg)
	if err != nil {
		fr.Error = err.Error()
	}
	writeFaultTable(stdout, fr)
	path := faultsJSONPath(cfg.out, started)
	if werr := writeJSON(path, fr); werr != nil {
		return errors.Join(err, werr)
	}
	fmt.Fprintf(stdout, "\nwrote %s\n", path)
	return err
}

// keepLogs copies the process logs to <out>/logs-<time>.
func keepLogs(logDir, out string) (string, error) {
	dst := filepath.Join(out, "logs-"+time.Now().Format("20060102-150405"))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	files, err := os.ReadDir(logDir)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(logDir, f.Name()))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dst, f.Name()), b, 0o644); err != nil {
			return "", err
		}
	}
	return dst, nil
}
