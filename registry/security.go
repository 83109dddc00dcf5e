package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Talking to a production etcd: client TLS (https:// endpoints, a client
// certificate when etcd asks for one, the CA that signed etcd's) and user
// authentication (a user and its password; etcd hands the client a token).

// TLSFiles names the PEM files of TLS to etcd: the client certificate and
// key (both or neither) and the CA that signed etcd's certificate (empty:
// the system's roots).
type TLSFiles struct {
	Cert, Key, CA string
}

// ErrTLSFiles is returned for TLS files that cannot be used.
var ErrTLSFiles = errors.New("registry: bad etcd TLS files")

// Config returns the client TLS configuration the files make: TLS 1.2 or
// later (etcd's own minimum), etcd's certificate verified against CA.
func (f TLSFiles) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if (f.Cert == "") != (f.Key == "") {
		return nil, fmt.Errorf("%w: a client certificate needs its key, and a key its certificate", ErrTLSFiles)
	}
	if f.Cert != "" {
		pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTLSFiles, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	if f.CA != "" {
		pem, err := os.ReadFile(f.CA)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTLSFiles, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: %s holds no PEM certificate", ErrTLSFiles, f.CA)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// WithTLS makes the client speak TLS with cfg; the endpoints must be
// https://. The client owns cfg from then on.
func WithTLS(cfg *tls.Config) ClientOption {
	return func(c *clientv3.Config) { c.TLS = cfg }
}

// WithAuth makes the client authenticate as user with password.
func WithAuth(user, password string) ClientOption {
	return func(c *clientv3.Config) { c.Username, c.Password = user, password }
}

// AgentRole is the etcd role EnableAuth gives the agents' user: read and
// write on the keys under Prefix, and nothing else.
const AgentRole = "dubbomesh-agent"

// EnableAuth sets etcd up for user authentication through cli (which must
// be unauthenticated): the root user (etcd wants one before auth is on)
// with rootPassword, a role AgentRole with read and write on Prefix, and
// agentUser with agentPassword and that role; then it turns authentication
// on. From then on every client needs a user. For tests, the bench and a
// development etcd; a production etcd's users are the operator's (README,
// "Security").
func EnableAuth(ctx context.Context, cli *clientv3.Client, rootPassword, agentUser, agentPassword string) error {
	steps := []struct {
		what string
		do   func() error
	}{
		{"add user root", func() error { _, err := cli.UserAdd(ctx, "root", rootPassword); return err }},
		{"grant root to root", func() error { _, err := cli.UserGrantRole(ctx, "root", "root"); return err }},
		{"add role " + AgentRole, func() error { _, err := cli.RoleAdd(ctx, AgentRole); return err }},
		{"grant " + Prefix + " to " + AgentRole, func() error {
			_, err := cli.RoleGrantPermission(ctx, AgentRole, Prefix, clientv3.GetPrefixRangeEnd(Prefix), clientv3.PermissionType(clientv3.PermReadWrite))
			return err
		}},
		{"add user " + agentUser, func() error { _, err := cli.UserAdd(ctx, agentUser, agentPassword); return err }},
		{"grant " + AgentRole + " to " + agentUser, func() error { _, err := cli.UserGrantRole(ctx, agentUser, AgentRole); return err }},
		{"enable auth", func() error { _, err := cli.AuthEnable(ctx); return err }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			return fmt.Errorf("registry: %s: %w", st.what, err)
		}
	}
	return nil
}
