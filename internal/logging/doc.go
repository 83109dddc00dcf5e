// Package logging sets up the binaries' structured logs (log/slog): the
// --log-format and --log-level flags, the etcd client's and gRPC's loggers
// routed into slog at warning level and up, and two helpers that keep logs
// to what an operator needs:
//
//   - Switch logs the changes of an on/off condition (a provider
//     reachable, etcd reachable, a provider agent in rotation) once each,
//     with its reason, and folds a condition that flaps into one line per
//     interval;
//   - Limiter lets a line that repeats (a retry failing again, a library
//     warning) through at most once per interval, counting the rest.
//
// Nothing here is meant for the per-request path: log changes of state,
// never calls.
package logging
