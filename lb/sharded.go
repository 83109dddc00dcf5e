package lb

// cacheLine is the padding that keeps neighbouring shards' mutexes and
// counters off one cache line (128 covers adjacent-line prefetch on x86).
const cacheLine = 128

// paddedSWRR keeps each shard on its own cache lines.
type paddedSWRR[T any] struct {
	SWRR[T]
	_ [cacheLine]byte
}

// Sharded holds one SWRR per shard (per event loop) so there is no global
// lock on the hot path: each event loop picks from its own shard, whose mutex
// is then never contended. All shards get the same items on Update, and each
// keeps its own rotation, so every shard on its own honours the weights.
//
// Sharded is safe for concurrent use. Create it with NewSharded; it must not
// be copied.
type Sharded[T any] struct {
	shards []paddedSWRR[T]
}

// NewSharded returns a Sharded with shards shards (at least 1) and no peers.
func NewSharded[T any](shards int) *Sharded[T] {
	if shards < 1 {
		shards = 1
	}
	return &Sharded[T]{shards: make([]paddedSWRR[T], shards)}
}

// Update gives items to every shard; see SWRR.Update. Each shard is updated
// under its own lock in turn, so for a moment some shards may still pick from
// the previous set. The caller keeps ownership of items.
func (s *Sharded[T]) Update(items []Item[T]) {
	for i := range s.shards {
		s.shards[i].Update(items)
	}
}

// Shard returns shard i, which stays valid for the life of s. i must be in
// [0, Shards()); Shard panics otherwise, as a slice index would.
func (s *Sharded[T]) Shard(i int) *SWRR[T] {
	return &s.shards[i].SWRR
}

// Shards returns the number of shards.
func (s *Sharded[T]) Shards() int { return len(s.shards) }
