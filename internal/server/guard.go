package server

import (
	"context"

	"github.com/cloudwego/netpoll"
)

// Guard wraps a netpoll OnRequest so that a connection its handler cannot
// go on with is closed, whatever is left unread.
//
// netpoll runs OnRequest again for as long as a connection holds unread
// bytes and was not closed by the user: a peer that leaves mid-frame (FIN,
// RST or a half-close) turns a handler that waits for the rest of the frame
// and returns into a loop that burns a core. Guard closes the connection
// when the handler returns an error, and when the peer has gone while
// bytes are still unread; closing makes netpoll stop calling the handler.
// A handler that consumes what it reads, or waits for more on a live
// connection, is not affected.
//
// Every OnRequest given to netpoll in this project goes through Guard:
// Listen applies it, and internal/upstream applies it to dialed
// connections.
func Guard(h netpoll.OnRequest) netpoll.OnRequest {
	return func(ctx context.Context, conn netpoll.Connection) error {
		err := h(ctx, conn)
		if err != nil || (!conn.IsActive() && conn.Reader().Len() > 0) {
			conn.Close()
		}
		return err
	}
}
