package mtls

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"
)

// transport is the net.Conn under a Conn's tls.Conn. Its reads never go
// past the end of the TLS record being read, so it always knows where
// crypto/tls stands in the stream: how much of the current record it still
// lacks. It has two stages:
//
//   - Handshake: over the standard net.Conn the handshake needs (deadlines,
//     a context, a goroutine of its own). Stopping at the end of each
//     record means that when the handshake is done no byte that follows it
//     waits inside crypto/tls's buffer, where no event would ever announce
//     it.
//   - Netpoll (after moveTo): over a netpoll connection on the same socket.
//     While the Conn decrypts (nonblock), Read hands over only what netpoll
//     has already read and then returns errWouldBlock, which crypto/tls
//     treats as a passing timeout: its state stays intact and the next Read
//     goes on where this one stopped. Otherwise Read waits on netpoll. With
//     a record's header buffered, one Read hands over the header and the
//     body together; wholeRecord tells the Conn whether a Read would finish
//     a record without waiting, so that it does not call crypto/tls only to
//     hear that nothing is left.
//     Write copies the records crypto/tls encrypted into netpoll's output
//     buffer; the Conn's Flush sends them in one system call (batching), or
//     its TryFlush as far as the socket takes them, and a record written
//     outside a flush (an alert, a KeyUpdate answer) is sent at once.
//
// Read is used by one goroutine at a time (crypto/tls's input lock), and so
// is Write (its output lock); Write and the Conn's flush share wmu.
type transport struct {
	raw net.Conn           // the handshake's connection; nil once moved
	nc  netpoll.Connection // after moveTo

	// Where crypto/tls stands in the stream (the reading goroutine's).
	hdr  [recordHeaderLen]byte
	hn   int // header bytes handed over of the record being read
	left int // body bytes of the record being read not handed over yet
	body int // the body length of the record being read, once its header is

	nonblock bool // Read does not wait (set by the reading goroutine around its Reads)

	wmu      sync.Mutex
	batching bool        // under wmu: Writes wait for the Conn's flush
	unsent   bool        // under wmu: a trySend left records in netpoll's output buffer
	closed   atomic.Bool // the netpoll connection is closed: its buffers are gone

	local, remote net.Addr
}

// recordHeaderLen is a TLS record header's size: type, version, length.
const recordHeaderLen = 5

// maxRecordBody is the longest record body crypto/tls accepts (RFC 8446,
// 5.2: 2^14 bytes of plaintext and 256 of expansion); it refuses a header
// announcing more as soon as it reads it.
const maxRecordBody = 1<<14 + 256

// errWouldBlock is Read's answer in nonblock mode when netpoll holds no
// byte: a net.Error that is a timeout, so crypto/tls keeps the connection.
var errWouldBlock error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "mtls: no ciphertext buffered" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

var errTransportClosed = errors.New("mtls: connection closed")

func newTransport(raw net.Conn) *transport {
	return &transport{raw: raw, local: raw.LocalAddr(), remote: raw.RemoteAddr()}
}

// moveTo switches the transport to nc, which carries raw's socket. raw must
// be closed by the caller; nothing read from it is left unread by
// crypto/tls, since the handshake's reads stop at record boundaries.
func (t *transport) moveTo(nc netpoll.Connection) {
	t.nc, t.raw = nc, nil
}

// Read reads ciphertext, never past the end of the current record: during
// the handshake from raw, then from netpoll.
func (t *transport) Read(p []byte) (int, error) {
	if t.raw != nil {
		n, err := t.raw.Read(p[:t.ahead(len(p), false)])
		t.advance(p[:n])
		return n, err
	}
	if t.nonblock && t.nc.Reader().Len() == 0 {
		return 0, errWouldBlock
	}
	n, err := t.nc.Read(p[:t.ahead(len(p), true)])
	t.advance(p[:n])
	return n, err
}

// ahead returns how many of n bytes a read may take without crossing the
// end of the current record: the rest of its body, or the rest of its
// header, and with peek (on netpoll) the body too when the header's rest
// is buffered already.
func (t *transport) ahead(n int, peek bool) int {
	if t.left > 0 {
		return min(n, t.left)
	}
	want := recordHeaderLen - t.hn
	if peek {
		if body, ok := t.peekBody(); ok {
			want += body
		}
	}
	return min(n, want)
}

// peekBody returns the body length the current record's header announces
// when netpoll holds the header's rest (crypto/tls may have part of it).
// The reading goroutine's.
func (t *transport) peekBody() (int, bool) {
	want := recordHeaderLen - t.hn
	r := t.nc.Reader()
	if r.Len() < want {
		return 0, false
	}
	rest, err := r.Peek(want)
	if err != nil {
		return 0, false
	}
	var hdr [recordHeaderLen]byte
	copy(hdr[copy(hdr[:], t.hdr[:t.hn]):], rest)
	return int(binary.BigEndian.Uint16(hdr[3:])), true
}

