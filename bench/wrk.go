package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkScript is bench/wrk.lua, the race's request for wrk.
//
//go:embed wrk.lua
var wrkScript []byte

// ErrNoWrk is returned by --wrk when the wrk binary is not installed.
var ErrNoWrk = errors.New("bench: --wrk needs the wrk binary on PATH; install it with: apt-get install wrk")

// ErrWrkOutput is returned for wrk output without a Requests/sec line.
var ErrWrkOutput = errors.New("bench: unexpected wrk output")

// wrkResult is what wrk reported for one run.
type wrkResult struct {
	QPS          float64   `json:"qps"` // all answers, whatever their status
	Requests     int64     `json:"requests"`
	LatencyUs    latencyUs `json:"latency_us"` // p50, p90, p99 and max (no p99.9)
	Non2xx       int64     `json:"non_2xx"`
	SocketErrors int64     `json:"socket_errors"`
	Threads      int       `json:"threads"`
}

// prepareWrk finds wrk and writes the script into dir.
func prepareWrk(dir string) (bin, script string, err error) {
	bin, err = exec.LookPath("wrk")
	if err != nil {
		return "", "", ErrNoWrk
	}
	script = filepath.Join(dir, "wrk.lua")
	return bin, script, os.WriteFile(script, wrkScript, 0o644)
}

// runWrk drives the consumer agent at addr with wrk as the race did, as a
// child of sup, and parses its report.
func runWrk(ctx context.Context, sup *supervisor, bin, script, addr string, conns int, d, timeout time.Duration) (*wrkResult, error) {
	threads := min(2, conns)
	p, err := sup.startOneShot(fmt.Sprintf("wrk-%d", conns), bin, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", fmt.Sprintf("%ds", max(1, int(d.Round(time.Second)/time.Second))), "-T", fmt.Sprintf("%ds", max(1, int(timeout/time.Second))),
		"--latency", "-s", script, "http://"+addr+"/")
	if err != nil {
		return nil, err
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
	}
	out, err := os.ReadFile(p.log)
	if err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, fmt.Errorf("bench: wrk: %v\n%s", p.err, out)
	}
	r, err := parseWrk(out)
	if err != nil {
		return nil, fmt.Errorf("%w:\n%s", err, out)
	}
	r.Threads = threads
	return r, nil
}

// parseWrk reads wrk --latency output: Requests/sec, the request count, the
// latency distribution, the maximum latency, non-2xx responses and socket
// errors.
func parseWrk(out []byte) (*wrkResult, error) {
	r := &wrkResult{}
	haveQPS := false
	s := bufio.NewScanner(bytes.NewReader(out))
	for s.Scan() {
		f := strings.Fields(s.Text())
		if len(f) == 0 {
			continue
		}
		switch {
		case f[0] == "Requests/sec:" && len(f) == 2:
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return nil, fmt.Errorf("%w: Requests/sec %q", ErrWrkOutput, f[1])
			}
			r.QPS, haveQPS = v, true
		case f[0] == "Latency" && len(f) >= 4:
			r.LatencyUs.Max = wrkMicros(f[3])
		case len(f) == 2 && strings.HasSuffix(f[0], "%"):
			v := wrkMicros(f[1])
			switch f[0] {
			case "50%":
				r.LatencyUs.P50 = v
			case "90%":
				r.LatencyUs.P90 = v
			case "99%":
				r.LatencyUs.P99 = v
			}
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			r.Requests, _ = strconv.ParseInt(f[0], 10, 64)
		case strings.HasPrefix(s.Text(), "  Non-2xx or 3xx responses:") || f[0] == "Non-2xx":
			r.Non2xx, _ = strconv.ParseInt(f[len(f)-1], 10, 64)
		case f[0] == "Socket" && len(f) > 2 && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 3; i < len(f); i += 2 {
				n, _ := strconv.ParseInt(strings.TrimSuffix(f[i], ","), 10, 64)
				r.SocketErrors += n
			}
		}
	}
	if !haveQPS {
		return nil, ErrWrkOutput
	}
	return r, nil
}

// wrkMicros parses a wrk duration such as "812.00us", "50.12ms", "1.20s" or
// "2.00m" into microseconds; it returns 0 for anything else.
func wrkMicros(s string) int64 {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0
	}
	return d.Microseconds()
}
