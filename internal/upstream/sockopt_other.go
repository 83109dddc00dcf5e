//go:build !linux

package upstream

import (
	"time"

	"github.com/cloudwego/netpoll"
)

// TuneTCP sets TCP keepalive on conn; TCP_USER_TIMEOUT is Linux's only.
func TuneTCP(conn netpoll.Connection, userTimeout time.Duration) error {
	if fc, ok := conn.(netpoll.Conn); ok {
		return netpoll.SetKeepAlive(fc.Fd(), int(KeepAliveIdle/time.Second))
	}
	return nil
}

// unackedBytes cannot tell here: stalls are not told from deaths.
func unackedBytes(netpoll.Connection) (unacked, ok bool) { return false, false }

// streamOf cannot tell here: a ping's clock runs from when it was written,
// whatever waits ahead of it.
func streamOf(netpoll.Connection) (st stream, ok bool) { return st, false }
