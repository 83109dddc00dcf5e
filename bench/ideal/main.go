package main

import (
	"flag"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

// progName names the ideal server in its messages.
const progName = "ideal"

// maxLatency bounds --latency.
const maxLatency = time.Hour

// config is the ideal server's command line.
type config struct {
	listen  string
	latency time.Duration
}

func main() {
	log.SetPrefix(progName + ": ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		cmdline.Exit(progName, err)
	}
	ln, err := cmdline.Listen("listen", cfg.listen)
	if err != nil {
		cmdline.Exit(progName, err)
	}
	log.Printf("serving on %s (latency %v)", ln.Addr(), cfg.latency)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		log.Printf("%v: stopping", <-sig)
		os.Exit(0)
	}()
	log.Fatal(serve(ln, cfg.latency))
}

// parseFlags parses and checks the command line; a bad value is a
// *cmdline.Error naming its flag. --help prints the usage to out and
// returns flag.ErrHelp.
func parseFlags(args []string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet(progName, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.listen, "listen", ":20100", "HTTP address to serve calls on")
	fs.DurationVar(&cfg.latency, "latency", 50*time.Millisecond, "time each call takes before it is answered (0..1h)")
	if err := cmdline.Parse(fs, args); err != nil {
		return config{}, err
	}
	var c cmdline.Check
	c.ListenAddr("listen", cfg.listen)
	c.Duration("latency", cfg.latency, 0, maxLatency)
	return cfg, c.Err()
}
