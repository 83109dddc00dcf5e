package mtls

import (
	"net"

	"github.com/cloudwego/netpoll"
)

// writer is a Conn's netpoll.Writer: frames go into a LinkBuffer, and Flush
// encrypts them in one tls.Conn.Write, so that a batch becomes as few
// records as its size needs, and sends the records in one system call. A
// batch spread over several buffer nodes is gathered by the LinkBuffer into
// its own reused peek buffer. One goroutine at a time.
type writer struct {
	*netpoll.LinkBuffer
	c *Conn
}

var _ netpoll.Writer = (*writer)(nil)

// Flush encrypts and sends everything buffered, and what a TryFlush left;
// waiting for room in the socket is bounded by the write timeout.
func (w *writer) Flush() error {
	sealed, err := w.seal()
	if err == nil {
		err = w.c.t.send(sealed)
	}
	if err != nil {
		return &net.OpError{Op: "write", Net: "tls", Err: err}
	}
	return nil
}

// seal encrypts everything buffered into records in netpoll's output
// buffer, sending nothing, and reports whether there was anything.
func (w *writer) seal() (bool, error) {
	if err := w.LinkBuffer.Flush(); err != nil {
		return false, err
	}
	n := w.LinkBuffer.Len()
	if n == 0 {
		return false, nil
	}
	out, err := w.LinkBuffer.Peek(n)
	if err != nil {
		return false, err
	}
	t := w.c.t
	t.batch()
	_, err = w.c.Conn.Write(out)
	t.endBatch()
	w.LinkBuffer.Skip(n)
	w.LinkBuffer.Release()
	return true, err
}
