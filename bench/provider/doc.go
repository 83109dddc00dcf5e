// Command provider is the reference Dubbo 2 provider: a real Dubbo 2 server,
// speaking hessian2 and fastjson, that stands in for the 2018 Alibaba race's
// Java provider in tests and benchmarks.
//
// It implements three services, and exports them with no version and no group
// unless --service names the exports, interface[:version[:group]] (repeatable),
// e.g. --service com.alibaba.dubbo.performance.demo.provider.IHelloService:1.0.0
// or --service ...IHelloService::blue. A call reaches a service only under the
// version and the "group" attachment it is exported with, as with Dubbo, whose
// service key is group/interface:version:port:
//
//   - com.alibaba.dubbo.performance.demo.provider.IHelloService.hash(String)
//     returns Java's String.hashCode of its argument (the race's workload);
//   - com.dubbomesh.demo.EchoService, for tests of every type: echo(x) returns
//     x with its own type, nothing() returns null, fail(String) throws
//     java.lang.IllegalStateException, concat(String,int,long) returns the
//     three joined with ",", and sleep(long) takes that many milliseconds
//     instead of --latency and returns its argument;
//   - com.dubbomesh.demo.UserService, shaped like a real Java service (a
//     POJO User with a nested Address, a list, a map, a Role enum, a Date, a
//     BigDecimal and an int[]), hessian2 only, whose methods and answers are
//     those of the Java provider of the end-to-end tests: it reads arguments
//     into the declared types as Dubbo's Hessian does and writes results as
//     Java's Hessian2Output does, byte for byte (userservice.go, checked
//     against testdata/golden, written by Java). getUser(long) is the bench's
//     --workload user call.
//
// The provider models a Java provider's limits (limiter.go):
//
//   - every call takes --latency (default 50ms);
//   - at most --threads calls (default 200) run at once; a call arriving when
//     all are busy is refused at once with status 100
//     (SERVER_THREADPOOL_EXHAUSTED_ERROR), as Dubbo's AbortPolicy does;
//   - --capacity calls per second (0, the default, is unlimited) models the
//     race's CPU shares: each call reserves a 1/capacity-second slot on a
//     virtual clock and completes at its slot's start plus its latency, so past
//     the capacity calls queue, holding their threads.
//
// With --admin host:port it serves a small HTTP control endpoint for fault
// tests (admin.go): GET /control returns the latency and thread count as
// JSON; POST /control?latency=500ms&threads=20 changes either for calls that
// arrive afterwards, while calls in flight keep theirs.
//
// Errors follow Dubbo 2.7, status and message: a frame in an unknown
// serialization or a body that does not decode is answered with status 40
// (BAD_REQUEST), and so is an interface not exported or a method or
// descriptor it does not have ("Fail to decode request due to:
// java.lang.IllegalArgumentException: Service not found:<interface>,
// <method>"); a version or group not exported is answered with status 70
// (SERVICE_ERROR: "org.apache.dubbo.remoting.RemotingException: Not found
// exported service: <key> in [<keys>], may be version or group mismatch
// ..."). Both messages carry a stack frame on a second line, as Dubbo's do.
// Requests arriving while the provider shuts down are answered with status
// 80 (SERVER_ERROR). A frame with a bad
// magic or an oversized length closes its connection.
//
// Costs per call are kept low, since the provider shares the machine with the
// mesh: each connection has one reader goroutine that decodes every frame of a
// read in one pass, one scheduler goroutine completes all calls through a
// single timer (schedule.go), and each connection has one writer goroutine
// that writes all the responses queued since its last write in one syscall
// (conn.go). Nothing is started per call, and the steady state allocates
// nothing.
//
// Usage:
//
//	provider [--listen :20880] [--latency 50ms] [--threads 200] [--capacity 0]
//	         [--heartbeat 60s] [--attachments] [--name label] [--admin host:port]
//	         [--service interface[:version[:group]]]...
package main
