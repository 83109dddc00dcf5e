package e2e

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/registry"
)

// javaHash is Java's String.hashCode over UTF-16 code units.
func javaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

var nonASCII = []string{"héllo wörld", "你好，世界", "emoji 😀 and 𝄞", "Ελληνικά", "a+b=c&d", "100% sure?"}

// param returns the i-th parameter: like the race's consumer, a random
// alphanumeric string of length 0-1023; every tenth is non-ASCII.
func param(seed uint64) func(i int) string {
	return func(i int) string {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		if i%10 == 3 {
			return nonASCII[r.IntN(len(nonASCII))] + strings.Repeat("ß", r.IntN(50))
		}
		b := make([]byte, r.IntN(1024))
		for j := range b {
			b[j] = alnum[r.IntN(len(alnum))]
		}
		return string(b)
	}
}

func TestMeshHessian2(t *testing.T) { testMesh(t, "hessian2") }

func TestMeshFastjson(t *testing.T) { testMesh(t, "fastjson") }

func testMesh(t *testing.T, ser string) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newCluster(t, ser, 10*time.Millisecond, 1, 2, 3)
	c.waitRoutable()
	// Wait until the consumer agent routes to all three provider agents.
	deadline := time.Now().Add(10 * time.Second)
	for {
		runLoad(context.Background(), t, c.httpAddr, 8, 60, param(1))
		all := true
		for _, a := range c.agents {
			if metric(t, a.admin, "provider_agent_requests_total") == 0 {
				all = false
			}
		}
		if all {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not every provider agent gets traffic")
		}
	}

	t.Run("answers and weights", func(t *testing.T) {
		// Smooth weighted round robin splits calls exactly by weight, up to
		// one round per event loop. The consumer agent departs from it only
		// on purpose, and counts each time it does: a call steered to where
		// it waits less, or sent again elsewhere, moves one call; an ejected
		// or sidelined agent moves an unknown number, so then only the
		// order of the shares is checked.
		moves := []string{"consumer_agent_steered_total", "consumer_agent_retries_total"}
		skips := []string{"consumer_agent_ejections_total", "consumer_agent_sidelined_total"}
		consumerDelta := func(names []string) func() float64 {
			var sum float64
			for _, n := range names {
				sum += metric(t, c.adminAddr, n)
			}
			return func() float64 {
				d := -sum
				for _, n := range names {
					d += metric(t, c.adminAddr, n)
				}
				return d
			}
		}
		moved, skipped := consumerDelta(moves), consumerDelta(skips)
		before := make([]float64, len(c.agents))
		for i, a := range c.agents {
			before[i] = metric(t, a.admin, "provider_agent_requests_total")
		}
		const calls = 12000
		res := runLoad(context.Background(), t, c.httpAddr, 64, calls, param(2))
		if res.ok != calls {
			t.Fatalf("ok %d of %d, wrong %d, failed %d (%v), first: %s", res.ok, calls, res.wrong, res.failed, res.statuses, res.firstErr)
		}
		total := 0.0
		got := make([]float64, len(c.agents))
		for i, a := range c.agents {
			got[i] = metric(t, a.admin, "provider_agent_requests_total") - before[i]
			total += got[i]
		}
		if total != calls {
			t.Fatalf("provider agents counted %v calls, want %d", total, calls)
		}
		m, k := moved(), skipped()
		t.Logf("split %v for weights 1:2:3; moved on purpose %v, ejections and sidelinings %v", got, m, k)
		if k > 0 {
			if !(got[0] < got[1] && got[1] < got[2]) {
				t.Errorf("split %v does not follow weights 1:2:3", got)
			}
			return
		}
		// At this light load every agent has room and none is slower, so
		// steering moves next to none of these calls; far more means it is
		// fighting the round robin rather than trimming it.
		if m > calls/20 {
			t.Errorf("%v of %d calls moved off the round robin's choice, want at most 5%%", m, calls)
		}
		const loops, weightSum = 2, 6
		for i, a := range c.agents {
			want := total * float64(a.weight) / weightSum
			if math.Abs(got[i]-want) > m+loops*weightSum {
				t.Errorf("agent weight %d got %v calls, want %v ± %v (the calls moved on purpose plus a round per loop)", a.weight, got[i], want, m+loops*weightSum)
			}
		}
	})

	t.Run("join and leave under load", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan loadResult)
		go func() { done <- runLoad(ctx, t, c.httpAddr, 64, 0, param(3)) }()
		time.Sleep(300 * time.Millisecond)

		// Joining: a new provider agent takes traffic within 1 s of
		// registering.
		cli, err := clientv3.New(clientv3.Config{Endpoints: c.etcd.Endpoints(), DialTimeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer cli.Close()
		joined := c.addAgent(0, 2)
		key := registry.Key(helloService, joined.addr)
		var registered time.Time
		for wait := time.Now().Add(10 * time.Second); ; {
			resp, err := cli.Get(context.Background(), key)
			if err == nil && len(resp.Kvs) > 0 {
				registered = time.Now()
				break
			}
			if time.Now().After(wait) {
				t.Fatal("new agent never registered")
			}
			time.Sleep(5 * time.Millisecond)
		}
		for metric(t, joined.admin, "provider_agent_requests_total") == 0 {
			if time.Since(registered) > time.Second {
				t.Fatalf("joined agent got no traffic within 1s of registering")
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("joined agent took traffic %v after registering", time.Since(registered).Round(time.Millisecond))

		// Leaving: SIGTERM deregisters and drains; no call fails.
		time.Sleep(300 * time.Millisecond)
		leaver := c.agents[1]
		if err := leaver.stop(t, syscall.SIGTERM, 15*time.Second); err != nil {
			t.Errorf("agent exited with %v after SIGTERM", err)
		}
		if _, err := cli.Get(context.Background(), registry.Key(helloService, leaver.addr)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		cancel()
		res := <-done
		if res.failed != 0 || res.wrong != 0 || res.ok == 0 {
			t.Fatalf("under join/leave: ok %d, wrong %d, failed %d (%v), first: %s", res.ok, res.wrong, res.failed, res.statuses, res.firstErr)
		}
		t.Logf("%d calls, none failed, while one agent joined and one left", res.ok)
	})
}
