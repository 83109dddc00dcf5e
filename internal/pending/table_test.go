package pending

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAddTake(t *testing.T) {
	tb := New[string](4)
	if tb.Cap() != 4 {
		t.Fatalf("cap = %d, want 4", tb.Cap())
	}
	id, ok := tb.Add("a", 1, 0)
	if !ok || id == 0 {
		t.Fatalf("Add = %d, %v", id, ok)
	}
	if tb.Len() != 1 {
		t.Fatalf("len = %d", tb.Len())
	}
	v, ok := tb.Take(id)
	if !ok || v != "a" {
		t.Fatalf("Take = %q, %v", v, ok)
	}
	if _, ok := tb.Take(id); ok {
		t.Fatal("second Take succeeded")
	}
	if tb.Len() != 0 {
		t.Fatalf("len = %d", tb.Len())
	}
}

func TestStaleIDAfterReuse(t *testing.T) {
	tb := New[int](2)
	id1, _ := tb.Add(1, 0, 0)
	tb.Take(id1)
	// Fill the table so that id1's slot is reused.
	id2, _ := tb.Add(2, 0, 0)
	id3, _ := tb.Add(3, 0, 0)
	if id2 == id1 || id3 == id1 {
		t.Fatalf("reused id %d", id1)
	}
	if _, ok := tb.Take(id1); ok {
		t.Fatal("stale id was accepted")
	}
	if v, ok := tb.Take(id2); !ok || v != 2 {
		t.Fatalf("Take(id2) = %d, %v", v, ok)
	}
}

func TestFull(t *testing.T) {
	tb := New[int](2)
	tb.Add(1, 0, 0)
	tb.Add(2, 0, 0)
	if _, ok := tb.Add(3, 0, 0); ok {
		t.Fatal("Add on a full table succeeded")
	}
}

func TestGenerationWrapSkipsZero(t *testing.T) {
	tb := New[int](2)
	seen := map[uint32]bool{}
	for i := 0; i < 1<<20; i++ {
		id, ok := tb.Add(i, 0, 0)
		if !ok || id == 0 {
			t.Fatalf("Add #%d = %d, %v", i, id, ok)
		}
		if i < 1000 {
			if seen[id] {
				t.Fatalf("id %d repeated early", id)
			}
			seen[id] = true
		}
		if v, ok := tb.Take(id); !ok || v != i {
			t.Fatalf("Take #%d = %d, %v", i, v, ok)
		}
	}
}

func TestExpire(t *testing.T) {
	tb := New[int](8)
	a, _ := tb.Add(1, 0, 100)
	b, _ := tb.Add(2, 0, 200)
	c, _ := tb.Add(3, 0, 0) // no deadline
	var got []int
	n := tb.Expire(150, func(id uint32, v int) {
		if id != a {
			t.Errorf("expired id %d, want %d", id, a)
		}
		got = append(got, v)
	})
	if n != 1 || len(got) != 1 || got[0] != 1 {
		t.Fatalf("Expire = %d %v", n, got)
	}
	if _, ok := tb.Take(a); ok {
		t.Fatal("expired call still takeable")
	}
	if n := tb.Expire(1<<62, func(uint32, int) {}); n != 1 {
		t.Fatalf("second Expire = %d, want 1 (call c has no deadline)", n)
	}
	if _, ok := tb.Take(b); ok {
		t.Fatal("b survived expiry")
	}
	if v, ok := tb.Take(c); !ok || v != 3 {
		t.Fatal("c lost")
	}
}

func TestTakeTagged(t *testing.T) {
	tb := New[int](8)
	tb.Add(1, 7, 0)
	keep, _ := tb.Add(2, 8, 0)
	tb.Add(3, 7, 0)
	sum := 0
	if n := tb.TakeTagged(7, func(_ uint32, v int) { sum += v }); n != 2 || sum != 4 {
		t.Fatalf("TakeTagged = %d, sum %d", n, sum)
	}
	if v, ok := tb.Take(keep); !ok || v != 2 {
		t.Fatal("untagged call lost")
	}
}

// TestRaceTakeExpire checks that an answer and its deadline racing for the
// same call never both win.
func TestRaceTakeExpire(t *testing.T) {
	tb := New[int](1024)
	var wins atomic.Int64
	const n = 20000
	ids := make(chan uint32, 1024)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			for {
				id, ok := tb.Add(i, uint64(i%3), 1)
				if ok {
					ids <- id
					break
				}
			}
		}
		close(ids)
	}()
	go func() {
		defer wg.Done()
		for id := range ids {
			if _, ok := tb.Take(id); ok {
				wins.Add(1)
			}
		}
	}()
	stop := make(chan struct{})
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			wins.Add(int64(tb.Expire(2, func(uint32, int) {})))
		}
	}()
	// Wait for the producer and taker, then stop the sweeper.
	for tb.Len() > 0 || len(ids) > 0 {
		tb.Expire(2, func(uint32, int) { wins.Add(1) })
	}
	close(stop)
	wg.Wait()
	wins.Add(int64(tb.Expire(2, func(uint32, int) {})))
	if wins.Load() != n {
		t.Fatalf("claims = %d, want exactly %d", wins.Load(), n)
	}
}

func TestAllocs(t *testing.T) {
	tb := New[*int](64)
	x := 1
	allocs := testing.AllocsPerRun(1000, func() {
		id, _ := tb.Add(&x, 1, 5)
		tb.Take(id)
	})
	if allocs != 0 {
		t.Fatalf("Add+Take allocs = %v, want 0", allocs)
	}
}

