package upstream

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// quietPeer dials a quiet pingServer (it answers pings only: its calls
// wait at a slow provider) with livenessConfig, writeTimeout for flushes
// and calls marked outstanding; downs gets the time of each OnDown. The
// server's receive buffer is 64 KiB: what its kernel has taken ahead of a
// ping, the peer must read within PingTimeout (80 ms here), and its
// window shows its reading only while the window is under half its size.
func quietPeer(t *testing.T, writeTimeout time.Duration) (s *pingServer, c *Conn, cfg Config, downs chan time.Time) {
	t.Helper()
	s = startPingServer(t)
	s.quiet.Store(true)
	s.rcvBuf.Store(64 << 10)
	var got atomic.Int64
	var busy atomic.Bool
	downs = make(chan time.Time, 4)
	cfg = livenessConfig(s.ln.Addr().String(), &got, &busy)
	cfg.WriteTimeout = writeTimeout
	cfg.OnDown = func(*batch.Writer) { downs <- time.Now() }
	c = dialReady(t, cfg)
	busy.Store(true)
	return s, c, cfg, downs
}

// sendBulk writes bulk on c's connection as the agents write a call (Active
// first, then the write and a flush that waits for room), on a goroutine;
// the channel is closed when the flush returns.
func sendBulk(c *Conn, bulk string) <-chan struct{} {
	flushed := make(chan struct{})
	w := c.Writer()
	go func() {
		defer close(flushed)
		c.Active()
		if bw := w.Lock(); bw != nil {
			bw.WriteString(bulk)
			w.Unlock()
		}
		w.Flush()
	}()
	return flushed
}

// A ping written behind megabytes of our own requests, which the peer reads
// at its own pace while its calls wait, is answered late for the caller's
// reasons, not the peer's: the connection is kept. Timed from when it was
// written, it would be declared dead within PingTimeout (80 ms here, for
// about a second of bytes ahead of it).
func TestPingBehindBulkData(t *testing.T) {
	s, c, cfg, downs := quietPeer(t, 0)
	s.readDelay.Store(int64(10 * time.Millisecond)) // 64 KiB each 10 ms: about 6 MB/s
	start := time.Now()
	sendBulk(c, strings.Repeat("x", 8<<20)+"\n")
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

// A peer that stops reading while our own flush waits for room in its
// socket (a frozen process under bulk traffic) is still found dead within
// about PingInterval + PingTimeout of its last byte taken: the ping does
// not wait behind that flush, and its clock runs from the last progress.
// Waiting for the writer, it would be found only when the flush's
// WriteTimeout (3 s here) ran out.
func TestFrozenPeerFoundUnderBulkData(t *testing.T) {
	s, c, cfg, downs := quietPeer(t, 3*time.Second)
	bulk := strings.Repeat("x", 64<<20) + "\n" // more than both sockets hold
	start := time.Now()
	s.frozen.Store(true)
	flushed := sendBulk(c, bulk)
	expectDown(t, downs, start, cfg.PingInterval+cfg.PingTimeout+500*time.Millisecond, "a frozen peer under bulk data")
	<-flushed
	s.frozen.Store(false)
}
