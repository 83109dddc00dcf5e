package batch

import (
	"errors"
	"fmt"

	"github.com/cloudwego/netpoll"
)

// Decoder handles the whole frames (or requests) at the front of buf, in
// order, and reports the bytes it used. When buf ends inside a frame, need is
// the number of bytes that frame needs in all, counted from buf[used]; 0 means
// nothing is pending. buf is valid only during the call. A non-nil error means
// the stream cannot be trusted past used: the caller closes the connection.
type Decoder interface {
	Decode(buf []byte) (used, need int, err error)
}

// ErrWait wraps the reader's error when the rest of a frame never came: the
// connection closed or the read timeout passed mid-frame.
var ErrWait = errors.New("batch: waiting for the rest of a frame")

// ErrStuck is returned when a Decoder used nothing of a buffer that holds
// all it asked for: going on would loop forever on the same bytes.
var ErrStuck = errors.New("batch: decoder made no progress")

// Drain is a netpoll OnRequest body: batch decode, then batch flush. Each
// pass hands d everything read so far, releases what d used, and flushes set
// once (so the frames written during the pass leave together). When the input
// ends inside a frame, Drain waits on this goroutine for the bytes d asked
// for, as netpoll handlers may, then goes on; it returns when nothing is left
// to read.
//
// Drain runs inside a handler counted in Handlers (internal/server's runner
// counts every netpoll handler), and leaves the count while it waits.
//
// A Decoder error is returned as is; a failed wait wraps ErrWait; a Decoder
// that uses nothing while it has all it asked for gets ErrStuck. On any
// error the caller must close the connection (internal/server's Guard
// does), or netpoll calls the handler again on the same bytes. Drain does
// not allocate on success.
func Drain(r netpoll.Reader, set *Set, d Decoder) error {
	for r.Len() > 0 {
		buf, err := r.Peek(r.Len())
		if err != nil {
			return fmt.Errorf("%w: %w", ErrWait, err)
		}
		used, need, err := d.Decode(buf)
		r.Skip(used)
		r.Release()
		set.Flush()
		if err != nil {
			return err
		}
		if used == 0 && need <= len(buf) {
			return ErrStuck
		}
		if need > 0 && r.Len() < need {
			// Waiting is not being busy: let the other handlers'
			// deferred flushes go (see Group).
			Handlers.Leave()
			_, err := r.Peek(need)
			Handlers.Enter()
			if err != nil {
				return fmt.Errorf("%w: %w", ErrWait, err)
			}
		}
	}
	return nil
}
