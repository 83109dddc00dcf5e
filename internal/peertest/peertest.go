package peertest

import (
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// Hangup is how a peer leaves.
type Hangup int

const (
	// FIN closes the socket normally.
	FIN Hangup = iota
	// RST closes it with SO_LINGER 0, so the kernel resets the connection.
	RST
	// HalfClose shuts down the write side only (shutdown(SHUT_WR)) and
	// keeps reading.
	HalfClose
)

// Hangups lists every way a peer leaves, for table tests.
var Hangups = []Hangup{FIN, RST, HalfClose}

func (h Hangup) String() string {
	switch h {
	case FIN:
		return "fin"
	case RST:
		return "rst"
	default:
		return "half-close"
	}
}

// Closed is how long a server may take to close its side of a connection
// whose peer left.
const Closed = 100 * time.Millisecond

// SendAndLeave dials addr, writes payload, and leaves as h says. For
// HalfClose it then checks that the server closes its side within Closed
// (the read sees EOF or a reset, not a timeout).
func SendAndLeave(t testing.TB, addr string, payload []byte, h Hangup) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.(*net.TCPConn)
	defer tc.Close()
	if _, err := tc.Write(payload); err != nil {
		t.Fatal(err)
	}
	switch h {
	case FIN:
		tc.Close()
	case RST:
		tc.SetLinger(0)
		tc.Close()
	case HalfClose:
		tc.CloseWrite()
		tc.SetReadDeadline(time.Now().Add(Closed))
		buf := make([]byte, 4096)
		for {
			_, err := tc.Read(buf)
			if err == nil {
				continue // an error frame or answer before the close
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("%s after %d bytes: the server kept the connection open for %v after the peer's half-close", h, len(payload), Closed)
			}
			return
		}
	}
}

// OpenFDs returns the number of file descriptors this process holds.
func OpenFDs(t testing.TB) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	return len(es)
}

// WaitFDs waits up to within for the process's descriptors to fall to at
// most want: the server has closed the connections its peers left.
func WaitFDs(t testing.TB, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n := OpenFDs(t)
		if n <= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d file descriptors open %v after the peers left, want at most %d: a connection was not closed", n, within, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// CPUTime returns the user plus system CPU time this process has used.
func CPUTime(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// AssertIdle checks that the process uses at most max CPU time over window:
// no handler spins on a connection that is gone.
func AssertIdle(t testing.TB, window, max time.Duration) {
	t.Helper()
	before := CPUTime(t)
	time.Sleep(window)
	if used := CPUTime(t) - before; used > max {
		t.Fatalf("the process used %v of CPU over %v after the peers left, want at most %v: a handler is spinning", used, window, max)
	}
}

// Spin is the CPU time over a second, beyond what the process used before
// the peers came, that counts as a handler spinning. A spinning handler
// takes most of a core: hundreds of milliseconds a second.
const Spin = 10 * time.Millisecond

// Check runs the whole check against a server at addr: for each Hangup, a
// peer sends each payload (part of a frame or request) and leaves; then the
// server must have closed every such connection within Closed and stay as
// idle as it was before the peers came: over a second, at most Spin more
// CPU time than the second measured before (the servers' own timers cost
// the same in both; a third of that again is allowed for noise). The
// process's descriptors must not change otherwise during the check.
func Check(t *testing.T, addr string, payloads ...[]byte) {
	t.Helper()
	time.Sleep(50 * time.Millisecond) // let start-up work settle
	base := OpenFDs(t)
	start := CPUTime(t)
	time.Sleep(time.Second)
	idle := CPUTime(t) - start
	for _, h := range Hangups {
		for _, p := range payloads {
			SendAndLeave(t, addr, p, h)
		}
	}
	WaitFDs(t, base, Closed)
	AssertIdle(t, time.Second, idle+idle/3+Spin)
}
