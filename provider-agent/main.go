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
	"strconv"
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
	addr := o.advert
	if addr == "" {
		addr = net.JoinHostPort(advertiseHost(cfg.Listen), strconv.Itoa(a.Port()))
	}
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
	log.Printf("%v: deregistering, then draining calls in flight", s)
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

// advertiseHost is the host registered when --advertise is not given: the
// listen host when it names one, else this host's primary address.
func advertiseHost(listen string) string {
	if host, _, err := net.SplitHostPort(listen); err == nil && dialable(host) {
		return host
	}
	return primaryIP()
}

// primaryIP returns the first non-loopback IPv4 address of an interface that
// is up, or 127.0.0.1 when there is none.
func primaryIP() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return "127.0.0.1"
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
				return ipn.IP.String()
			}
		}
	}
	return "127.0.0.1"
}
