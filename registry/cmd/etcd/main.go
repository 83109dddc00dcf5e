// Command etcd runs an embedded etcd for hand-run topologies and the
// benchmark, until SIGINT or SIGTERM: by default a single-member etcd,
//
//	go run ./registry/cmd/etcd --listen-client 127.0.0.1:2379
//
// or, with --name and --initial-cluster, one member of a static cluster,
// one process per member:
//
//	cluster=a=http://127.0.0.1:2380,b=http://127.0.0.1:2381,c=http://127.0.0.1:2382
//	go run ./registry/cmd/etcd --name a --listen-client 127.0.0.1:2379 --initial-cluster $cluster --dir /tmp/a &
//	go run ./registry/cmd/etcd --name b --listen-client 127.0.0.1:3379 --initial-cluster $cluster --dir /tmp/b &
//	go run ./registry/cmd/etcd --name c --listen-client 127.0.0.1:4379 --initial-cluster $cluster --dir /tmp/c &
//
// It prints its client endpoint on stdout once it is ready to serve (a
// cluster member: once a quorum of members runs and has elected a leader).
// Data is kept in --dir (a fresh temporary directory, removed on exit, by
// default) without fsync: this is a development etcd, not a durable one.
// A member that is to be stopped and started again needs a --dir of its
// own, which it resumes from.
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

const usage = `Usage: etcd [flags]

Runs an embedded etcd (TickMs 10, ElectionMs 100, no fsync, fatal-only logs)
until SIGINT or SIGTERM, and prints its client endpoint on stdout once it
serves. Without --initial-cluster it is a single-member etcd named by --name.

With --initial-cluster it is one member of a static cluster: start one
process per member, each with its own --name, --listen-client and --dir and
the same --initial-cluster, e.g.
  --name a --initial-cluster a=http://127.0.0.1:2380,b=http://127.0.0.1:2381,c=http://127.0.0.1:2382
A member serves once a quorum of the members runs. A member restarted on
its --dir rejoins the cluster; --initial-cluster is then ignored.

Flags:
`

func main() {
	var cfg registry.MemberConfig
	dir := flag.String("dir", "", "data directory (default: a new temporary directory, removed on exit)")
	flag.StringVar(&cfg.ClientAddr, "listen-client", "", "host:port to serve clients on, e.g. 127.0.0.1:2379 (default: a free loopback port)")
	flag.StringVar(&cfg.Name, "name", "dubbomesh", "member name, unique in the cluster")
	flag.StringVar(&cfg.PeerAddr, "listen-peer", "", "host:port to serve and advertise to the other members (default: this member's entry in --initial-cluster, or a free loopback port)")
	flag.StringVar(&cfg.InitialCluster, "initial-cluster", "", "every member of a new static cluster as name=http://host:port,... (peer URLs; default: this member alone)")
	flag.DurationVar(&cfg.ReadyTimeout, "ready-timeout", time.Minute, "how long to wait for the member to serve (a cluster member waits for a quorum)")
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), usage)
		flag.PrintDefaults()
	}
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("etcd: ")
	if flag.NArg() > 0 {
		log.Printf("unexpected arguments %q", flag.Args())
		flag.Usage()
		os.Exit(2)
	}
	cfg.Dir = *dir
	os.Exit(run(cfg))
}

func run(cfg registry.MemberConfig) int {
	if cfg.Dir == "" {
		tmp, err := os.MkdirTemp("", "dubbomesh-etcd-")
		if err != nil {
			log.Print(err)
			return 1
		}
		defer os.RemoveAll(tmp)
		cfg.Dir = tmp
	}
	e, err := registry.StartMember(cfg)
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
