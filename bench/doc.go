// Command bench runs the 2018 Alibaba middleware race's scoring run in one
// command and measures this machine's ceiling beside it:
//
//	go run ./bench            # 256 then 512 connections, 30 s each
//	go run ./bench --quick    # the same in under a minute
//	go run ./bench --help     # every knob
//
// It builds the components once (go build -o <tmp>/ from the module root)
// and starts each as its own OS process: an etcd (registry/cmd/etcd, unless
// --etcd names an external one), three reference providers (bench/provider:
// small, medium and large, 200 threads, --latency each, 2,400, 4,800 and
// 7,200 calls/s), three provider agents with --weights (default 3:5:5), one
// consumer agent, and the ideal (bench/ideal), a single-hop server that
// answers the same call after the same latency. All listen on free loopback
// ports. The bench waits until every provider agent has served a call, then,
// for each --conns level, drives the ideal and then the mesh with the same
// closed-loop generator (bench/load): a --warmup that is not counted, then
// --duration measured. With --wrk it also runs wrk with bench/wrk.lua against
// the consumer agent at each level and reports wrk's figures beside its own.
//
// For each measured phase it reports qps (correct answers per second),
// latency percentiles from an HDR histogram, errors (non-200 or no answer)
// apart from wrong answers (200 with a body other than String.hashCode),
// qps/ideal, and for every process (the bench's own included, as "load
// generator") the CPU microseconds (utime + stime), voluntary and
// involuntary context switches per call, and peak RSS, read from /proc
// (procstat.go). It also reports how the provider agents shared the calls.
// It prints the table on stdout, a progress line on stderr, and writes
// <out>/<time>.json (every figure and the machine: CPU model, cores, Go
// version, kernel) and <out>/<time>.svg (qps against connections for the
// mesh and the ideal, and each level's latency percentile curve).
//
// Load generator. bench/load uses raw net.Conn connections with a
// hand-written request writer and a minimal response reader, not fasthttp's
// client (one HostClient, MaxConns = N, MaxIdemponentCallAttempts = 1). Both
// were measured on the same calls to the same in-process server
// (go test -bench 'Client(Raw|Fasthttp)$' ./bench/load; cpu-ns/op is the
// process's CPU per call): over five interleaved rounds on the 2-core
// development machine raw took 15.5-16.7 µs and fasthttp 15.7-17.7 µs, raw
// being cheaper in four rounds of five by about 4%. Raw writes a prebuilt
// request, parses only the status line and three headers, and cannot retry
// behind the checker's back.
//
// Processes. Every child leads its own process group and gets SIGKILL
// through Pdeathsig should the bench die; on return, error, panic on the
// main goroutine, SIGINT or SIGTERM, the bench stops them in reverse start
// order, SIGTERM first and SIGKILL after a grace period (supervisor.go).
// A failed run keeps the children's logs in <out>/logs-<time>.
package main
