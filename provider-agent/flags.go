package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/internal/server"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
	"github.com/dubbomesh/dubbomesh/registry"
)

// progName names the provider agent in its messages.
const progName = "provider-agent"

// defaultService is the race's interface.
const defaultService = "com.alibaba.dubbo.performance.demo.provider.IHelloService"

// The bounds of the flags (README's flag table lists them).
const (
	// maxLoops bounds --loops: each loop holds a connection to the
	// provider and a call table.
	maxLoops = 256
	// maxTable bounds --max-inflight, --max-provider-calls and --max-queue:
	// a call table holds at most 1<<20 calls (internal/pending).
	maxTable = 1 << 20
	// maxTimeout bounds the durations.
	maxTimeout = time.Hour
	// maxTTL bounds --ttl, in seconds.
	maxTTL = 3600
)

// The liveness defaults of the provider connections (--ping-interval,
// --ping-timeout, --stall-limit): found dead within about a second and a
// quarter; a provider whose host still acknowledges (a pause) is kept for
// up to ten seconds, longer than a call's default deadline.
const (
	DefaultPingInterval = 250 * time.Millisecond
	DefaultPingTimeout  = time.Second
	DefaultStallLimit   = 10 * time.Second
)

// DefaultParkBelow is the default --park-below: idle pollers park while
// the agent handles fewer than 1,200 events a second. Measured on the
// bench (docs/PERFORMANCE.md, "Parked pollers"): a provider agent
// handles 400 to 900 a second at 64 connections, where parking about
// halves its CPU per call, and 1,400 to 3,400 at 256 and 512, where
// parked pollers cost it 10 to 40% more.
const DefaultParkBelow = 1200

