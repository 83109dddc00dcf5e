package upstream

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// A path that dies with calls on it again and again (a flapping link) is
// redialed later and later: the first death waits probationBase before the
// next dial, the second twice that. A connection that lives long ends the
// series (TestProbationSeries, without sockets).
func TestProbationAfterDeaths(t *testing.T) {
	s := startPingServer(t)
	var got atomic.Int64
	var busy atomic.Bool
	downs := make(chan time.Time, 4)
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.OnDown = func(*batch.Writer) { downs <- time.Now() }
	c := Dial(cfg)
	defer c.Close()
	for i, want := range []time.Duration{probationBase, 2 * probationBase} {
		if !c.Ready(3 * time.Second) {
			t.Fatalf("death %d: not offered", i)
		}
		freezeWithCall(t, s, c, &busy)
		var died time.Time
		select {
		case died = <-downs:
		case <-time.After(3 * time.Second):
			t.Fatalf("death %d: not declared dead", i)
		}
		s.frozen.Store(false) // the path heals at once
		if !c.Ready(want + time.Second) {
			t.Fatalf("death %d: not offered again within %v", i, want+time.Second)
		}
		if back := time.Since(died); back < want {
			t.Fatalf("death %d: offered again %v after it, want at least %v", i, back, want)
		}
		busy.Store(false)
	}
}

func TestProbationSeries(t *testing.T) {
	var c Conn
	var got []time.Duration
	for range 8 {
		got = append(got, c.probation(true, time.Second))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30, 30}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("waits %v, want %v seconds", got, want)
		}
	}
	if d := c.probation(false, time.Second); d != 0 {
		t.Fatalf("after a connection that did not die: %v", d)
	}
	if d := c.probation(true, probationForget); d != probationBase {
		t.Fatalf("after a connection that lived %v: %v, want %v", probationForget, d, probationBase)
	}
}
