package cmdline

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// Check gathers the first failure among the checks made on a command
// line's values; Err returns it. Its zero value is ready to use. It is not
// safe for concurrent use.
type Check struct {
	err error
}

// Err returns the first failure, an *Error, or nil.
func (c *Check) Err() error { return c.err }

// Fail records that flag is bad, unless a failure is already recorded.
func (c *Check) Fail(flag, format string, args ...any) {
	if c.err == nil {
		c.err = Errorf(flag, format, args...)
	}
}

// Add records err as the reason flag is bad, unless err is nil or a
// failure is already recorded.
func (c *Check) Add(flag string, err error) {
	if err != nil {
		c.Fail(flag, "%s", err)
	}
}

// Int checks that v is in [lo, hi].
func (c *Check) Int(flag string, v, lo, hi int) {
	if v < lo || v > hi {
		c.Fail(flag, "must be in %d..%d (got %d)", lo, hi, v)
	}
}

// Duration checks that d is in [lo, hi].
func (c *Check) Duration(flag string, d, lo, hi time.Duration) {
	if d < lo || d > hi {
		c.Fail(flag, "must be in %s..%s (got %s)", Duration(lo), Duration(hi), Duration(d))
	}
}

// Float checks that v is a finite number in [lo, hi].
func (c *Check) Float(flag string, v, lo, hi float64) {
	if math.IsNaN(v) || v < lo || v > hi {
		c.Fail(flag, "must be in %g..%g (got %g)", lo, hi, v)
	}
}

// ListenAddr checks that addr is an address to listen on: host:port, with
// an empty host (every interface) or a named one, and a port in 0..65535
// (0: any free port).
func (c *Check) ListenAddr(flag, addr string) {
	if err := hostPort(addr, 0); err != nil {
		c.Add(flag, err)
	}
}

// DialAddr checks that addr is an address to connect or advertise: host:port
// with a port in 1..65535. An empty host means this host, as for net.Dial.
func (c *Check) DialAddr(flag, addr string) {
	if err := hostPort(addr, 1); err != nil {
		c.Add(flag, err)
	}
}

// hostPort checks host:port, the port a number from minPort to 65535.
func hostPort(addr string, minPort int) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q: bad host %q", addr, host)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < minPort || n > 65535 {
		return fmt.Errorf("%q: the port must be a number in %d..65535", addr, minPort)
	}
	return nil
}

// Listen listens on TCP addr for flag's sake: an address that is in use,
// or that this host does not have, comes back as an *Error about flag.
// The caller closes the listener.
func Listen(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, ListenError(flag, addr, err)
	}
	return ln, nil
}

// ListenError returns an *Error about flag for err, the failure to listen
// on addr, naming the address and the system's reason.
func ListenError(flag, addr string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	return Errorf(flag, "cannot listen on %s: %v", addr, err)
}

// Duration formats d as time.Duration does, without its zero minutes and
// seconds: 1h, 5m, 1m30s, 100ms.
func Duration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}
