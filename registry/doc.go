// Package registry provides etcd registration and discovery of provider
// agents, plus embedded etcd for tests, the benchmark and hand-run
// topologies: a single member (StartEmbedded), one member of a static
// cluster (StartMember), or a whole cluster in one process whose members a
// test can stop and restart (StartEmbeddedCluster).
//
// A provider agent serving an interface owns one key,
//
//	/dubbomesh/<interface>/<host:port>  ->  {"weight":3}
//
// or {"weight":3,"tls":true} for an agent that accepts only mutual TLS
// (ParseValue; "tls" is optional and false when absent, so plaintext
// agents write what they always wrote), bound to a lease with a 10 s TTL that Register keeps alive (and re-creates
// if it is ever lost). Consumer agents call Discover, which lists every key
// under Prefix and then watches it, handing an immutable Snapshot of all
// endpoints to a callback after every change. While etcd is unreachable the
// last known endpoints stay in use.
//
// NewClient speaks TLS to etcd (WithTLS, TLSFiles, https:// endpoints) and
// authenticates as a user (WithAuth); EtcdOptions are the agents' flags for
// both. The embedded etcd serves client TLS (MemberConfig.ClientTLS), and
// EnableAuth turns user authentication on.
//
// Nothing here is on the per-request path: a consumer agent turns each
// Snapshot into load balancer state once (see package lb) and routes calls
// from that.
package registry
