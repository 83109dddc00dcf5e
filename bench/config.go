package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/registry"
)

// config is the driver's command line.
type config struct {
	conns    []int
	duration time.Duration
	warmup   time.Duration
	latency  time.Duration
	weights  [3]int
	// consumers is how many consumer agents run; the connections are
	// split between them (--consumers).
	consumers int
	// unlimited runs the providers with no thread limit (--unlimited).
	unlimited bool
	etcd      string
	// etcdMembers is how many members the bench's own etcd has, each its
	// own process (1 or 3; 1 with an external --etcd).
	etcdMembers int
	wrk         bool
	out         string
	timeout     time.Duration
	seed        uint64
	sample      time.Duration // if > 0, sample every process's gauges this often in each measured phase
	// Light levels (fewer than lightConns connections) measure for at
	// most lightDuration after at most lightWarmup: at a few hundred calls
	// a second a long phase adds little, and the default run must stay
	// short.
	lightDuration, lightWarmup time.Duration
	// idle, if > 0, is the idle phase's length: idleConns connections
	// open on the consumer agent, each after one call, and no calls.
	idle      time.Duration
	idleConns int
	workload  load.Workload // what the load calls (--workload)

	// --overload: drive the mesh alone at --conns (default 10000) and
	// report statuses, refusals and memory.
	overload bool

	// --tls: after the plaintext mesh at each level, measure a second mesh
	// whose agents speak mutual TLS (tlsmesh.go).
	tls bool
	// --faults: run the fault rows instead of the scoring run.
	faults        bool
	faultRows     []string      // names, in run order
	faultSteady   time.Duration // steady window before each fault
	faultRecovery time.Duration // recovery window after each
	faultHold     time.Duration // if > 0, every fault lasts this long instead of its row's default

	// Extra command-line arguments and environment (KEY=VALUE) for the
	// consumer agent and for every provider agent, for experiments.
	consumerArgs, agentArgs []string
	tlsArgs                 []string // --tls-args
	consumerEnv, agentEnv   []string
}

// Bounds of the driver's flags.
const (
	maxConns = 100000         // --conns, per phase
	maxRun   = 24 * time.Hour // --duration, --warmup and the fault windows
	// lightConns: levels below it are light (--light-duration, --light-warmup).
	lightConns = 128
)

// The race's providers: small, medium and large, 200 threads each, with the
// calls per second their CPU shares (0.6, 1.2 and 1.8 cores) sustain.
var providers = [3]struct {
	name     string
	capacity int
}{{"small", 2400}, {"medium", 4800}, {"large", 7200}}

const providerThreads = 200

// unlimitedThreads is the providers' --threads with --unlimited: the most
// bench/provider takes, far more calls than a run holds.
const unlimitedThreads = 1 << 16

// maxConsumers bounds --consumers.
const maxConsumers = 16

const usageHead = `Usage: go run ./bench [flags]

Runs the 2018 race's scoring run on this machine: an etcd, three reference
providers (small, medium, large: 200 threads, --latency each, 2400/4800/7200
calls/s), three provider agents (--weights), one consumer agent, and the
ideal single-hop server, each its own process. Each connection count is
driven against the ideal, then the mesh, with a closed-loop generator that
checks every answer against String.hashCode; after a --warmup, --duration
is measured; light levels (under 128 connections) measure for at most
--light-duration after at most --light-warmup. Before the levels, an idle
phase holds --idle-conns connections open on the consumer agent, each
after one call, for --idle with no calls, and reports every process's CPU.
Prints a table (with the mesh's added latency over the ideal at p50, p90
and p99) and writes <out>/<time>.json and .svg.

With --workload user the load calls com.dubbomesh.demo.UserService's
getUser(long) instead (ids 1 to 1000, a POJO with nested objects, a list, a
map, an enum, a Date and a BigDecimal), and checks every JSON answer field
by field; the ideal answers the same JSON. --workload user-mixed makes one
call in four echo(User), the user sent as JSON text.

With --faults it instead starts the same cluster (providers steerable
through their --admin control endpoint), drives --conns (default 512) and
runs fault rows one after another: each a --fault-steady window, the fault,
and a --fault-recovery window. It prints a table with a timeline per row and
writes <out>/faults-<time>.json; it fails if the mesh is not healthy after a
row.

With --overload it drives only the mesh, at --conns (default 10000), and
reports the answers by status (200, 503, other, no answer), the latency of
each, the consumer agent's refused connections (past its --max-conns, set
with --consumer-args) and each agent's peak RSS; it writes
<out>/overload-<time>.json.

With --sample D every measured phase also samples, every D, each process's
RSS, open fds and threads (and the agents' goroutines), prints each curve's
first, last, range and slope, and keeps the samples in the JSON.

Flags:
`

