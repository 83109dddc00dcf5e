package upstream

import (
	"syscall"
	"time"

	"github.com/cloudwego/netpoll"
	"golang.org/x/sys/unix"
)

// tcpUserTimeout is TCP_USER_TIMEOUT (linux/tcp.h), which package syscall
// does not name.
const tcpUserTimeout = 0x12

// TuneTCP sets the liveness options of a TCP connection: TCP_USER_TIMEOUT
// to userTimeout (data sent and not acknowledged for that long, or
// keepalive probes unanswered for that long, make the kernel drop the
// connection) and TCP keepalive, probing after KeepAliveIdle of silence
// every KeepAliveInterval. It reports the first option the kernel refused;
// the connection is usable either way. conn must be a netpoll connection
// over a socket, such as an *mtls.Conn (anything else is left alone).
func TuneTCP(conn netpoll.Connection, userTimeout time.Duration) error {
	if c, ok := conn.(netpoll.Conn); ok { // netpoll's, or an *mtls.Conn (on netpoll too)
		return tuneFD(c.Fd(), userTimeout)
	}
	return nil
}

func tuneFD(fd int, userTimeout time.Duration) error {
	opts := [...]struct{ level, name, value int }{
		{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, int(KeepAliveIdle / time.Second)},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, int(KeepAliveInterval / time.Second)},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, keepAliveCount},
		{syscall.IPPROTO_TCP, tcpUserTimeout, int(userTimeout / time.Millisecond)},
	}
	var first error
	for _, o := range opts {
		if err := syscall.SetsockoptInt(fd, o.level, o.name, o.value); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// userTimeoutOf reads back a socket's TCP_USER_TIMEOUT, for tests.
func userTimeoutOf(fd int) (time.Duration, error) {
	v, err := syscall.GetsockoptInt(fd, syscall.IPPROTO_TCP, tcpUserTimeout)
	return time.Duration(v) * time.Millisecond, err
}

// unackedBytes reports whether the kernel holds data sent on conn's socket
// that the peer has not acknowledged (TCP_INFO's unacked segments); ok is
// false when the socket cannot say.
func unackedBytes(conn netpoll.Connection) (unacked, ok bool) {
	info, _, ok := tcpInfo(conn)
	return ok && info.Unacked > 0, ok
}

// tcpInfo reads conn's socket's TCP_INFO; ok is false when it cannot (not
// a socket netpoll owns, or the kernel refused). fd is the socket's.
func tcpInfo(conn netpoll.Connection) (info *unix.TCPInfo, fd int, ok bool) {
	c, isConn := conn.(netpoll.Conn)
	if !isConn {
		return nil, 0, false
	}
	info, err := unix.GetsockoptTCPInfo(c.Fd(), unix.IPPROTO_TCP, unix.TCP_INFO)
	return info, c.Fd(), err == nil
}

// streamOf reads what TCP_INFO and SIOCOUTQ say of the stream sent on
// conn's socket; ok is false when the socket cannot say.
func streamOf(conn netpoll.Connection) (st stream, ok bool) {
	info, fd, ok := tcpInfo(conn)
	if !ok {
		return st, false
	}
	queued, err := unix.IoctlGetInt(fd, unix.TIOCOUTQ) // SIOCOUTQ
	if err != nil || queued < 0 {
		return st, false
	}
	return stream{written: info.Bytes_acked + uint64(queued), acked: info.Bytes_acked, window: info.Snd_wnd}, true
}
