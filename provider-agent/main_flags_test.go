package main

import (
	"errors"
	"flag"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/internal/cmdline/cmdlinetest"
	"github.com/dubbomesh/dubbomesh/internal/server"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

func TestAdvertise(t *testing.T) {
	local := []string{"http://127.0.0.1:2379"}
	remote := []string{"http://10.255.0.1:2379"} // a route, if any, is not loopback
	for _, tc := range []struct {
		explicit, listen string
		etcd             []string
		want             string // "" means refused
	}{
		{"", "127.0.0.1:30000", local, "127.0.0.1:30000"},
		{"", "localhost:30000", local, "localhost:30000"},
		{"", ":30000", local, "127.0.0.1:30000"}, // the route to a local etcd
		{"", "[::]:30000", local, "127.0.0.1:30000"},
		{"", "10.9.9.9:30000", remote, "10.9.9.9:30000"},
		{"", "127.0.0.1:30000", remote, ""},                      // loopback, etcd elsewhere
		{"127.0.0.1:30000", ":30000", remote, "127.0.0.1:30000"}, // said so
		{"10.1.1.1:31000", ":30000", local, "10.1.1.1:31000"},
	} {
		got, why, err := advertise(tc.explicit, tc.listen, 30000, tc.etcd)
		if tc.want == "" {
			var ce *cmdline.Error
			if !errors.As(err, &ce) || ce.Flag != "advertise" || !strings.Contains(err.Error(), "loopback") {
				t.Errorf("advertise(%q, %q, %q) = %q, %v; want a loopback refusal naming --advertise", tc.explicit, tc.listen, tc.etcd, got, err)
			}
			continue
		}
		if err != nil || got != tc.want || why == "" {
			t.Errorf("advertise(%q, %q, %q) = %q (%s), %v; want %q", tc.explicit, tc.listen, tc.etcd, got, why, err, tc.want)
		}
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Listen != ":30000" || o.cfg.Provider != "127.0.0.1:20880" || o.weight != 1 || o.ttl != 10 ||
		!slices.Equal(o.services, []string{defaultService}) || o.cfg.Serialization != dubbo.Hessian2 ||
		o.cfg.MaxProviderCalls != 200 || o.drain != 10*time.Second || o.cfg.Loops < 1 || o.cfg.ParkBelow != DefaultParkBelow ||
		o.cfg.ParkProcs != server.DefaultParkProcs {
		t.Errorf("defaults %+v", o)
	}
}

func TestParseFlagsSet(t *testing.T) {
	o, err := parseFlags([]string{"--service", "a.B", "--service", "c.D", "--weight", "1000", "--serialization", "fastjson",
		"--max-provider-calls", "0", "--drain-timeout", "0", "--advertise", "10.0.0.1:30000", "--ttl", "3600", "--park-below", "0",
		"--park-procs", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.services, []string{"a.B", "c.D"}) || o.weight != 1000 || o.cfg.Serialization != dubbo.FastJSON ||
		o.cfg.MaxProviderCalls != 0 || o.drain != 0 || o.advert != "10.0.0.1:30000" || o.ttl != 3600 || o.cfg.ParkBelow != -1 ||
		o.cfg.ParkProcs != -1 {
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
		{[]string{"--loops", "0"}, "--loops: must be in 1..256 (got 0)"},
		{[]string{"--loops", "-1"}, "--loops: must be in 1..256 (got -1)"},
		{[]string{"--ttl", "0"}, "--ttl: must be in 1..3600 seconds (got 0)"},
		{[]string{"--log-format", "xml"}, `--log-format: want text or json (got "xml")`},
		{[]string{"--log-level", "verbose"}, `--log-level: want debug, info, warn or error (got "verbose")`},
		{[]string{"--ttl", "-5"}, "--ttl: must be in 1..3600 seconds (got -5)"},
		{[]string{"--max-provider-calls", "-1"}, "--max-provider-calls: must be in 0..1048576 (got -1)"},
		{[]string{"--max-inflight", "0"}, "--max-inflight: must be in 1..1048576 (got 0)"},
		{[]string{"--max-queue", "0"}, "--max-queue: must be in 1..1048576 (got 0)"},
		{[]string{"--park-below", "16777217"}, "--park-below: must be in 0..16777216 (got 16777217)"},
		{[]string{"--park-procs", "-1"}, "--park-procs: must be in 0..256 (got -1)"},
		{[]string{"--drain-timeout", "-1s"}, "--drain-timeout: must be in 0s..1h (got -1s)"},
		{[]string{"--weight", "0"}, "--weight: must be in 1..1000 (got 0)"},
		{[]string{"--weight", "1001"}, "--weight: must be in 1..1000 (got 1001)"},
		{[]string{"--service", ""}, `--service: "" is not an interface name`},
		{[]string{"--service", "a/b"}, `--service: "a/b" is not an interface name`},
		{[]string{"--service", "a b"}, `--service: "a b" is not an interface name`},
		{[]string{"--service", "a.B", "--service", "a.B"}, `--service: "a.B" given twice`},
		{[]string{"--serialization", "json"}, `--serialization: want hessian2 or fastjson (got "json")`},
		{[]string{"--advertise", ":30000"}, `--advertise: ":30000": a consumer agent cannot dial host ""; name this host's address`},
		{[]string{"--advertise", "0.0.0.0:30000"}, `--advertise: "0.0.0.0:30000": a consumer agent cannot dial host "0.0.0.0"; name this host's address`},
		{[]string{"--advertise", "10.0.0.1:0"}, `--advertise: "10.0.0.1:0": the port must be a number in 1..65535`},
		{[]string{"--provider", "20880"}, `--provider: "20880" is not host:port`},
		{[]string{"--provider", "127.0.0.1:0"}, `--provider: "127.0.0.1:0": the port must be a number in 1..65535`},
		{[]string{"--listen", "30000"}, `--listen: "30000" is not host:port`},
		{[]string{"--admin", "x"}, `--admin: "x" is not host:port`},
		{[]string{"--etcd", "not a url"}, `--etcd: "not a url" is not http://host:port or https://host:port`},
		{[]string{"--etcd", ","}, `--etcd: no endpoint in ","`},
		{[]string{"--etcd", "ftp://a:1"}, `--etcd: "ftp://a:1" is not http://host:port or https://host:port`},
		{[]string{"--flush", "2s"}, `--flush: "2s": want inline, idle, yield or a delay such as 100us (at most 1s)`},
		{[]string{"--tls-cert", "/a.pem"}, "--tls-key: mutual TLS needs --tls-cert, --tls-key and --tls-ca together"},
		{[]string{"--tls-cert", "/a.pem", "--tls-key", "/a.key", "--tls-ca", "/nonexistent.pem"}, "--tls-cert: mtls: bad TLS files: /a.pem and /a.key: open /a.pem: no such file or directory"},
		{[]string{"--etcd-ca", "/ca.pem"}, "--etcd-ca: TLS to etcd needs https:// endpoints (--etcd http://127.0.0.1:2379)"},
		{[]string{"--etcd", "https://h:2379", "--etcd-cert", "/c.pem"}, "--etcd-cert: needs --etcd-key"},
		{[]string{"--etcd-password-file", "/pw"}, "--etcd-password-file: needs --etcd-user"},
		{[]string{"--etcd-user", "agent"}, "--etcd-user: no password: set $DUBBOMESH_ETCD_PASSWORD or give --etcd-password-file"},
		{[]string{"--nope"}, "--nope: no such flag (--help lists them)"},
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
	if _, err := parseFlags([]string{"-h"}, &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "-max-provider-calls") {
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
		{[]string{"--ttl", "0"}, "provider-agent: --ttl: must be in 1..3600 seconds (got 0)\n"},
		{[]string{"--etcd", "not a url"}, `provider-agent: --etcd: "not a url" is not http://host:port or https://host:port` + "\n"},
		{[]string{"--listen", free, "--admin", busy.Addr().String()},
			"provider-agent: --admin: cannot listen on " + busy.Addr().String() + ": bind: address already in use\n"},
		{[]string{"--listen", busy.Addr().String()},
			"provider-agent: --listen: cannot listen on " + busy.Addr().String() + ": bind: address already in use\n"},
	} {
		r := cmdlinetest.Run(t, "TestMainChild", c.args...)
		if r.Code != 2 || r.Stderr != c.want {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", c.args, r.Code, r.Stderr, c.want)
		}
	}
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
