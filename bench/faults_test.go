package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		o      load.Outcome
		status int
		want   statusClass
	}{
		{load.Correct, 200, classOK}, {load.Wrong, 200, classWrong}, {load.Failed, 0, classConnErr},
		{load.Failed, 500, class500}, {load.Failed, 502, class502}, {load.Failed, 503, class503},
		{load.Failed, 504, class504}, {load.Failed, 400, classOther}, {load.Failed, 413, classOther},
	} {
		eq(t, classNames[c.want]+" "+c.o.String(), classify(c.o, c.status), c.want)
	}
}

// observeAt records a call ending at offset at of the recorder's row.
func observeAt(r *faultRecorder, conn int, o load.Outcome, status int, at, latency time.Duration) {
	r.Observe(conn, o, status, time.Unix(0, r.base.Load()).Add(at), latency)
}

func TestRecorderWindows(t *testing.T) {
	r := newFaultRecorder()
	// Nothing is recorded before a row begins.
	r.Observe(0, load.Failed, 502, time.Now(), time.Millisecond)
	r.beginRow()
	s := time.Second
	// Steady: 100 ok per second for 3 s, on many connections.
	for sec := range 3 {
		for i := range 100 {
			observeAt(r, i, load.Correct, 200, time.Duration(sec)*s+time.Duration(i)*10*time.Millisecond, 5*time.Millisecond)
		}
	}
	r.setPhase(phaseFault)
	// Fault at 3 s, settled at 4 s: 5 502s before settling, 2 503s after.
	for i := range 5 {
		observeAt(r, i, load.Failed, 502, 3*s+time.Duration(i)*100*time.Millisecond, 2*time.Millisecond)
	}
	observeAt(r, 1, load.Failed, 503, 4500*time.Millisecond, time.Millisecond)
	observeAt(r, 2, load.Failed, 503, 5200*time.Millisecond, time.Millisecond)
	observeAt(r, 3, load.Correct, 200, 5500*time.Millisecond, 900*time.Millisecond)
	r.setPhase(phaseRecovery)
	// Recovery at 6 s, settled at 7 s: one 504 before, one wrong and a
	// connection error after.
	observeAt(r, 4, load.Failed, 504, 6500*time.Millisecond, 3*s)
	observeAt(r, 5, load.Wrong, 200, 7500*time.Millisecond, time.Millisecond)
	observeAt(r, 6, load.Failed, 0, 7600*time.Millisecond, 10*s)
	for i := range 50 {
		observeAt(r, i, load.Correct, 200, 8*s+time.Duration(i)*time.Millisecond, 5*time.Millisecond)
	}
	d := r.snapshot()
	eq(t, "seconds", len(d.seconds), 9)
	eq(t, "fails kept", len(d.fails), 10)

	var row faultResult
	summarizeRow(&row, &d, rowMarks{fault: 3 * s, settle: 4 * s, recover: 6 * s, recoverSettle: 7 * s, end: 9 * s})
	eq(t, "ok", row.Calls["ok"], int64(351))
	eq(t, "502", row.Calls["502"], int64(5))
	eq(t, "503", row.Calls["503"], int64(2))
	eq(t, "504", row.Calls["504"], int64(1))
	eq(t, "wrong", row.Calls["wrong"], int64(1))
	eq(t, "conn", row.Calls["conn"], int64(1))
	eq(t, "failures", row.failures(), int64(10))
	eq(t, "before fault", row.FailBeforeFault, int64(0))
	eq(t, "fault..settled", row.FailUnsettled, int64(5))
	eq(t, "settled..recovery", row.FailSettled, int64(2))
	eq(t, "recovery..settled", row.FailRecovering, int64(1))
	eq(t, "after recovery", row.FailAfterRecovery, int64(2))
	eq(t, "last failure", row.LastFailureMs, 4600.0)
	if row.SlowestFailureMs < 9990 || row.SlowestFailureMs > 10010 {
		t.Errorf("slowest failure %vms, want the 10 s connection error", row.SlowestFailureMs)
	}
	eq(t, "steady qps", row.SteadyQPS, 100.0)
	eq(t, "fault qps", row.FaultQPS, 1.0/3)
	eq(t, "recovery qps", row.RecoveryQPS, 50.0/3)
	if m := row.SteadyLatency.Max; m < 4990 || m > 5010 {
		t.Errorf("steady max %dµs, want 5ms", m)
	}
	if row.FaultLatency.Max < 899_000 || row.FaultLatency.Max > 901_000 {
		t.Errorf("fault max %dµs, want 900ms (the recovery's calls are not in it)", row.FaultLatency.Max)
	}
	eq(t, "timeline", len(row.Timeline), 9)
	eq(t, "s3 502", row.Timeline[3].Failed["502"], int64(5))
	eq(t, "s8 ok", row.Timeline[8].OK, int64(50))
	eq(t, "s0 failed", len(row.Timeline[0].Failed), 0)

	// A new row starts from nothing.
	r.beginRow()
	d = r.snapshot()
	eq(t, "fails after beginRow", len(d.fails), 0)
	eq(t, "seconds after beginRow", len(d.seconds), 1)
	eq(t, "steady histogram", d.hist[phaseSteady].TotalCount(), int64(0))
}

