// Command provider-agent sits beside a Java Dubbo provider. It registers the
// provider's services in etcd, accepts agent-protocol calls from consumer
// agents, and forwards each as a Dubbo 2 frame on one connection per event
// loop to the provider.
//
// A bad flag, or an --admin or --listen address it cannot listen on, ends it
// at once with one line, "provider-agent: --flag: why", and exit status 2.
package main

import (
	"context"
	"errors"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/registry"
)

func main() {
	log.SetPrefix(progName + ": ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		cmdline.Exit(progName, err)
	}
	cfg := o.cfg

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
		log.Fatal(err)
	}
	etcdEps, _ := registry.ParseEndpoints(o.etcd) // checked by parseFlags
	addr, why, err := advertise(o.advert, cfg.Listen, a.Port(), etcdEps)
	if err != nil {
		a.Close()
		cmdline.Exit(progName, err)
	}
	log.Printf("advertising %s (%s)", addr, why)
	if adminLn != nil {
		go serveAdmin(adminLn, a.Metrics())
	}

	cli, err := registry.NewClient(o.etcd)
	if err != nil {
		log.Fatalf("etcd: %v", err)
	}
	eps := make([]registry.Endpoint, len(o.services))
	for i, s := range o.services {
		eps[i] = registry.Endpoint{Interface: s, Addr: addr, Weight: o.weight}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	reg, err := registry.Register(ctx, cli, eps, o.ttl)
	cancel()
	if err != nil {
		log.Fatalf("register: %v", err)
	}
	log.Printf("serving %s on %s for provider %s (%s, weight %d, %d loops)", strings.Join(o.services, ","), addr, cfg.Provider, cfg.Serialization, o.weight, cfg.Loops)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	// Consumer agents hear it in-band first (GOAWAY), then from etcd.
	log.Printf("%v: told %d consumer agent connections to go away; deregistering, then draining calls in flight", s, a.GoAway())
	ctx, cancel = context.WithTimeout(context.Background(), 3*time.Second)
	if err := reg.Close(ctx); err != nil {
		log.Printf("deregister: %v", err)
	}
	cancel()
	left := a.Drain(o.drain)
	a.Close()
	cli.Close()
	if left > 0 {
		log.Printf("exiting with %d calls still in flight", left)
		os.Exit(1)
	}
	log.Printf("drained; bye")
}
