package main

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/registry"
)

// faultRowDef is one row of --faults. To add a row, write its function and
// add an entry to faultRowDefs.
//
// run is called after the steady window, with the load running. It must
// call markFault at the fault's instant and markRecovered at the recovery
// action's, and may start a watch (watchAgent); runRow then runs the
// recovery window and the health check.
type faultRowDef struct {
	name   string
	fault  string // what is done, for the report
	expect string // the contract
	settle string // what "settled" means for this row
	// members is the number of etcd members (--etcd-members) the row
	// needs; 0: any.
	members int
	run     func(f *faultEnv) error
}

// The processes the rows act on, as indexes into providers.
const (
	small, medium, large = 0, 1, 2
)

// settleAfterDeath is how long after a process dies its failures are
// expected to end.
const settleAfterDeath = time.Second

var faultRowDefs = []faultRowDef{
	{
		name:   "kill9-agent",
		fault:  "SIGKILL the medium provider agent; restart it 5 s later (same flags and address)",
		expect: "only calls in flight on it fail, with 502; none after; nothing hangs",
		settle: "fault: 1 s after the kill; recovery: 1 s after the restart",
		run:    rowKill9Agent,
	},
	{
		name:   "sigterm-agent",
		fault:  "SIGTERM the large provider agent (it revokes, drains, exits); restart it 5 s after the signal",
		expect: "no call fails",
		settle: "fault: at the signal (no failure is expected at all); recovery: 1 s after the restart",
		run:    rowSigtermAgent,
	},
	{
		name:   "kill-provider",
		fault:  "SIGKILL the small provider (behind its agent); restart it on its address 5 s later",
		expect: "fast 502s, then the consumer sidelines that agent; other agents unaffected; the agent reconnects",
		settle: "fault: 1 s after the kill; recovery: 1 s after the provider restarted",
		run:    rowKillProvider,
	},
	{
		name:   "slow-provider",
		fault:  "the medium provider's latency ×10 through /control for 20 s, then back",
		expect: "calls past the consumer's 3 s deadline end with 504; load moves away; memory does not grow",
		settle: "fault: 4 s after the slow-down (the 3 s deadline and 1 s); recovery: 4 s after the latency is back",
		run:    rowSlowProvider,
	},
	{
		name:    "etcd-down",
		fault:   "SIGKILL the etcd for 30 s, restart it on its data dir and address; then restart the small provider agent",
		expect:  "no call fails; registration comes back; an agent restarted afterwards is routed to",
		settle:  "fault: at the kill (no failure is expected at all); recovery: 1 s after the etcd restarted",
		members: 1,
		run:     rowEtcdDown,
	},
	{
		name:   "threadpool",
		fault:  "the large provider's threads set to 20 through /control for 10 s (its agent still allows 200), then back",
		expect: "503s, counted; the balancer backs off that agent",
		settle: "fault: 1 s after the change; recovery: 1 s after the threads are back",
		run:    rowThreadpool,
	},
	// Issue 10's one-host rows (fault_issue10.go).
	faultRowDef{
		name:   "frozen-agent",
		fault:  "SIGSTOP the medium provider agent (its kernel still accepts and buffers); SIGCONT 3 s later",
		expect: "only the calls in flight on it fail, with 502, within its ping interval and timeout; none after; it takes calls again within 5 s of SIGCONT",
		settle: "fault: 2 s after the stop; recovery: 1 s after SIGCONT",
		run:    rowFrozenAgent,
	},
	{
		name:   "readonly-restart",
		fault:  "SIGTERM the small provider (read-only event, drain, exit), start it again on its address at once",
		expect: "no call fails: its agent sends it nothing after the event, and refuses calls as unavailable (sent elsewhere) until it is back",
		settle: "fault: at the signal (no failure is expected at all); recovery: 1 s after the restart",
		run:    rowReadOnlyRestart,
	},
	{
		name:   "etcd-cut",
		fault:  "cut the provider agents from etcd (the bench forwards their etcd connections) for 15 s, past their 10 s lease TTL; the consumer agent still reaches etcd and sees their keys expire",
		expect: "at most 1% of the calls in the window fail (none expected): the consumer agent keeps agents whose connections stay healthy; the keys come back after the heal",
		settle: "fault: at the cut (no failure is expected at all); recovery: 1 s after the heal",
		run:    rowEtcdCut,
	},
	{
		name:    "etcd-leader",
		fault:   "SIGKILL the leader of the 3-member etcd for 10 s, restart it on its data dir and addresses",
		expect:  "no call fails; the survivors elect a leader; the member rejoins; registration stays",
		settle:  "fault: at the kill (no failure is expected at all); recovery: 1 s after the member restarted",
		members: 3,
		run:     rowEtcdLeader,
	},
}

