package main

import (
	"context"
	"flag"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

// shutdownTimeout bounds the wait for calls in flight on SIGINT/SIGTERM.
const shutdownTimeout = 5 * time.Second

// progName names the reference provider in its messages.
const progName = "provider"

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		cmdline.Exit(progName, err)
	}
	// Both addresses are bound before anything is served, so that either
	// one in use fails the start with status 2.
	ln, err := cmdline.Listen("listen", cfg.listen)
	if err != nil {
		cmdline.Exit(progName, err)
	}
	var aln net.Listener
	if cfg.admin != "" {
		if aln, err = cmdline.Listen("admin", cfg.admin); err != nil {
			cmdline.Exit(progName, err)
		}
	}
	s := newServer(cfg, os.Stderr)
	if aln != nil {
		s.logf("control endpoint on http://%s/control", aln.Addr())
		go func() {
			if err := s.serveAdmin(aln); err != nil {
				s.logf("admin: %v", err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- s.serve(ln) }()
	select {
	case err := <-served:
		s.logf("accept: %v", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	s.logf("shutting down: waiting up to %v for %d calls in flight", shutdownTimeout, s.lim.inFlight())
	if err := s.shutdown(shutdownTimeout); err != nil {
		s.logf("%v: %d calls dropped", err, s.lim.inFlight())
	}
	s.logf("stopped")
}

// parseFlags parses and checks the command line into a config; a bad value
// is a *cmdline.Error naming its flag. --help prints the usage to out and
// returns flag.ErrHelp.
func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.listen, "listen", ":20880", "address to serve Dubbo 2 on")
	fs.DurationVar(&cfg.latency, "latency", 50*time.Millisecond, "time each call takes (0..24h)")
	fs.IntVar(&cfg.threads, "threads", 200, "concurrent calls; past it calls are refused with status 100 (1..65536)")
	fs.Float64Var(&cfg.capacity, "capacity", 0, "calls per second it sustains, past which calls queue (0..10000000; 0: unlimited)")
	fs.DurationVar(&cfg.heartbeat, "heartbeat", 60*time.Second, "send a heartbeat on a connection idle this long (0..1h; 0: never)")
	fs.BoolVar(&cfg.attachments, "attachments", false, "answer with response flags 3-5 and an attachments map")
	fs.StringVar(&cfg.name, "name", "", "label in logs (default: the listen address)")
	fs.StringVar(&cfg.admin, "admin", "", "host:port of the runtime control endpoint, GET/POST /control?latency=500ms&threads=20 (off when empty)")
	fs.Var(serviceFlag{&cfg}, "service", serviceUsage)
	if err := cmdline.Parse(fs, args); err != nil {
		return config{}, err
	}
	var c cmdline.Check
	c.ListenAddr("listen", cfg.listen)
	c.Duration("latency", cfg.latency, 0, maxControlLatency)
	c.Int("threads", cfg.threads, 1, 1<<16)
	c.Float("capacity", cfg.capacity, 0, 1e7)
	c.Duration("heartbeat", cfg.heartbeat, 0, time.Hour)
	if cfg.admin != "" {
		c.ListenAddr("admin", cfg.admin)
	}
	if err := c.Err(); err != nil {
		return config{}, err
	}
	if cfg.name == "" {
		cfg.name = cfg.listen
	}
	return cfg, nil
}
