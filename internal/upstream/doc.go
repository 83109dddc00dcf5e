// Package upstream keeps one outbound netpoll connection alive: it dials,
// redials with capped exponential backoff when the connection dies, sends
// heartbeats on a connection that has been idle and, with liveness on
// (Config.PingInterval), pings a connection that owes answers and has read
// nothing for a moment, declaring it dead when the ping goes unanswered.
// Every socket it dials gets TCP_USER_TIMEOUT and keepalive (TuneTCP).
//
// The package knows no protocol. The caller supplies the batch decoder, the
// heartbeat encoder, whether calls are outstanding, and the callbacks that
// fail the calls riding on a connection that was lost. A peer that asks for
// no new calls (a GOAWAY, a read-only event) is honoured with Suspend.
package upstream
