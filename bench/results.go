package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// results is everything a run measured; it is written as JSON.
type results struct {
	Started  time.Time  `json:"started"`
	Machine  machine    `json:"machine"`
	Settings settings   `json:"settings"`
	Levels   []level    `json:"levels"`
	Idle     *idleStats `json:"idle,omitempty"` // the idle phase, unless --idle 0
}

type machine struct {
	CPUModel  string `json:"cpu_model"`
	Cores     int    `json:"cores"`
	GoVersion string `json:"go_version"`
	Kernel    string `json:"kernel"`
	Hostname  string `json:"hostname"`
	ClkTck    uint64 `json:"clk_tck"`
}

type settings struct {
	Conns            []int    `json:"conns"`
	DurationSec      float64  `json:"duration_s"`
	WarmupSec        float64  `json:"warmup_s"`
	LightDurationSec float64  `json:"light_duration_s"` // phases under 128 connections measure at most this long
	LightWarmupSec   float64  `json:"light_warmup_s"`
	LatencyMs        float64  `json:"latency_ms"`
	Weights          [3]int   `json:"weights"`
	ProviderThreads  int      `json:"provider_threads"`
	Consumers        int      `json:"consumers"`
	Capacities       [3]int   `json:"provider_capacities"`
	ExternalEtcd     string   `json:"external_etcd,omitempty"`
	EtcdMembers      int      `json:"etcd_members,omitempty"` // the bench's own etcd's, if more than 1
	Seed             uint64   `json:"seed"`
	ConsumerArgs     []string `json:"consumer_args,omitempty"`
	TLS              bool     `json:"tls,omitempty"` // --tls: a mutual TLS mesh measured too
	AgentArgs        []string `json:"agent_args,omitempty"`
	ConsumerEnv      []string `json:"consumer_env,omitempty"`
	AgentEnv         []string `json:"agent_env,omitempty"`
	SampleSec        float64  `json:"sample_s,omitempty"`
	Workload         string   `json:"workload,omitempty"` // left out for the race's hash
}

// level is one connection count: the ideal, the mesh, and optionally wrk.
type level struct {
	Conns    int        `json:"conns"`
	Ideal    runStats   `json:"ideal"`
	Mesh     runStats   `json:"mesh"`
	QPSRatio float64    `json:"qps_over_ideal"`
	Wrk      *wrkResult `json:"wrk,omitempty"`
	// TLS is the mutual TLS mesh's phase (--tls), TLSRatio its qps over
	// the ideal's, TLSCPURatio its agents' CPU per call over the
	// plaintext mesh's.
	TLS         *runStats `json:"tls,omitempty"`
	TLSRatio    float64   `json:"tls_qps_over_ideal,omitempty"`
	TLSCPURatio float64   `json:"tls_agent_cpu_over_plain,omitempty"`
}

// runs returns the level's phases in table order: ideal, mesh, and the
// TLS mesh when measured.
func (lv level) runs() []runStats {
	rs := []runStats{lv.Ideal, lv.Mesh}
	if lv.TLS != nil {
		rs = append(rs, *lv.TLS)
	}
	return rs
}

// runStats is one measured phase against one target.
type runStats struct {
	Target      string           `json:"target"`
	DurationSec float64          `json:"duration_s"`
	QPS         float64          `json:"qps"` // correct answers per second
	Calls       int64            `json:"calls"`
	Correct     int64            `json:"correct"`
	Wrong       int64            `json:"wrong"`
	Errors      int64            `json:"errors"`
	IOErrors    int64            `json:"io_errors"`
	Statuses    map[string]int64 `json:"error_statuses,omitempty"` // "0" is no answer
	LatencyUs   latencyUs        `json:"latency_us"`
	Curve       []curvePoint     `json:"latency_curve"`
	Procs       []procCost       `json:"processes"`
	AgentCalls  map[string]int64 `json:"provider_agent_calls,omitempty"`
	AgentView   *agentView       `json:"agent_metrics,omitempty"` // the agents' own /metrics (agentview.go)
	Samples     *samples         `json:"samples,omitempty"`       // with --sample
	Host        *hostUse         `json:"host,omitempty"`          // the machine's CPU over the phase; nil without /proc/stat
}

type latencyUs struct {
	P50  int64 `json:"p50"`
	P90  int64 `json:"p90"`
	P99  int64 `json:"p99"`
	P999 int64 `json:"p99_9"`
	Max  int64 `json:"max"`
}

type curvePoint struct {
	Percentile float64 `json:"percentile"`
	Us         int64   `json:"us"`
}

// procCost is one process's cost over a measured phase, per generator call.
type procCost struct {
	Name          string  `json:"name"`
	PID           int     `json:"pid"`
	CPUSec        float64 `json:"cpu_s"`
	CPUUsPerReq   float64 `json:"cpu_us_per_req"`
	VolCSPerReq   float64 `json:"voluntary_cs_per_req"`
	InvolCSPerReq float64 `json:"involuntary_cs_per_req"`
	PeakRSSKiB    uint64  `json:"peak_rss_kib"`
	Threads       int     `json:"threads"`
}

// describeMachine reads the CPU model, kernel and Go version.
func describeMachine() machine {
	m := machine{Cores: runtime.NumCPU(), GoVersion: runtime.Version(), ClkTck: clockTicks()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.CPUModel = cpuModel(b)
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		m.GoVersion = strings.TrimSpace(string(out)) // the toolchain that built the mesh
	}
	m.Hostname, _ = os.Hostname()
	return m
}

// cpuModel returns the first "model name" of /proc/cpuinfo text.
func cpuModel(b []byte) string {
	for _, line := range bytes.Split(b, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if ok && string(bytes.TrimSpace(k)) == "model name" {
			return string(bytes.TrimSpace(v))
		}
	}
	return "unknown"
}

// writeJSON writes v to path, indented, creating the folder.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
