// Command consumer-agent sits beside a program that cannot speak Dubbo. It
// serves HTTP/1.1 calls, finds provider agents in etcd, picks one by smooth
// weighted round robin and forwards each call over the agent protocol.
//
// A bad flag, or an --admin or --listen address it cannot listen on, ends it
// at once with one line, "consumer-agent: --flag: why", and exit status 2.
package main

import (
	"context"
	"errors"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

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
	if adminLn != nil {
		go serveAdmin(adminLn, a.Metrics())
	}
	cli, err := registry.NewClient(o.etcd)
	if err != nil {
		log.Fatalf("etcd: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, err := registry.Discover(ctx, cli, a.Update)
	if err != nil {
		log.Fatalf("discover: %v", err)
	}
	log.Printf("serving HTTP on %s (%d loops, timeout %v)", a.Addr(), cfg.Loops, cfg.Timeout)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	log.Printf("%v: shutting down", s)
	cancel()
	d.Close()
	a.Close()
	cli.Close()
}
