// Copyright 2026 The dubbomesh Authors. Licensed under the Apache License,
// Version 2.0, as the rest of this package (see LICENSE).

//go:build linux

package netpoll

import (
	"os"
	"sync/atomic"
	"syscall"
)

// parkIdle is 1 while a poller that found no events waits in Go's runtime
// netpoller (parked, no thread held) instead of in a blocking epoll_wait.
var parkIdle int32

// SetParkIdle chooses how a poller waits once an epoll_wait has found no
// events. With on, it parks its goroutine in Go's runtime netpoller until
// its epoll instance has events, holding no thread; with off (the default,
// upstream netpoll's behaviour), it blocks its thread in epoll_wait.
//
// A blocking epoll_wait is a system call: each time a poller goes back into
// it, the Go runtime's sysmon is woken and ticks every 20 µs for a while,
// which at light load costs more CPU than the events themselves. Parked,
// a wake-up costs one more trip through the runtime's netpoller and one
// more epoll_wait, which at heavy load costs more than it saves.
//
// SetParkIdle may be called at any time, from any goroutine; each poller
// reads the setting before each wait that would block.
func SetParkIdle(on bool) {
	var v int32
	if on {
		v = 1
	}
	atomic.StoreInt32(&parkIdle, v)
}

// ParkIdle reports the setting made by SetParkIdle.
func ParkIdle() bool { return atomic.LoadInt32(&parkIdle) == 1 }

// parker waits for an epoll instance's events in Go's runtime netpoller: a
// duplicate of the epoll fd, non-blocking, registered with the runtime as a
// file. Readiness of an epoll fd means it has events to report. A parker
// belongs to one poller goroutine and is closed when its Wait returns.
type parker struct {
	f  *os.File
	rc syscall.RawConn

	// look is k.lookOnce, bound once: a func made per wait would be an
	// allocation per wake-up. events, n and err are its argument and
	// results, used by the poller's goroutine only.
	look   func(fd uintptr) bool
	events []epollevent
	n      int
	err    error
}

func newParker(epfd int) *parker {
	fd, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(epfd), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return nil
	}
	if syscall.SetNonblock(int(fd), true) != nil {
		syscall.Close(int(fd))
		return nil
	}
	f := os.NewFile(fd, "netpoll-epoll")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	k := &parker{f: f, rc: rc}
	k.look = k.lookOnce
	return k
}

// wait returns the epoll instance's events once it has some. ok is false if
// the runtime could not wait for the file (not pollable, or closed): the
// caller then waits in epoll_wait as upstream does.
//
// It looks with epoll_wait at timeout 0 before it parks, and must: the
// runtime forgets a readiness it saw before the Read began, and the fd is
// edge-triggered there, so events that came in since the caller's last look
// would wake nobody. The caller need not look itself before calling wait.
func (k *parker) wait(events []epollevent) (n int, ok bool, err error) {
	k.events = events
	rerr := k.rc.Read(k.look)
	k.events = nil
	if rerr != nil {
		return 0, false, nil
	}
	return k.n, true, k.err
}

// lookOnce takes the events at hand, waiting for none: the body of the
// runtime's read loop in wait.
func (k *parker) lookOnce(fd uintptr) bool {
	k.n, k.err = EpollWait(int(fd), k.events, 0)
	return k.n > 0 || k.err != nil
}

func (k *parker) close() {
	if k != nil {
		k.f.Close()
	}
}
