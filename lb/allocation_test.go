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
	load := func(*conn) Load { return Load{InFlight: 3, Capacity: 200, Latency: 50} }
	tie := Tie{Ratio: 0.05, Slack: 2, Busy: 0.5, MinBusy: 8}
	if n := testing.AllocsPerRun(1000, func() { b.PickSED(isUp, load, tie) }); n != 0 {
		t.Fatalf("PickSED: %v allocs/op, want 0", n)
	}
	var r Report
	if n := testing.AllocsPerRun(1000, func() {
		r.Set(7, 100, 5)
		r.Estimate(101, 3, 6, Aging{Fresh: 10, Stale: 20})
	}); n != 0 {
		t.Fatalf("Report: %v allocs/op, want 0", n)
	}
	s := NewSharded[*conn](2)
	s.Update([]Item[*conn]{{Key: "a", Weight: 1, Value: &conn{up: true}}})
	if n := testing.AllocsPerRun(1000, func() { s.Shard(1).Pick() }); n != 0 {
		t.Fatalf("Sharded Pick: %v allocs/op, want 0", n)
	}
}
