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

// transport is the net.Conn under a Conn's tls.Conn. It has two stages:
//
//   - Handshake: over the standard net.Conn the handshake needs (deadlines,
//     a context, a goroutine of its own). Reads then never go past the end
//     of the TLS record being read, so that when the handshake is done no
//     byte that follows it waits inside crypto/tls's buffer, where no event
//     would ever announce it.
//   - Netpoll (after moveTo): over a netpoll connection on the same socket.
//     While the Conn decrypts (nonblock), Read hands over only what netpoll
//     has already read and then returns errWouldBlock, which crypto/tls
//     treats as a passing timeout: its state stays intact and the next Read
//     goes on where this one stopped. Otherwise Read waits on netpoll.
//     Write copies the records crypto/tls encrypted into netpoll's output
//     buffer; the Conn's Flush sends them in one system call (batching), and
//     a record written outside a Flush (an alert, a KeyUpdate answer) is sent
//     at once.
//
// Read is used by one goroutine at a time (crypto/tls's input lock), and so
// is Write (its output lock); Write and the Conn's flush share wmu.
type transport struct {
	raw net.Conn           // the handshake's connection; nil once moved
	nc  netpoll.Connection // after moveTo

	// Handshake stage: where the record being read ends.
	hdr  [recordHeaderLen]byte
	hn   int // header bytes read of the record being read
	left int // body bytes of the record being read not read yet

	nonblock bool // Read does not wait (set by the reading goroutine around its Reads)

	wmu      sync.Mutex
	batching bool        // under wmu: Writes wait for the Conn's flush
	closed   atomic.Bool // the netpoll connection is closed: its buffers are gone

	local, remote net.Addr
}

// recordHeaderLen is a TLS record header's size: type, version, length.
const recordHeaderLen = 5

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

// Read reads ciphertext: during the handshake up to the end of the current
// record, then from netpoll.
func (t *transport) Read(p []byte) (int, error) {
	if t.raw != nil {
		return t.readRecord(p)
	}
	if t.nonblock && t.nc.Reader().Len() == 0 {
		return 0, errWouldBlock
	}
	return t.nc.Read(p)
}

// readRecord reads from raw without crossing a record boundary: a header
// first, then at most the body that header announced.
func (t *transport) readRecord(p []byte) (int, error) {
	if t.left == 0 {
		if len(p) > recordHeaderLen-t.hn {
			p = p[:recordHeaderLen-t.hn]
		}
		n, err := t.raw.Read(p)
		copy(t.hdr[t.hn:], p[:n])
		if t.hn += n; t.hn == recordHeaderLen {
			t.hn, t.left = 0, int(binary.BigEndian.Uint16(t.hdr[3:]))
		}
		return n, err
	}
	if len(p) > t.left {
		p = p[:t.left]
	}
	n, err := t.raw.Read(p)
	t.left -= n
	return n, err
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

// endBatch sends what the Writes since batch buffered, in one system call
// when the socket takes it all (netpoll's Flush, bounded by its write
// timeout).
func (t *transport) endBatch() error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.batching = false
	if t.closed.Load() {
		return errTransportClosed
	}
	return t.nc.Writer().Flush()
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
