package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"
	"github.com/prometheus/client_golang/prometheus"
)

func TestParkNext(t *testing.T) {
	const below = 3000
	for _, c := range []struct {
		now  bool
		rate float64
		want bool
	}{
		{true, 0, true},
		{true, 2999, true},  // under below: stays parked
		{true, 3000, false}, // from below on: unparks
		{false, 3000, false},
		{false, 2001, false}, // between 2/3 and 1: stays as it is
		{true, 2001, true},
		{false, 1999, true}, // under two thirds: parks again
	} {
		if got := parkNext(c.now, c.rate, below); got != c.want {
			t.Errorf("parkNext(%v, %g, %d) = %v, want %v", c.now, c.rate, below, got, c.want)
		}
	}
}

// TestParkModeProcs switches a parkMode both ways and checks netpoll's
// switch and the runtime's GOMAXPROCS follow: a fixed full count, the
// runtime's default, and a light count of 0, or not under the count in
// effect, that leaves GOMAXPROCS alone.
func TestParkModeProcs(t *testing.T) {
	defer netpoll.SetParkIdle(netpoll.ParkIdle())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.SetDefaultGOMAXPROCS()
	def := runtime.GOMAXPROCS(0)
	const full = 3
	for _, m := range []parkMode{{light: 1, full: full}, {light: 1}} {
		runtime.GOMAXPROCS(full)
		m.set(true)
		if p := runtime.GOMAXPROCS(0); p != 1 || !netpoll.ParkIdle() {
			t.Fatalf("%+v parked: GOMAXPROCS %d, netpoll parks %v", m, p, netpoll.ParkIdle())
		}
		m.set(false)
		want := m.full
		if want == 0 {
			want = def
		}
		if p := runtime.GOMAXPROCS(0); p != want || netpoll.ParkIdle() {
			t.Fatalf("%+v blocking: GOMAXPROCS %d (want %d), netpoll parks %v", m, p, want, netpoll.ParkIdle())
		}
	}
	runtime.GOMAXPROCS(full)
	for _, light := range []int{-1, 0, full, full + 1} {
		parkMode{light: light, full: full}.set(true)
		if p := runtime.GOMAXPROCS(0); p != full || !netpoll.ParkIdle() {
			t.Fatalf("light %d, parked: GOMAXPROCS %d, netpoll parks %v", light, p, netpoll.ParkIdle())
		}
	}
}

// TestParkedPollersServe serves connections with netpoll's pollers parked,
// then blocking, then parked again, and checks from /proc which way they
// wait: netpoll calls epoll_wait (232 on amd64) while the Go runtime's
// netpoller calls epoll_pwait, so a thread sitting in 232 is a blocked
// poller.
func TestParkedPollersServe(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("tells the two waits apart by amd64's epoll_wait system call number")
	}
	defer netpoll.SetParkIdle(netpoll.ParkIdle())
	Configure(2)
	s, err := Listen("127.0.0.1:0", echo)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(time.Second)
	var conns []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	ping := func() {
		t.Helper()
		b := make([]byte, 4)
		for _, c := range conns {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			if _, err := c.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
				t.Fatalf("echo = %q, %v", b, err)
			}
		}
	}
	epfds := map[bool]int{}
	for _, park := range []bool{true, false, true} {
		netpoll.SetParkIdle(park)
		blocked := -1
		for range 100 {
			ping()
			time.Sleep(10 * time.Millisecond)
			if blocked = threadsInEpollWait(t); (blocked == 0) == park {
				break
			}
		}
		if (blocked == 0) != park {
			t.Fatalf("parked %v: %d threads blocked in epoll_wait", park, blocked)
		}
		epfds[park] = epollFDs(t)
	}
	// A parked poller holds a duplicate of its epoll fd in the runtime's
	// netpoller; a blocking one has closed it.
	if epfds[true] <= epfds[false] {
		t.Fatalf("epoll fds: %d parked, %d blocking", epfds[true], epfds[false])
	}
}

