package mtls

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"
)

// HandshakeError is a dial's failed TLS handshake: the peer was reached but
// refused us, or we refused it. Reason says why.
type HandshakeError struct {
	Addr   string
	Reason Reason
	Err    error
}

func (e *HandshakeError) Error() string {
	hint := ""
	switch e.Reason {
	case Closed, Plaintext:
		hint = " (does the peer speak TLS? a provider agent needs --tls-cert, --tls-key and --tls-ca)"
	case UnknownCA, Expired, NoCert, BadName:
		hint = " (certificate: " + string(e.Reason) + ")"
	}
	return fmt.Sprintf("TLS handshake with %s failed%s: %v", e.Addr, hint, e.Err)
}

func (e *HandshakeError) Unwrap() error { return e.Err }

// Dial connects to addr and does the client side of the handshake, within
// timeout in all: the server's certificate must chain to s's CA and name
// addr's host (an IP SAN for an IP address, a DNS name otherwise), and s's
// current certificate is presented. A failed handshake is a
// *HandshakeError. The returned Conn is on netpoll, not served yet.
func Dial(addr string, timeout time.Duration, s *Store) (*Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	d := net.Dialer{Deadline: deadline}
	raw, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	t := newTransport(raw)
	tc := tls.Client(t, s.ClientConfig(host))
	raw.SetDeadline(deadline)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	err = tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		raw.Close()
		return nil, &HandshakeError{Addr: addr, Reason: Classify(err), Err: err}
	}
	raw.SetDeadline(time.Time{})
	return newConn(tc, t, raw)
}
