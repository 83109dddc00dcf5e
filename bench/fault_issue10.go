package main

import (
	"fmt"
	"syscall"
	"time"
)

// The rows of issue 10 that fit on one host (the multi-host test,
// internal/e2e/multihost_test.go, adds a black-holed host): a frozen
// provider agent, a provider's graceful restart behind its agent, and etcd
// cut from the provider agents past their lease TTL.

func rowFrozenAgent(f *faultEnv) error {
	p := f.c.agents[medium]
	// Read now: a stopped agent answers no scrape.
	base, _ := servedCount(f.c.agentAdm[medium])
	f.markFault(2 * time.Second)
	// Signalled directly, not through the supervisor: a stopped process
	// has not exited, and a later death must still be reported.
	if err := syscall.Kill(-p.pid(), syscall.SIGSTOP); err != nil {
		return fmt.Errorf("bench: SIGSTOP %s: %w", p.name, err)
	}
	err := f.waitUntil(f.marks.fault+f.hold(3*time.Second), "frozen")
	if cerr := syscall.Kill(-p.pid(), syscall.SIGCONT); cerr != nil && err == nil {
		err = fmt.Errorf("bench: SIGCONT %s: %w", p.name, cerr)
	}
	if err != nil {
		return err
	}
	f.markRecovered(time.Second)
	f.watchAgent(medium, "SIGCONT", base)
	return nil
}

func rowReadOnlyRestart(f *faultEnv) error {
	p := f.c.providers[small]
	f.markFault(0)
	took, err := f.signalWait(p, syscall.SIGTERM, 10*time.Second)
	if err != nil {
		return err
	}
	f.notef("%s sent its read-only event, drained and exited %v after SIGTERM", p.name, took.Round(time.Millisecond))
	base, _ := servedCount(f.c.agentAdm[small])
	if err := f.restartProvider(small); err != nil {
		return err
	}
	f.markRecovered(time.Second)
	f.watchAgent(small, "provider restart", base)
	return nil
}

func rowEtcdCut(f *faultEnv) error {
	x := f.c.etcdCut
	if x == nil {
		return fmt.Errorf("bench: etcd-cut needs the provider agents' etcd forwarders (--faults)")
	}
	f.markFault(0)
	x.Cut()
	if err := f.waitUntil(f.marks.fault+f.hold(15*time.Second), "etcd cut"); err != nil {
		x.Heal()
		return err
	}
	healed := time.Now()
	x.Heal()
	f.markRecovered(time.Second)
	if err := waitKeys(f.ctx, f.c.etcd, f.c.agentAddrs[:], keysWait); err != nil {
		return err
	}
	f.notef("all 3 agents' keys present again %v after the heal", time.Since(healed).Round(time.Millisecond))
	return nil
}
