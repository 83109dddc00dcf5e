package registry

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

// PasswordEnv is the environment variable that holds the etcd user's
// password when --etcd-password-file is not given. A password is never a
// flag: flags show in ps and in /proc/<pid>/cmdline.
const PasswordEnv = "DUBBOMESH_ETCD_PASSWORD"

// EtcdOptions are an agent's etcd flags: the endpoints, client TLS and
// user authentication. Register them, parse, then Check; ClientOptions
// gives what NewClient needs, and Connect connects as the agents do. Not safe for concurrent use.
type EtcdOptions struct {
	Endpoints    string
	TLS          TLSFiles
	User         string
	PasswordFile string

	password string
	tls      *tls.Config
}

// Register adds --etcd, --etcd-cert, --etcd-key, --etcd-ca, --etcd-user and
// --etcd-password-file to fs, writing into o.
func (o *EtcdOptions) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.Endpoints, "etcd", "http://127.0.0.1:2379", "comma-separated etcd endpoints, each http://host:port or https://host:port")
	fs.StringVar(&o.TLS.Cert, "etcd-cert", "", "PEM client certificate for TLS to etcd (with --etcd-key; needs https:// endpoints)")
	fs.StringVar(&o.TLS.Key, "etcd-key", "", "PEM private key of --etcd-cert")
	fs.StringVar(&o.TLS.CA, "etcd-ca", "", "PEM CA that signed etcd's certificate (default: the system's roots; needs https:// endpoints)")
	fs.StringVar(&o.User, "etcd-user", "", "etcd user to authenticate as; the password comes from $"+PasswordEnv+" or --etcd-password-file, never a flag")
	fs.StringVar(&o.PasswordFile, "etcd-password-file", "", "file holding the --etcd-user password (one line; wins over $"+PasswordEnv+")")
}

// Check records on c the first flag that is wrong, reading the TLS files
// and the password (from the file, else from getenv(PasswordEnv)).
func (o *EtcdOptions) Check(c *cmdline.Check, getenv func(string) string) {
	eps, err := ParseEndpoints(o.Endpoints)
	c.Add("etcd", err)
	https, http := 0, 0
	for _, e := range eps {
		if strings.HasPrefix(e, "https://") {
			https++
		} else {
			http++
		}
	}
	tlsFlag := ""
	switch {
	case o.TLS.Cert != "":
		tlsFlag = "etcd-cert"
	case o.TLS.Key != "":
		tlsFlag = "etcd-key"
	case o.TLS.CA != "":
		tlsFlag = "etcd-ca"
	}
	switch {
	case tlsFlag != "" && http > 0:
		c.Fail(tlsFlag, "TLS to etcd needs https:// endpoints (--etcd %s)", o.Endpoints)
	case https > 0 && http > 0:
		c.Fail("etcd", "mixes http:// and https:// endpoints")
	case (o.TLS.Cert == "") != (o.TLS.Key == ""):
		if o.TLS.Cert == "" {
			c.Fail("etcd-key", "needs --etcd-cert")
		} else {
			c.Fail("etcd-cert", "needs --etcd-key")
		}
	case https > 0:
		cfg, err := o.TLS.Config()
		c.Add(tlsFlag, err)
		o.tls = cfg
	}
	o.password = ""
	switch {
	case o.PasswordFile != "" && o.User == "":
		c.Fail("etcd-password-file", "needs --etcd-user")
	case o.PasswordFile != "":
		b, err := os.ReadFile(o.PasswordFile)
		if err != nil {
			c.Fail("etcd-password-file", "%v", err)
			return
		}
		o.password = strings.TrimRight(string(b), "\r\n")
		if o.password == "" {
			c.Fail("etcd-password-file", "%s is empty", o.PasswordFile)
		}
	case o.User != "":
		o.password = getenv(PasswordEnv)
		if o.password == "" {
			c.Fail("etcd-user", "no password: set $%s or give --etcd-password-file", PasswordEnv)
		}
	}
}

// ClientOptions returns the NewClient options of the checked flags: TLS
// for https:// endpoints, the user and password.
func (o *EtcdOptions) ClientOptions() []ClientOption {
	var opts []ClientOption
	if o.tls != nil {
		opts = append(opts, WithTLS(o.tls))
	}
	if o.User != "" {
		opts = append(opts, WithAuth(o.User, o.password))
	}
	return opts
}

// Connect is the agents' Connect with the checked flags, the etcd client's
// own log going to lg.
func (o *EtcdOptions) Connect(ctx context.Context, lg *slog.Logger) (*clientv3.Client, error) {
	return Connect(ctx, lg, o.Endpoints, append(o.ClientOptions(), WithLogger(lg))...)
}

// String describes the options for a log line, without the password.
func (o *EtcdOptions) String() string {
	s := o.Endpoints
	if o.tls != nil {
		s += fmt.Sprintf(" tls(client cert: %t)", o.TLS.Cert != "")
	}
	if o.User != "" {
		s += " user " + o.User
	}
	return s
}
