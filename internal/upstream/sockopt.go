package upstream

import "time"

// The TCP liveness settings of every agent and provider socket (TuneTCP).
// Application pings (liveness.go) find a dead path under traffic within
// about a second; these are the kernel's backstop, for idle connections
// and for the sockets of peers that ping nobody.
const (
	// DefaultUserTimeout is the default TCP_USER_TIMEOUT.
	DefaultUserTimeout = 5 * time.Second
	// KeepAliveIdle is the silence before the first keepalive probe.
	KeepAliveIdle = 5 * time.Second
	// KeepAliveInterval is the time between keepalive probes.
	KeepAliveInterval = time.Second
	// keepAliveCount is the number of unanswered probes that end a
	// connection (TCP_USER_TIMEOUT, when shorter, ends it first).
	keepAliveCount = 3
)

// stream is what the kernel says of the bytes sent on a socket: how many
// the process has written to it since it opened, how many of those the
// peer's kernel has acknowledged (TCP_INFO's bytes_acked), and the window
// the peer last advertised (snd_wnd: the room in its receive buffer, which
// grows as its process reads).
type stream struct {
	written, acked uint64
	window         uint32
}
