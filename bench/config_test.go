package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	noErr(t, err)
	eq(t, "conns", len(cfg.conns), 2)
	eq(t, "256", cfg.conns[0], 256)
	eq(t, "512", cfg.conns[1], 512)
	eq(t, "duration", cfg.duration, 30*time.Second)
	eq(t, "latency", cfg.latency, 50*time.Millisecond)
	eq(t, "weights", cfg.weights, [3]int{3, 5, 5})
}

func TestParseFlagsQuick(t *testing.T) {
	cfg, err := parseFlags([]string{"--quick"}, io.Discard)
	noErr(t, err)
	eq(t, "duration", cfg.duration, 5*time.Second)
	eq(t, "warmup", cfg.warmup, time.Second)
	cfg, err = parseFlags([]string{"--quick", "--duration", "2s", "--weights", "1:2:3", "--conns", "8, 16", "--latency", "0"}, io.Discard)
	noErr(t, err)
	eq(t, "explicit duration wins", cfg.duration, 2*time.Second)
	eq(t, "weights", cfg.weights, [3]int{1, 2, 3})
	eq(t, "conns", cfg.conns[1], 16)
	eq(t, "latency", cfg.latency, time.Duration(0))
}

func TestParseFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--conns", "0"}, {"--conns", "a,b"}, {"--weights", "1:2"}, {"--weights", "0:1:1"},
		{"--duration", "0s"}, {"--latency", "-1ms"}, {"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	var out strings.Builder
	_, err := parseFlags([]string{"--help"}, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp", err)
	}
	for _, f := range []string{"conns", "duration", "warmup", "latency", "weights", "etcd", "wrk", "out", "quick", "sample", "overload", "etcd-members"} {
		if !strings.Contains(out.String(), "-"+f) {
			t.Errorf("--help does not mention --%s", f)
		}
	}
}

func TestParseFlagsOverloadAndSample(t *testing.T) {
	cfg, err := parseFlags([]string{"--overload", "--sample", "10s"}, io.Discard)
	noErr(t, err)
	eq(t, "overload", cfg.overload, true)
	eq(t, "default conns", len(cfg.conns), 1)
	eq(t, "10000", cfg.conns[0], overloadConns)
	eq(t, "sample", cfg.sample, 10*time.Second)
	cfg, err = parseFlags([]string{"--overload", "--conns", "2000"}, io.Discard)
	noErr(t, err)
	eq(t, "explicit conns win", cfg.conns[0], 2000)
	for _, args := range [][]string{
		{"--overload", "--faults"}, {"--overload", "--wrk"}, {"--overload", "--conns", "1,2"}, {"--sample", "-1s"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestCapacityLiftedAtLatencyZero(t *testing.T) {
	c := config{latency: 50 * time.Millisecond}
	if got := c.capacity(2); got != providers[2].capacity {
		t.Fatalf("capacity at 50ms = %d, want %d", got, providers[2].capacity)
	}
	c.latency = 0
	if got := c.capacity(2); got != 0 {
		t.Fatalf("capacity at latency 0 = %d, want 0 (unlimited)", got)
	}
}
