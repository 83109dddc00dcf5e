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