// TestSummarizeNoRecovery covers a row that ended before marking its
// recovery, and one with no failure after its fault.
func TestSummarizeNoRecovery(t *testing.T) {
	r := newFaultRecorder()
	r.beginRow()
	observeAt(r, 0, load.Failed, 503, 500*time.Millisecond, time.Millisecond)
	observeAt(r, 0, load.Correct, 200, 2500*time.Millisecond, time.Millisecond)
	d := r.snapshot()
	var row faultResult
	summarizeRow(&row, &d, rowMarks{fault: time.Second, settle: time.Second, end: 3 * time.Second})
	eq(t, "recovered at", row.RecoverAt, 3.0)
	eq(t, "before fault", row.FailBeforeFault, int64(1))
	eq(t, "after settle", row.FailSettled, int64(0))
	eq(t, "last failure after the fault", row.LastFailureMs, -1.0)
}

// TestRecorderBoundsEvents checks that failures past the bound are counted
// but not kept, and that a row longer than the timeline folds into its
// last second.
func TestRecorderBoundsEvents(t *testing.T) {
	r := newFaultRecorder()
	r.beginRow()
	for range maxFailEvents + 5 {
		observeAt(r, 0, load.Failed, 502, time.Millisecond, time.Millisecond)
	}
	observeAt(r, 1, load.Correct, 200, 2*maxRowSeconds*time.Second, time.Millisecond)
	d := r.snapshot()
	eq(t, "kept", len(d.fails), maxFailEvents)
	eq(t, "dropped", d.dropped, int64(5))
	eq(t, "502s counted", d.classTotals(0, 1)[class502], int64(maxFailEvents+5))
	eq(t, "seconds", len(d.seconds), maxRowSeconds)
	eq(t, "late call in the last second", d.seconds[maxRowSeconds-1][classOK], int64(1))
}

func TestObserveAllocatesNothing(t *testing.T) {
	r := newFaultRecorder()
	r.beginRow()
	end := time.Now()
	for name, f := range map[string]func(){
		"ok":      func() { r.Observe(3, load.Correct, 200, end, time.Millisecond) },
		"failure": func() { r.Observe(5, load.Failed, 502, end, time.Millisecond) },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("Observe (%s) allocates %v times", name, n)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	r := newFaultRecorder()
	r.beginRow()
	end := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Observe(i&511, load.Correct, 200, end, 5*time.Millisecond)
		i++
	}
}

