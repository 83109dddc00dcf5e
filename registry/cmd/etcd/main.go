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
//
// A bad flag, or a --listen-client or --listen-peer address in use, ends it
// at once with one line, "etcd: --flag: why", and exit status 2.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode"

	"go.etcd.io/etcd/client/pkg/v3/types"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
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

// progName names the command in its messages.
const progName = "etcd"

func main() {
	log.SetFlags(0)
	log.SetPrefix(progName + ": ")
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err == nil {
		err = checkFree(cfg)
	}
	if err != nil {
		cmdline.Exit(progName, err)
	}
	os.Exit(run(cfg))
}

// parseFlags parses and checks the command line; a bad value is a
// *cmdline.Error naming its flag. --help prints the usage to out and
// returns flag.ErrHelp.
func parseFlags(args []string, out io.Writer) (registry.MemberConfig, error) {
	var cfg registry.MemberConfig
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Dir, "dir", "", "data directory (default: a new temporary directory, removed on exit)")
	fs.StringVar(&cfg.ClientAddr, "listen-client", "", "host:port to serve clients on, e.g. 127.0.0.1:2379 (default: a free loopback port)")
	fs.StringVar(&cfg.Name, "name", "dubbomesh", "member name, unique in the cluster")
	fs.StringVar(&cfg.PeerAddr, "listen-peer", "", "host:port to serve and advertise to the other members (default: this member's entry in --initial-cluster, or a free loopback port)")
	fs.StringVar(&cfg.InitialCluster, "initial-cluster", "", "every member of a new static cluster as name=http://host:port,... (peer URLs; default: this member alone)")
	fs.DurationVar(&cfg.ReadyTimeout, "ready-timeout", time.Minute, "how long to wait for the member to serve (a cluster member waits for a quorum; 1ms..1h)")
	fs.Usage = func() {
		fmt.Fprint(out, usage)
		fs.PrintDefaults()
	}
	if err := cmdline.Parse(fs, args); err != nil {
		return cfg, err
	}
	var c cmdline.Check
	if cfg.Name == "" || strings.ContainsFunc(cfg.Name, func(r rune) bool { return r == ',' || r == '=' || unicode.IsSpace(r) || unicode.IsControl(r) }) {
		c.Fail("name", "%q is not a member name (not empty, no ',', '=' or spaces)", cfg.Name)
	}
	if cfg.ClientAddr != "" {
		c.DialAddr("listen-client", cfg.ClientAddr)
	}
	if cfg.PeerAddr != "" {
		c.DialAddr("listen-peer", cfg.PeerAddr)
	}
	if cfg.InitialCluster != "" {
		c.Add("initial-cluster", checkCluster(cfg.InitialCluster, cfg.Name, cfg.PeerAddr == ""))
	}
	c.Duration("ready-timeout", cfg.ReadyTimeout, time.Millisecond, time.Hour)
	if cfg.Dir != "" {
		if fi, err := os.Stat(cfg.Dir); err == nil && !fi.IsDir() {
			c.Fail("dir", "%s is not a directory", cfg.Dir)
		} else if err != nil {
			// etcd would make it: make it now, so that a path it cannot
			// make fails here, naming the flag.
			if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
				c.Fail("dir", "cannot make %s: %v", cfg.Dir, errors.Unwrap(err))
			}
		}
	}
	return cfg, c.Err()
}

// checkCluster checks --initial-cluster: name=http://host:port,... with name
// among the members; when this member's peer address comes from it
// (needPeer), with exactly one URL for name.
func checkCluster(cluster, name string, needPeer bool) error {
	m, err := types.NewURLsMap(cluster)
	if err != nil {
		return fmt.Errorf("%q is not name=http://host:port,...", cluster)
	}
	for n, urls := range m {
		for _, u := range urls {
			if u.Scheme != "http" || u.Port() == "" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
				return fmt.Errorf("member %s: %q is not http://host:port", n, u.String())
			}
		}
	}
	switch urls := m[name]; {
	case len(urls) == 0:
		return fmt.Errorf("no member named %q (--name)", name)
	case needPeer && len(urls) != 1:
		return fmt.Errorf("%d peer URLs for %q; give one, or --listen-peer", len(urls), name)
	}
	return nil
}

// checkFree makes an address in use a bad flag: it binds the client and
// peer addresses given and lets them go again for etcd, which would
// otherwise retry and fail later with a longer story.
func checkFree(cfg registry.MemberConfig) error {
	for _, a := range []struct{ flag, addr string }{{"listen-client", cfg.ClientAddr}, {"listen-peer", cfg.PeerAddr}} {
		if a.addr == "" {
			continue
		}
		ln, err := cmdline.Listen(a.flag, a.addr)
		if err != nil {
			return err
		}
		ln.Close()
	}
	return nil
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
