package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"
	"github.com/prometheus/client_golang/prometheus"
)

// ParkPeriod is how often Park measures the handler rate.
const ParkPeriod = time.Second

var (
	// handlerRuns counts the handlers the runner has started: one per
	// netpoll event that has work (a readable connection, a hang-up).
	handlerRuns atomic.Uint64
	parkOnce    sync.Once
)

// Park starts, once per process, the goroutine that chooses how netpoll's
// pollers wait (netpoll.SetParkIdle, a patch of ours: third_party/netpoll).
// While the process runs fewer than below handlers a second, a poller with
// nothing to do parks in Go's runtime netpoller, holding no thread; from
// below on, it blocks in epoll_wait as upstream netpoll's do, and it parks
// again once the rate falls under two thirds of below. The rate is taken
// every ParkPeriod; the process starts parked.
//
// Parked pollers spare the runtime's sysmon, which each blocking
// epoll_wait wakes into 20 µs ticks: at light load that halves the agents'
// CPU per call. Under heavy load a parked poller's wake-up costs an extra
// trip through the runtime's netpoller, so the rate switches it off
// (docs/PERFORMANCE.md, "Parked pollers").
//
// below <= 0 never parks. Later calls do nothing; the goroutine runs for
// the rest of the process, like netpoll's pollers. Park is safe for
// concurrent use.
func Park(below int) {
	parkOnce.Do(func() {
		if below <= 0 {
			return
		}
		netpoll.SetParkIdle(true)
		go parkLoop(float64(below))
	})
}

func parkLoop(below float64) {
	t := time.NewTicker(ParkPeriod)
	defer t.Stop()
	last, at := handlerRuns.Load(), time.Now()
	for tick := range t.C {
		n := handlerRuns.Load()
		rate := float64(n-last) / tick.Sub(at).Seconds()
		last, at = n, tick
		if on := netpoll.ParkIdle(); parkNext(on, rate, below) != on {
			netpoll.SetParkIdle(!on)
		}
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
// netpoll.ParkIdle).
// Register them once, on one registry.
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
