// Command consumer-agent sits beside a program that cannot speak Dubbo. It
// serves HTTP/1.1 calls, finds provider agents in etcd, picks one per call
// by shortest expected delay (the load each reports in its answers, its
// registered capacity and its latency; the weights are the prior and break
// ties, see balance.go) and forwards the call over the agent protocol.
//
// A bad flag, or an --admin or --listen address it cannot listen on, ends it
// at once with one line, "consumer-agent: --flag: why", and exit status 2.
// After that it logs with log/slog on stderr (--log-format, --log-level).
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/registry"
)

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		cmdline.Exit(progName, err)
	}
	lg := logging.Setup(o.log, os.Stderr)
	cfg := o.cfg
	cfg.Log = lg

	// Both addresses are bound before anything is served, so that either
	// one in use fails the start.
	var adminLn net.Listener
	if o.admin != "" {
		if adminLn, err = cmdline.Listen("admin", o.admin); err != nil {
			cmdline.Exit(progName, err)
		}
	}
	a, err := New(cfg)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "listen" {
			cmdline.Exit(progName, cmdline.ListenError("listen", cfg.Listen, err))
		}
		fatal(lg, "start", err)
	}
	if cfg.TLS != nil {
		defer cfg.TLS.ReloadOnHangup(lg)()
		lg.Info("mutual TLS on: provider agents are dialed with TLS, and only those registered with \"tls\":true", "cert", cfg.TLS.Files().Cert, "not_after", cfg.TLS.NotAfter())
	}
	update := a.Update
	if o.cache != "" {
		update = routeByCache(lg, a, o.cache)
	}
	var health atomic.Pointer[registry.Health]
	registerEtcd(a.Metrics(), func() bool {
		h := health.Load()
		return h != nil && h.Reachable()
	})
	if adminLn != nil {
		go a.serveAdmin(adminLn)
	}
	// Calls are answered from here on (503 until etcd has been read).
	lg.Info("serving HTTP", "addr", a.Addr().String(), "loops", cfg.Loops, "timeout", cfg.Timeout)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	var disc atomic.Pointer[registry.Discovery] // for the metric, from the start
	registerResets(a.Metrics(), func() uint64 {
		if d := disc.Load(); d != nil {
			return d.Resets()
		}
		return 0
	})
	// Connecting (with --etcd-user, a login) and the first read wait for
	// etcd however long it is away, while the cache routes; a signal
	// meanwhile ends the agent all the same.
	var cli *clientv3.Client
	d, s, err := cmdline.UntilSignal(sig, func(ctx context.Context) (*registry.Discovery, error) {
		c, err := o.etcd.Connect(ctx, lg)
		if err != nil {
			return nil, err
		}
		cli = c
		health.Store(registry.WatchHealth(cli, lg))
		return registry.Discover(ctx, cli, coalesce(update))
	})
	if d != nil {
		disc.Store(d)
	}
	if s == nil {
		if err != nil {
			fatal(lg, "etcd", err)
		}
		s = <-sig
	}
	lg.Info("draining: answering calls in flight, each new request with Connection: close", "signal", s.String(), "timeout", o.drain)
	left := a.Drain(o.drain)
	if d := disc.Load(); d != nil {
		d.Close()
	}
	if h := health.Load(); h != nil {
		h.Close()
	}
	a.Close()
	if cli != nil {
		cli.Close()
	}
	if left > 0 {
		lg.Error("drain done: exiting with calls still in flight", "in_flight", left)
		os.Exit(1)
	}
	lg.Info("drain done; bye")
}

// fatal logs err, what failed, and exits with status 1.
func fatal(lg *slog.Logger, what string, err error) {
	lg.Error(what+" failed", "err", err)
	os.Exit(1)
}
