package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// shutdownTimeout bounds the wait for calls in flight on SIGINT/SIGTERM.
const shutdownTimeout = 5 * time.Second

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "provider: %v\n", err)
		os.Exit(2)
	}
	s := newServer(cfg, os.Stderr)
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		s.logf("listen: %v", err)
		os.Exit(1)
	}
	if cfg.admin != "" {
		aln, err := net.Listen("tcp", cfg.admin)
		if err != nil {
			s.logf("admin listen: %v", err)
			os.Exit(1)
		}
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

// parseFlags parses the command line into a config, writing usage and errors
// to out.
func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("provider", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.listen, "listen", ":20880", "address to serve Dubbo 2 on")
	fs.DurationVar(&cfg.latency, "latency", 50*time.Millisecond, "time each call takes")
	fs.IntVar(&cfg.threads, "threads", 200, "concurrent calls; past it calls are refused with status 100")
	fs.Float64Var(&cfg.capacity, "capacity", 0, "calls per second it sustains, past which calls queue (0: unlimited)")
	fs.DurationVar(&cfg.heartbeat, "heartbeat", 60*time.Second, "send a heartbeat on a connection idle this long (0: never)")
	fs.BoolVar(&cfg.attachments, "attachments", false, "answer with response flags 3-5 and an attachments map")
	fs.StringVar(&cfg.name, "name", "", "label in logs (default: the listen address)")
	fs.StringVar(&cfg.admin, "admin", "", "host:port of the runtime control endpoint, GET/POST /control?latency=500ms&threads=20 (off when empty)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	switch {
	case fs.NArg() > 0:
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.latency < 0:
		return config{}, errors.New("--latency must not be negative")
	case cfg.threads < 1:
		return config{}, errors.New("--threads must be at least 1")
	case cfg.capacity < 0:
		return config{}, errors.New("--capacity must not be negative")
	case cfg.heartbeat < 0:
		return config{}, errors.New("--heartbeat must not be negative")
	}
	if cfg.name == "" {
		cfg.name = cfg.listen
	}
	return cfg, nil
}
