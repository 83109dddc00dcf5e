// Command provider-agent sits beside a Java Dubbo provider. It registers the
// provider's services in etcd, accepts agent-protocol calls from consumer
// agents, and forwards each as a Dubbo 2 frame on one connection per event
// loop to the provider.
//
// A bad flag, or an --admin or --listen address it cannot listen on, ends it
// at once with one line, "provider-agent: --flag: why", and exit status 2.
// After that it logs with log/slog on stderr (--log-format, --log-level).
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

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
	etcdEps, _ := registry.ParseEndpoints(o.etcd.Endpoints) // checked by parseFlags
	addr, why, err := advertise(o.advert, cfg.Listen, a.Port(), etcdEps)
	if err != nil {
		a.Close()
		cmdline.Exit(progName, err)
	}
	lg.Info("advertising", "addr", addr, "why", why)
	if adminLn != nil {
		go a.serveAdmin(adminLn)
	}

	if cfg.TLS != nil {
		defer cfg.TLS.ReloadOnHangup(lg)()
		lg.Info("mutual TLS on: only consumer agents with a certificate from --tls-ca are accepted", "cert", cfg.TLS.Files().Cert, "not_after", cfg.TLS.NotAfter())
	}
	eps := make([]registry.Endpoint, len(o.services))
	for i, s := range o.services {
		eps[i] = registry.Endpoint{Interface: s, Addr: addr, Weight: o.weight, Capacity: cfg.MaxProviderCalls, TLS: cfg.TLS != nil}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	// The agent serves while it registers: consumer agents that know its
	// address from before (a restart during an etcd outage) may call it.
	// Connecting (with --etcd-user, a login) and registering have no
	// deadline: etcd may be away for long, and a key of this address held
	// by the lease of the agent's previous run is waited out, however late
	// etcd comes back (registry.Register).
	var cli *clientv3.Client
	var health *registry.Health
	reg, s, err := cmdline.UntilSignal(sig, func(ctx context.Context) (*registry.Registration, error) {
		c, err := o.etcd.Connect(ctx, lg)
		if err != nil {
			return nil, err
		}
		cli, health = c, registry.WatchHealth(c, lg)
		a.SetEtcdHealth(health.Reachable)
		return registry.Register(ctx, cli, eps, o.ttl)
	})
	if s != nil {
		if reg != nil { // registered meanwhile: undo it
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			reg.Close(ctx)
			cancel()
		}
		lg.Info("stopped before it registered", "signal", s.String())
		a.Close()
		if cli != nil {
			health.Close()
			cli.Close()
		}
		return
	}
	if err != nil {
		// A refused etcd login, or a live agent holding the address's
		// key (registry.TakenError).
		fatal(lg, "register", err)
	}
	a.SetRegistration(reg.InPlace, reg.Regrants)
	a.SetWeigher(reg)
	// The capacity registered follows the provider until the drain
	// deregisters: with no bound, what it is measured to take
	// (capacity.go); with one, a smaller pool learned from its refusals
	// (pool.go).
	mctx, stopMeasuring := context.WithCancel(context.Background())
	if cfg.MaxProviderCalls == 0 {
		go measureCapacity(mctx, a.m.providerTime, reg, lg, time.Second)
	} else {
		go followLimit(mctx, a.gate, reg, lg, capacityPuts*time.Second)
	}
	lg.Info("serving", "services", strings.Join(o.services, ","), "addr", addr, "provider", cfg.Provider,
		"serialization", cfg.Serialization.String(), "weight", o.weight, "capacity", cfg.MaxProviderCalls, "loops", cfg.Loops)

	s = <-sig
	stopMeasuring()
	// Consumer agents hear it in-band first (GOAWAY), then from etcd.
	lg.Info("drain started: deregistering, then waiting for the calls in flight", "signal", s.String(),
		"goaways", a.GoAway(), "in_flight", a.InFlight(), "timeout", o.drain)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	if err := reg.Close(ctx); err != nil {
		lg.Warn("deregister failed: the keys expire with the lease", "err", err)
	}
	cancel()
	left := a.Drain(o.drain)
	a.Close()
	health.Close()
	cli.Close()
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
