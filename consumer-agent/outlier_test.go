package main

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// outlierFixture is a service of endpoints of weight 1, for ejectOutliers
// without sockets.
func outlierFixture(ratio float64, n int) (*Agent, *service) {
	a := &Agent{cfg: Config{EjectRatio: ratio}, m: newAgentMetrics(), log: logging.Discard(), loops: make([]*loop, 2)}
	svc := &service{name: "s"}
	var ms []member
	for i := range n {
		ep := a.newEndpoint(fmt.Sprint("ep", i))
		ms = append(ms, member{ep: ep, weight: 1})
	}
	svc.members.Store(&ms)
	return a, svc
}

// setLoad gives each endpoint calls in flight and a latency estimate in
// milliseconds (0: unknown).
func setLoad(svc *service, inflight []int64, ms []float64) {
	for i, m := range svc.list() {
		spread(m.ep.inflight, inflight[i])
		m.ep.eject.latency = ms[i] * float64(time.Millisecond) / float64(outlierEvery)
		m.ep.eject.known = ms[i] > 0
	}
}

// spread puts n calls in flight on f, shared out over its loops.
func spread(f inFlight, n int64) {
	for i := range f {
		k := n / int64(len(f)-i)
		f[i].n.Store(k)
		n -= k
	}
}

// judge runs ejectOutliers for ejectAfter ticks at now.
func judge(a *Agent, svc *service, now int64) {
	for range ejectAfter {
		a.ejectOutliers(svc, now)
	}
}

func ejectedSet(svc *service, now int64) string {
	s := ""
	for i, m := range svc.list() {
		if !m.ep.health.usable(now) {
			s += fmt.Sprint(i)
		}
	}
	return s
}

func TestEjectOutliers(t *testing.T) {
	const now = int64(1e15)
	for _, tc := range []struct {
		name     string
		ratio    float64
		inflight []int64
		ms       []float64
		want     string
	}{
		{"alike", 3, []int64{120, 200, 200}, []float64{51, 50, 52}, ""},
		{"small provider a bit slow", 3, []int64{200, 200, 200}, []float64{90, 50, 51}, ""},
		{"medium ten times slower", 3, []int64{120, 2000, 200}, []float64{51, 500, 51}, "1"},
		{"few calls in flight is no signal", 3, []int64{2, 15}, []float64{50, 500}, ""},
		{"unknown latency is no signal", 3, []int64{20, 20}, []float64{0, 500}, ""},
		{"fast service, small absolute gap", 3, []int64{20, 20}, []float64{1, 15}, ""},
		{"fast service, stalled one", 3, []int64{20, 20}, []float64{1, 40}, "1"},
		{"at most half", 3, []int64{10, 300, 300}, []float64{50, 500, 500}, "1"},
		{"two of four", 3, []int64{10, 300, 300, 10}, []float64{50, 500, 500, 50}, "12"},
		{"one alone is never ejected", 3, []int64{1000}, []float64{500}, ""},
		{"off", -1, []int64{10, 1000}, []float64{50, 500}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, svc := outlierFixture(tc.ratio, len(tc.ms))
			setLoad(svc, tc.inflight, tc.ms)
			// One tick judged slow is not enough.
			a.ejectOutliers(svc, now)
			check(t, "ejected after one tick", ejectedSet(svc, now), "")
			judge(a, svc, now)
			check(t, "ejected", ejectedSet(svc, now), tc.want)
			check(t, "ejections counted", metric(t, a, "consumer_agent_ejections_total"), float64(len(tc.want)))
		})
	}
}

// TestEstimate: Little's law over a tick's sends.
func TestEstimate(t *testing.T) {
	ep := &endpoint{inflight: newInFlight(2)}
	ep.estimate()
	check(t, "known with nothing sent", ep.eject.known, false)
	// 100 calls a tick with 500 in flight, steady: 5 ticks (100 ms).
	ep.inflight[0].n.Store(500)
	for range 40 {
		ep.inflight[0].sent.Add(100)
		ep.estimate()
	}
	if l := ep.eject.latency; l < 4.99 || l > 5.01 {
		t.Fatalf("latency %v ticks, want 5", l)
	}
	// Bursts: 200 calls every other tick is the same rate; a tick with
	// nothing sent only lowers the average.
	for range 40 {
		ep.inflight[0].sent.Add(200)
		ep.estimate()
		if !ep.eject.known {
			t.Fatal("estimate lost on a busy tick")
		}
		ep.estimate()
		if !ep.eject.known {
			t.Fatal("estimate lost on an idle tick")
		}
	}
	if l := ep.eject.latency; l < 4 || l > 7 {
		t.Fatalf("latency %v ticks with bursty sends, want about 5", l)
	}
	// Nothing sent for long: the rate falls below ejectMinRate, unknown.
	for range 40 {
		ep.estimate()
	}
	check(t, "known once idle", ep.eject.known, false)
	// An ejection starts the estimate afresh: unknown until calls have
	// been sent again for warmTicks, then right at once (bias-corrected).
	ep.eject.active, ep.eject.avg = 0, 0
	ep.estimate()
	check(t, "known while ejected", ep.eject.known, false)
	for i := range warmTicks {
		ep.inflight[0].sent.Add(100)
		ep.estimate()
		if known := ep.eject.known; known != (i == warmTicks-1) {
			t.Fatalf("after %d busy ticks: latency %v", i+1, ep.eject.latency)
		}
	}
	if l := ep.eject.latency; l < 4.99 || l > 5.01 {
		t.Fatalf("latency %v ticks right after the restart, want 5", l)
	}
}

