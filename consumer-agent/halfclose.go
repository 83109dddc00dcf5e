package main

import "github.com/cloudwego/netpoll"

// A client may shut down its write side once it has sent its requests (nc
// -N, some scripts; RFC 9112 lets a client close its half and still read).
// The patched netpoll then keeps the connection open for writing and tells
// inputEnded; the handler still reads and calls every whole request that
// came before the FIN, and the connection is closed after the last answer
// (answeredAll): when the client's input ended, the handler is out of its
// pass with nothing left unread, and no answer is owed. Whichever of
// inputEnded, the handler's leave and the answer that empties the ring sees
// that last closes the connection; each looks under mu. A request cut short
// by the FIN is not waited for: the handler's read gets netpoll.ErrEOF and
// the connection is closed, as for a client that went quiet mid-request.

// inputEnded is the connection's netpoll.InputEnder callback: the client
// shut down its write side. It runs on a goroutine of its own.
func (hc *httpConn) inputEnded(netpoll.Connection) {
	hc.eof.Store(true)
	hc.closeIfAnswered()
}

// enter marks the handler in a pass.
func (hc *httpConn) enter() { hc.handling.Store(true) }

// leave marks the handler out of its pass, and closes the connection if
// that pass answered the last of a client whose input ended. Of leave and
// inputEnded, each stores its flag before it reads the other's, so at
// least one of them sees both.
func (hc *httpConn) leave() {
	hc.handling.Store(false)
	if hc.eof.Load() {
		hc.closeIfAnswered()
	}
}

// closeIfAnswered closes the connection if answeredAll says so.
func (hc *httpConn) closeIfAnswered() {
	hc.mu.Lock()
	last := hc.answeredAll()
	hc.mu.Unlock()
	if last {
		hc.closeAfterLast()
	}
}

// answeredAll reports, once, that the client's input ended and everything
// it sent has been answered: the connection is then marked closed and the
// caller, once mu is released, closes it (closeAfterLast). mu is held.
func (hc *httpConn) answeredAll() bool {
	if !hc.eof.Load() || hc.handling.Load() || hc.closed || hc.head != hc.tail || hc.w.Conn().Reader().Len() > 0 {
		return false
	}
	hc.closed = true
	return true
}
