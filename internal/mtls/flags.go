package mtls

import (
	"errors"
	"flag"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

// Options are an agent's --tls-cert, --tls-key and --tls-ca flags. Register
// them, parse, then Check, which loads the files; Store returns the result.
// Not safe for concurrent use.
type Options struct {
	Files Files
	store *Store
}

// Register adds --tls-cert, --tls-key and --tls-ca to fs, writing into o.
// peer names who the certificate faces, for the usage text.
func (o *Options) Register(fs *flag.FlagSet, peer string) {
	fs.StringVar(&o.Files.Cert, "tls-cert", "", "PEM certificate (chain) of this agent for mutual TLS with "+peer+"; with --tls-key and --tls-ca; reloaded on SIGHUP")
	fs.StringVar(&o.Files.Key, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&o.Files.CA, "tls-ca", "", "PEM CA that "+peer+"' certificates must chain to")
}

// Check records on c the first TLS flag that is wrong: given without the
// other two, or naming a file that does not load.
func (o *Options) Check(c *cmdline.Check) {
	o.store = nil
	f := o.Files
	if !f.Set() {
		return
	}
	for _, x := range []struct{ flag, v string }{{"tls-cert", f.Cert}, {"tls-key", f.Key}, {"tls-ca", f.CA}} {
		if x.v == "" {
			c.Fail(x.flag, "mutual TLS needs --tls-cert, --tls-key and --tls-ca together")
			return
		}
	}
	s, err := Load(f)
	if err != nil {
		flag := "tls-cert" // the certificate or its key
		if errors.As(err, new(caError)) {
			flag = "tls-ca"
		}
		c.Add(flag, err)
		return
	}
	o.store = s
}

// Store returns the loaded material, or nil when TLS is off.
func (o *Options) Store() *Store { return o.store }
