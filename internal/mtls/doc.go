// Package mtls provides mutual TLS for the agent protocol: the certificate,
// key and CA read from PEM files and swapped atomically on reload (Store),
// a netpoll.Connection over crypto/tls (Conn) so that a TLS link feeds the
// same batch decode and batch flush as a netpoll one, and a listener that
// refuses, counts and logs peers that fail the handshake (Server).
//
// netpoll has no TLS and the kernel offers no kTLS. The handshake runs on
// Go's crypto/tls over a standard net.Conn (with its deadline); then the
// socket moves to netpoll, and crypto/tls runs over the netpoll connection:
// records are decrypted on netpoll's handler goroutines without blocking
// and encrypted into netpoll's output buffer, so a TLS link waits in the
// same pollers as every other socket. Plaintext links are untouched.
//
// Only TLS 1.3 is spoken, and both sides present a certificate that must
// chain to the CA.
package mtls
