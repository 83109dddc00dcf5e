package upstream

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// A ping written behind megabytes of our own requests, which the peer reads
// at its own pace while its calls wait, is answered late for the caller's
// reasons, not the peer's: the connection is kept. Timed from when it was
// written, it would be declared dead within PingTimeout (80 ms here, for
// about a second of bytes ahead of it).
func TestPingBehindBulkData(t *testing.T) {
	s := startPingServer(t)
	s.quiet.Store(true)
	var got atomic.Int64
	var busy atomic.Bool
	downs := make(chan time.Time, 4)
	cfg := livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.OnDown = func(*batch.Writer) { downs <- time.Now() }
	c := dialReady(t, cfg)
	s.readDelay.Store(int64(10 * time.Millisecond)) // 64 KiB each 10 ms: about 6 MB/s

	busy.Store(true)
	w := c.Writer()
	start := time.Now()
	go func() {
		if bw := w.Lock(); bw != nil {
			bw.WriteString(strings.Repeat("x", 8<<20) + "\n")
			w.Unlock()
		}
		w.Flush()
		c.Active()
	}()
	waitUntil(t, "the bulk read", func() bool { return s.lines.Load() == 1 || len(downs) > 0 })
	pings := s.pings.Load()
	waitUntil(t, "a ping after the bulk", func() bool { return s.pings.Load() > pings || len(downs) > 0 })
	if len(downs) > 0 {
		t.Fatalf("a peer reading its bytes was declared dead %v after the bulk was written", (<-downs).Sub(start).Round(time.Millisecond))
	}
	if d := time.Since(start); d < 4*cfg.PingTimeout {
		t.Fatalf("the bulk was read in %v: too fast to put a ping behind it for longer than PingTimeout", d)
	}
	if c.Dials() != 1 || c.Writer() == nil {
		t.Fatalf("dials %d, offered %v: the connection must be kept", c.Dials(), c.Writer() != nil)
	}
	t.Logf("bulk read in %v, the ping behind it answered", time.Since(start).Round(time.Millisecond))
}
