// Package mtls provides mutual TLS for the agent protocol: the certificate,
// key and CA read from PEM files and swapped atomically on reload (Store),
// a netpoll.Connection over crypto/tls (Conn) so that a TLS link feeds the
// same batch decode and batch flush as a netpoll one, and a listener that
// refuses, counts and logs peers that fail the handshake (Server).
//
// netpoll has no TLS and the kernel offers no kTLS, so a TLS link runs on Go's
// crypto/tls over a standard net.Conn, with one reader goroutine per
// connection. Agent links are few and long-lived (loops × provider agents),
// so the goroutines cost little; plaintext links keep netpoll untouched.
//
// Only TLS 1.3 is spoken, and both sides present a certificate that must
// chain to the CA.
package mtls
