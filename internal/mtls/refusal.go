package mtls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
)

// Reason is why a peer's handshake failed, as a counter's label.
type Reason string

// The reasons a handshake is refused.
const (
	// Plaintext: the peer did not speak TLS (an agent without --tls-*,
	// or garbage).
	Plaintext Reason = "plaintext"
	// UnknownCA: the peer's certificate does not chain to the CA.
	UnknownCA Reason = "unknown_ca"
	// Expired: the peer's certificate is expired or not yet valid.
	Expired Reason = "expired"
	// NoCert: the peer presented no certificate.
	NoCert Reason = "no_certificate"
	// BadName: the server's certificate does not name the host dialed.
	BadName Reason = "bad_name"
	// Timeout: the handshake did not finish in time (a peer that stalls).
	Timeout Reason = "timeout"
	// Closed: the peer closed the connection during the handshake.
	Closed Reason = "closed"
	// Busy: the peer's host had MaxHandshakesPerHost handshakes under
	// way; the connection was closed before its own began.
	Busy Reason = "busy"
	// Other: any other failure (old TLS version, bad signature...).
	Other Reason = "other"
)

// Reasons lists every Reason, for metrics to resolve their series up front.
var Reasons = []Reason{Plaintext, UnknownCA, Expired, NoCert, BadName, Timeout, Closed, Busy, Other}

// Classify returns why a handshake failed with err.
func Classify(err error) Reason {
	var (
		rh tls.RecordHeaderError
		ua x509.UnknownAuthorityError
		ci x509.CertificateInvalidError
		hn x509.HostnameError
		ne net.Error
		op *net.OpError
	)
	switch {
	case errors.Is(err, errBusy):
		return Busy
	case errors.As(err, &rh):
		return Plaintext
	case errors.As(err, &ua):
		return UnknownCA
	case errors.As(err, &ci) && (ci.Reason == x509.Expired):
		return Expired
	case errors.As(err, &hn):
		return BadName
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return Timeout
	case strings.Contains(err.Error(), "didn't provide a certificate"):
		return NoCert
	case errors.As(err, &op) && op.Op == "remote error":
		return alertReason(op.Err)
	case errors.Is(err, net.ErrClosed), strings.Contains(err.Error(), "EOF"), strings.Contains(err.Error(), "connection reset"):
		return Closed
	}
	return Other
}

// alertReason maps the alert a peer sent (it refused us; crypto/tls reports
// it as a *net.OpError "remote error" around the alert, whose text is the
// standard alert description) to a Reason.
func alertReason(alert error) Reason {
	switch msg := alert.Error(); {
	case strings.HasSuffix(msg, "unknown certificate authority"), strings.HasSuffix(msg, "bad certificate"):
		return UnknownCA // Go answers any chain it cannot verify with bad_certificate
	case strings.HasSuffix(msg, "expired certificate"):
		return Expired
	case strings.HasSuffix(msg, "certificate required"):
		return NoCert
	}
	return Other
}

// isRemoteAlert reports whether err is a TLS alert the peer sent.
func isRemoteAlert(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "remote error"
}
