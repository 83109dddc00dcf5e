package main

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
	"github.com/dubbomesh/dubbomesh/internal/cmdline/cmdlinetest"
)

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		listen:    ":20880",
		latency:   50 * time.Millisecond,
		threads:   200,
		heartbeat: 60 * time.Second,
		name:      ":20880",
	}
	equal(t, "config", cfg, want)
}

func TestParseFlagsSet(t *testing.T) {
	cfg, err := parseFlags([]string{"--listen", "127.0.0.1:1", "--latency", "5ms", "--threads", "3",
		"--capacity", "2400", "--heartbeat", "0", "--attachments", "--name", "small", "--admin", "127.0.0.1:2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := config{listen: "127.0.0.1:1", latency: 5 * time.Millisecond, threads: 3,
		capacity: 2400, attachments: true, name: "small", admin: "127.0.0.1:2"}
	equal(t, "config", cfg, want)
}

// TestParseFlagsBad is the table of bad values: each names its flag and
// says why.
func TestParseFlagsBad(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--threads", "0"}, "--threads: must be in 1..65536 (got 0)"},
		{[]string{"--threads", "-5"}, "--threads: must be in 1..65536 (got -5)"},
		{[]string{"--latency", "-1s"}, "--latency: must be in 0s..24h (got -1s)"},
		{[]string{"--latency", "25h"}, "--latency: must be in 0s..24h (got 25h)"},
		{[]string{"--capacity", "-5"}, "--capacity: must be in 0..1e+07 (got -5)"},
		{[]string{"--capacity", "NaN"}, "--capacity: must be in 0..1e+07 (got NaN)"},
		{[]string{"--heartbeat", "-1s"}, "--heartbeat: must be in 0s..1h (got -1s)"},
		{[]string{"--listen", "20880"}, `--listen: "20880" is not host:port`},
		{[]string{"--admin", "127.0.0.1"}, `--admin: "127.0.0.1" is not host:port`},
		{[]string{"--attachments=sometimes"}, `--attachments: "sometimes": not true or false`},
		{[]string{"--nope"}, "--nope: no such flag (--help lists them)"},
		{[]string{"extra"}, `unexpected argument "extra" (flags start with --)`},
	} {
		_, err := parseFlags(c.args, io.Discard)
		var e *cmdline.Error
		if !errors.As(err, &e) || err.Error() != c.want {
			t.Errorf("%q: error %v, want %q", c.args, err, c.want)
		}
	}
}

func TestMainChild(t *testing.T) { cmdlinetest.Child(t, main) }

// TestMainBadFlag runs the command: a bad flag, and a --listen or --admin
// address in use, each end it at once with one line and status 2.
func TestMainBadFlag(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	in := busy.Addr().String()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--threads", "0"}, "provider: --threads: must be in 1..65536 (got 0)\n"},
		{[]string{"--listen", in}, "provider: --listen: cannot listen on " + in + ": bind: address already in use\n"},
		{[]string{"--listen", "127.0.0.1:0", "--admin", in}, "provider: --admin: cannot listen on " + in + ": bind: address already in use\n"},
	} {
		r := cmdlinetest.Run(t, "TestMainChild", c.args...)
		if r.Code != 2 || r.Stderr != c.want {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", c.args, r.Code, r.Stderr, c.want)
		}
	}
}
