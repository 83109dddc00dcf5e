package mtls

import (
	"errors"
	"net"
	"syscall"

	"github.com/cloudwego/netpoll"
)

// errNoSocket is returned for a net.Conn that has no socket to move.
var errNoSocket = errors.New("mtls: connection has no socket")

// toNetpoll moves raw's socket from Go's poller to netpoll: it duplicates
// the descriptor (close-on-exec), closes raw (which leaves Go's poller; the
// socket stays open through the duplicate) and registers the duplicate
// with one of netpoll's pollers. raw is closed in every case. The caller
// must not have left unread bytes in raw's user space (a net.Conn keeps
// none).
func toNetpoll(raw net.Conn) (netpoll.Connection, error) {
	defer raw.Close()
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return nil, errNoSocket
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			derr = e
			return
		}
		fd = int(r)
	}); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	raw.Close()
	nc, err := netpoll.NewFDConnection(fd)
	if err != nil { // netpoll closed fd
		return nil, err
	}
	return nc, nil
}

// maxDrain bounds what drainBuffered discards.
const maxDrain = 64 << 10

// drainBuffered discards what raw's socket has received and not been read,
// up to maxDrain, without waiting. The handshake reads no further than the
// record it is in, so a refused peer may have sent more (a plaintext
// client's whole request): closing a socket with unread bytes makes the
// kernel reset the connection instead of closing it in order.
func drainBuffered(raw net.Conn) {
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	var buf [4 << 10]byte
	for total := 0; total < maxDrain; {
		n := 0
		rc.Read(func(fd uintptr) bool {
			n, _ = syscall.Read(int(fd), buf[:])
			return true // one attempt, never wait
		})
		if n <= 0 {
			return
		}
		total += n
	}
}
