// Package upstream keeps one outbound netpoll connection alive: it dials,
// redials with capped exponential backoff when the connection dies, and sends
// heartbeats on a connection that has been idle.
//
// The package knows no protocol. The caller supplies the batch decoder, the
// heartbeat encoder and the callbacks that fail the calls riding on a
// connection that was lost.
package upstream
