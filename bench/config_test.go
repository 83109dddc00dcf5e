package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/bench/load"
	"github.com/dubbomesh/dubbomesh/internal/cmdline/cmdlinetest"
)

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	noErr(t, err)
	eq(t, "conns", len(cfg.conns), 4)
	eq(t, "16", cfg.conns[0], 16)
	eq(t, "64", cfg.conns[1], 64)
	eq(t, "256", cfg.conns[2], 256)
	eq(t, "512", cfg.conns[3], 512)
	eq(t, "duration", cfg.duration, 30*time.Second)
	eq(t, "idle", cfg.idle, 60*time.Second)
	eq(t, "idle conns", cfg.idleConns, 64)
	w, d := cfg.phaseTimes(64)
	eq(t, "light warm-up", w, 2*time.Second)
	eq(t, "light duration", d, 10*time.Second)
	w, d = cfg.phaseTimes(128)
	eq(t, "warm-up", w, 5*time.Second)
	eq(t, "duration", d, 30*time.Second)
	// The default run: phases, the idle phase and the mesh's start stay
	// under five minutes.
	var total time.Duration
	for _, n := range cfg.conns {
		w, d := cfg.phaseTimes(n)
		total += 2 * (w + d)
	}
	if total += cfg.idle + idleSettle; total > 4*time.Minute+30*time.Second {
		t.Fatalf("default run measures for %v, leaving too little of five minutes to start the mesh", total)
	}
	eq(t, "latency", cfg.latency, 50*time.Millisecond)
	eq(t, "weights", cfg.weights, [3]int{3, 5, 5})
	eq(t, "workload", cfg.workload, load.Hash)
	eq(t, "no extra services", len(serviceArgs(cfg.workload)), 0)
	eq(t, "recorded", workloadSetting(cfg), "")
	eq(t, "consumers", cfg.consumers, 1)
	eq(t, "threads", cfg.threads(), 200)
}

func TestParseFlagsConsumersUnlimited(t *testing.T) {
	cfg, err := parseFlags([]string{"--consumers", "2", "--unlimited"}, io.Discard)
	noErr(t, err)
	eq(t, "consumers", cfg.consumers, 2)
	eq(t, "threads", cfg.threads(), unlimitedThreads)
	eq(t, "capacities stay", cfg.capacity(2), 7200)
}

func TestParseFlagsWorkload(t *testing.T) {
	for _, w := range []load.Workload{load.User, load.UserMixed} {
		cfg, err := parseFlags([]string{"--workload", w.String()}, io.Discard)
		noErr(t, err)
		eq(t, "workload", cfg.workload, w)
		eq(t, "recorded", workloadSetting(cfg), w.String())
		// The provider agents serve the race's service, which the bench
		// probes, and the UserService.
		eq(t, "services", strings.Join(serviceArgs(cfg.workload), " "),
			"--service "+load.Service+" --service "+demo.Interface)
	}
}

func TestParseFlagsQuick(t *testing.T) {
	cfg, err := parseFlags([]string{"--quick"}, io.Discard)
	noErr(t, err)
	eq(t, "duration", cfg.duration, 5*time.Second)
	eq(t, "warmup", cfg.warmup, time.Second)
	eq(t, "idle", cfg.idle, 5*time.Second)
	w, d := cfg.phaseTimes(16)
	eq(t, "light warm-up capped by --warmup", w, time.Second)
	eq(t, "light duration capped by --duration", d, 5*time.Second)
	cfg, err = parseFlags([]string{"--quick", "--duration", "2s", "--weights", "1:2:3", "--conns", "8, 16", "--latency", "0"}, io.Discard)
	noErr(t, err)
	eq(t, "explicit duration wins", cfg.duration, 2*time.Second)
	eq(t, "weights", cfg.weights, [3]int{1, 2, 3})
	eq(t, "conns", cfg.conns[1], 16)
	eq(t, "latency", cfg.latency, time.Duration(0))
}