// TestEjectionBackoff: ejections in a row double the pause up to ejectMax;
// a long quiet spell starts again at ejectBase.
func TestEjectionBackoff(t *testing.T) {
	a, svc := outlierFixture(3, 2)
	setLoad(svc, []int64{10, 500}, []float64{50, 500})
	e := &svc.list()[1].ep.eject
	now := int64(1e15)
	var got []time.Duration
	for range 6 {
		setLoad(svc, []int64{10, 500}, []float64{50, 500}) // an ejection restarts the estimate
		judge(a, svc, now)
		got = append(got, time.Duration(e.until-now))
		a.ejectOutliers(svc, e.until-1) // still ejected: nothing changes
		now = e.until
	}
	check(t, "pauses", fmt.Sprint(got), fmt.Sprint([]time.Duration{ejectBase, 2 * ejectBase, 4 * ejectBase, ejectMax, ejectMax, ejectMax}))
	now += int64(ejectForget) + 1
	setLoad(svc, []int64{10, 500}, []float64{50, 500})
	judge(a, svc, now)
	check(t, "pause after a quiet spell", time.Duration(e.until-now), ejectBase)
}

// TestEjectSlowAgent: of two agents of equal weight, one turns slow. The
// agent moves the load to the other within a fraction of a second, and
// brings the slow one back once it is fast again.
func TestEjectSlowAgent(t *testing.T) {
	var slow atomic.Bool
	plan := func(*protocol.Request) reply {
		if slow.Load() {
			return reply{act: actEcho, delay: 300 * time.Millisecond}
		}
		return reply{act: actEcho, delay: 5 * time.Millisecond}
	}
	sick, well := newFake(t, plan), newFake(t, echoPlan)
	well.setPlan(func(*protocol.Request) reply { return reply{act: actEcho, delay: 5 * time.Millisecond} })
	a := startAgent(t, Config{})
	route(t, a, snapshot(echoIface, sick.endpoint(echoIface, 1), well.endpoint(echoIface, 1)))
	sick.waitOpen(2)
	well.waitOpen(2)

	clients := startClosedLoop(t, a, 64)
	defer clients.end()

	time.Sleep(300 * time.Millisecond)
	slow.Store(true)
	time.Sleep(300 * time.Millisecond) // detection
	s0, w0 := sick.calls.Load(), well.calls.Load()
	time.Sleep(2 * time.Second)
	s1, w1 := sick.calls.Load(), well.calls.Load()
	ds, dw := s1-s0, w1-w0
	t.Logf("while slow: %d calls to the slow agent, %d to the fast one; %v ejections", ds, dw, metric(t, a, "consumer_agent_ejections_total"))
	if metric(t, a, "consumer_agent_ejections_total") == 0 {
		t.Fatal("the slow agent was never ejected")
	}
	// Without ejection the two would get the same number of calls: each
	// client alternates, waiting 300 ms on every other one. With it, each
	// return of the slow agent costs about one call per client (they all
	// reach it within milliseconds), and the returns back off.
	if ds*3 > dw {
		t.Fatalf("slow agent got %d calls against %d: load did not move away", ds, dw)
	}

	slow.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		s0, w0 = sick.calls.Load(), well.calls.Load()
		time.Sleep(200 * time.Millisecond)
		ds, dw = sick.calls.Load()-s0, well.calls.Load()-w0
		if ds*3 > dw { // back near its half
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recovered agent did not get its share back: %d against %d", ds, dw)
		}
	}
	check(t, "failed calls", clients.end(), int64(0))
}

// TestReportingAgentBackFromEjection: an agent whose answers report its
// load, ejected after a stall, has no answers while ejected. Back from it,
// its first calls are not yet answered; it is not judged until its report
// has had reportFresh from its return to renew itself, so a healthy agent
// slower than the fastest (a 50 ms provider beside a 0 ms one) is not
// ejected again and again. One that stays silent is.
func TestReportingAgentBackFromEjection(t *testing.T) {
	a, svc := outlierFixture(3, 2)
	slow := svc.list()[1].ep
	now := int64(1e15)
	slow.report.Set(10, 0, now-int64(time.Second)) // its last answer, before a stall
	setLoad(svc, []int64{20, 40}, []float64{1, 60})
	judge(a, svc, now)
	check(t, "ejected after the stall", ejectedSet(svc, now), "1")

	back := slow.eject.until
	setLoad(svc, []int64{20, 40}, []float64{1, 50})
	judge(a, svc, back+int64(outlierEvery))
	check(t, "ejected again right after its return", ejectedSet(svc, back+int64(outlierEvery)), "")
	slow.report.Set(12, 0, back+int64(50*time.Millisecond)) // answers again
	later := back + int64(reportFresh)
	judge(a, svc, later)
	check(t, "ejected while it reports", ejectedSet(svc, later), "")

	// Silent past reportFresh after its return: judged, and ejected.
	silent := later + int64(reportFresh)
	judge(a, svc, silent)
	check(t, "ejected when silent after its return", ejectedSet(svc, silent), "1")
}
