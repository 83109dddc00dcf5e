// Command ideal is the benchmark's ceiling: a single-hop HTTP server that
// answers the bench's calls itself, with the same body a correct mesh gives,
// after the same --latency the reference providers take: the race's hash
// with Java's String.hashCode of the parameter, and the UserService's
// getUser(long) and echo(User) with the user's JSON (users.go).
//
// The benchmark drives it with the same load generator, at the same
// connection counts, on the same machine and in the same run as the mesh, so
// qps/ideal isolates what the mesh's hops cost. To add as little as
// possible, it parses requests with the consumer agent's own HTTP fast path
// (protocol/http1), so both pay the same for HTTP, and serves each
// connection on one goroutine over Go's runtime poller: a closed-loop client
// has one call in flight per connection, so a goroutine per connection is
// what netpoll's pooled handler would amount to, minus netpoll's own
// buffering. It adds neither net/http's per-request allocations (header maps,
// a bufio pair per connection, a goroutine handoff) nor any of its own: the
// steady state allocates nothing. A latency is served by sleeping until the
// request's arrival plus --latency, so pipelined requests that arrived
// together are answered together.
//
// It answers POST bodies and GET query strings of the race's form with 200
// and the decimal hash (text/plain); getUser(J) with 200 and the JSON of
// bench/demo's user (application/json, as the mesh renders a POJO: fields in
// Hessian's order, the role's name, the date in RFC 3339 with milliseconds,
// the decimal's exact digits); echo(Lcom/dubbomesh/demo/User;) of a user the
// bench sends (the argument form bench/demo writes, byte for byte) with that
// user's JSON, which is what a provider echoes, without parsing the JSON
// (other users are refused); anything else with the consumer agent's
// statuses: 400 for a bad or missing field or another method or interface,
// and the parser's 405, 411, 413, 431 and 505. Users' answers are cached per
// id, process-wide, so the steady state still allocates nothing.
//
// Usage:
//
//	ideal [--listen :20100] [--latency 50ms]
package main
