package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// children returns the PIDs of this process's live children, from /proc.
func children(t *testing.T) []int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // exited meanwhile
		}
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			out = append(out, pid)
		}
	}
	return out
}

// TestSmoke runs the whole bench at small scale: every process, both
// targets, the accounting, the JSON and the SVG (and wrk, if installed).
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole topology")
	}
	out := t.TempDir()
	args := []string{"--conns", "8", "--duration", "2s", "--warmup", "500ms", "--latency", "5ms", "--out", out}
	if _, err := exec.LookPath("wrk"); err == nil {
		args = append(args, "--wrk")
	}
	cfg, err := parseFlags(args, io.Discard)
	noErr(t, err)
	var stdout, stderr bytes.Buffer
	res, err := run(context.Background(), cfg, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Logf("table:\n%s", stdout.String())
	eq(t, "levels", len(res.Levels), 1)
	lv := res.Levels[0]
	for _, rn := range []runStats{lv.Ideal, lv.Mesh} {
		if rn.QPS <= 0 || rn.Errors != 0 || rn.Wrong != 0 {
			t.Fatalf("%s: qps %.1f errors %d (%v) wrong %d", rn.Target, rn.QPS, rn.Errors, rn.Statuses, rn.Wrong)
		}
		if rn.LatencyUs.P50 < 5000 {
			t.Errorf("%s: p50 %dµs is under the 5ms latency", rn.Target, rn.LatencyUs.P50)
		}
	}
	eq(t, "mesh processes", len(lv.Mesh.Procs) >= 8, true)
	for _, p := range lv.Mesh.Procs {
		if p.PeakRSSKiB == 0 {
			t.Errorf("%s: no peak RSS", p.Name)
		}
	}
	var agentCalls int64
	for _, n := range lv.Mesh.AgentCalls {
		agentCalls += n
	}
	// The agents' counters are scraped just after the window's edges, so
	// they may differ from the generator's count by the calls made meanwhile.
	if d := agentCalls - lv.Mesh.Calls; d < -lv.Mesh.Calls/10 || d > lv.Mesh.Calls/10 {
		t.Errorf("provider agents served %d calls, generator completed %d", agentCalls, lv.Mesh.Calls)
	}
	if cfg.wrk && (lv.Wrk == nil || lv.Wrk.QPS <= 0) {
		t.Errorf("wrk result %+v", lv.Wrk)
	}
	for _, ext := range []string{"*.json", "*.svg"} {
		m, _ := filepath.Glob(filepath.Join(out, ext))
		if len(m) != 1 {
			t.Fatalf("%s in %s: %v", ext, out, m)
		}
	}
	if !strings.Contains(stdout.String(), "qps/ideal") {
		t.Fatalf("no table:\n%s", stdout.String())
	}
	if c := children(t); len(c) > 0 {
		t.Fatalf("children left running: %v", c)
	}
}

// TestCancelStopsEverything cancels a run once its processes are up and
// checks that none is left.
func TestCancelStopsEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole topology")
	}
	cfg, err := parseFlags([]string{"--conns", "4", "--duration", "1m", "--warmup", "0s", "--latency", "1ms", "--out", t.TempDir()}, io.Discard)
	noErr(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := run(ctx, cfg, io.Discard, pw)
		pw.Close()
		done <- err
	}()
	// Cancel once the first measured phase shows progress.
	buf := make([]byte, 4096)
	var seen strings.Builder
	for !strings.Contains(seen.String(), "measure") {
		n, err := pr.Read(buf)
		if err != nil {
			t.Fatalf("run ended early: %v\n%s", <-done, seen.String())
		}
		seen.Write(buf[:n])
	}
	if len(children(t)) < 8 {
		t.Fatalf("only %d children while running", len(children(t)))
	}
	cancel()
	go io.Copy(io.Discard, pr)
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("run returned %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if c := children(t); len(c) > 0 {
		t.Fatalf("children left running: %v", c)
	}
}
