package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/internal/server"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
	"github.com/dubbomesh/dubbomesh/registry"
)

// progName names the consumer agent in its messages.
const progName = "consumer-agent"

// The bounds of the flags (README's flag table lists them).
const (
	// MaxLoops bounds --loops: each loop holds a connection to every
	// provider agent and a call table.
	MaxLoops = 256
	// maxBodyBytes bounds --max-body-bytes at half the agent protocol's
	// 16 MiB frame, so that a body's call, encoded, fits in one.
	maxBodyBytes = 8 << 20
	// maxTable bounds --max-inflight: a call table holds at most 1<<20
	// calls (internal/pending).
	maxTable = 1 << 20
	// maxTimeout bounds the durations.
	maxTimeout = time.Hour
)

// The liveness defaults of the connections to provider agents
// (--ping-interval, --ping-timeout): a dead one is found within about a
// second and a quarter of the first call it leaves unanswered.
const (
	DefaultPingInterval = 250 * time.Millisecond
	DefaultPingTimeout  = time.Second
)

// options is the consumer agent's command line.
type options struct {
	cfg   Config
	etcd  registry.EtcdOptions
	tls   mtls.Options
	admin string // "" is off
	drain time.Duration
	cache string // --registry-cache; "" is off
	log   logging.Options
}

