package lb

import "testing"

type conn struct{ up bool }

func isUp(c *conn) bool { return c.up }

func TestPickAllocs(t *testing.T) {
	var b SWRR[*conn]
	b.Update([]Item[*conn]{
		{Key: "a", Weight: 3, Value: &conn{up: true}},
		{Key: "b", Weight: 5, Value: &conn{up: false}},
		{Key: "c", Weight: 5, Value: &conn{up: true}},
	})
	if n := testing.AllocsPerRun(1000, func() { b.Pick() }); n != 0 {
		t.Fatalf("Pick: %v allocs/op, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { b.PickFunc(isUp) }); n != 0 {
		t.Fatalf("PickFunc: %v allocs/op, want 0", n)
	}
	s := NewSharded[*conn](2)
	s.Update([]Item[*conn]{{Key: "a", Weight: 1, Value: &conn{up: true}}})
	if n := testing.AllocsPerRun(1000, func() { s.Shard(1).Pick() }); n != 0 {
		t.Fatalf("Sharded Pick: %v allocs/op, want 0", n)
	}
}