// options is the provider agent's command line.
type options struct {
	cfg      Config
	services []string
	etcd     registry.EtcdOptions
	tls      mtls.Options
	weight   int
	advert   string // "": the default of advertise (advertise.go)
	admin    string // "" is off
	log      logging.Options
	drain    time.Duration
	ttl      int64
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// parseFlags parses and checks the command line; a bad value is a
// *cmdline.Error naming its flag. --help prints the usage to out and
// returns flag.ErrHelp.
func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	cfg := &o.cfg
	var services stringList
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Listen, "listen", ":30000", "address to accept consumer agents on")
	fs.StringVar(&cfg.Provider, "provider", "127.0.0.1:20880", "host:port of the Dubbo provider")
	o.etcd.Register(fs)
	o.tls.Register(fs, "consumer agents")
	fs.IntVar(&o.weight, "weight", 1, fmt.Sprintf("weight registered for this agent (1..%d)", registry.MaxWeight))
	fs.Var(&services, "service", "interface served by the provider (repeatable; default the race's IHelloService)")
	fs.StringVar(&o.advert, "advertise", "", "host:port registered in etcd (default: the listen host if it names one, else the local address of this host's route to etcd, with the listen port)")
	ser := fs.String("serialization", "hessian2", "Dubbo serialization: hessian2 or fastjson")
	fs.StringVar(&o.admin, "admin", "", "host:port of the admin endpoint: /metrics, /healthz, /readyz, /debug/pprof/ (off when empty)")
	o.log.Register(fs)
	fs.DurationVar(&o.drain, "drain-timeout", 10*time.Second, "on SIGTERM, how long to wait for calls in flight after deregistering (0..1h)")
	fs.Int64Var(&o.ttl, "ttl", registry.DefaultTTL, fmt.Sprintf("lease TTL in seconds (1..%d)", maxTTL))
	fs.IntVar(&cfg.Loops, "loops", min(runtime.GOMAXPROCS(0), maxLoops), "event loops, each with one provider connection (1..256)")
	fs.IntVar(&cfg.ParkBelow, "park-below", DefaultParkBelow, "park idle event loops in Go's netpoller while the agent handles fewer events a second than this; they wait in epoll_wait from it on (0..16777216; 0: never park)")
	fs.IntVar(&cfg.ParkProcs, "park-procs", server.DefaultParkProcs, "GOMAXPROCS while event loops park (--park-below); the full count from the park rate on (0..256; 0: leave GOMAXPROCS alone)")
	fs.DurationVar(&cfg.DefaultTimeout, "timeout", 3*time.Second, "deadline for calls whose request carries none (1ms..1h)")
	fs.IntVar(&cfg.MaxInFlight, "max-inflight", 8192, "calls in flight per event loop before answering overloaded (1..1048576)")
	fs.IntVar(&cfg.MaxProviderCalls, "max-provider-calls", 200, "calls the provider holds at once (its thread pool; Dubbo's default is 200); past it calls wait in the agent (0..1048576; 0: no bound)")
	fs.IntVar(&cfg.MaxQueue, "max-queue", 4096, "calls waiting for a provider thread before answering overloaded (1..1048576)")
	fs.IntVar(&cfg.MaxQueueBytes, "max-queue-bytes", 64<<20, "bytes of waiting calls' frames before answering overloaded (65536..17179869184)")
	fs.IntVar(&cfg.MaxConns, "max-conns", DefaultMaxConns, "consumer agent connections open at once, TLS handshakes included; past it a new one is refused (plaintext: an Overloaded error frame naming the bound) and closed (1..1048576)")
	fs.DurationVar(&cfg.PingInterval, "ping-interval", DefaultPingInterval, "send the provider a heartbeat when calls are outstanding and nothing was read this long (1ms..1m; 0: only after a minute idle)")
	fs.DurationVar(&cfg.StallLimit, "stall-limit", DefaultStallLimit, "a provider whose heartbeat goes unanswered for --ping-timeout while its kernel acknowledges it (a JVM's stop-the-world pause) is stalled, not dead: it gets no new call and its calls in flight run on to their deadlines, for at most this long (0s..1h; 0s: it is dead at --ping-timeout)")
	fs.DurationVar(&cfg.PingTimeout, "ping-timeout", DefaultPingTimeout, "a heartbeat unanswered this long means the provider connection is dead: its calls fail and it is redialed (1ms..1m)")
	cfg.Flush = batch.FlushPolicy{Idle: true}
	fs.Func("flush", "when frames go out: inline (from the pass that wrote them), idle (from the last of a burst of busy handlers), yield (from a flusher, after runnable passes wrote theirs) or a delay such as 100us, at most 1s (default "+cfg.Flush.String()+")", func(s string) (err error) {
		cfg.Flush, err = batch.ParseFlushPolicy(s)
		if err != nil {
			return errFlush
		}
		return nil
	})
	if err := cmdline.Parse(fs, args); err != nil {
		return options{}, err
	}

	var c cmdline.Check
	c.ListenAddr("listen", cfg.Listen)
	c.DialAddr("provider", cfg.Provider)
	o.etcd.Check(&c, os.Getenv)
	o.tls.Check(&c)
	c.Int("weight", o.weight, 1, registry.MaxWeight)
	c.Add("service", checkServices(services))
	if o.advert != "" {
		c.DialAddr("advertise", o.advert)
		if host, _, err := net.SplitHostPort(o.advert); err == nil && !dialable(host) {
			c.Fail("advertise", "%q: a consumer agent cannot dial host %q; name this host's address", o.advert, host)
		}
	}
	var err error
	if cfg.Serialization, err = dubbo.ParseSerialization(*ser); err != nil {
		c.Fail("serialization", "want hessian2 or fastjson (got %q)", *ser)
	}
	if o.admin != "" {
		c.ListenAddr("admin", o.admin)
	}
	c.Duration("drain-timeout", o.drain, 0, maxTimeout)
	if o.ttl < 1 || o.ttl > maxTTL {
		c.Fail("ttl", "must be in 1..%d seconds (got %d)", maxTTL, o.ttl)
	}
	c.Int("loops", cfg.Loops, 1, maxLoops)
	if cfg.PingInterval != 0 {
		c.Duration("ping-interval", cfg.PingInterval, time.Millisecond, time.Minute)
	}
	c.Duration("ping-timeout", cfg.PingTimeout, time.Millisecond, time.Minute)
	c.Duration("stall-limit", cfg.StallLimit, 0, maxTimeout)
	c.Duration("timeout", cfg.DefaultTimeout, time.Millisecond, maxTimeout)
	c.Int("max-inflight", cfg.MaxInFlight, 1, maxTable)
	c.Int("max-provider-calls", cfg.MaxProviderCalls, 0, maxTable)
	c.Int("max-queue", cfg.MaxQueue, 1, maxTable)
	c.Int("max-queue-bytes", cfg.MaxQueueBytes, 64<<10, 16<<30)
	c.Int("max-conns", cfg.MaxConns, 1, maxTable)
	c.Int("park-below", cfg.ParkBelow, 0, 1<<24)
	c.Int("park-procs", cfg.ParkProcs, 0, 256)
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
	cfg.TLS = o.tls.Store()
	o.services = services
	if len(o.services) == 0 {
		o.services = []string{defaultService}
	}
	return o, nil
}

// errFlush is --flush's reason for a policy batch.ParseFlushPolicy refuses.
var errFlush = errors.New("want inline, idle, yield or a delay such as 100us (at most 1s)")

// checkServices checks the --service names: each an interface name that
// can be part of a registry key, none twice.
func checkServices(services []string) error {
	for i, s := range services {
		if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return fmt.Errorf("%q is not an interface name", s)
		}
		if slices.Contains(services[:i], s) {
			return fmt.Errorf("%q given twice", s)
		}
	}
	return nil
}

// dialable reports whether a consumer agent can dial host: it is neither
// empty nor an address meaning every interface.
func dialable(host string) bool {
	ip := net.ParseIP(host)
	return host != "" && (ip == nil || !ip.IsUnspecified())
}
