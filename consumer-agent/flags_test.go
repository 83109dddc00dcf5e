package main

import (
	"errors"
	"flag"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/internal/cmdline/cmdlinetest"
	"github.com/dubbomesh/dubbomesh/internal/server"
)

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Listen != "127.0.0.1:20000" {
		t.Errorf("--listen defaults to %q, want loopback only", o.cfg.Listen)
	}
	if o.etcd.Endpoints != "http://127.0.0.1:2379" || o.admin != "" || o.cfg.Timeout != 3*time.Second ||
		o.cfg.EjectRatio != DefaultEjectRatio || o.cfg.PlainRoundRobin || o.cfg.NoRetry || o.cfg.Loops < 1 ||
		o.cfg.ParkBelow != DefaultParkBelow || o.cfg.ParkProcs != server.DefaultParkProcs {
		t.Errorf("defaults %+v", o)
	}
}

func TestParseFlagsSet(t *testing.T) {
	o, err := parseFlags([]string{"--listen", ":20000", "--loops", "256", "--eject-ratio", "0", "--retry=false",
		"--flush", "100us", "--max-body-bytes", "8388608", "--admin", "127.0.0.1:0", "--balance", "weights",
		"--park-below", "0", "--park-procs", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Listen != ":20000" || o.cfg.Loops != 256 || o.cfg.EjectRatio != -1 || !o.cfg.NoRetry ||
		o.cfg.Flush.Delay != 100*time.Microsecond || o.admin != "127.0.0.1:0" || !o.cfg.PlainRoundRobin ||
		o.cfg.ParkBelow != -1 || o.cfg.ParkProcs != -1 {
		t.Errorf("parsed %+v", o)
	}
}

// TestParseFlagsBad is the table of bad values: each names its flag and
// says why.
func TestParseFlagsBad(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--timeout", "-1s"}, "--timeout: must be in 1ms..1h (got -1s)"},
		{[]string{"--timeout", "0"}, "--timeout: must be in 1ms..1h (got 0s)"},
		{[]string{"--timeout", "3"}, `--timeout: "3": not a duration such as 3s or 100ms`},
		{[]string{"--loops", "0"}, "--loops: must be in 1..256 (got 0)"},
		{[]string{"--loops", "-1"}, "--loops: must be in 1..256 (got -1)"},
		{[]string{"--loops", "257"}, "--loops: must be in 1..256 (got 257)"},
		{[]string{"--loops", "two"}, `--loops: "two": not an integer`},
		{[]string{"--max-body-bytes", "-1"}, "--max-body-bytes: must be in 1..8388608 (got -1)"},
		{[]string{"--max-body-bytes", "0"}, "--max-body-bytes: must be in 1..8388608 (got 0)"},
		{[]string{"--max-header-bytes", "100"}, "--max-header-bytes: must be in 256..1048576 (got 100)"},
		{[]string{"--max-conns", "-5"}, "--max-conns: must be in 1..1048576 (got -5)"},
		{[]string{"--max-inflight", "0"}, "--max-inflight: must be in 1..1048576 (got 0)"},
		{[]string{"--park-below", "-1"}, "--park-below: must be in 0..16777216 (got -1)"},
		{[]string{"--park-procs", "257"}, "--park-procs: must be in 0..256 (got 257)"},
		{[]string{"--max-pipeline", "0"}, "--max-pipeline: must be in 1..65536 (got 0)"},
		{[]string{"--read-timeout", "0"}, "--read-timeout: must be in 1ms..1h (got 0s)"},
		{[]string{"--idle-timeout", "-1m"}, "--idle-timeout: must be in 1ms..1h (got -1m)"},
		{[]string{"--eject-ratio", "0.5"}, "--eject-ratio: must be 0 (never) or in 1..1000 (got 0.5)"},
		{[]string{"--eject-ratio", "-1"}, "--eject-ratio: must be 0 (never) or in 1..1000 (got -1)"},
		{[]string{"--eject-ratio", "NaN"}, "--eject-ratio: must be 0 (never) or in 1..1000 (got NaN)"},
		{[]string{"--flush", "often"}, `--flush: "often": want inline, idle, yield or a delay such as 100us (at most 1s)`},
		{[]string{"--balance", "random"}, `--balance: "random" is not sed or weights`},
		{[]string{"--log-format", "xml"}, `--log-format: want text or json (got "xml")`},
		{[]string{"--log-level", "verbose"}, `--log-level: want debug, info, warn or error (got "verbose")`},
		{[]string{"--etcd", "not a url"}, `--etcd: "not a url" is not http://host:port or https://host:port`},
		{[]string{"--etcd", ""}, `--etcd: no endpoint in ""`},
		{[]string{"--etcd", "unix:///run/etcd.sock"}, `--etcd: "unix:///run/etcd.sock" is not http://host:port or https://host:port`},
		{[]string{"--listen", "20000"}, `--listen: "20000" is not host:port`},
		{[]string{"--listen", "127.0.0.1:99999"}, `--listen: "127.0.0.1:99999": the port must be a number in 0..65535`},
		{[]string{"--admin", "localhost"}, `--admin: "localhost" is not host:port`},
		{[]string{"--tls-cert", "/a.pem"}, "--tls-key: mutual TLS needs --tls-cert, --tls-key and --tls-ca together"},
		{[]string{"--tls-cert", "/a.pem", "--tls-key", "/a.key", "--tls-ca", "/nonexistent.pem"}, "--tls-cert: mtls: bad TLS files: /a.pem and /a.key: open /a.pem: no such file or directory"},
		{[]string{"--etcd-ca", "/ca.pem"}, "--etcd-ca: TLS to etcd needs https:// endpoints (--etcd http://127.0.0.1:2379)"},
		{[]string{"--etcd", "https://h:2379", "--etcd-cert", "/c.pem"}, "--etcd-cert: needs --etcd-key"},
		{[]string{"--etcd-password-file", "/pw"}, "--etcd-password-file: needs --etcd-user"},
		{[]string{"--etcd-user", "agent"}, "--etcd-user: no password: set $DUBBOMESH_ETCD_PASSWORD or give --etcd-password-file"},
		{[]string{"--nope"}, "--nope: no such flag (--help lists them)"},
		{[]string{"--spread"}, "--spread: removed: --balance sed, the default, spreads calls by load (README, Balancing)"},
		{[]string{"stray"}, `unexpected argument "stray" (flags start with --)`},
	} {
		_, err := parseFlags(c.args, io.Discard)
		var e *cmdline.Error
		if !errors.As(err, &e) || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
}

func TestParseFlagsHelp(t *testing.T) {
	var out strings.Builder
	if _, err := parseFlags([]string{"--help"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "-max-conns") {
		t.Fatalf("usage:\n%s", out.String())
	}
}

func TestMainChild(t *testing.T) { cmdlinetest.Child(t, main) }

// TestMainBadFlag runs the command: a bad flag, an --etcd that does not
// parse, and an --admin or --listen address in use each end it at once with
// one line and status 2.
func TestMainBadFlag(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free := freeLoopback(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--loops", "0"}, "consumer-agent: --loops: must be in 1..256 (got 0)\n"},
		{[]string{"--etcd", "not a url"}, `consumer-agent: --etcd: "not a url" is not http://host:port or https://host:port` + "\n"},
		{[]string{"--listen", free, "--admin", busy.Addr().String()},
			"consumer-agent: --admin: cannot listen on " + busy.Addr().String() + ": bind: address already in use\n"},
		{[]string{"--listen", busy.Addr().String()},
			"consumer-agent: --listen: cannot listen on " + busy.Addr().String() + ": bind: address already in use\n"},
	} {
		r := cmdlinetest.Run(t, "TestMainChild", c.args...)
		if r.Code != 2 || r.Stderr != c.want {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", c.args, r.Code, r.Stderr, c.want)
		}
	}
	// The --admin failure came before the agent served: nothing listens
	// on its --listen address.
	if conn, err := net.Dial("tcp", free); err == nil {
		conn.Close()
		t.Errorf("%s accepts after the failed start", free)
	}
}

// freeLoopback returns a loopback address that was free a moment ago.
func freeLoopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
