package main

import (
	"fmt"
	"slices"
	"syscall"
	"time"
)

// electionWait bounds the wait for the survivors to elect a leader, and
// rejoinWait the wait for a restarted member to follow the cluster's
// leader.
const (
	electionWait = 10 * time.Second
	rejoinWait   = 15 * time.Second
)

// rowEtcdLeader SIGKILLs the leader of the 3-member etcd (found with
// Status on each member), measures how long the two survivors take to
// agree on a new leader, keeps the load on them, then restarts the member
// with its flags, data dir and addresses and checks it rejoined (follows
// the same leader as the others) and that every agent's key is still there.
func rowEtcdLeader(f *faultEnv) error {
	if len(f.c.etcdProcs) != 3 {
		return fmt.Errorf("bench: etcd-leader needs the bench's own 3-member etcd (--etcd-members 3)")
	}
	cli, err := newEtcdClient(f.c.etcd)
	if err != nil {
		return err
	}
	defer cli.Close()
	old, err := waitEtcdLeader(f.ctx, cli, f.c.etcd, 0, 5*time.Second)
	if err != nil {
		return err
	}
	p := f.c.etcdProcs[old.index]
	f.notef("leader before the fault: %s (member %x)", p.name, old.id)

	f.markFault(0)
	t0 := time.Now()
	if _, err := f.signalWait(p, syscall.SIGKILL, 5*time.Second); err != nil {
		return err
	}
	survivors := slices.Delete(slices.Clone(f.c.etcd), old.index, old.index+1)
	nl, err := waitEtcdLeader(f.ctx, cli, survivors, old.id, electionWait)
	if err != nil {
		return err
	}
	elected := time.Since(t0)
	f.notef("new leader %s (member %x) agreed by both survivors %v after the SIGKILL (Status polled every 10 ms)",
		f.etcdProcName(survivors[nl.index]), nl.id, elected.Round(time.Millisecond))

	if err := f.waitUntil(f.marks.fault+f.hold(10*time.Second), "leader down"); err != nil {
		return err
	}
	np, restarted, err := f.restartEtcdMember(old.index)
	if err != nil {
		return err
	}
	all, err := waitEtcdLeader(f.ctx, cli, f.c.etcd, 0, rejoinWait)
	if err != nil {
		return fmt.Errorf("%s did not rejoin: %w", np.name, err)
	}
	f.notef("%s rejoined %v after its restart: all 3 members follow %s (member %x)",
		np.name, time.Since(restarted).Round(time.Millisecond), f.c.etcdProcs[all.index].name, all.id)
	if err := waitKeys(f.ctx, f.c.etcd, f.c.agentAddrs[:], keysWait); err != nil {
		return err
	}
	f.notef("all 3 agents' keys present after the rejoin")
	return nil
}

// etcdProcName names the process serving client endpoint ep.
func (f *faultEnv) etcdProcName(ep string) string {
	if i := slices.Index(f.c.etcd, ep); i >= 0 && i < len(f.c.etcdProcs) {
		return f.c.etcdProcs[i].name
	}
	return ep
}