// faultRowNames returns every row's name, in the default order.
func faultRowNames() []string {
	var out []string
	for _, d := range faultRowDefs {
		out = append(out, d.name)
	}
	return out
}

// faultRowByName returns the row called name.
func faultRowByName(name string) (faultRowDef, bool) {
	i := slices.IndexFunc(faultRowDefs, func(d faultRowDef) bool { return d.name == name })
	if i < 0 {
		return faultRowDef{}, false
	}
	return faultRowDefs[i], true
}

// defaultFaultRows returns, in the default order, the names of the rows
// that run on an etcd of members members.
func defaultFaultRows(members int) []string {
	var out []string
	for _, d := range faultRowDefs {
		if d.members == 0 || d.members == members {
			out = append(out, d.name)
		}
	}
	return out
}

// parseFaultRows parses --fault-rows: known names, comma-separated, each
// at most once, each runnable on an etcd of members members.
func parseFaultRows(s string, members int) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		name := strings.TrimSpace(f)
		def, ok := faultRowByName(name)
		if !ok {
			return nil, fmt.Errorf("--fault-rows: unknown row %q (rows: %s)", name, strings.Join(faultRowNames(), ", "))
		}
		if def.members != 0 && def.members != members {
			return nil, fmt.Errorf("--fault-rows: %s needs --etcd-members %d (got %d)", name, def.members, members)
		}
		if slices.Contains(out, name) {
			return nil, fmt.Errorf("--fault-rows: %q twice", name)
		}
		out = append(out, name)
	}
	return out, nil
}

// killAndRestartAgent is the body of the two agent rows: signal agent i,
// wait for its exit, restart it hold after the signal, and watch it.
func killAndRestartAgent(f *faultEnv, i int, sig syscall.Signal, settle, exitTimeout time.Duration) error {
	p := f.c.agents[i]
	f.markFault(settle)
	took, err := f.signalWait(p, sig, exitTimeout)
	if err != nil {
		return err
	}
	f.notef("%s exited %v after %s", p.name, took.Round(time.Millisecond), sigName(sig))
	if err := f.waitUntil(f.marks.fault+f.hold(5*time.Second), "down"); err != nil {
		return err
	}
	if err := f.restartAgent(i); err != nil {
		return err
	}
	f.markRecovered(time.Second)
	f.watchAgent(i, "agent restart", 0)
	return nil
}

func rowKill9Agent(f *faultEnv) error {
	return killAndRestartAgent(f, medium, syscall.SIGKILL, settleAfterDeath, 5*time.Second)
}

func rowSigtermAgent(f *faultEnv) error {
	// The agents run with --drain-timeout 1s; revoking the lease comes
	// first, so allow a few seconds.
	return killAndRestartAgent(f, large, syscall.SIGTERM, 0, 10*time.Second)
}

func rowKillProvider(f *faultEnv) error {
	p := f.c.providers[small]
	f.markFault(settleAfterDeath)
	if _, err := f.signalWait(p, syscall.SIGKILL, 5*time.Second); err != nil {
		return err
	}
	if err := f.waitUntil(f.marks.fault+f.hold(5*time.Second), "down"); err != nil {
		return err
	}
	base, _ := servedCount(f.c.agentAdm[small])
	if err := f.restartProvider(small); err != nil {
		return err
	}
	f.markRecovered(time.Second)
	f.watchAgent(small, "provider restart", base)
	return nil
}

func rowSlowProvider(f *faultEnv) error {
	slow := 10 * f.cfg.latency
	if slow == 0 {
		slow = 500 * time.Millisecond
	}
	settle := 3*time.Second + time.Second // the consumer's default --timeout, and a second
	f.markFault(settle)
	if err := f.control(medium, url.Values{"latency": {slow.String()}}); err != nil {
		return err
	}
	if err := f.waitUntil(f.marks.fault+f.hold(20*time.Second), "slow"); err != nil {
		return err
	}
	base, _ := servedCount(f.c.agentAdm[medium])
	if err := f.control(medium, url.Values{"latency": {f.cfg.latency.String()}}); err != nil {
		return err
	}
	f.markRecovered(settle)
	f.watchAgent(medium, "latency restored", base)
	return nil
}

