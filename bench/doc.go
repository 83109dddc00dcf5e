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
// With --tls it also starts a second mesh (three provider agents and a
// consumer agent with --tls-*, a CA and certificates made for the run, the
// same providers and etcd; tlsmesh.go) and measures it as "mesh-tls" right
// after the plaintext mesh at each level, against the same ideal.
//
// For each measured phase it reports qps (correct answers per second),
// latency percentiles from an HDR histogram, errors (non-200 or no answer)
// apart from wrong answers (200 with a body other than String.hashCode),
// qps/ideal, and for every process (the bench's own included, as "load
// generator") the CPU microseconds (utime + stime), voluntary and
// involuntary context switches per call, and peak RSS, read from /proc
// (procstat.go). It also reports how the provider agents shared the calls,
// and the machine's CPU over each phase from /proc/stat (hoststat.go): cores
// busy, how much of that was outside the processes the phase measures, and the
// hypervisor's steal; a run fit to compare against others has the last two
// near zero.
// It prints the table on stdout, a progress line on stderr, and writes
// <out>/<time>.json (every figure and the machine: CPU model, cores, Go
// version, kernel) and <out>/<time>.svg (qps against connections for the
// mesh and the ideal, and each level's latency percentile curve).
//
// Workloads. --workload hash (the default) is the race's call, checked
// against String.hashCode. --workload user calls
// com.dubbomesh.demo.UserService.getUser(long) for ids 1 to 1000 (every
// provider serves it, and the provider agents register it beside the race's
// service), and checks each JSON answer field by field against the user
// bench/demo computes from the id (bench/load's CheckUser: every field, the
// role as its name, the date in RFC 3339 with milliseconds, the decimal's
// exact digits, Content-Type application/json); the ideal answers the same
// JSON. --workload user-mixed makes one call in four echo(User), the user sent
// as JSON text. The workload is recorded in the JSON and named above the
// table; --wrk, whose script makes the race's calls, goes with hash only.
//
// Faults. go run ./bench --faults starts the same cluster (the providers
// with --admin, so their latency and thread count can be changed at run
// time through POST /control) and, instead of the scoring run, drives
// --conns (default 512) with the same validated closed-loop load while it
// runs fault rows one after another on that cluster (fault_rows.go; pick
// some with --fault-rows): kill9-agent, sigterm-agent, kill-provider,
// slow-provider, etcd-down and threadpool; with --etcd-members 3,
// etcd-leader instead of etcd-down. Each row is a --fault-steady
// window (5 s), the fault with its own hold (5 to 30 s, or --fault-hold),
// and a --fault-recovery window (10 s) whose last 2 s must see every
// provider agent serve calls and no call fail, or the run stops with
// ErrUnhealthy after 20 s more. A load.Observer (fault_record.go) counts
// every call per second and per class (200, wrong, 500, 502, 503, 504, no
// answer) and keeps each failure's time, so failures are split into
// windows around the row's marks: fault, settled (defined per row),
// recovery, recovery settled. Per row it reports the time from the fault to
// the last failure, from the recovery to the watched agent's first served
// call and to half its steady rate (provider_agent_ok_total, polled every
// 25 ms), p99 and max latency during the fault, qps per second, the RSS of
// the consumer and provider agents before and after, and the consumer
// agent's response, sidelining and ejection counters. It prints a table and
// the timelines and writes <out>/faults-<time>.json. Adding a row is one
// function and one entry in faultRowDefs.
//
// etcd cluster. --etcd-members 3 starts the bench's etcd as a static
// 3-member cluster, one registry/cmd/etcd process per member (etcd-a,
// etcd-b, etcd-c), each with its own client and peer address and data dir;
// the bench waits until all three listen and agree on a leader, and gives
// every agent all three client endpoints (etcd_cluster.go). The
// etcd-leader row finds the leader with Status on each member, SIGKILLs
// it, reports how long the two survivors took to agree on a new leader,
// keeps the load for 10 s, restarts the member on its data dir and
// addresses and checks that it follows the cluster's leader again and
// that every agent's key is present (fault_etcd_leader.go).
//
// Soak. With --sample D (e.g. go run ./bench --conns 512 --duration 10m
// --sample 30s) every measured phase also reads, at its start, every D and
// at its end, each process's RSS, open fds (/proc/<pid>/fd) and threads,
// and the agents' goroutines (the first line of their admin's
// /debug/pprof/goroutine?debug=1). It prints one line per process with
// each gauge's first and last value, range and slope per minute, and keeps
// the series in the JSON (sample.go, sample_report.go). A sampler keeps at
// most 256 rows, thinning to every other row when full, and the
// generator's recorder is a fixed set of HDR histograms and counters, so a
// phase of any length runs in bounded memory.
//
// Overload. go run ./bench --overload drives only the mesh with --conns
// (default 10000) connections and reports the answers by status (200, 503,
// other, no answer), the latency of each status class apart (a fast
// refusal is not averaged into slow answers; overload_record.go), the
// consumer agent's accepted and refused connections over the window, and
// each process's CPU, peak RSS and open-files limit; it writes
// <out>/overload-<time>.json. --consumer-args "--max-conns 8192" makes the
// consumer agent refuse the excess with 503; the generator counts each
// refusal as a 503 and redials after a jittered pause that doubles from
// 10 ms to 1 s, so refused connections neither give up nor spin. The bench
// raises its soft RLIMIT_NOFILE to the hard limit at start, which its
// children inherit (limits.go).
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
