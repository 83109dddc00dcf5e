package server

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/idle"
	"github.com/dubbomesh/dubbomesh/internal/tick"
)

// ParkPeriod is how often Park measures the handler rate.
const ParkPeriod = time.Second

// DefaultParkProcs is the agents' default GOMAXPROCS while their pollers
// park (--park-procs): one P, measured on the bench (docs/PERFORMANCE.md,
// "One P at light load").
const DefaultParkProcs = 1

var (
	// handlerRuns counts the handlers the runner has started: one per
	// netpoll event that has work (a readable connection, a hang-up).
	handlerRuns atomic.Uint64
	// parkSleeper parks Park's goroutine while no handler runs; the
	// runner wakes it.
	parkSleeper = idle.New()
	parkOnce    sync.Once
)

// Park starts, once per process, the goroutine that chooses how netpoll's
// pollers wait (netpoll.SetParkIdle, a patch of ours: third_party/netpoll)
// and how many Ps the Go runtime runs. While the process runs fewer than
// below handlers a second, a poller with nothing to do parks in Go's
// runtime netpoller, holding no thread, and the process runs on procs Ps
// (runtime.GOMAXPROCS); from below on, pollers block in epoll_wait as
// upstream netpoll's do and GOMAXPROCS is the runtime's default again
// (runtime.SetDefaultGOMAXPROCS: it follows the CPU limit), or the value
// of the GOMAXPROCS environment variable when that is set. Both go back
// once the rate falls under two thirds of below. The rate is taken every
// ParkPeriod, except while no handler runs at all; the process starts
// parked.
//
// Parked pollers spare the runtime's sysmon, which each blocking
// epoll_wait wakes into 20 µs ticks: at light load that halves the agents'
// CPU per call. One P spares the thread wake-ups the scheduler makes to
// look for more work each time a goroutine is readied while another P is
// idle: at light load a third less CPU again. Under heavy load a parked
// poller's wake-up costs an extra trip through the runtime's netpoller and
// one P is too few, so the rate switches both off (docs/PERFORMANCE.md,
// "Parked pollers" and "One P at light load").
//
// below <= 0 never parks; procs <= 0 leaves GOMAXPROCS alone, and so does
// a procs not under the count in effect when the pollers park. Later
// calls do nothing; the goroutine runs for the rest of the process, like
// netpoll's pollers. Park is safe for concurrent use.
func Park(below, procs int) {
	parkOnce.Do(func() {
		if below <= 0 {
			return
		}
		m := parkMode{light: procs}
		if os.Getenv("GOMAXPROCS") != "" {
			m.full = runtime.GOMAXPROCS(0)
		}
		m.set(true)
		go m.loop(float64(below), ParkPeriod, nil)
	})
}

// parkMode switches a process between its light mode (parked pollers,
// light Ps) and its heavy one (blocking pollers, full Ps).
type parkMode struct {
	light int // Ps while parked; <= 0: GOMAXPROCS left alone
	full  int // Ps while blocking; 0: the runtime's default
}

func (m parkMode) set(parked bool) {
	netpoll.SetParkIdle(parked)
	switch {
	case m.light <= 0:
	case parked:
		if m.light < runtime.GOMAXPROCS(0) {
			runtime.GOMAXPROCS(m.light)
		}
	case m.full > 0:
		runtime.GOMAXPROCS(m.full)
	default:
		runtime.SetDefaultGOMAXPROCS()
	}
}

// loop takes the handler rate every period, on the process's grid of
// periodic work, and switches the mode by it, until stop is closed (nil:
// never). After a period in which no handler ran (the pollers are parked
// then), it sleeps until one does: an idle process makes no wake-up for it.
// A rate is never taken over less than half a period (tick.Window), so
// that the first handlers after a sleep, or after the start, do not switch
// the mode on their own.
func (m parkMode) loop(below float64, period time.Duration, stop <-chan struct{}) {
	t := time.NewTimer(tick.Window(time.Now(), period))
	defer t.Stop()
	last, at := handlerRuns.Load(), time.Now()
	for {
		var now time.Time
		select {
		case <-stop:
			return
		case now = <-t.C:
		}
		n := handlerRuns.Load()
		rate := float64(n-last) / now.Sub(at).Seconds()
		quiet := n == last
		last, at = n, now
		if on := netpoll.ParkIdle(); parkNext(on, rate, below) != on {
			m.set(!on)
		}
		if quiet && netpoll.ParkIdle() {
			if !parkSleeper.Sleep(stop, func() bool { return handlerRuns.Load() != last }) {
				return
			}
			at = time.Now()
		}
		t.Reset(tick.Window(time.Now(), period))
	}
}

// parkNext decides whether pollers park for the next period, given whether
// they do now and the handler rate of the last one: park under two thirds
// of below, unpark from below on, stay as they are in between.
func parkNext(now bool, rate, below float64) bool {
	switch {
	case rate >= below:
		return false
	case rate < below*2/3:
		return true
	}
	return now
}

// Collectors returns the metrics of this process's pollers, named with
// prefix: <prefix>_handler_runs_total, the netpoll events handed to a
// handler, and <prefix>_pollers_parked, 1 while idle pollers park (Park;
// netpoll.ParkIdle). The Ps the process runs on are go_sched_gomaxprocs_threads,
// from the Go collector. Register them once, on one registry.
func Collectors(prefix string) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: prefix + "_handler_runs_total",
			Help: "netpoll events handed to a handler goroutine (readable connections, hang-ups); Park's rate",
		}, func() float64 { return float64(handlerRuns.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: prefix + "_pollers_parked",
			Help: "1 while netpoll's idle pollers park in Go's netpoller, 0 while they block in epoll_wait (--park-below)",
		}, func() float64 {
			if netpoll.ParkIdle() {
				return 1
			}
			return 0
		}),
	}
}
