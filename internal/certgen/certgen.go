package certgen

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a certificate authority that can issue certificates. It is safe for
// concurrent use.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// NewCA returns a fresh self-signed CA named name, valid from an hour ago
// for a day.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, pem: pemBlock("CERTIFICATE", der)}, nil
}

// PEM returns the CA's certificate in PEM; the caller must not modify it.
func (ca *CA) PEM() []byte { return ca.pem }

// Leaf describes a certificate to issue. The zero NotBefore and NotAfter
// mean valid from an hour ago for a day.
type Leaf struct {
	Name      string   // the subject's common name
	IPs       []net.IP // IP SANs
	DNS       []string // DNS SANs
	NotBefore time.Time
	NotAfter  time.Time
}

// Issued is a certificate and its private key, in PEM.
type Issued struct {
	CertPEM, KeyPEM []byte
}

// Issue signs a certificate for l, usable by a TLS server and client alike.
func (ca *CA) Issue(l Leaf) (Issued, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Issued{}, err
	}
	nb, na := l.NotBefore, l.NotAfter
	if nb.IsZero() {
		nb = time.Now().Add(-time.Hour)
	}
	if na.IsZero() {
		na = time.Now().Add(24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: l.Name},
		NotBefore:    nb,
		NotAfter:     na,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  l.IPs,
		DNSNames:     l.DNS,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return Issued{}, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return Issued{}, err
	}
	return Issued{CertPEM: pemBlock("CERTIFICATE", der), KeyPEM: pemBlock("EC PRIVATE KEY", kder)}, nil
}

// Paths are the files WriteFiles wrote.
type Paths struct{ Cert, Key, CA string }

// WriteFiles writes is and ca's certificate to dir as <name>.crt,
// <name>.key (mode 0600) and <name>-ca.crt, replacing each file atomically
// (written aside, then renamed) so that a reader never sees half of one.
func WriteFiles(dir, name string, ca *CA, is Issued) (Paths, error) {
	p := Paths{
		Cert: filepath.Join(dir, name+".crt"),
		Key:  filepath.Join(dir, name+".key"),
		CA:   filepath.Join(dir, name+"-ca.crt"),
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{p.Key, is.KeyPEM, 0o600}, {p.Cert, is.CertPEM, 0o644}, {p.CA, ca.pem, 0o644}} {
		if err := writeAtomic(f.path, f.data, f.mode); err != nil {
			return Paths{}, err
		}
	}
	return p, nil
}

// IssueFiles issues a certificate for l and writes it with ca's
// certificate to dir as name's files (WriteFiles).
func (ca *CA) IssueFiles(dir, name string, l Leaf) (Paths, error) {
	is, err := ca.Issue(l)
	if err != nil {
		return Paths{}, err
	}
	return WriteFiles(dir, name, ca, is)
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("certgen: %w", err)
	}
	return nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n
}