// parseFlags parses args; usage and errors go to out. It returns
// flag.ErrHelp for -h/--help.
func parseFlags(args []string, out io.Writer) (config, error) {
	var (
		cfg                              config
		conns                            = "16,64,256,512"
		weights                          = "3:5:5"
		quick                            bool
		consArgs, agArgs, consEnv, agEnv string
		tlsArgs                          string
		rows                             = strings.Join(defaultFaultRows(1), ",")
		workload                         = load.Hash.String()
	)
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&conns, "conns", conns, "comma-separated connection counts, one measured phase each")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "measured time per phase")
	fs.DurationVar(&cfg.warmup, "warmup", 5*time.Second, "uncounted warm-up before each measured phase")
	fs.DurationVar(&cfg.lightDuration, "light-duration", 10*time.Second, "measured time of a phase under 128 connections, at most --duration")
	fs.DurationVar(&cfg.lightWarmup, "light-warmup", 2*time.Second, "warm-up of a phase under 128 connections, at most --warmup")
	fs.DurationVar(&cfg.idle, "idle", 60*time.Second, "idle phase before the levels: --idle-conns connections open, no calls, every process's CPU measured (0: none)")
	fs.IntVar(&cfg.idleConns, "idle-conns", 64, "connections held open on the consumer agent in the idle phase")
	fs.DurationVar(&cfg.latency, "latency", 50*time.Millisecond, "time each provider call (and ideal answer) takes; 0 measures pure overhead (and lifts the providers' --capacity)")
	fs.StringVar(&weights, "weights", weights, "provider agent weights small:medium:large")
	fs.IntVar(&cfg.consumers, "consumers", 1, "consumer agents, each its own process; the mesh phases split the connections between them (1..16)")
	fs.BoolVar(&cfg.unlimited, "unlimited", false, "run the providers with no thread limit (--threads 65536) instead of the race's 200; their CPU capacities stay")
	fs.StringVar(&cfg.etcd, "etcd", "", "use this external etcd (comma-separated endpoints) instead of starting one")
	fs.IntVar(&cfg.etcdMembers, "etcd-members", 1, "members of the bench's own etcd, one process each, as one static cluster: 1 or 3 (not with --etcd)")
	fs.BoolVar(&cfg.wrk, "wrk", false, "also drive the mesh with wrk and bench/wrk.lua at each connection count (apt-get install wrk)")
	fs.StringVar(&cfg.out, "out", "", "results directory (default bench/results in the module)")
	fs.BoolVar(&quick, "quick", false, "short run, under a minute: 5s phases after a 1s warm-up (explicit --duration/--warmup win)")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "generator's per-call timeout")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the parameter streams")
	fs.StringVar(&workload, "workload", workload, "what the load calls: hash (the race's IHelloService.hash, checked against String.hashCode), "+
		"user (UserService.getUser(long), its JSON checked field by field) or user-mixed (user, one call in four echo(User) with JSON text)")
	fs.DurationVar(&cfg.sample, "sample", 0, "sample each process's RSS, open fds, threads and (agents) goroutines this often during measured phases, e.g. 10s (0: off)")
	fs.BoolVar(&cfg.overload, "overload", false, "drive only the mesh at --conns (default 10000) and report statuses, refusals and each agent's peak RSS")
	fs.BoolVar(&cfg.tls, "tls", false, "also measure, after the plaintext mesh at each connection count, a second mesh whose agents speak mutual TLS 1.3 (the bench makes its own CA and certificates)")
	fs.BoolVar(&cfg.faults, "faults", false, "run the fault rows under load instead of the scoring run")
	fs.StringVar(&rows, "fault-rows", rows, "with --faults: comma-separated rows to run, in this order; by default every row that runs with --etcd-members (etcd-leader needs 3, etcd-down 1)")
	fs.DurationVar(&cfg.faultSteady, "fault-steady", 5*time.Second, "with --faults: steady window before each fault")
	fs.DurationVar(&cfg.faultRecovery, "fault-recovery", 10*time.Second, "with --faults: recovery window after each fault")
	fs.DurationVar(&cfg.faultHold, "fault-hold", 0, "with --faults: how long every fault lasts (0: each row's own, 5s to 30s)")
	fs.StringVar(&consArgs, "consumer-args", "", "extra space-separated flags for the consumer agent, e.g. \"--loops 1\"")
	fs.StringVar(&agArgs, "agent-args", "", "extra space-separated flags for every provider agent")
	fs.StringVar(&tlsArgs, "tls-args", "", "with --tls: extra space-separated flags for every agent of the TLS mesh only (after --consumer-args and --agent-args), e.g. \"--flush yield\"")
	fs.StringVar(&consEnv, "consumer-env", "", "extra space-separated KEY=VALUE environment for the consumer agent, e.g. GOMAXPROCS=1")
	fs.StringVar(&agEnv, "agent-env", "", "extra space-separated KEY=VALUE environment for every provider agent")
	if err := cmdline.Parse(fs, args); err != nil {
		return config{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.faults && !set["conns"] {
		conns = "512"
	}
	if cfg.overload && !set["conns"] {
		conns = strconv.Itoa(overloadConns)
	}
	if quick {
		if !set["duration"] {
			cfg.duration = 5 * time.Second
		}
		if !set["warmup"] {
			cfg.warmup = time.Second
		}
		if !set["idle"] {
			cfg.idle = 5 * time.Second
		}
	}
	cfg.consumerArgs, cfg.agentArgs = strings.Fields(consArgs), strings.Fields(agArgs)
	cfg.tlsArgs = strings.Fields(tlsArgs)
	cfg.consumerEnv, cfg.agentEnv = strings.Fields(consEnv), strings.Fields(agEnv)
	for _, env := range []struct {
		flag string
		kvs  []string
	}{{"consumer-env", cfg.consumerEnv}, {"agent-env", cfg.agentEnv}} {
		for _, kv := range env.kvs {
			if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
				return config{}, cmdline.Errorf(env.flag, "%q is not KEY=VALUE", kv)
			}
		}
	}
	var err error
	if cfg.workload, err = load.ParseWorkload(workload); err != nil {
		return config{}, cmdline.Errorf("workload", "%q is not hash, user or user-mixed", workload)
	}
	if cfg.wrk && cfg.workload != load.Hash {
		return config{}, cmdline.Errorf("wrk", "cannot go with --workload %s: bench/wrk.lua makes the race's calls", cfg.workload)
	}
	if cfg.conns, err = parseConns(conns); err != nil {
		return config{}, err
	}
	if cfg.weights, err = parseWeights(weights); err != nil {
		return config{}, err
	}
	var c cmdline.Check
	c.Duration("duration", cfg.duration, time.Millisecond, maxRun)
	c.Duration("warmup", cfg.warmup, 0, maxRun)
	c.Duration("latency", cfg.latency, 0, time.Hour)
	c.Duration("timeout", cfg.timeout, time.Millisecond, time.Hour)
	c.Duration("fault-steady", cfg.faultSteady, time.Millisecond, maxRun)
	c.Duration("fault-recovery", cfg.faultRecovery, time.Millisecond, maxRun)
	c.Duration("fault-hold", cfg.faultHold, 0, maxRun)
	c.Duration("sample", cfg.sample, 0, maxRun)
	c.Duration("light-duration", cfg.lightDuration, time.Millisecond, maxRun)
	c.Duration("light-warmup", cfg.lightWarmup, 0, maxRun)
	c.Duration("idle", cfg.idle, 0, maxRun)
	c.Int("idle-conns", cfg.idleConns, 1, maxConns)
	c.Int("consumers", cfg.consumers, 1, maxConsumers)
	if cfg.etcd != "" {
		_, err := registry.ParseEndpoints(cfg.etcd)
		c.Add("etcd", err)
	}
	if cfg.etcdMembers != 1 && cfg.etcdMembers != 3 {
		c.Fail("etcd-members", "give 1 or 3 (got %d)", cfg.etcdMembers)
	}
	if err := c.Err(); err != nil {
		return config{}, err
	}
	switch {
	case cfg.overload && cfg.faults:
		return config{}, cmdline.Errorf("overload", "cannot go with --faults: they are separate runs")
	case cfg.overload && cfg.wrk:
		return config{}, cmdline.Errorf("overload", "cannot go with --wrk: it does not run wrk")
	case set["etcd-members"] && cfg.etcd != "":
		return config{}, cmdline.Errorf("etcd-members", "sizes the bench's own etcd: it cannot be given with an external --etcd")
	}
	if cfg.overload && len(cfg.conns) != 1 {
		return config{}, cmdline.Errorf("conns", "--overload drives one connection count: give one number")
	}
	if cfg.faults {
		if len(cfg.conns) != 1 {
			return config{}, cmdline.Errorf("conns", "--faults drives one connection count: give one number")
		}
		if cfg.etcd != "" {
			return config{}, cmdline.Errorf("etcd", "--faults stops and restarts the etcd: it cannot use an external one")
		}
		if cfg.wrk {
			return config{}, cmdline.Errorf("wrk", "cannot go with --faults: it does not run wrk")
		}
		if !set["fault-rows"] {
			rows = strings.Join(defaultFaultRows(cfg.etcdMembers), ",")
		}
		if cfg.faultRows, err = parseFaultRows(rows, cfg.etcdMembers); err != nil {
			return config{}, err
		}
	}
	return cfg, nil
}

