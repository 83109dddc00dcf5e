package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// The bound on consumer agent connections (Config.MaxConns). Each open
// connection holds a descriptor, its buffers and up to netpoll's read-ahead
// limit, so an agent whose port is reachable by more peers than it expects
// refuses the surplus rather than run out of descriptors for its provider
// and etcd. Consumer agents open one connection per event loop, so the
// default fits thousands of them.
//
// A plaintext connection past the bound is answered with an error frame
// with id 0 and status Overloaded, which names the bound, and closed
// (protocol/doc.go, "Refusing a peer"); the consumer agent logs the
// message and dials again later. Over TLS the bound applies before the
// handshake (mtls.ServerConfig.MaxConns): the connection is closed at
// once, spending no handshake on it. Both are counted in
// provider_agent_refused_connections_total and logged at most once per
// refusalLogEvery.

// DefaultMaxConns is Config.MaxConns's default.
const DefaultMaxConns = 4096

// refusalLogEvery bounds the log of refused connections.
const refusalLogEvery = 10 * time.Second

// refusedConn is the context of every plaintext connection past MaxConns:
// onConnect answers and closes it.
var refusedConn = &connCtx{Context: context.Background()}

// refuseConn counts and logs a plaintext connection past MaxConns and
// returns its context. It runs on the poller: the answer is onConnect's.
func (a *Agent) refuseConn(conn netpoll.Connection) context.Context {
	conn.SetWriteTimeout(time.Second)
	a.connRefused(conn.RemoteAddr())
	return refusedConn
}

// connRefused counts and logs a connection refused past MaxConns.
func (a *Agent) connRefused(peer net.Addr) {
	a.m.refusedConns.Inc()
	if ok, repeated := a.capLog.Allow("max-conns"); ok {
		name := "unknown"
		if peer != nil {
			name = peer.String()
		}
		a.log.Warn("consumer agent connection refused: too many connections",
			"peer", name, "max_conns", a.cfg.MaxConns, "repeated", repeated)
	}
}

// refusalLinger is how long a refused connection stays open after its
// error frame, for the peer to read it and close: closing at once, with
// the peer's first frames unread, would reset the connection and could
// lose the frame.
const refusalLinger = time.Second

// onConnect answers a connection refused by onPrepare with a
// connection-level Overloaded error frame, and closes it when the peer
// does or after refusalLinger; what the peer sends meanwhile is dropped
// (dropInput). Other connections pass through.
func (a *Agent) onConnect(ctx context.Context, conn netpoll.Connection) context.Context {
	if ctx != refusedConn {
		return ctx
	}
	msg := fmt.Sprintf("provider agent: too many connections (--max-conns %d)", a.cfg.MaxConns)
	w := conn.Writer()
	if b, err := w.Malloc(protocol.ErrorSize(msg)); err == nil {
		protocol.PutError(b, 0, protocol.StatusOverloaded, msg)
		w.Flush()
	}
	time.AfterFunc(refusalLinger, func() { conn.Close() })
	return ctx
}

// dropInput is the handler of a refused connection: it reads and drops
// what the peer sent.
func dropInput(conn netpoll.Connection) error {
	r := conn.Reader()
	if err := r.Skip(r.Len()); err != nil {
		return err
	}
	return r.Release()
}