func rowThreadpool(f *faultEnv) error {
	f.markFault(time.Second)
	if err := f.control(large, url.Values{"threads": {"20"}}); err != nil {
		return err
	}
	if err := f.waitUntil(f.marks.fault+f.hold(10*time.Second), "threads 20"); err != nil {
		return err
	}
	base, _ := servedCount(f.c.agentAdm[large])
	if err := f.control(large, url.Values{"threads": {fmt.Sprint(providerThreads)}}); err != nil {
		return err
	}
	f.markRecovered(time.Second)
	f.watchAgent(large, "threads restored", base)
	return nil
}

// keysWait bounds the wait for the agents' keys after etcd is back.
const keysWait = 15 * time.Second

// restartEtcdMember restarts etcd member i (killed by the row) with its
// flags, data dir and addresses, marks the recovery 1 s on, and waits for
// it to listen. It returns the new process and when it was started.
func (f *faultEnv) restartEtcdMember(i int) (*proc, time.Time, error) {
	np, err := f.c.sup.restart(f.c.etcdProcs[i])
	if err != nil {
		return nil, time.Time{}, err
	}
	f.c.etcdProcs[i] = np
	f.markRecovered(time.Second)
	restarted := time.Now()
	if err := waitListening(strings.TrimPrefix(f.c.etcd[i], "http://"), np, 15*time.Second); err != nil {
		return nil, time.Time{}, err
	}
	return np, restarted, nil
}

func rowEtcdDown(f *faultEnv) error {
	if len(f.c.etcdProcs) != 1 {
		return fmt.Errorf("bench: etcd-down needs the bench's own single-member etcd")
	}
	p := f.c.etcdProcs[0]
	f.markFault(0)
	if _, err := f.signalWait(p, syscall.SIGKILL, 5*time.Second); err != nil {
		return err
	}
	if err := f.waitUntil(f.marks.fault+f.hold(30*time.Second), "etcd down"); err != nil {
		return err
	}
	_, restarted, err := f.restartEtcdMember(0)
	if err != nil {
		return err
	}
	f.notef("etcd listening %v after its restart", time.Since(restarted).Round(time.Millisecond))

	// Registration: every agent's key is back.
	if err := waitKeys(f.ctx, f.c.etcd, f.c.agentAddrs[:], keysWait); err != nil {
		return err
	}
	f.notef("all 3 agents' keys present %v after the etcd restart", time.Since(restarted).Round(time.Millisecond))

	// A provider agent restarted now registers anew and is routed to.
	ag := f.c.agents[small]
	exit, err := f.signalWait(ag, syscall.SIGTERM, 10*time.Second)
	if err != nil {
		return err
	}
	f.notef("%s exited %v after SIGTERM (restarted to check new registrations)", ag.name, exit.Round(time.Millisecond))
	if err := f.restartAgent(small); err != nil {
		return err
	}
	f.watchAgent(small, "agent restart after etcd came back", 0)
	return nil
}

// waitKeys polls etcd until a key under registry.Prefix names each address
// in addrs, or the timeout passes.
func waitKeys(ctx context.Context, endpoints, addrs []string, timeout time.Duration) error {
	t0 := time.Now()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 2 * time.Second})
	if err != nil {
		return fmt.Errorf("bench: etcd client: %w", err)
	}
	defer cli.Close()
	var missing []string
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := cli.Get(rctx, registry.Prefix, clientv3.WithPrefix(), clientv3.WithKeysOnly())
		cancel()
		if err == nil {
			missing = missing[:0]
			for _, a := range addrs {
				if !slices.ContainsFunc(resp.Kvs, func(kv *mvccpb.KeyValue) bool { return strings.HasSuffix(string(kv.Key), "/"+a) }) {
					missing = append(missing, a)
				}
			}
			if len(missing) == 0 {
				return nil
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Since(t0) > timeout {
			return fmt.Errorf("%w: agents' keys missing %v after the etcd restart (last error %v)",
				ErrUnhealthy, missing, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
