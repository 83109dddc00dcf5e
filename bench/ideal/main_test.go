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

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil || cfg != (config{listen: ":20100", latency: 50 * time.Millisecond}) {
		t.Fatalf("defaults %+v, %v", cfg, err)
	}
	cfg, err = parseFlags([]string{"--listen", "127.0.0.1:0", "--latency", "0"}, io.Discard)
	if err != nil || cfg != (config{listen: "127.0.0.1:0"}) {
		t.Fatalf("parsed %+v, %v", cfg, err)
	}
}

// TestParseFlagsBad is the table of bad values: each names its flag and
// says why.
func TestParseFlagsBad(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--latency", "-1ms"}, "--latency: must be in 0s..1h (got -1ms)"},
		{[]string{"--latency", "2h"}, "--latency: must be in 0s..1h (got 2h)"},
		{[]string{"--latency", "50"}, `--latency: "50": not a duration such as 3s or 100ms`},
		{[]string{"--listen", "20100"}, `--listen: "20100" is not host:port`},
		{[]string{"--listen", ":x"}, `--listen: ":x": the port must be a number in 0..65535`},
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

// TestMainBadFlag runs the command: a bad flag, and a --listen address in
// use, each end it at once with one line and status 2.
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
		{[]string{"--latency", "-1ms"}, "ideal: --latency: must be in 0s..1h (got -1ms)\n"},
		{[]string{"--listen", in}, "ideal: --listen: cannot listen on " + in + ": bind: address already in use\n"},
	} {
		r := cmdlinetest.Run(t, "TestMainChild", c.args...)
		if r.Code != 2 || r.Stderr != c.want {
			t.Errorf("%q: exit %d, stderr %q; want 2, %q", c.args, r.Code, r.Stderr, c.want)
		}
	}
}