// parseFlags parses and checks the command line; a bad value is a
// *cmdline.Error naming its flag. --help prints the usage to out and
// returns flag.ErrHelp.
func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	cfg := &o.cfg
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:20000", "HTTP address to serve calls on; the default serves only this host (a sidecar serves the program beside it); :20000 serves every interface")
	o.etcd.Register(fs)
	o.tls.Register(fs, "provider agents")
	fs.StringVar(&o.admin, "admin", "", "host:port of the admin endpoint: /metrics, /healthz, /readyz, /debug/pprof/ (off when empty)")
	fs.DurationVar(&cfg.Timeout, "timeout", 3*time.Second, "per-call deadline (1ms..1h)")
	fs.StringVar(&o.cache, "registry-cache", "", "file that keeps the provider agents last read from etcd: one restarted while etcd is away routes by it until etcd is read (off when empty)")
	fs.DurationVar(&o.drain, "drain-timeout", 5*time.Second, "on SIGTERM, how long to keep serving: each new request is answered with Connection: close, calls in flight are answered, and the agent exits once none has been in flight for 300ms (0s..1h; 0s: exit at once)")
	fs.IntVar(&cfg.Loops, "loops", min(runtime.GOMAXPROCS(0), MaxLoops), "event loops, each with one connection to every provider agent (1..256)")
	fs.IntVar(&cfg.Limits.MaxHeaderBytes, "max-header-bytes", http1.DefaultLimits.MaxHeaderBytes, "largest request line plus headers, 431 past it (256..1048576)")
	fs.IntVar(&cfg.Limits.MaxBodyBytes, "max-body-bytes", http1.DefaultLimits.MaxBodyBytes, "largest request body, 413 past it (1..8388608)")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", 30*time.Second, "a request must arrive whole within this of its first byte (1ms..1h)")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 5*time.Minute, "close client connections that read and answered nothing this long and owe no answer (1ms..1h)")
	fs.IntVar(&cfg.MaxPipeline, "max-pipeline", 128, "requests in flight per client connection before reading pauses (1..65536)")
	fs.IntVar(&cfg.MaxInFlight, "max-inflight", 16384, "calls in flight per event loop before answering 503 (1..1048576)")
	fs.IntVar(&cfg.MaxConns, "max-conns", DefaultMaxConns, "client connections open at once; past it new ones are answered 503 and closed (1..1048576)")
	fs.IntVar(&cfg.ParkBelow, "park-below", DefaultParkBelow, "park idle event loops in Go's netpoller while the agent handles fewer events a second than this; they wait in epoll_wait from it on (0..16777216; 0: never park)")
	fs.IntVar(&cfg.ParkProcs, "park-procs", server.DefaultParkProcs, "GOMAXPROCS while event loops park (--park-below); the full count from the park rate on (0..256; 0: leave GOMAXPROCS alone)")
	fs.Float64Var(&cfg.EjectRatio, "eject-ratio", DefaultEjectRatio, "eject a provider agent for a while when its estimated latency passes this many times the fastest other one's, and by 20ms or more (1..1000; 0: never)")
	cfg.Flush = batch.FlushPolicy{Idle: true}
	fs.Func("flush", "when frames to provider agents go out: inline (from the request's pass), idle (from the last of a burst of busy handlers), yield (from a flusher, after runnable passes wrote theirs) or a delay such as 100us, at most 1s (default "+cfg.Flush.String()+")", func(s string) (err error) {
		cfg.Flush, err = batch.ParseFlushPolicy(s)
		if err != nil {
			return errFlush
		}
		return nil
	})
	balance := fs.String("balance", "sed", "how a call picks its provider agent: sed (shortest expected delay, from the load its answers report, its registered capacity and its latency, the weights breaking ties; the round robin's order at light load) or weights (the smooth weighted round robin alone)")
	o.log.Register(fs)
	fs.DurationVar(&cfg.PingInterval, "ping-interval", DefaultPingInterval, "ping a provider agent connection when calls are outstanding and nothing was read this long (1ms..1m; 0: off, and no GOAWAY)")
	fs.DurationVar(&cfg.PingTimeout, "ping-timeout", DefaultPingTimeout, "a ping unanswered this long means the connection is dead: its calls fail (502) and it is redialed (1ms..1m)")
	retry := fs.Bool("retry", true, "send a call refused as overloaded or unavailable (never run by a provider) once more, to another provider agent")
	if err := cmdline.Parse(fs, args); err != nil {
		var ce *cmdline.Error
		if errors.As(err, &ce) && ce.Flag == "spread" {
			// Command lines of the race era's builds.
			ce.Why = "removed: --balance sed, the default, spreads calls by load (README, Balancing)"
		}
		return options{}, err
	}
	cfg.NoRetry = !*retry
	cfg.PlainRoundRobin = *balance == "weights"

	var c cmdline.Check
	c.ListenAddr("listen", cfg.Listen)
	o.etcd.Check(&c, os.Getenv)
	o.tls.Check(&c)
	if *balance != "sed" && *balance != "weights" {
		c.Fail("balance", "%q is not sed or weights", *balance)
	}
	if o.admin != "" {
		c.ListenAddr("admin", o.admin)
	}
	c.Duration("timeout", cfg.Timeout, time.Millisecond, maxTimeout)
	c.Duration("drain-timeout", o.drain, 0, maxTimeout)
	if o.cache != "" {
		if fi, err := os.Stat(filepath.Dir(o.cache)); err != nil || !fi.IsDir() {
			c.Fail("registry-cache", "%q: its directory does not exist", o.cache)
		}
	}
	c.Int("loops", cfg.Loops, 1, MaxLoops)
	c.Int("max-header-bytes", cfg.Limits.MaxHeaderBytes, 256, 1<<20)
	c.Int("max-body-bytes", cfg.Limits.MaxBodyBytes, 1, maxBodyBytes)
	c.Duration("read-timeout", cfg.ReadTimeout, time.Millisecond, maxTimeout)
	c.Duration("idle-timeout", cfg.IdleTimeout, time.Millisecond, maxTimeout)
	c.Int("max-pipeline", cfg.MaxPipeline, 1, 1<<16)
	c.Int("max-inflight", cfg.MaxInFlight, 1, maxTable)
	c.Int("max-conns", cfg.MaxConns, 1, 1<<20)
	c.Int("park-below", cfg.ParkBelow, 0, 1<<24)
	c.Int("park-procs", cfg.ParkProcs, 0, 256)
	if cfg.PingInterval != 0 {
		c.Duration("ping-interval", cfg.PingInterval, time.Millisecond, time.Minute)
	}
	c.Duration("ping-timeout", cfg.PingTimeout, time.Millisecond, time.Minute)
	if r := cfg.EjectRatio; r != 0 && !(r >= 1 && r <= 1000) {
		c.Fail("eject-ratio", "must be 0 (never) or in 1..1000 (got %g)", r)
	}
	o.log.Check(&c)
	if err := c.Err(); err != nil {
		return options{}, err
	}
	if cfg.ParkBelow == 0 {
		cfg.ParkBelow = -1 // --park-below 0 never parks
	}
	if cfg.ParkProcs == 0 {
		cfg.ParkProcs = -1 // --park-procs 0 leaves GOMAXPROCS alone
	}
	if cfg.EjectRatio == 0 {
		cfg.EjectRatio = -1 // --eject-ratio 0 turns ejection off
	}
	cfg.TLS = o.tls.Store()
	return o, nil
}

// errFlush is --flush's reason for a policy batch.ParseFlushPolicy refuses.
var errFlush = errors.New("want inline, idle, yield or a delay such as 100us (at most 1s)")
