// Command etcd runs a single-member embedded etcd for hand-run topologies
// and the benchmark, until SIGINT or SIGTERM.
//
//	go run ./registry/cmd/etcd --listen-client 127.0.0.1:2379
//
// It prints its client endpoint on stdout once it is ready to serve. Data is
// kept in --dir (a fresh temporary directory, removed on exit, by default)
// without fsync: this is a development etcd, not a durable one.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/registry"
)

// closeWait bounds a graceful stop: etcd otherwise waits several seconds
// for clients' watch streams. Exiting without it loses nothing, as every
// write is already in the OS's page cache.
const closeWait = time.Second

func main() {
	dir := flag.String("dir", "", "data directory (default: a new temporary directory, removed on exit)")
	listen := flag.String("listen-client", "", "host:port to serve clients on, e.g. 127.0.0.1:2379 (default: a free loopback port)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("etcd: ")

	os.Exit(run(*dir, *listen))
}

func run(dir, listen string) int {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "dubbomesh-etcd-")
		if err != nil {
			log.Print(err)
			return 1
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	e, err := registry.StartEmbeddedAt(dir, listen)
	if err != nil {
		log.Print(err)
		return 1
	}
	fmt.Println(strings.Join(e.Endpoints(), ","))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	code := 0
	select {
	case s := <-sig:
		log.Printf("%v, stopping", s)
	case err := <-e.Err():
		log.Printf("failed: %v", err)
		code = 1
	}
	closed := make(chan struct{})
	go func() { e.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(closeWait):
	}
	return code
}
