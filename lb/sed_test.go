package lb

import (
	"strings"
	"testing"
)

// sedPeer is a test peer whose load the test sets.
type sedPeer struct {
	name string
	Load
	down bool
}

func sedItems(peers ...*sedPeer) []Item[*sedPeer] {
	its := make([]Item[*sedPeer], len(peers))
	for i, p := range peers {
		its[i] = Item[*sedPeer]{Key: p.name, Weight: 1, Value: p}
	}
	return its
}

func up(p *sedPeer) bool     { return !p.down }
func loadOf(p *sedPeer) Load { return p.Load }
func weighted(its []Item[*sedPeer], w ...int) []Item[*sedPeer] {
	for i := range its {
		its[i].Weight = w[i]
	}
	return its
}

var testTie = Tie{Ratio: 0.05, Slack: 2, Busy: 0.5, MinBusy: 8}

// seqSED picks n times by PickSED, each pick adding a call to the peer
// picked when grow is set, and joins the names.
func seqSED(b *SWRR[*sedPeer], n int, grow bool) (string, int) {
	out := make([]string, n)
	moved := 0
	for i := range out {
		p, steered, ok := b.PickSED(up, loadOf, testTie)
		if !ok {
			out[i] = "-"
			continue
		}
		if steered {
			moved++
		}
		if grow {
			p.InFlight++
		}
		out[i] = p.name
	}
	return strings.Join(out, " "), moved
}

// TestSEDKeepsRoundRobinWhenLight: every peer with room and the same
// latency (noise within the tie): the round robin's exact order.
func TestSEDKeepsRoundRobinWhenLight(t *testing.T) {
	a := &sedPeer{name: "a", Load: Load{Capacity: 200, Latency: 50}}
	bb := &sedPeer{name: "b", Load: Load{Capacity: 200, Latency: 51.5}}
	c := &sedPeer{name: "c", Load: Load{Capacity: 0, Latency: 0}} // nothing known yet
	var sed, rr SWRR[*sedPeer]
	sed.Update(weighted(sedItems(a, bb, c), 5, 1, 1))
	rr.Update(weighted(sedItems(a, bb, c), 5, 1, 1))
	got, moved := seqSED(&sed, 70, true)
	var want []string
	for range 70 {
		p, _ := rr.Pick()
		want = append(want, p.name)
	}
	assertEq(t, got, strings.Join(want, " "), "order")
	assertEq(t, moved, 0, "steered")
}

// TestSEDRespectsCapacity: the race's providers with weights 1:2:3 and 200
// threads each, 512 calls placed: the round robin would put 256 on c; the
// picker fills c and then b to their capacity and gives a the rest, as the
// race's best hand-tuned weights (112:200:200) did.
func TestSEDRespectsCapacity(t *testing.T) {
	a := &sedPeer{name: "a", Load: Load{Capacity: 200, Latency: 50}}
	bb := &sedPeer{name: "b", Load: Load{Capacity: 200, Latency: 50}}
	c := &sedPeer{name: "c", Load: Load{Capacity: 200, Latency: 50}}
	var b SWRR[*sedPeer]
	b.Update(weighted(sedItems(a, bb, c), 1, 2, 3))
	_, moved := seqSED(&b, 512, true)
	assertEq(t, [3]int{a.InFlight, bb.InFlight, c.InFlight}, [3]int{112, 200, 200}, "calls placed")
	if moved == 0 {
		t.Fatal("no call steered off the round robin")
	}
	// Full everywhere: the next calls go where they wait least, spread
	// over all, never piled on one.
	seqSED(&b, 300, true)
	for _, p := range []*sedPeer{a, bb, c} {
		if p.InFlight > 312 || p.InFlight < 200 {
			t.Fatalf("over capacity: %d %d %d", a.InFlight, bb.InFlight, c.InFlight)
		}
	}
}

// TestSEDAvoidsSlowPeer: equal weights, but a's latency has grown (its CPU
// is saturated): once a is busy (half its capacity), calls go to the
// quicker peers while they have room.
func TestSEDAvoidsSlowPeer(t *testing.T) {
	a := &sedPeer{name: "a", Load: Load{Capacity: 200, Latency: 70}}
	bb := &sedPeer{name: "b", Load: Load{Capacity: 200, Latency: 50}}
	c := &sedPeer{name: "c", Load: Load{Capacity: 200, Latency: 50}}
	var b SWRR[*sedPeer]
	b.Update(sedItems(a, bb, c))
	got, moved := seqSED(&b, 6, true)
	assertEq(t, got, "a b c a b c", "order while a is not busy")
	assertEq(t, moved, 0, "steered while a is not busy")
	seqSED(&b, 450-6, true)
	assertEq(t, [3]int{a.InFlight, bb.InFlight, c.InFlight}, [3]int{100, 175, 175}, "calls placed")
	seqSED(&b, 62, true)
	assertEq(t, [3]int{a.InFlight, bb.InFlight, c.InFlight}, [3]int{112, 200, 200}, "b and c full: a takes the rest")
	// a within the tie of the others: the round robin again.
	a.Latency = 51
	a.InFlight, bb.InFlight, c.InFlight = 0, 0, 0
	_, moved = seqSED(&b, 60, true)
	assertEq(t, moved, 0, "steered once a is quick again")
}

// TestSEDUnavailableAndEmpty: an unavailable peer is never picked, even
// with room; none available or none at all is not ok.
func TestSEDUnavailableAndEmpty(t *testing.T) {
	a := &sedPeer{name: "a", Load: Load{Capacity: 10, Latency: 1}, down: true}
	bb := &sedPeer{name: "b", Load: Load{Capacity: 10, InFlight: 50, Latency: 1}}
	var b SWRR[*sedPeer]
	b.Update(sedItems(a, bb))
	for range 10 {
		p, _, ok := b.PickSED(up, loadOf, testTie)
		if !ok || p != bb {
			t.Fatalf("picked %v, %v; want b, the only one available", p, ok)
		}
	}
	bb.down = true
	if _, _, ok := b.PickSED(up, loadOf, testTie); ok {
		t.Fatal("picked with nothing available")
	}
	var empty SWRR[*sedPeer]
	if _, _, ok := empty.PickSED(up, loadOf, testTie); ok {
		t.Fatal("picked from an empty balancer")
	}
}

// TestSEDJoinAndLeave: a peer that joins takes its share at once (nothing
// known of it: tied with the quickest); one that leaves takes no more, and
// the others' rotation goes on.
func TestSEDJoinAndLeave(t *testing.T) {
	a := &sedPeer{name: "a", Load: Load{Capacity: 100, Latency: 50}}
	bb := &sedPeer{name: "b", Load: Load{Capacity: 100, Latency: 50}}
	var b SWRR[*sedPeer]
	b.Update(sedItems(a, bb))
	seqSED(&b, 20, true)
	c := &sedPeer{name: "c"}
	b.Update(sedItems(a, bb, c))
	seqSED(&b, 30, true)
	assertEq(t, [3]int{a.InFlight, bb.InFlight, c.InFlight}, [3]int{20, 20, 10}, "after c joined")
	b.Update(sedItems(a, c))
	seqSED(&b, 20, true)
	assertEq(t, [3]int{a.InFlight, bb.InFlight, c.InFlight}, [3]int{30, 20, 20}, "after b left")
	// c fills to a capacity learnt late: a takes the rest.
	c.Capacity, c.Latency = 20, 50
	seqSED(&b, 10, true)
	assertEq(t, [2]int{a.InFlight, c.InFlight}, [2]int{40, 20}, "c at its capacity")
}
