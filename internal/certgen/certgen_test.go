package certgen

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"
)

func TestIssueVerifies(t *testing.T) {
	ca, err := NewCA("test-ca")
	if err != nil {
		t.Fatal(err)
	}
	is, err := ca.Issue(Leaf{Name: "agent", IPs: []net.IP{net.IPv4(10, 0, 0, 1)}, DNS: []string{"agent.example"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := WriteFiles(t.TempDir(), "agent", ca, is)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(p.Cert, p.Key)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca.PEM()) {
		t.Fatal("the CA's PEM does not parse")
	}
	for _, host := range []string{"10.0.0.1", "agent.example"} {
		if _, err := pair.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := pair.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "10.0.0.2"}); err == nil {
		t.Error("verified for a host it does not name")
	}
	past := time.Now().Add(-48 * time.Hour)
	old, _ := ca.Issue(Leaf{Name: "old", NotBefore: past, NotAfter: past.Add(time.Hour)})
	op, _ := WriteFiles(t.TempDir(), "old", ca, old)
	oldPair, _ := tls.LoadX509KeyPair(op.Cert, op.Key)
	if _, err := oldPair.Leaf.Verify(x509.VerifyOptions{Roots: pool}); err == nil {
		t.Error("an expired certificate verified")
	}
}
