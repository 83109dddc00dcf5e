package load

import (
	"errors"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"net"
	"strconv"
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
