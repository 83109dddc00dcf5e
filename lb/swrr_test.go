package lb

import (
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func assertEq[V comparable](t *testing.T, got, want V, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// items builds string-valued items named "a", "b", ... with the given weights.
func items(weights ...int) []Item[string] {
	its := make([]Item[string], len(weights))
	for i, w := range weights {
		name := string(rune('a' + i))
		its[i] = Item[string]{Key: name, Weight: w, Value: name}
	}
	return its
}

// seq picks n times and joins the results with spaces.
func seq(b *SWRR[string], n int) string {
	out := make([]string, n)
	for i := range out {
		v, ok := b.Pick()
		if !ok {
			v = "-"
		}
		out[i] = v
	}
	return strings.Join(out, " ")
}

// nginxPeer and nginxPick are a literal port of nginx's
// ngx_http_upstream_get_peer (ngx_http_upstream_round_robin.c), kept
// independent of SWRR as the reference it is checked against.
type nginxPeer struct {
	name                       string
	weight, effective, current int
	down                       bool
}

func nginxPick(peers []*nginxPeer) *nginxPeer {
	var best *nginxPeer
	total := 0
	for _, p := range peers {
		if p.down {
			continue
		}
		p.current += p.effective
		total += p.effective
		if p.effective < p.weight {
			p.effective++
		}
		if best == nil || p.current > best.current {
			best = p
		}
	}
	if best == nil {
		return nil
	}
	best.current -= total
	return best
}

func TestSequenceNginx511(t *testing.T) {
	var b SWRR[string]
	b.Update(items(5, 1, 1))
	assertEq(t, seq(&b, 14), "a a b a c a a a a b a c a a", "5:1:1")
}

func TestSequenceNginx123(t *testing.T) {
	var b SWRR[string]
	b.Update(items(1, 2, 3))
	assertEq(t, seq(&b, 12), "c b a c b c c b a c b c", "1:2:3")
}

func TestMatchesNginxRandomWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		n := 1 + r.IntN(6)
		weights := make([]int, n)
		ref := make([]*nginxPeer, n)
		for i := range weights {
			weights[i] = 1 + r.IntN(20)
			ref[i] = &nginxPeer{name: string(rune('a' + i)), weight: weights[i], effective: weights[i]}
		}
		var b SWRR[string]
		b.Update(items(weights...))
		for i := 0; i < 500; i++ {
			got, _ := b.Pick()
			want := nginxPick(ref).name
			if got != want {
				t.Fatalf("weights %v, pick %d: got %s, nginx %s", weights, i, got, want)
			}
		}
	}
}

func TestSplitExact(t *testing.T) {
	var b SWRR[string]
	b.Update(items(1, 2, 3))
	counts := map[string]int{}
	for i := 0; i < 6000; i++ {
		v, ok := b.Pick()
		if !ok {
			t.Fatal("Pick: no peer")
		}
		counts[v]++
	}
	assertEq(t, counts["a"], 1000, "a")
	assertEq(t, counts["b"], 2000, "b")
	assertEq(t, counts["c"], 3000, "c")
}

// maxRun returns the longest run of one value in picks.
func maxRun(b *SWRR[string], n int) (string, int) {
	best, bestLen, prev, run := "", 0, "", 0
	for i := 0; i < n; i++ {
		v, _ := b.Pick()
		if v == prev {
			run++
		} else {
			prev, run = v, 1
		}
		if run > bestLen {
			best, bestLen = v, run
		}
	}
	return best, bestLen
}

func TestSpread(t *testing.T) {
	// The race's hand-tuned weights: runs stay short.
	var b SWRR[string]
	b.Update(items(3, 5, 5))
	if v, n := maxRun(&b, 1300); n > 2 {
		t.Fatalf("3:5:5: run of %d %q, want at most 2", n, v)
	}
	b.Update(items(1, 2, 3))
	if v, n := maxRun(&b, 600); n > 2 {
		t.Fatalf("1:2:3: run of %d %q, want at most 2", n, v)
	}
	// 5:1:1 runs "a a b a c a a" back to back: the longest run is the 4
	// across a cycle boundary, never the 5 of plain weighted round robin.
	b.Update(items(5, 1, 1))
	if v, n := maxRun(&b, 700); n > 4 {
		t.Fatalf("5:1:1: run of %d %q, want at most 4", n, v)
	}
}

