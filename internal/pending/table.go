package pending

import (
	"sync"
	"sync/atomic"
)

// Table holds the calls in flight on one event loop, keyed by a uint32 id.
//
// Table is safe for concurrent use. Add takes a short mutex to pop a free
// slot; Take and Expire claim a slot with a single compare-and-swap, so an
// answer and its deadline can race safely and exactly one of them wins. None
// of the methods allocate.
type Table[T any] struct {
	slots []slot[T]
	mask  uint32
	bits  uint
	mu    sync.Mutex
	free  []uint32 // stack of free slot indexes, guarded by mu
	gen   []uint32 // next generation per slot, guarded by mu
	live  atomic.Int64
	// due is when Sweep looks next (UnixNano), noDeadline while it waits
	// for a deadline; kick wakes it for an earlier one (sweep.go).
	due  atomic.Int64
	kick chan struct{}
}

type slot[T any] struct {
	// id is the id of the call that owns the slot, or 0 when it is free.
	id       atomic.Uint32
	deadline atomic.Int64
	tag      atomic.Uint64
	val      T
}

// New returns a table with room for size calls, rounded up to a power of two
// (at least 2, at most 1<<20).
func New[T any](size int) *Table[T] {
	bits := uint(1)
	for 1<<bits < size && bits < 20 {
		bits++
	}
	n := uint32(1) << bits
	t := &Table[T]{
		slots: make([]slot[T], n),
		mask:  n - 1,
		bits:  bits,
		free:  make([]uint32, n),
		gen:   make([]uint32, n),
		kick:  make(chan struct{}, 1),
	}
	t.due.Store(noDeadline)
	for i := range t.free {
		t.free[i] = n - 1 - uint32(i)
		t.gen[i] = 1
	}
	return t
}

// Cap returns the number of calls the table can hold.
func (t *Table[T]) Cap() int { return len(t.slots) }

// Len returns the number of calls in flight.
func (t *Table[T]) Len() int { return int(t.live.Load()) }

// Add stores v until Take, Expire or TakeTagged claims it, and returns its
// id, which is never 0. tag groups calls for TakeTagged, typically the
// connection the call rides on. deadline is in the caller's clock (e.g.
// UnixNano); 0 means none. ok is false when the table is full.
func (t *Table[T]) Add(v T, tag uint64, deadline int64) (id uint32, ok bool) {
	t.mu.Lock()
	n := len(t.free)
	if n == 0 {
		t.mu.Unlock()
		return 0, false
	}
	idx := t.free[n-1]
	t.free = t.free[:n-1]
	g := t.gen[idx]
	next := g + 1
	if next >= 1<<(32-t.bits) {
		next = 1 // wrap, skipping generation 0 so that ids are never 0
	}
	t.gen[idx] = next
	t.mu.Unlock()

	id = g<<t.bits | idx
	s := &t.slots[idx]
	s.val = v
	s.tag.Store(tag)
	s.deadline.Store(deadline)
	s.id.Store(id) // publishes val
	t.live.Add(1)
	if deadline != 0 && deadline < t.due.Load() {
		t.wakeFor(deadline)
	}
	return id, true
}

// Index returns the slot that id occupies, in [0, Cap()). Calls in flight at
// the same time have distinct indexes, so a caller may keep data of its own
// per call in a slice of Cap() entries indexed by Index. An index is reused
// as soon as its call is claimed: data kept that way must be checked against
// the id it was written for.
func (t *Table[T]) Index(id uint32) int { return int(id & t.mask) }

// Live reports whether the call with the given id is still waiting. The
// answer may change at once; use it to skip work for a call that is gone.
func (t *Table[T]) Live(id uint32) bool {
	return id != 0 && t.slots[id&t.mask].id.Load() == id
}

// Take claims the call with the given id and removes it. ok is false when
// the id is unknown, stale or already claimed.
func (t *Table[T]) Take(id uint32) (v T, ok bool) {
	if id == 0 {
		return v, false
	}
	s := &t.slots[id&t.mask]
	if !s.id.CompareAndSwap(id, 0) {
		return v, false
	}
	return t.release(id&t.mask, s), true
}

// release returns the value of a claimed slot and frees it.
func (t *Table[T]) release(idx uint32, s *slot[T]) T {
	v := s.val
	var zero T
	s.val = zero
	t.live.Add(-1)
	t.mu.Lock()
	t.free = append(t.free, idx)
	t.mu.Unlock()
	return v
}

// Expire claims every call whose deadline is at or before now and passes it
// to fn, outside any lock. It returns the number expired.
func (t *Table[T]) Expire(now int64, fn func(id uint32, v T)) int {
	return t.claim(func(s *slot[T]) bool {
		d := s.deadline.Load()
		return d != 0 && d <= now
	}, fn)
}

// TakeTagged claims every call added with tag and passes it to fn. Use it to
// fail the calls that were riding on a connection that died.
func (t *Table[T]) TakeTagged(tag uint64, fn func(id uint32, v T)) int {
	return t.claim(func(s *slot[T]) bool { return s.tag.Load() == tag }, fn)
}

func (t *Table[T]) claim(match func(s *slot[T]) bool, fn func(id uint32, v T)) int {
	n := 0
	for i := range t.slots {
		s := &t.slots[i]
		id := s.id.Load()
		// match reads only atomics. If the slot changes owner after the
		// load above, the compare-and-swap below fails.
		if id == 0 || !match(s) {
			continue
		}
		if !s.id.CompareAndSwap(id, 0) {
			continue
		}
		fn(id, t.release(uint32(i), s))
		n++
	}
	return n
}
