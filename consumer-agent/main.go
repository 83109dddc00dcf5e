// Command consumer-agent sits beside a program that cannot speak Dubbo. It
// serves HTTP/1.1 calls, finds provider agents in etcd, picks one by smooth
// weighted round robin and forwards each call over the agent protocol.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
	"github.com/dubbomesh/dubbomesh/registry"
)

func main() {
	log.SetPrefix("consumer-agent: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	var (
		cfg   Config
		etcd  = flag.String("etcd", "http://127.0.0.1:2379", "comma-separated etcd endpoints")
		admin = flag.String("admin", "", "address of the admin endpoint serving /metrics (disabled when empty)")
	)
	flag.StringVar(&cfg.Listen, "listen", ":20000", "HTTP address to serve calls on")
	flag.DurationVar(&cfg.Timeout, "timeout", 3*time.Second, "per-call deadline")
	flag.IntVar(&cfg.Loops, "loops", runtime.GOMAXPROCS(0), "event loops (one connection to each provider agent each)")
	flag.IntVar(&cfg.Limits.MaxHeaderBytes, "max-header-bytes", http1.DefaultLimits.MaxHeaderBytes, "largest request line plus headers (431 past it)")
	flag.IntVar(&cfg.Limits.MaxBodyBytes, "max-body-bytes", http1.DefaultLimits.MaxBodyBytes, "largest request body (413 past it)")
	flag.DurationVar(&cfg.ReadTimeout, "read-timeout", 30*time.Second, "a request must arrive whole within this of its first byte")
	flag.DurationVar(&cfg.IdleTimeout, "idle-timeout", 5*time.Minute, "close client connections that read nothing this long and owe no answer")
	flag.IntVar(&cfg.MaxPipeline, "max-pipeline", 128, "requests in flight per client connection before reading pauses")
	flag.IntVar(&cfg.MaxInFlight, "max-inflight", 16384, "calls in flight per event loop before answering 503")
	flag.Float64Var(&cfg.EjectRatio, "eject-ratio", DefaultEjectRatio, "eject a provider agent for a while when its estimated latency passes this many times the fastest other one's, and by 20ms or more (0: never)")
	cfg.Flush = batch.FlushPolicy{Idle: true}
	flag.Func("flush", "when frames to provider agents go out: inline (from the request's pass), idle (from the last of a burst of busy handlers), yield (from a flusher, after runnable passes wrote theirs) or a delay such as 100us (default "+cfg.Flush.String()+")", func(s string) (err error) {
		cfg.Flush, err = batch.ParseFlushPolicy(s)
		return err
	})
	flag.BoolVar(&cfg.Spread, "spread", true, "send a call to the least loaded provider agent (calls in flight per unit of weight) when the round robin's choice holds clearly more than its share")
	retry := flag.Bool("retry", true, "send a call refused as overloaded or unavailable (never run by a provider) once more, to another provider agent")
	flag.IntVar(&cfg.MaxConns, "max-conns", DefaultMaxConns, "client connections open at once; past it new ones are answered 503 and closed")
	flag.Parse()
	cfg.NoRetry = !*retry
	if cfg.EjectRatio == 0 {
		cfg.EjectRatio = -1 // --eject-ratio 0 turns ejection off
	}

	a, err := New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if *admin != "" {
		go serveAdmin(*admin, a.Metrics())
	}
	cli, err := registry.NewClient(*etcd)
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