func TestUpdateKeepsRotation(t *testing.T) {
	// Picking 3 then updating to the same set must continue the same
	// sequence as never updating.
	var ref, b SWRR[string]
	ref.Update(items(5, 1, 1))
	b.Update(items(5, 1, 1))
	want := seq(&ref, 14)
	got := seq(&b, 3)
	b.Update(items(5, 1, 1))
	got += " " + seq(&b, 11)
	assertEq(t, got, want, "sequence across a no-op update")
}

func TestUpdateNoBurstAtHeavyPeer(t *testing.T) {
	// Heavy peer a has just been picked a lot; adding a new peer must not
	// let a win many picks in a row.
	var b SWRR[string]
	b.Update(items(10, 1))
	for i := 0; i < 7; i++ {
		b.Pick()
	}
	its := items(10, 1, 1)
	b.Update(its)
	var fresh SWRR[string]
	fresh.Update(its)
	_, limit := maxRun(&fresh, 120)
	if v, n := maxRun(&b, 120); n > limit {
		t.Fatalf("run of %d %q after update, a fresh balancer's longest is %d", n, v, limit)
	}
	// Weight change on a surviving key takes effect and keeps exact shares
	// over a full cycle once the rotation is in a steady state.
	its[0].Weight = 2
	b.Update(its)
	counts := map[string]int{}
	for i := 0; i < 400; i++ {
		v, _ := b.Pick()
		counts[v]++
	}
	if counts["a"] < 195 || counts["a"] > 205 || counts["b"] < 95 || counts["b"] > 105 {
		t.Fatalf("after reweighting to 2:1:1: %v", counts)
	}
}

func TestUpdateDropsAndDedups(t *testing.T) {
	var b SWRR[string]
	b.Update([]Item[string]{
		{Key: "a", Weight: 1, Value: "a"},
		{Key: "z", Weight: 0, Value: "z"},
		{Key: "n", Weight: -3, Value: "n"},
		{Key: "a", Weight: 9, Value: "a2"},
		{Key: "b", Weight: 1, Value: "b"},
	})
	assertEq(t, b.Len(), 2, "Len")
	assertEq(t, seq(&b, 4), "a b a b", "sequence")
	b.Update(nil)
	assertEq(t, b.Len(), 0, "Len after empty update")
	if _, ok := b.Pick(); ok {
		t.Fatal("Pick on empty balancer returned a peer")
	}
}

func TestZeroValueEmpty(t *testing.T) {
	var b SWRR[int]
	if _, ok := b.Pick(); ok {
		t.Fatal("Pick on zero SWRR returned ok")
	}
	if _, ok := b.PickFunc(func(int) bool { return true }); ok {
		t.Fatal("PickFunc on zero SWRR returned ok")
	}
	assertEq(t, b.Len(), 0, "Len")
}

func TestPickFuncSkipsDown(t *testing.T) {
	down := map[string]bool{"b": true}
	avail := func(v string) bool { return !down[v] }

	var b SWRR[string]
	b.Update(items(5, 1, 1))
	ref := []*nginxPeer{
		{name: "a", weight: 5, effective: 5},
		{name: "b", weight: 1, effective: 1, down: true},
		{name: "c", weight: 1, effective: 1},
	}
	for i := 0; i < 60; i++ {
		if i == 30 { // b comes back
			down["b"] = false
			ref[1].down = false
		}
		got, ok := b.PickFunc(avail)
		if !ok {
			t.Fatal("PickFunc: none available")
		}
		if got == "b" && down["b"] {
			t.Fatalf("pick %d: got down peer b", i)
		}
		assertEq(t, got, nginxPick(ref).name, "pick vs nginx")
	}

	if _, ok := b.PickFunc(func(string) bool { return false }); ok {
		t.Fatal("PickFunc with nothing available returned ok")
	}
}

func TestConcurrentPicks(t *testing.T) {
	var b SWRR[string]
	b.Update(items(1, 2, 3))
	const workers, per = 8, 3000 // 24000 picks: 4000 full cycles
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]int{}
			for i := 0; i < per; i++ {
				v, ok := b.Pick()
				if !ok {
					t.Error("Pick: no peer")
					return
				}
				local[v]++
			}
			mu.Lock()
			for k, n := range local {
				counts[k] += n
			}
			mu.Unlock()
		}()
	}
	// An updater running alongside with the same set must not disturb the split.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			b.Update(items(1, 2, 3))
		}
	}()
	wg.Wait()
	assertEq(t, counts["a"], 4000, "a")
	assertEq(t, counts["b"], 8000, "b")
	assertEq(t, counts["c"], 12000, "c")
}
