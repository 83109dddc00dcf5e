package lb

import "sync"

// Item is one peer with its weight and a stable key.
//
// Key identifies the peer across updates (for example its host:port): a peer
// whose Key appears in two successive updates keeps its place in the
// rotation. Value is what Pick returns; it is copied, so large values are
// best held by pointer. An item with Weight < 1 is never picked.
type Item[T any] struct {
	Key    string
	Weight int
	Value  T
}

// peer is an Item plus its running current weight.
type peer[T any] struct {
	key     string
	weight  int
	current int
	value   T
}

// SWRR picks among peers by smooth weighted round robin.
//
// The zero value is an empty balancer ready for use. SWRR is safe for
// concurrent use: a short mutex guards each pick and each update. It must not
// be copied after first use.
type SWRR[T any] struct {
	mu    sync.Mutex
	peers []peer[T]
	total int // sum of all peers' weights
	// scratch holds one entry per peer for PickSED (sed.go).
	scratch []sedScratch
}

// Update replaces the set of peers with items.
//
// Peers whose Key survives keep their current weight (and take the new
// weight), so an update does not reset the spread; new peers start at 0.
// Items with Weight < 1 are dropped, and of several items with the same Key
// only the first is kept. Update copies what it needs: the caller keeps
// ownership of items. It allocates and is meant for registry changes, not for
// the per-request path.
func (b *SWRR[T]) Update(items []Item[T]) {
	b.mu.Lock()
	defer b.mu.Unlock()

	old := make(map[string]int, len(b.peers))
	for _, p := range b.peers {
		old[p.key] = p.current
	}
	seen := make(map[string]struct{}, len(items))
	peers := make([]peer[T], 0, len(items))
	total := 0
	for _, it := range items {
		if it.Weight < 1 {
			continue
		}
		if _, dup := seen[it.Key]; dup {
			continue
		}
		seen[it.Key] = struct{}{}
		peers = append(peers, peer[T]{
			key:     it.Key,
			weight:  it.Weight,
			current: old[it.Key], // 0 for a new peer
			value:   it.Value,
		})
		total += it.Weight
	}
	b.peers = peers
	b.total = total
	b.scratch = make([]sedScratch, len(peers))
}

// Pick returns the next peer's Value, or false when there are no peers.
// It allocates nothing.
func (b *SWRR[T]) Pick() (T, bool) {
	b.mu.Lock()
	best := -1
	for i := range b.peers {
		p := &b.peers[i]
		p.current += p.weight
		if best < 0 || p.current > b.peers[best].current {
			best = i
		}
	}
	if best < 0 {
		b.mu.Unlock()
		var zero T
		return zero, false
	}
	b.peers[best].current -= b.total
	v := b.peers[best].value
	b.mu.Unlock()
	return v, true
}

// PickFunc is Pick over the peers for which available returns true; the
// others are skipped as nginx skips its down peers: their current weight is
// left as it is and their weight does not count in this pick's total.
// It returns false when no peer is available.
//
// available is called with the mutex held, once per peer: it must be quick
// and must not call back into b. PickFunc allocates nothing as long as
// available does not (a non-capturing func or a method value created once).
func (b *SWRR[T]) PickFunc(available func(T) bool) (T, bool) {
	b.mu.Lock()
	best, total := -1, 0
	for i := range b.peers {
		p := &b.peers[i]
		if !available(p.value) {
			continue
		}
		p.current += p.weight
		total += p.weight
		if best < 0 || p.current > b.peers[best].current {
			best = i
		}
	}
	if best < 0 {
		b.mu.Unlock()
		var zero T
		return zero, false
	}
	b.peers[best].current -= total
	v := b.peers[best].value
	b.mu.Unlock()
	return v, true
}

// Len returns the number of peers that can be picked.
func (b *SWRR[T]) Len() int {
	b.mu.Lock()
	n := len(b.peers)
	b.mu.Unlock()
	return n
}
