package main

import (
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	log.SetPrefix("ideal: ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	listen := flag.String("listen", ":20100", "HTTP address to serve calls on")
	latency := flag.Duration("latency", 50*time.Millisecond, "time each call takes before it is answered")
	flag.Parse()
	if flag.NArg() > 0 || *latency < 0 {
		flag.Usage()
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("serving on %s (latency %v)", ln.Addr(), *latency)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		log.Printf("%v: stopping", <-sig)
		os.Exit(0)
	}()
	log.Fatal(serve(ln, *latency))
}
