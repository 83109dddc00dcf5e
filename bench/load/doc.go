// Package load provides the benchmark's closed-loop HTTP load generator: N
// keep-alive connections, each carrying one call at a time, and a check of
// every answer. Its workloads (Workload):
//
//   - Hash, the default: the 2018 race's request with a random alphanumeric
//     parameter of 0 to 1023 characters, checked against Java's
//     String.hashCode (Check);
//   - User: com.dubbomesh.demo.UserService.getUser(long) for ids 1 to
//     UserIDs, whose JSON answer is checked field by field against the user
//     bench/demo computes (CheckUser);
//   - UserMixed: the same with one call in four echo(User), the user sent as
//     JSON text.
//
// It works like wrk and like the race's consumer: a connection writes one
// request, waits for the whole response, checks it, and only then writes the
// next. Answers are sorted into three outcomes: correct (200 with the right
// answer: the decimal hash byte for byte, or the user's JSON), wrong (200
// with any other body) and errors (any other status, or a transport failure:
// refused dial, reset, timeout, malformed response). Latency, from the request's write to the response's
// last byte, goes into an HDR histogram.
//
// The client is a raw net.Conn with a hand-written request writer
// (AppendRequest) and a minimal response reader (ResponseReader), not
// fasthttp's client. Both were measured making the same calls to the same
// in-process server (BenchmarkClient* in client_timing_test.go; cpu-ns/op is
// the process's user + system CPU per call, the server's share included and
// equal for both). On the 2-core development machine, five interleaved
// rounds gave raw 15.5-16.7 µs and fasthttp 15.7-17.7 µs per call: raw was
// cheaper in four rounds of five, by about 0.7 µs (4%) on average. Raw also
// counts exactly what happened, where fasthttp's client needs
// MaxIdemponentCallAttempts = 1 to stop its retries hiding errors, and it
// parses only the status line, Content-Length, Content-Type,
// Transfer-Encoding and Connection instead of every header. In a closed loop the generator shares
// the machine with what it measures, so what it saves the mesh keeps.
//
// Per call, nothing allocates in steady state: every connection owns its
// request buffer, parameter buffer and response buffer, and the user
// workloads' expectations are built once, read-only, for all connections.
package load
