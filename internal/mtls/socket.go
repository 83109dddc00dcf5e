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