// advance notes that b, the next bytes of the stream, went to crypto/tls.
func (t *transport) advance(b []byte) {
	for len(b) > 0 {
		if t.left > 0 {
			k := min(len(b), t.left)
			t.left -= k
			b = b[k:]
			continue
		}
		k := copy(t.hdr[t.hn:], b)
		b = b[k:]
		if t.hn += k; t.hn == recordHeaderLen {
			t.hn = 0
			t.body = int(binary.BigEndian.Uint16(t.hdr[3:]))
			t.left = t.body
		}
	}
}

// wholeRecord reports whether netpoll holds the rest of the record
// crypto/tls is reading, or the whole next one, so that a Read finishes it
// without waiting, and the room its plaintext needs (no more than its
// body). A header announcing more than any record holds counts as whole:
// crypto/tls refuses it from the header alone. On netpoll, the reading
// goroutine's.
func (t *transport) wholeRecord() (room int, ok bool) {
	if t.left > 0 {
		return t.body, t.nc.Reader().Len() >= t.left
	}
	body, ok := t.peekBody()
	if !ok {
		return 0, false
	}
	if body > maxRecordBody {
		return 1, true
	}
	return max(body, 1), t.nc.Reader().Len() >= recordHeaderLen-t.hn+body
}

// Write writes records: during the handshake to raw, then into netpoll's
// output buffer, sent at once unless a Conn flush is under way.
func (t *transport) Write(p []byte) (int, error) {
	if t.raw != nil {
		return t.raw.Write(p)
	}
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if t.closed.Load() {
		return 0, errTransportClosed
	}
	w := t.nc.Writer()
	buf, err := w.Malloc(len(p))
	if err != nil {
		return 0, err
	}
	copy(buf, p)
	if !t.batching {
		if err := w.Flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// batch makes Writes wait in the output buffer until endBatch.
func (t *transport) batch() {
	t.wmu.Lock()
	t.batching = true
	t.wmu.Unlock()
}

// endBatch ends batch; the records wait for send or trySend.
func (t *transport) endBatch() {
	t.wmu.Lock()
	t.batching = false
	t.wmu.Unlock()
}

// send sends the records buffered, in one system call when the socket
// takes them all (netpoll's Flush, bounded by its write timeout). force
// sends even when no trySend left any: netpoll's output buffer holds
// records of the Writes since batch.
func (t *transport) send(force bool) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if !force && !t.unsent {
		return nil
	}
	if t.closed.Load() {
		return errTransportClosed
	}
	t.unsent = false
	return t.nc.Writer().Flush()
}

// trySend sends the records buffered as far as the socket takes them now,
// without waiting for room (the patched netpoll's TryFlush): left is what
// it did not take, which the next send or trySend sends.
func (t *transport) trySend() (sent, left int, err error) {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	if t.closed.Load() {
		return 0, 0, errTransportClosed
	}
	tf, ok := t.nc.(interface {
		TryFlush() (sent, left int, err error)
	})
	if !ok {
		return 0, 0, t.nc.Writer().Flush()
	}
	sent, left, err = tf.TryFlush()
	t.unsent = left > 0
	return sent, left, err
}

// markClosed is run (as a close callback) before netpoll frees the
// connection's buffers: no Write touches them after it.
func (t *transport) markClosed() {
	t.wmu.Lock()
	t.closed.Store(true)
	t.wmu.Unlock()
}

// Close closes the connection. It does not take wmu: a Write waiting for
// room in the socket is woken by the close instead.
func (t *transport) Close() error {
	if t.raw != nil {
		return t.raw.Close()
	}
	return t.nc.Close()
}

func (t *transport) LocalAddr() net.Addr  { return t.local }
func (t *transport) RemoteAddr() net.Addr { return t.remote }

// SetDeadline sets the read deadline (see SetWriteDeadline).
func (t *transport) SetDeadline(d time.Time) error {
	if t.raw != nil {
		return t.raw.SetDeadline(d)
	}
	return t.SetReadDeadline(d)
}

// SetReadDeadline bounds the waits of blocking Reads; on netpoll it becomes
// the connection's read timeout, counted from now.
func (t *transport) SetReadDeadline(d time.Time) error {
	if t.raw != nil {
		return t.raw.SetReadDeadline(d)
	}
	var left time.Duration
	if !d.IsZero() {
		if left = time.Until(d); left <= 0 {
			left = time.Nanosecond
		}
	}
	return t.nc.SetReadTimeout(left)
}

// SetWriteDeadline applies during the handshake only; on netpoll the
// Conn's write timeout (SetWriteTimeout) bounds every flush instead.
func (t *transport) SetWriteDeadline(d time.Time) error {
	if t.raw != nil {
		return t.raw.SetWriteDeadline(d)
	}
	return nil
}
