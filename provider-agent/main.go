// Command provider-agent sits beside a Java Dubbo provider. It registers the
// provider's services in etcd, accepts agent-protocol calls from consumer
// agents, and forwards each as a Dubbo 2 frame on one connection per event
// loop to the provider.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
	"github.com/dubbomesh/dubbomesh/registry"
)

// defaultService is the race's interface.
const defaultService = "com.alibaba.dubbo.performance.demo.provider.IHelloService"

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	log.SetPrefix("provider-agent: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	var (
		cfg      Config
		services stringList
		etcd     = flag.String("etcd", "http://127.0.0.1:2379", "comma-separated etcd endpoints")
		weight   = flag.Int("weight", 1, "weight registered for this agent (1-1000)")
		advert   = flag.String("advertise", "", "host:port registered in etcd (default: this host's primary address with the listen port)")
		ser      = flag.String("serialization", "hessian2", "Dubbo serialization: hessian2 or fastjson")
		admin    = flag.String("admin", "", "address of the admin endpoint serving /metrics (disabled when empty)")
		drain    = flag.Duration("drain-timeout", 10*time.Second, "on SIGTERM, how long to wait for calls in flight after deregistering")
		ttl      = flag.Int64("ttl", registry.DefaultTTL, "lease TTL in seconds")
	)
	flag.StringVar(&cfg.Listen, "listen", ":30000", "address to accept consumer agents on")
	flag.StringVar(&cfg.Provider, "provider", "127.0.0.1:20880", "address of the Dubbo provider")
	flag.IntVar(&cfg.Loops, "loops", runtime.GOMAXPROCS(0), "event loops (one provider connection each)")
	flag.DurationVar(&cfg.DefaultTimeout, "timeout", 3*time.Second, "deadline for calls whose request carries none")
	flag.IntVar(&cfg.MaxInFlight, "max-inflight", 8192, "calls in flight per event loop before answering overloaded")
	flag.IntVar(&cfg.MaxProviderCalls, "max-provider-calls", 200, "calls the provider holds at once (its thread pool; Dubbo's default is 200); past it calls wait in the agent (0: no bound)")
	flag.IntVar(&cfg.MaxQueue, "max-queue", 4096, "calls waiting for a provider thread before answering overloaded")
	cfg.Flush = batch.FlushPolicy{Idle: true}
	flag.Func("flush", "when frames go out: inline (from the pass that wrote them), idle (from the last of a burst of busy handlers), yield (from a flusher, after runnable passes wrote theirs) or a delay such as 100us (default "+cfg.Flush.String()+")", func(s string) (err error) {
		cfg.Flush, err = batch.ParseFlushPolicy(s)
		return err
	})
	flag.Var(&services, "service", "interface served by the provider (repeatable; default the race's IHelloService)")
	flag.Parse()
	if len(services) == 0 {
		services = stringList{defaultService}
	}
	if *weight < 1 || *weight > registry.MaxWeight {
		log.Fatalf("--weight %d out of range 1..%d", *weight, registry.MaxWeight)
	}
	var err error
	if cfg.Serialization, err = dubbo.ParseSerialization(*ser); err != nil {
		log.Fatal(err)
	}

	a, err := New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	addr := *advert
	if addr == "" {
		addr = net.JoinHostPort(advertiseHost(cfg.Listen), strconv.Itoa(a.Port()))
	}
	if *admin != "" {
		go serveAdmin(*admin, a.Metrics())
	}

	cli, err := registry.NewClient(*etcd)
	if err != nil {
		log.Fatalf("etcd: %v", err)
	}
	eps := make([]registry.Endpoint, len(services))
	for i, s := range services {
		eps[i] = registry.Endpoint{Interface: s, Addr: addr, Weight: *weight}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	reg, err := registry.Register(ctx, cli, eps, *ttl)
	cancel()
	if err != nil {
		log.Fatalf("register: %v", err)
	}
	log.Printf("serving %s on %s for provider %s (%s, weight %d, %d loops)", services.String(), addr, cfg.Provider, cfg.Serialization, *weight, cfg.Loops)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	log.Printf("%v: deregistering, then draining calls in flight", s)
	ctx, cancel = context.WithTimeout(context.Background(), 3*time.Second)
	if err := reg.Close(ctx); err != nil {
		log.Printf("deregister: %v", err)
	}
	cancel()
	left := a.Drain(*drain)
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
	host, _, err := net.SplitHostPort(listen)
	if err == nil && host != "" {
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			return host
		}
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