func BenchmarkAddTake(b *testing.B) {
	tb := New[*int](4096)
	x := 1
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		id, _ := tb.Add(&x, 1, 5)
		tb.Take(id)
	}
}

func BenchmarkAddTakeParallel(b *testing.B) {
	tb := New[*int](4096)
	x := 1
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id, _ := tb.Add(&x, 1, 5)
			tb.Take(id)
		}
	})
}

func BenchmarkExpireScan(b *testing.B) {
	tb := New[*int](8192)
	x := 1
	for i := 0; i < 512; i++ {
		tb.Add(&x, 1, 1<<62)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tb.Expire(100, nil)
	}
}

func TestSweep(t *testing.T) {
	tb := New[int](8)
	tb.Add(1, 0, time.Now().Add(20*time.Millisecond).UnixNano())
	keep, _ := tb.Add(2, 0, 0)
	expired := make(chan int, 1)
	flushed := make(chan struct{}, 8)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		tb.Sweep(5*time.Millisecond, stop, func(_ uint32, v int) { expired <- v }, func() { flushed <- struct{}{} })
		close(done)
	}()
	select {
	case v := <-expired:
		if v != 1 {
			t.Fatalf("expired %d", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("deadline not enforced")
	}
	<-flushed
	close(stop)
	<-done
	if _, ok := tb.Take(keep); !ok {
		t.Fatal("call without deadline expired")
	}
}

func TestLive(t *testing.T) {
	tb := New[int](4)
	id, _ := tb.Add(1, 0, 0)
	if !tb.Live(id) || tb.Live(0) || tb.Live(id+1) {
		t.Fatal("Live wrong before Take")
	}
	tb.Take(id)
	if tb.Live(id) {
		t.Fatal("Live after Take")
	}
}

func TestIndex(t *testing.T) {
	tb := New[int](8)
	seen := map[int]bool{}
	var ids []uint32
	for i := range tb.Cap() {
		id, ok := tb.Add(i, 0, 0)
		if !ok {
			t.Fatal("Add failed")
		}
		ids = append(ids, id)
		x := tb.Index(id)
		if x < 0 || x >= tb.Cap() || seen[x] {
			t.Fatalf("Index(%d) = %d: out of range or shared", id, x)
		}
		seen[x] = true
	}
	// A freed slot is reused under a new id with the same index.
	x := tb.Index(ids[3])
	tb.Take(ids[3])
	id, _ := tb.Add(99, 0, 0)
	if id == ids[3] || tb.Index(id) != x {
		t.Fatalf("reused slot: id %d index %d, want a new id with index %d", id, tb.Index(id), x)
	}
}

// sweeper runs tb.Sweep until the test ends and returns the values it
// expires.
func sweeper(t *testing.T, tb *Table[int]) <-chan int {
	t.Helper()
	expired := make(chan int, 16)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		tb.Sweep(5*time.Millisecond, stop, func(_ uint32, v int) { expired <- v }, nil)
		close(done)
	}()
	t.Cleanup(func() { close(stop); <-done })
	return expired
}

// TestSweepSleepsWhenNothingIsDue: with no deadline in the table the
// sweeper waits for Add, and wakes for a deadline earlier than the one it
// waits for.
func TestSweepSleepsWhenNothingIsDue(t *testing.T) {
	tb := New[int](8)
	tb.Add(0, 0, 0) // no deadline: nothing to wait for
	expired := sweeper(t, tb)
	deadline := time.Now().Add(2 * time.Second)
	for tb.due.Load() != noDeadline {
		if time.Now().After(deadline) {
			t.Fatalf("sweeper due at %d with no deadline in the table", tb.due.Load())
		}
		time.Sleep(time.Millisecond)
	}
	tb.Add(1, 0, time.Now().Add(time.Hour).UnixNano())
	for tb.due.Load() == noDeadline {
		time.Sleep(time.Millisecond)
	}
	tb.Add(2, 0, time.Now().Add(20*time.Millisecond).UnixNano())
	select {
	case v := <-expired:
		if v != 2 {
			t.Fatalf("expired %d, want 2", v)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("an earlier deadline did not wake the sweeper")
	}
	select {
	case v := <-expired:
		t.Fatalf("expired %d an hour early", v)
	case <-time.After(30 * time.Millisecond):
	}
}

// TestSweepManyDeadlines: calls added while the sweeper runs, with
// deadlines in any order, all expire, none early.
func TestSweepManyDeadlines(t *testing.T) {
	tb := New[int](256)
	expired := sweeper(t, tb)
	start := time.Now()
	const n = 200
	for i := range n {
		d := time.Duration((i*37)%50) * time.Millisecond
		tb.Add(int(d), 0, start.Add(d).UnixNano())
		if i%20 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	for range n {
		select {
		case v := <-expired:
			if late := time.Since(start); late < time.Duration(v) {
				t.Fatalf("call due at +%v expired at +%v", time.Duration(v), late)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("only some deadlines enforced; %d calls left", tb.Len())
		}
	}
}

func TestAddWithDeadlineAllocatesNothing(t *testing.T) {
	tb := New[int](4)
	tb.due.Store(0) // a sweeper due long ago: Add never kicks
	far := time.Now().Add(time.Hour).UnixNano()
	if n := testing.AllocsPerRun(1000, func() {
		id, _ := tb.Add(1, 0, far)
		tb.Take(id)
	}); n != 0 {
		t.Fatalf("Add and Take allocate %v times", n)
	}
}
