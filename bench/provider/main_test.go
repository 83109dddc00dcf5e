package main

import (
	"io"
	"testing"
	"time"
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

func TestParseFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--threads", "0"},
		{"--latency", "-1s"},
		{"--capacity", "-5"},
		{"--heartbeat", "-1s"},
		{"--nope"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}
