package mtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// Files names the PEM files of an agent's TLS material.
type Files struct {
	Cert string // the agent's certificate chain, leaf first
	Key  string // the private key of the leaf
	CA   string // the CA certificates peers must chain to
}

// Set reports whether any of the files is named.
func (f Files) Set() bool { return f.Cert != "" || f.Key != "" || f.CA != "" }

// ErrFiles is returned for TLS material that cannot be used.
var ErrFiles = errors.New("mtls: bad TLS files")

// material is one loaded generation of the files. It is immutable.
type material struct {
	cert                *tls.Certificate
	pool                *x509.CertPool
	notBefore, notAfter time.Time
	server              *tls.Config // the whole server config of this generation
}

// Store holds an agent's certificate, key and CA pool and swaps them
// atomically on Reload. The tls.Configs it hands out read the current
// generation at each handshake, so a reload reaches the next handshake
// while connections already open keep theirs. A Store is safe for
// concurrent use; it holds no goroutine.
type Store struct {
	files Files
	cur   atomic.Pointer[material]
	loads atomic.Uint64
}

// Load reads the files and returns a Store over them, or an error wrapping
// ErrFiles that names the file at fault.
func Load(f Files) (*Store, error) {
	s := &Store{files: f}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload reads the files again and, if they make a usable generation, makes
// it the current one. On error the current generation stays.
func (s *Store) Reload() error {
	m, err := loadMaterial(s.files)
	if err != nil {
		return err
	}
	s.cur.Store(m)
	s.loads.Add(1)
	return nil
}

// Loads returns how many generations were loaded: 1 after Load, one more
// per successful Reload.
func (s *Store) Loads() uint64 { return s.loads.Load() }

// NotAfter returns the expiry of the current certificate.
func (s *Store) NotAfter() time.Time { return s.cur.Load().notAfter }

// Invalid returns why the current certificate is not valid at now (expired,
// or not yet valid), or nil. Peers refuse such a certificate.
func (s *Store) Invalid(now time.Time) error {
	m := s.cur.Load()
	switch {
	case now.After(m.notAfter):
		return fmt.Errorf("mtls: %s expired at %s", s.files.Cert, m.notAfter.Format(time.RFC3339))
	case now.Before(m.notBefore):
		return fmt.Errorf("mtls: %s is not valid before %s", s.files.Cert, m.notBefore.Format(time.RFC3339))
	}
	return nil
}

// Files returns the files the Store reads.
func (s *Store) Files() Files { return s.files }

// caError is loadMaterial's error for the CA file, so that the flags'
// check names --tls-ca rather than --tls-cert.
type caError struct{ error }

func (e caError) Unwrap() error { return e.error }

func loadMaterial(f Files) (*material, error) {
	if f.Cert == "" || f.Key == "" || f.CA == "" {
		return nil, fmt.Errorf("%w: a certificate, its key and a CA are all needed", ErrFiles)
	}
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s and %s: %v", ErrFiles, f.Cert, f.Key, err)
	}
	caPEM, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, caError{fmt.Errorf("%w: %v", ErrFiles, err)}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, caError{fmt.Errorf("%w: %s holds no PEM certificate", ErrFiles, f.CA)}
	}
	m := &material{cert: &cert, pool: pool, notBefore: cert.Leaf.NotBefore, notAfter: cert.Leaf.NotAfter}
	m.server = &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}
	return m, nil
}

// ServerConfig returns the config of a TLS listener: TLS 1.3 only, a
// client certificate required and verified against the CA. Each handshake
// takes the generation current at its start (GetConfigForClient). The
// caller may set fields the per-handshake config does not carry (none
// matter here) but must not share it with another Store.
func (s *Store) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return s.cur.Load().server, nil
		},
	}
}

// ClientConfig returns the config of one dial to serverName (the host of the
// address dialed: an IP address is checked against the certificate's IP
// SANs, a name against its DNS names): TLS 1.3 only, the server verified
// against the current CA, the current certificate presented. Build one per
// dial; it is the caller's.
func (s *Store) ClientConfig(serverName string) *tls.Config {
	m := s.cur.Load()
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		ServerName: serverName,
		RootCAs:    m.pool,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return m.cert, nil
		},
	}
}