// TestParseFlagsErrors is the table of bad values: each names its flag and
// says why.
func TestParseFlagsErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--conns", "0"}, `--conns: "0" is not a count in 1..100000`},
		{[]string{"--conns", "a,b"}, `--conns: "a" is not a count in 1..100000`},
		{[]string{"--weights", "1:2"}, `--weights: want small:medium:large (got "1:2")`},
		{[]string{"--consumers", "0"}, "--consumers: must be in 1..16 (got 0)"},
		{[]string{"--consumers", "17"}, "--consumers: must be in 1..16 (got 17)"},
		{[]string{"--weights", "0:1:1"}, `--weights: "0" is not a weight in 1..1000`},
		{[]string{"--duration", "0s"}, "--duration: must be in 1ms..24h (got 0s)"},
		{[]string{"--warmup", "-1s"}, "--warmup: must be in 0s..24h (got -1s)"},
		{[]string{"--latency", "-1ms"}, "--latency: must be in 0s..1h (got -1ms)"},
		{[]string{"--timeout", "0"}, "--timeout: must be in 1ms..1h (got 0s)"},
		{[]string{"--sample", "-1s"}, "--sample: must be in 0s..24h (got -1s)"},
		{[]string{"--light-duration", "0s"}, "--light-duration: must be in 1ms..24h (got 0s)"},
		{[]string{"--light-warmup", "-1s"}, "--light-warmup: must be in 0s..24h (got -1s)"},
		{[]string{"--idle", "-1s"}, "--idle: must be in 0s..24h (got -1s)"},
		{[]string{"--idle-conns", "0"}, "--idle-conns: must be in 1..100000 (got 0)"},
		{[]string{"--fault-steady", "0"}, "--fault-steady: must be in 1ms..24h (got 0s)"},
		{[]string{"--fault-hold", "-1s"}, "--fault-hold: must be in 0s..24h (got -1s)"},
		{[]string{"--etcd", "not a url"}, `--etcd: "not a url" is not http://host:port or https://host:port`},
		{[]string{"--etcd-members", "2"}, "--etcd-members: give 1 or 3 (got 2)"},
		{[]string{"--consumer-env", "X"}, `--consumer-env: "X" is not KEY=VALUE`},
		{[]string{"--agent-env", "=1"}, `--agent-env: "=1" is not KEY=VALUE`},
		{[]string{"--workload", "users"}, `--workload: "users" is not hash, user or user-mixed`},
		{[]string{"--workload", "user", "--wrk"}, "--wrk: cannot go with --workload user: bench/wrk.lua makes the race's calls"},
		{[]string{"--seed", "-1"}, `--seed: "-1": not a non-negative integer`},
		{[]string{"--overload", "--faults"}, "--overload: cannot go with --faults: they are separate runs"},
		{[]string{"extra"}, `unexpected argument "extra" (flags start with --)`},
	} {
		_, err := parseFlags(c.args, io.Discard)
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
}

func TestMainChild(t *testing.T) { cmdlinetest.Child(t, main) }

// TestMainBadFlag runs the driver with a bad flag: it ends at once with one
// line and status 2.
func TestMainBadFlag(t *testing.T) {
	r := cmdlinetest.Run(t, "TestMainChild", "--duration", "0s")
	if want := "bench: --duration: must be in 1ms..24h (got 0s)\n"; r.Code != 2 || r.Stderr != want {
		t.Fatalf("exit %d, stderr %q; want 2, %q", r.Code, r.Stderr, want)
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	var out strings.Builder
	_, err := parseFlags([]string{"--help"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp", err)
	}
	for _, f := range []string{"conns", "duration", "warmup", "latency", "weights", "etcd", "wrk", "out", "quick", "sample", "overload", "etcd-members", "light-duration", "light-warmup", "idle", "idle-conns"} {
		if !strings.Contains(out.String(), "-"+f) {
			t.Errorf("--help does not mention --%s", f)
		}
	}
}

func TestParseFlagsOverloadAndSample(t *testing.T) {
	cfg, err := parseFlags([]string{"--overload", "--sample", "10s"}, io.Discard)
	noErr(t, err)
	eq(t, "overload", cfg.overload, true)
	eq(t, "default conns", len(cfg.conns), 1)
	eq(t, "10000", cfg.conns[0], overloadConns)
	eq(t, "sample", cfg.sample, 10*time.Second)
	cfg, err = parseFlags([]string{"--overload", "--conns", "2000"}, io.Discard)
	noErr(t, err)
	eq(t, "explicit conns win", cfg.conns[0], 2000)
	for _, args := range [][]string{
		{"--overload", "--faults"}, {"--overload", "--wrk"}, {"--overload", "--conns", "1,2"}, {"--sample", "-1s"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestCapacityLiftedAtLatencyZero(t *testing.T) {
	c := config{latency: 50 * time.Millisecond}
	if got := c.capacity(2); got != providers[2].capacity {
		t.Fatalf("capacity at 50ms = %d, want %d", got, providers[2].capacity)
	}
	c.latency = 0
	if got := c.capacity(2); got != 0 {
		t.Fatalf("capacity at latency 0 = %d, want 0 (unlimited)", got)
	}
}