// TestPollersLoseNoWakeUp runs many concurrent round trips through
// pollers on one P, parked and then blocking, where events come in while a
// poller hands out the last ones and goes back to wait without looking
// again at timeout 0 (third_party/netpoll, PATCH.md): a wake-up lost there
// would leave a connection's echo unread until the deadline.
func TestPollersLoseNoWakeUp(t *testing.T) {
	defer netpoll.SetParkIdle(netpoll.ParkIdle())
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	Configure(2)
	s, err := Listen("127.0.0.1:0", echo)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(time.Second)
	for _, park := range []bool{true, false} {
		netpoll.SetParkIdle(park)
		const conns, rounds = 32, 300
		errs := make(chan error, conns)
		for i := range conns {
			go func() {
				errs <- func() error {
					c, err := net.Dial("tcp", s.Addr().String())
					if err != nil {
						return err
					}
					defer c.Close()
					b := make([]byte, 8)
					for r := range rounds {
						c.SetDeadline(time.Now().Add(2 * time.Second))
						if _, err := c.Write([]byte("ping0000")); err != nil {
							return err
						}
						if _, err := io.ReadFull(c, b); err != nil {
							return fmt.Errorf("parked %v, conn %d, round %d: %w", park, i, r, err)
						}
						if r%16 == i%16 {
							time.Sleep(time.Duration(i*7%50) * time.Microsecond)
						}
					}
					return nil
				}()
			}()
		}
		for range conns {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// threadsInEpollWait counts this process's threads sitting in epoll_wait.
func threadsInEpollWait(t *testing.T) int {
	return countProc(t, "/proc/self/task/*/syscall", func(p string) bool {
		b, err := os.ReadFile(p)
		return err == nil && strings.HasPrefix(string(b), "232 ")
	})
}

// epollFDs counts this process's epoll instances.
func epollFDs(t *testing.T) int {
	return countProc(t, "/proc/self/fd/*", func(p string) bool {
		l, err := os.Readlink(p)
		return err == nil && l == "anon_inode:[eventpoll]"
	})
}

func countProc(t *testing.T, glob string, match func(path string) bool) int {
	t.Helper()
	paths, err := filepath.Glob(glob)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range paths {
		if match(p) {
			n++
		}
	}
	return n
}

func TestCollectors(t *testing.T) {
	r := prometheus.NewRegistry()
	r.MustRegister(Collectors("test_agent")...)
	mfs, err := r.Gather()
	if err != nil || len(mfs) != 2 || mfs[0].GetName() != "test_agent_handler_runs_total" || mfs[1].GetName() != "test_agent_pollers_parked" {
		t.Fatalf("gathered %v, %v", mfs, err)
	}
	before := handlerRuns.Load()
	newWorkers().run(context.Background(), func() {})
	if got := handlerRuns.Load() - before; got != 1 {
		t.Fatalf("a handler run counted %d times", got)
	}
}

// TestParkLoopSleepsWhileQuiet runs the mode loop with parked pollers and
// no handler: it must go to sleep after a quiet period, wake at the next
// handler run, and sleep again once that is over.
func TestParkLoopSleepsWhileQuiet(t *testing.T) {
	defer netpoll.SetParkIdle(netpoll.ParkIdle())
	netpoll.SetParkIdle(true)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		parkMode{}.loop(1e9, 10*time.Millisecond, stop)
	}()
	defer func() { close(stop); <-done }()
	waitAsleep := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !parkSleeper.Asleep(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the loop did not go to sleep", what)
			}
		}
	}
	waitAsleep("quiet from the start")
	time.Sleep(50 * time.Millisecond)
	if !parkSleeper.Asleep() {
		t.Fatal("the loop woke with no handler run")
	}
	ran := make(chan struct{})
	newWorkers().run(context.Background(), func() { close(ran) })
	<-ran
	if parkSleeper.Asleep() {
		t.Fatal("still asleep after a handler run")
	}
	waitAsleep("quiet after a handler run")
}
