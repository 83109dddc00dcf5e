package batch

import (
	"io"
	"testing"
	"time"
)

// TestGroupDefersToLastHandler: with other handlers busy, a pass's flush
// waits for the last of them; that one flushes every deferred Writer once.
func TestGroupDefersToLastHandler(t *testing.T) {
	var g Group
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	w.Join(&g)
	g.Enter() // three handlers queued
	g.Enter()
	g.Enter()
	for range 2 { // two of them write and finish
		var s Set
		s.Add(w)
		bw := w.Lock()
		bw.WriteString("frame\n")
		w.Unlock()
		s.Flush()
		if w.Flushes() != 0 {
			t.Fatal("flushed while other handlers were busy")
		}
		g.Leave()
	}
	g.Leave() // the last one writes nothing, but flushes the others' frames
	if f := w.Flushes(); f != 1 {
		t.Fatalf("flushes = %d, want 1", f)
	}
	buf := make([]byte, 12)
	sc.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.ReadFull(sc, buf); err != nil {
		t.Fatal(err)
	}
}

// TestGroupAloneFlushesInline: a handler alone flushes at once.
func TestGroupAloneFlushesInline(t *testing.T) {
	var g Group
	nc, _ := dialPair(t)
	w := NewWriter(nc, nil)
	w.Join(&g)
	g.Enter()
	var s Set
	s.Add(w)
	bw := w.Lock()
	bw.WriteString("x")
	w.Unlock()
	s.Flush()
	if f := w.Flushes(); f != 1 {
		t.Fatalf("flushes = %d, want 1", f)
	}
	g.Leave()
}

// TestGroupWatchdog: a handler that stays busy (blocked) does not hold
// other handlers' frames for longer than maxDefer.
func TestGroupWatchdog(t *testing.T) {
	var g Group
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	w.Join(&g)
	g.Enter() // blocked for the whole test
	g.Enter()
	var s Set
	s.Add(w)
	bw := w.Lock()
	bw.WriteString("frame\n")
	w.Unlock()
	start := time.Now()
	s.Flush()
	g.Leave()
	buf := make([]byte, 6)
	sc.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.ReadFull(sc, buf); err != nil {
		t.Fatal("a blocked handler held the frame: ", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("frame took %v", d)
	}
	g.Leave()
}

// TestSetPause: a paused handler has let go of its Writers, whose frames
// have left, and does not count as busy while it waits; it counts again
// after.
func TestSetPause(t *testing.T) {
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	var s Set
	s.Add(w)
	w.Lock().WriteString("x")
	w.Unlock()
	Handlers.Enter()
	defer Handlers.Leave()
	busy := Handlers.Busy()
	s.Pause(func() {
		if got := Handlers.Busy(); got != busy-1 {
			t.Errorf("busy while paused = %d, want %d", got, busy-1)
		}
		sc.SetReadDeadline(time.Now().Add(time.Second))
		b := make([]byte, 1)
		if _, err := io.ReadFull(sc, b); err != nil {
			t.Errorf("the frame written before the pause did not leave: %v", err)
		}
	})
	if got := Handlers.Busy(); got != busy {
		t.Fatalf("busy after the pause = %d, want %d", got, busy)
	}
	if s.Len() != 0 {
		t.Fatal("the set still holds its Writers")
	}
}
