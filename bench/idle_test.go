package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// answerServer answers every request on its connections with a keep-alive
// 200 and counts connections and requests.
func answerServer(t *testing.T) (addr string, conns, reqs *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	t.Cleanup(func() { ln.Close() })
	conns, reqs = new(atomic.Int64), new(atomic.Int64)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					n := 0
					for {
						line, err := br.ReadString('\n')
						if err != nil {
							return
						}
						if line == "\r\n" {
							break
						}
						if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
							for _, ch := range strings.TrimSpace(v) {
								n = n*10 + int(ch-'0')
							}
						}
					}
					if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
						return
					}
					reqs.Add(1)
					io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n0")
				}
			}()
		}
	}()
	return ln.Addr().String(), conns, reqs
}

func TestIdlePhase(t *testing.T) {
	if testing.Short() {
		t.Skip("waits idleSettle")
	}
	addr, conns, reqs := answerServer(t)
	sup := newSupervisor(t.TempDir())
	procs := []accounted{{name: "consumer-agent", pid: os.Getpid()}}
	st, err := idlePhase(context.Background(), sup, addr, 3, 200*time.Millisecond, procs, io.Discard)
	noErr(t, err)
	eq(t, "connections", conns.Load(), int64(3))
	eq(t, "one call each", reqs.Load(), int64(3))
	eq(t, "conns", st.Conns, 3)
	eq(t, "processes", len(st.Procs), 1)
	if st.DurationSec < 0.2 || st.Procs[0].CorePct < 0 {
		t.Fatalf("stats %+v", st)
	}
	var b strings.Builder
	writeIdleTable(&b, st)
	if !strings.Contains(b.String(), "Idle: 3 connections open") || !strings.Contains(b.String(), "consumer-agent") {
		t.Fatalf("table:\n%s", b.String())
	}
}

func TestIdlePhaseStopsWithContext(t *testing.T) {
	addr, _, _ := answerServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := idlePhase(ctx, newSupervisor(t.TempDir()), addr, 1, time.Hour, nil, io.Discard)
	if err != context.Canceled {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

func TestIdlePhaseRefusedCall(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.WriteString(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			c.Close()
		}
	}()
	_, err = idlePhase(context.Background(), newSupervisor(t.TempDir()), ln.Addr().String(), 1, time.Second, nil, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "status 503") {
		t.Fatalf("error %v, want one naming status 503", err)
	}
}

func TestWriteIdleTableVerdicts(t *testing.T) {
	var b strings.Builder
	writeIdleTable(&b, &idleStats{Conns: 64, DurationSec: 60, Procs: []idleCost{
		{Name: "consumer-agent", CorePct: 0.12, WakeupsPerSec: 3},
		{Name: "provider-agent-small", CorePct: 0.5, WakeupsPerSec: 200},
		{Name: "etcd", CorePct: 1.5},
	}})
	out := b.String()
	for _, want := range []string{"consumer-agent  0.12  3.0  yes", "provider-agent-small  0.50  200.0  NO"} {
		if !strings.Contains(strings.Join(strings.Fields(out), "  "), strings.Join(strings.Fields(want), "  ")) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	writeIdleTable(&b, nil) // no idle phase: nothing, no panic
}

func TestWriteAddedTable(t *testing.T) {
	r := sampleResults()
	r.Levels[0].Mesh.LatencyUs = latencyUs{P50: 50700, P90: 51000, P99: 54000}
	r.Levels[0].Ideal.LatencyUs = latencyUs{P50: 50100, P90: 50200, P99: 50500}
	r.Levels[0].Mesh.Procs = []procCost{{Name: "consumer-agent", CPUUsPerReq: 100}, {Name: "provider-agent-small", CPUUsPerReq: 50}, {Name: "etcd", CPUUsPerReq: 9}}
	r.Levels[0].Ideal.Procs = []procCost{{Name: "ideal", CPUUsPerReq: 50}}
	var b strings.Builder
	writeAddedTable(&b, r.Levels)
	row := strings.Join(strings.Fields(b.String()), " ")
	if !strings.Contains(row, "256 4608.0 +600µs +800µs +3.50ms 150.0 50.0 3.00×") {
		t.Fatalf("table:\n%s", b.String())
	}
	eq(t, "negative", signedUs(-1500), "-1.50ms")
}
