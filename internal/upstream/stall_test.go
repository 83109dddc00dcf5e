package upstream

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// A peer whose process stops answering while its kernel acknowledges (the
// pingServer frozen in this process, as a JVM in a stop-the-world pause)
// stalls the connection instead of killing it: no new call is offered it,
// the call in flight is answered once the peer resumes, and the stall
// ends. A stall past StallLimit is death.
func TestStallKeepsConnection(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	stalls := make(chan bool, 8)
	downs := make(chan time.Time, 4)
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.StallLimit = 1500 * time.Millisecond
	cfg.OnStall = func(stalled bool) { stalls <- stalled }
	cfg.OnDown = func(*batch.Writer) { downs <- time.Now() }
	c := dialReady(t, cfg)
	start := time.Now()
	freezeWithCall(t, s, c, &busy)
	select {
	case st := <-stalls:
		if !st {
			t.Fatal("OnStall(false) before any stall")
		}
		t.Logf("stalled %v after the call", time.Since(start).Round(time.Millisecond))
	case <-downs:
		t.Fatal("a peer whose kernel acknowledges was declared dead")
	case <-time.After(3 * time.Second):
		t.Fatal("no stall")
	}
	if c.Writer() != nil || !c.Stalled() {
		t.Fatalf("stalled connection: Writer %v, Stalled %v; want no Writer, stalled", c.Writer(), c.Stalled())
	}
	time.Sleep(300 * time.Millisecond)
	if len(downs) != 0 {
		t.Fatal("declared dead during the stall")
	}

	s.frozen.Store(false) // the pause ends
	select {
	case st := <-stalls:
		if st {
			t.Fatal("stalled again instead of resuming")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the stall did not end when the peer answered")
	}
	if c.Writer() == nil || c.Stalled() {
		t.Fatal("not offered again after the stall")
	}
	waitUntil(t, "the call's answer", func() bool { return got.Load() >= int64(len("ok:call\n")) })
	if len(downs) != 0 {
		t.Fatal("the connection was lost")
	}

	// A pause longer than StallLimit: dead.
	s.frozen.Store(true)
	start = time.Now()
	send(t, c, "call2\n")
	select {
	case at := <-downs:
		d := at.Sub(start)
		if lo, hi := cfg.PingTimeout+cfg.StallLimit, cfg.PingInterval+cfg.PingTimeout+cfg.StallLimit+500*time.Millisecond; d < lo || d > hi {
			t.Fatalf("declared dead %v after the call, want between %v and %v", d, lo, hi)
		}
	case <-time.After(6 * time.Second):
		t.Fatal("a stall past StallLimit was not declared dead")
	}
	s.frozen.Store(false)
}
