package load

import (
	"errors"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func run(t *testing.T, cfg Config, d time.Duration) Result {
	t.Helper()
	g, err := Start(cfg)
	noErr(t, err)
	time.Sleep(d / 2)
	g.Reset() // the first half is a warm-up
	time.Sleep(d / 2)
	if p := g.Progress(); p.Elapsed <= 0 || p.Elapsed > 10*d {
		t.Errorf("progress elapsed %v", p.Elapsed)
	}
	res := g.Stop()
	g.Close()
	return res
}

func TestGeneratorCorrect(t *testing.T) {
	res := run(t, Config{Addr: hashServer(t, nil), Conns: 4, Seed: 1}, 400*time.Millisecond)
	if res.Correct == 0 || res.Wrong != 0 || res.Failed != 0 {
		t.Fatalf("correct %d wrong %d failed %d %v", res.Correct, res.Wrong, res.Failed, res.Statuses)
	}
	eq(t, "histogram count", res.Latency.TotalCount(), res.Calls())
	if res.Duration < 200*time.Millisecond || res.Duration > 2*time.Second {
		t.Fatalf("window %v, want 200ms and a little more", res.Duration)
	}
	if res.QPS() <= 0 {
		t.Fatal("no qps")
	}
}

func TestGeneratorSortsOutcomes(t *testing.T) {
	addr := hashServer(t, func(p string) (int, string) {
		switch len(p) % 3 {
		case 0:
			return 200, strconv.Itoa(int(javahash.String([]byte(p))))
		case 1:
			return 200, "wrong"
		}
		return 503, "error: overloaded\n"
	})
	res := run(t, Config{Addr: addr, Conns: 4}, 400*time.Millisecond)
	if res.Correct == 0 || res.Wrong == 0 || res.Failed == 0 {
		t.Fatalf("correct %d wrong %d failed %d", res.Correct, res.Wrong, res.Failed)
	}
	eq(t, "503s", res.Statuses[503], res.Failed)
	eq(t, "io errors", res.IOErrors, int64(0))
}

func TestGeneratorCountsDialFailures(t *testing.T) {
	res := run(t, Config{Addr: deadAddr(t), Conns: 2}, 300*time.Millisecond)
	if res.Failed == 0 || res.IOErrors != res.Failed || res.Correct != 0 {
		t.Fatalf("failed %d io %d correct %d", res.Failed, res.IOErrors, res.Correct)
	}
}

func TestGeneratorCloseUnblocksHungCalls(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // read nothing, answer nothing
		}
	}()
	g, err := Start(Config{Addr: ln.Addr().String(), Conns: 3, Timeout: time.Minute})
	noErr(t, err)
	time.Sleep(100 * time.Millisecond)
	done := make(chan struct{})
	go func() { g.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not return")
	}
}

func TestStartRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Addr: "127.0.0.1:1", Conns: 0}, {Addr: "nowhere", Conns: 1}} {
		if _, err := Start(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: error %v, want ErrConfig", cfg, err)
		}
	}
}

// countingObserver tallies what it is told, per outcome and status.
type countingObserver struct {
	mu       sync.Mutex
	outcomes [3]int64
	statuses map[int]int64
	badConn  int
	badTime  int
	conns    int
}

func (o *countingObserver) Observe(conn int, oc Outcome, status int, end time.Time, latency time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.outcomes[oc]++
	if oc == Failed {
		o.statuses[status]++
	}
	if conn < 0 || conn >= o.conns {
		o.badConn++
	}
	if latency <= 0 || end.IsZero() || time.Since(end) < 0 {
		o.badTime++
	}
}

func TestGeneratorObserverSeesEveryCall(t *testing.T) {
	addr := hashServer(t, func(p string) (int, string) {
		if len(p)%2 == 0 {
			return 200, strconv.Itoa(int(javahash.String([]byte(p))))
		}
		return 502, "error: lost\n"
	})
	obs := &countingObserver{statuses: map[int]int64{}, conns: 3}
	g, err := Start(Config{Addr: addr, Conns: 3, Observer: obs})
	noErr(t, err)
	time.Sleep(300 * time.Millisecond)
	res := g.Stop() // the window began at Start: it saw what the observer saw so far
	obs.mu.Lock()
	seen := obs.outcomes
	obs.mu.Unlock()
	g.Close()
	if res.Correct == 0 || res.Failed == 0 {
		t.Fatalf("correct %d failed %d", res.Correct, res.Failed)
	}
	// A call is recorded, then observed, so at Stop at most one call per
	// connection is counted but not yet observed; calls that end between
	// Stop and the snapshot are observed only: a few.
	if d := seen[Correct] + seen[Failed] - res.Calls(); d < -3 || d > res.Calls()/10 {
		t.Fatalf("observer saw %v, window counted %d calls", seen, res.Calls())
	}
	eq(t, "wrong", seen[Wrong], int64(0))
	eq(t, "bad conn indices", obs.badConn, 0)
	eq(t, "bad times", obs.badTime, 0)
	eq(t, "statuses", len(obs.statuses), 1)
	if obs.statuses[502] < res.Statuses[502] {
		t.Fatalf("observer saw %d 502s, window %d", obs.statuses[502], res.Statuses[502])
	}
}

// TestAddrsSplitConnections: with Addrs, the connections are split
// between the servers, and every answer is checked as with one.
func TestAddrsSplitConnections(t *testing.T) {
	var na, nb atomic.Int64
	count := func(n *atomic.Int64) func(string) (int, string) {
		return func(p string) (int, string) {
			n.Add(1)
			return 200, strconv.Itoa(int(javahash.String([]byte(p))))
		}
	}
	a, b := hashServer(t, count(&na)), hashServer(t, count(&nb))
	res := run(t, Config{Addrs: []string{a, b}, Conns: 4, Seed: 1}, 400*time.Millisecond)
	if res.Correct == 0 || res.Wrong != 0 || res.Failed != 0 {
		t.Fatalf("correct %d wrong %d failed %d %v", res.Correct, res.Wrong, res.Failed, res.Statuses)
	}
	if na.Load() == 0 || nb.Load() == 0 {
		t.Fatalf("calls %d and %d, want both servers driven", na.Load(), nb.Load())
	}
	if _, err := Start(Config{Addrs: []string{a, "nohost"}, Conns: 1}); !errors.Is(err, ErrConfig) {
		t.Fatalf("a bad address in Addrs: %v, want ErrConfig", err)
	}
}