// parseConns parses "256,512".
func parseConns(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > maxConns {
			return nil, cmdline.Errorf("conns", "%q is not a count in 1..%d", f, maxConns)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseWeights parses "3:5:5".
func parseWeights(s string) ([3]int, error) {
	var w [3]int
	f := strings.Split(s, ":")
	if len(f) != 3 {
		return w, cmdline.Errorf("weights", "want small:medium:large (got %q)", s)
	}
	for i := range f {
		n, err := strconv.Atoi(f[i])
		if err != nil || n < 1 || n > registry.MaxWeight {
			return w, cmdline.Errorf("weights", "%q is not a weight in 1..%d", f[i], registry.MaxWeight)
		}
		w[i] = n
	}
	return w, nil
}

// phaseTimes returns the warm-up and measured time of a phase at conns
// connections: --warmup and --duration, capped by --light-warmup and
// --light-duration for a light level.
func (c *config) phaseTimes(conns int) (warmup, duration time.Duration) {
	if conns >= lightConns {
		return c.warmup, c.duration
	}
	return min(c.warmup, c.lightWarmup), min(c.duration, c.lightDuration)
}

// threads returns the providers' --threads: the race's 200, or as many as
// the reference provider allows with --unlimited.
func (c *config) threads() int {
	if c.unlimited {
		return unlimitedThreads
	}
	return providerThreads
}

// capacity returns provider i's --capacity: the race's at a real latency, and
// unlimited (0) at --latency 0, where the run measures the agents' own
// overhead and a CPU model in the providers would measure the providers.
func (c *config) capacity(i int) int {
	if c.latency == 0 {
		return 0
	}
	return providers[i].capacity
}

func (c *config) weightString() string {
	return fmt.Sprintf("%d:%d:%d", c.weights[0], c.weights[1], c.weights[2])
}