func TestParseFaultRows(t *testing.T) {
	rows, err := parseFaultRows("threadpool, kill9-agent", 1)
	noErr(t, err)
	eq(t, "rows", strings.Join(rows, ","), "threadpool,kill9-agent")
	for _, bad := range []string{"", "nope", "threadpool,threadpool", "kill9-agent,"} {
		if _, err := parseFaultRows(bad, 1); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Every row has a unique name, a description, a contract and a body.
	seen := map[string]bool{}
	for _, d := range faultRowDefs {
		if seen[d.name] || d.fault == "" || d.expect == "" || d.settle == "" || d.run == nil {
			t.Errorf("row %+v", d.name)
		}
		seen[d.name] = true
	}
}

func TestParseFlagsFaults(t *testing.T) {
	cfg, err := parseFlags([]string{"--faults"}, io.Discard)
	noErr(t, err)
	eq(t, "faults", cfg.faults, true)
	eq(t, "conns", len(cfg.conns), 1)
	eq(t, "512", cfg.conns[0], 512)
	eq(t, "rows", strings.Join(cfg.faultRows, ","), "kill9-agent,sigterm-agent,kill-provider,slow-provider,etcd-down,threadpool,frozen-agent,readonly-restart,etcd-cut")
	eq(t, "steady", cfg.faultSteady, 5*time.Second)
	eq(t, "timeout", cfg.timeout, 10*time.Second)
	cfg, err = parseFlags([]string{"--faults", "--conns", "64", "--fault-rows", "etcd-down", "--fault-hold", "2s"}, io.Discard)
	noErr(t, err)
	eq(t, "conns", cfg.conns[0], 64)
	eq(t, "rows", strings.Join(cfg.faultRows, ","), "etcd-down")
	eq(t, "hold", cfg.faultHold, 2*time.Second)
	for _, args := range [][]string{
		{"--faults", "--conns", "256,512"}, {"--faults", "--etcd", "http://127.0.0.1:2379"},
		{"--faults", "--fault-rows", "nope"}, {"--faults", "--fault-steady", "0s"}, {"--fault-hold", "-1s"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

func TestFaultReportFormat(t *testing.T) {
	row := faultResult{Name: "x", FaultAt: 2.5, RecoverAt: 4.2, Timeline: []timelineSec{
		{Sec: 0, OK: 9800}, {Sec: 1, OK: 12345}, {Sec: 2, OK: 10, Failed: map[string]int64{"502": 3, "conn": 1}},
		{Sec: 3, OK: 0, Failed: map[string]int64{"504": 7}}, {Sec: 4, OK: 999}}}
	eq(t, "ok line", timelineLine(&row, func(s timelineSec) string { return compact(s.OK) }),
		"9.8k 12k |F 10 0 |R 999")
	eq(t, "fail line", failLine(&row), "s2 502×3 conn×1; s3 504×7")
	eq(t, "no failures", failLine(&faultResult{}), "none")
	eq(t, "ms", ms(-1), "-")
	eq(t, "ms", ms(1500), "1.50s")
	eq(t, "ms", ms(12.5), "12.5ms")
}

// TestSupervisorSignalRestart retires a process with a signal, which check
// must not report, restarts it with the same command, and stops it.
func TestSupervisorSignalRestart(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	sup := newSupervisor(t.TempDir())
	defer sup.stopAll(time.Second)
	p, err := sup.start("sleeper", sleep, "60")
	noErr(t, err)
	noErr(t, sup.check())
	noErr(t, sup.signal(p, syscall.SIGKILL))
	<-p.done
	noErr(t, sup.check())
	if err := sup.signal(p, syscall.SIGTERM); err == nil {
		t.Error("signal to an exited process succeeded")
	}
	q, err := sup.restart(p)
	noErr(t, err)
	eq(t, "name", q.name, "sleeper")
	eq(t, "args", strings.Join(q.args, " "), "60")
	if _, err := sup.restart(q); err == nil {
		t.Error("restart of a running process succeeded")
	}
	// An unexpected death is still reported.
	syscall.Kill(q.pid(), syscall.SIGKILL)
	<-q.done
	if err := sup.check(); err == nil {
		t.Error("check missed an unexpected exit")
	}
	log, _ := os.ReadFile(q.log)
	if !strings.Contains(string(log), "restarted") {
		t.Errorf("log %q does not mark the restart", log)
	}
}

// TestFaultsSmoke runs one cheap row (threadpool) end to end on the real
// processes: the provider's control endpoint, the recorder, the health
// check, the table and the JSON.
func TestFaultsSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole topology")
	}
	out := t.TempDir()
	cfg, err := parseFlags([]string{"--faults", "--fault-rows", "threadpool", "--conns", "32", "--latency", "20ms",
		"--warmup", "500ms", "--fault-steady", "2s", "--fault-hold", "2s", "--fault-recovery", "4s", "--out", out}, io.Discard)
	noErr(t, err)
	var stdout, stderr bytes.Buffer
	if _, err := run(context.Background(), cfg, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("table:\n%s", stdout.String())
	files, _ := filepath.Glob(filepath.Join(out, "faults-*.json"))
	if len(files) != 1 {
		t.Fatalf("faults JSON in %s: %v", out, files)
	}
	b, err := os.ReadFile(files[0])
	noErr(t, err)
	var res faultResults
	noErr(t, json.Unmarshal(b, &res))
	eq(t, "rows", len(res.Rows), 1)
	row := res.Rows[0]
	eq(t, "name", row.Name, "threadpool")
	eq(t, "healthy", row.Healthy, true)
	eq(t, "wrong", row.Calls["wrong"], int64(0))
	eq(t, "failed after recovery settled", row.FailAfterRecovery, int64(0))
	if row.Calls["ok"] == 0 || row.SteadyQPS <= 0 || row.FaultAt < 2 || row.RecoverAt < row.FaultAt+2 {
		t.Fatalf("row %+v", row)
	}
	if row.FirstServedMs < 0 {
		t.Errorf("the large agent served nothing after its threads were restored")
	}
	eq(t, "RSS rows", len(row.RSS), 4)
	for _, p := range row.RSS {
		if p.BeforeKiB == 0 || p.AfterKiB == 0 {
			t.Errorf("RSS %+v", p)
		}
	}
	if !strings.Contains(stdout.String(), "threadpool") || !strings.Contains(stdout.String(), "ok/s:") {
		t.Fatalf("no table:\n%s", stdout.String())
	}
	if c := children(t); len(c) > 0 {
		t.Fatalf("children left running: %v", c)
	}
}
