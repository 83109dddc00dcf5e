package e2e

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBalanceByCapacity: two providers of different speeds and pools, a
// small slow one (20 threads, 20 ms a call) and a large quick one (200
// threads, 5 ms), behind agents that say so (--max-provider-calls), with
// naive weights 3:1 that favour the small one. 120 clients: the round
// robin alone would hold 90 calls at the small one. No call is refused
// for a full pool, nothing fails, and most calls go to the large one.
func TestBalanceByCapacity(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c, _ := newMesh(t, meshSpec{}) // etcd and the consumer agent
	spec := []struct {
		latency         time.Duration
		threads, weight int
	}{{20 * time.Millisecond, 20, 3}, {5 * time.Millisecond, 200, 1}}
	for i, s := range spec {
		pa := freeAddr(t)
		c.providers = append(c.providers, startProvider(t, "provider"+string(rune('0'+i)), pa, s.latency, s.threads))
		c.provAddrs = append(c.provAddrs, pa)
		c.addAgent(i, s.weight, "--max-provider-calls", strconv.Itoa(s.threads))
	}
	c.waitRoutable()
	c.waitConnected(2) // or the first calls all go to the small one

	const calls = 12000
	res := runLoad(context.Background(), t, c.httpAddr, 120, calls, param(3))
	if res.ok != calls {
		t.Fatalf("ok %d of %d, wrong %d, failed %d (%v), first: %s", res.ok, calls, res.wrong, res.failed, res.statuses, res.firstErr)
	}
	small, large := c.agents[0].admin, c.agents[1].admin
	for _, name := range []string{"provider_agent_threadpool_exhausted_total", "provider_agent_overloaded_total"} {
		for _, adm := range []string{small, large} {
			if n := metric(t, adm, name); n != 0 {
				t.Errorf("%s = %v at %s, want 0: a call was refused for a full pool", name, n, adm)
			}
		}
	}
	ns, nl := metric(t, small, "provider_agent_requests_total"), metric(t, large, "provider_agent_requests_total")
	queued := metric(t, small, "provider_agent_queued_total")
	t.Logf("small (20 threads, weight 3) %v calls, %v of them queued in its gate; large (200 threads, weight 1) %v; steered %v",
		ns, queued, nl, metric(t, c.adminAddr, "consumer_agent_steered_total"))
	if ns >= nl {
		t.Errorf("small pool got %v calls against %v: the balancing did not move calls to the large one", ns, nl)
	}
	// The picker keeps the small one within its pool: calls queue in its
	// gate only when two loops take its last slot at once.
	if queued > ns/10 {
		t.Errorf("%v of the small pool's %v calls waited in its gate", queued, ns)
	}
}

// TestLiveWeight: POST /weight?value=N on a provider agent's admin
// endpoint re-registers it with the new weight, and the consumer agent
// routes by it within a second.
func TestLiveWeight(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newCluster(t, "hessian2", time.Millisecond, 1, 1)
	c.waitRoutable()
	start := time.Now()
	resp, err := http.Post("http://"+c.agents[1].admin+"/weight?value=3", "text/plain", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /weight: %s", resp.Status)
	}
	if w := metric(t, c.agents[1].admin, "provider_agent_weight"); w != 3 {
		t.Fatalf("provider_agent_weight = %v, want 3", w)
	}
	// One call at a time, so that the round robin's order shows: 1:3.
	deadline := start.Add(time.Second)
	for {
		b0, b1 := metric(t, c.agents[0].admin, "provider_agent_requests_total"), metric(t, c.agents[1].admin, "provider_agent_requests_total")
		res := runLoad(context.Background(), t, c.httpAddr, 1, 40, param(4))
		if res.ok != 40 {
			t.Fatalf("ok %d of 40: %v %s", res.ok, res.statuses, res.firstErr)
		}
		d0 := metric(t, c.agents[0].admin, "provider_agent_requests_total") - b0
		d1 := metric(t, c.agents[1].admin, "provider_agent_requests_total") - b1
		if d0 == 10 && d1 == 30 {
			t.Logf("weights 1:3 in effect %v after POST /weight", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("split %v:%v a second after POST /weight?value=3, want 10:30", d0, d1)
		}
	}
}
