package lb

import (
	"sync"
	"testing"
)

func TestShardedIndependentShards(t *testing.T) {
	s := NewSharded[string](3)
	assertEq(t, s.Shards(), 3, "Shards")
	s.Update(items(5, 1, 1))
	for i := 0; i < s.Shards(); i++ {
		assertEq(t, s.Shard(i).Len(), 3, "shard Len")
	}
	// Picks on shard 0 do not move shard 1's rotation.
	seq(s.Shard(0), 3)
	assertEq(t, seq(s.Shard(1), 7), "a a b a c a a", "shard 1")
	assertEq(t, seq(s.Shard(0), 4), "a c a a", "shard 0 continues")
}

func TestShardedMinimumOneShard(t *testing.T) {
	s := NewSharded[int](0)
	assertEq(t, s.Shards(), 1, "Shards")
	if _, ok := s.Shard(0).Pick(); ok {
		t.Fatal("Pick on empty shard returned ok")
	}
}

func TestShardedConcurrent(t *testing.T) {
	const shards, per = 4, 6000
	s := NewSharded[string](shards)
	s.Update(items(1, 2, 3))
	counts := make([]map[string]int, shards)
	var wg sync.WaitGroup
	for i := 0; i < shards; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := map[string]int{}
			b := s.Shard(i)
			for j := 0; j < per; j++ {
				v, _ := b.Pick()
				c[v]++
			}
			counts[i] = c
		}()
	}
	wg.Wait()
	for i, c := range counts {
		if c["a"] != 1000 || c["b"] != 2000 || c["c"] != 3000 {
			t.Fatalf("shard %d split %v, want 1000/2000/3000", i, c)
		}
	}
}
