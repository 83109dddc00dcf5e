package jsonhessian

import (
	"bytes"
	"hash/maphash"
)

// internTable numbers distinct byte strings in the order they are first
// added: the class definitions and the types of one hessian stream. Lookups
// hash with a per-table random seed, so no input can make them slow. It
// reuses its memory after reset: in steady state add allocates nothing.
type internTable struct {
	seed  maphash.Seed
	arena []byte  // the keys, back to back
	ends  []int32 // ends[i] is where key i ends in arena
	slots []int32 // open addressing: key index + 1, or 0 for empty
	used  []int32 // slot of each key, to clear them on reset
}

// reset forgets every key.
func (t *internTable) reset() {
	for _, s := range t.used {
		t.slots[s] = 0
	}
	t.arena = t.arena[:0]
	t.ends = t.ends[:0]
	t.used = t.used[:0]
}

// key returns key i; it aliases the table until the next reset.
func (t *internTable) key(i int) []byte {
	start := int32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.arena[start:t.ends[i]]
}

// add returns the index of key, adding it when it is new; added says which.
func (t *internTable) add(key []byte) (idx int, added bool) {
	if len(t.slots) == 0 {
		t.seed = maphash.MakeSeed()
		t.slots = make([]int32, 16)
	}
	mask := len(t.slots) - 1
	s := int(maphash.Bytes(t.seed, key)) & mask
	for t.slots[s] != 0 {
		if i := int(t.slots[s] - 1); bytes.Equal(t.key(i), key) {
			return i, false
		}
		s = (s + 1) & mask
	}
	idx = len(t.ends)
	t.arena = append(t.arena, key...)
	t.ends = append(t.ends, int32(len(t.arena)))
	t.slots[s] = int32(idx + 1)
	t.used = append(t.used, int32(s))
	if 2*len(t.ends) > len(t.slots) {
		t.grow()
	}
	return idx, true
}

// grow doubles the slots and places every key again.
func (t *internTable) grow() {
	clear(t.slots)
	t.slots = append(t.slots, make([]int32, len(t.slots))...)
	mask := len(t.slots) - 1
	t.used = t.used[:0]
	for i := range t.ends {
		s := int(maphash.Bytes(t.seed, t.key(i))) & mask
		for t.slots[s] != 0 {
			s = (s + 1) & mask
		}
		t.slots[s] = int32(i + 1)
		t.used = append(t.used, int32(s))
	}
}
