package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrDied is returned when a child process exits while the bench needs it.
var ErrDied = errors.New("bench: process died")

// proc is one child process. done is closed once it has exited and err set.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
	// oneShot marks a command expected to exit by itself (wrk).
	oneShot bool
	// retired marks a process the bench stopped on purpose (a fault);
	// guarded by the supervisor's mu.
	retired bool

	// What started it, for restart.
	bin  string
	args []string
	env  []string
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// logTail returns the last lines of the process's log.
func (p *proc) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(bytes.TrimSpace(b))
}

// supervisor starts child processes and makes sure none outlives the bench:
//
//   - each child leads its own process group (Setpgid), so stopAll signals
//     the child and anything it started, and a Ctrl-C at the terminal
//     reaches only the bench, which then stops the children in order;
//   - each child gets SIGKILL if the bench dies without cleaning up (a
//     panic on another goroutine, SIGKILL): Pdeathsig fires when the thread
//     that forked the child exits, so every child is forked from one
//     goroutine locked to its thread, which lives until stopAll.
//
// Its methods are safe for concurrent use.
type supervisor struct {
	logDir string
	starts chan startReq

	mu      sync.Mutex
	procs   []*proc
	stopped bool
}

type startReq struct {
	cmd *exec.Cmd
	err chan error
}

func newSupervisor(logDir string) *supervisor {
	s := &supervisor{logDir: logDir, starts: make(chan startReq)}
	go func() {
		// Never unlocked: when this goroutine returns its thread exits,
		// and the kernel kills any child still running.
		runtime.LockOSThread()
		for r := range s.starts {
			r.err <- r.cmd.Start()
		}
	}()
	return s
}

// start runs bin with args as a long-running child named name, logging to
// logDir: its exit before stopAll is an error that check reports.
func (s *supervisor) start(name, bin string, args ...string) (*proc, error) {
	return s.spawn(false, nil, name, bin, args...)
}

// startEnv is start with env (KEY=VALUE) added to this process's environment.
func (s *supervisor) startEnv(env []string, name, bin string, args ...string) (*proc, error) {
	return s.spawn(false, env, name, bin, args...)
}

// startOneShot is start for a command that exits by itself when done.
func (s *supervisor) startOneShot(name, bin string, args ...string) (*proc, error) {
	return s.spawn(true, nil, name, bin, args...)
}

func (s *supervisor) spawn(oneShot bool, env []string, name, bin string, args ...string) (*proc, error) {
	logPath := filepath.Join(s.logDir, name+".log")
	// A restarted process appends to its predecessor's log.
	f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		f.Close()
		return nil, errors.New("bench: stopping")
	}
	errc := make(chan error, 1)
	s.starts <- startReq{cmd: cmd, err: errc}
	if err := <-errc; err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{}), oneShot: oneShot,
		bin: bin, args: args, env: env}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	s.procs = append(s.procs, p)
	return p, nil
}

// check returns ErrDied, with the log's tail, if any child has exited.
func (s *supervisor) check() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.procs {
		if !p.oneShot && !p.retired && p.exited() {
			return fmt.Errorf("%w: %s (%v); its log ends:\n%s", ErrDied, p.name, p.err, p.logTail())
		}
	}
	return nil
}

// signal sends sig to p's process group and marks p retired: its exit is
// the bench's doing, not a failure check reports. It is a no-op for a
// process that has already exited.
func (s *supervisor) signal(p *proc, sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.exited() {
		return fmt.Errorf("%w: %s had exited before %v", ErrDied, p.name, sig)
	}
	p.retired = true
	return syscall.Kill(-p.pid(), sig)
}

// restart starts a new process with p's name, binary, arguments and
// environment; p must have exited. Its log goes on after p's.
func (s *supervisor) restart(p *proc) (*proc, error) {
	if !p.exited() {
		return nil, fmt.Errorf("bench: restart of %s while it runs", p.name)
	}
	if f, err := os.OpenFile(p.log, os.O_WRONLY|os.O_APPEND, 0); err == nil {
		fmt.Fprintf(f, "\n---- bench: %s exited (%v); restarted at %s ----\n", p.name, p.err, time.Now().Format(time.StampMicro))
		f.Close()
	}
	return s.spawn(p.oneShot, p.env, p.name, p.bin, p.args...)
}

// stopAll stops every child: SIGTERM to each process group in reverse start
// order (the consumer agent first, etcd last), SIGKILL to any still running
// grace later. Children started later than etcd are stopped first, so the
// provider agents can still revoke their leases. It is safe to call more
// than once.
func (s *supervisor) stopAll(grace time.Duration) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.stopped = true
	var procs, etcd []*proc
	for _, p := range s.procs {
		switch {
		case p.exited():
			// Nothing to stop; its pid may be someone else's by now.
		case isEtcdProc(p.name):
			etcd = append(etcd, p)
		default:
			procs = append(procs, p)
		}
	}
	close(s.starts)
	s.mu.Unlock()
	// etcd, if it is a child (restarted, perhaps), goes last.
	stopGroup(procs, grace)
	stopGroup(etcd, grace)
}

// isEtcdProc reports whether a child's name is an etcd member's: "etcd"
// alone, or "etcd-<member>" in a cluster (etcd_cluster.go).
func isEtcdProc(name string) bool {
	return name == "etcd" || strings.HasPrefix(name, "etcd-")
}

func stopGroup(procs []*proc, grace time.Duration) {
	for i := len(procs) - 1; i >= 0; i-- {
		syscall.Kill(-procs[i].pid(), syscall.SIGTERM)
	}
	deadline := time.After(grace)
	for _, p := range procs {
		select {
		case <-p.done:
		case <-deadline:
			for _, q := range procs {
				if !q.exited() {
					syscall.Kill(-q.pid(), syscall.SIGKILL)
				}
			}
			for _, q := range procs {
				<-q.done
			}
			return
		}
	}
}

// waitListening waits until addr accepts connections, p exits, or the
// timeout passes.
func waitListening(addr string, p *proc, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if p != nil && p.exited() {
			return fmt.Errorf("%w: %s (%v) before listening on %s; its log ends:\n%s", ErrDied, p.name, p.err, addr, p.logTail())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: %s not listening on %s after %v", nameOf(p), addr, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func nameOf(p *proc) string {
	if p == nil {
		return "server"
	}
	return p.name
}
