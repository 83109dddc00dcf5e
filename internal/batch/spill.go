package batch

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// tryFlusher is a connection that can send without waiting for room in its
// socket (the patched netpoll's connection, third_party/netpoll/PATCH.md).
type tryFlusher interface {
	TryFlush() (sent, left int, err error)
}

// spill is the state of a Writer whose flushes never wait (Writer.Spill).
// active and then are guarded by the Writer's mu; left is written under it.
type spill struct {
	conn     tryFlusher
	timeout  time.Duration
	progress func()

	active bool         // a goroutine is sending what the socket did not take
	left   atomic.Int64 // bytes buffered unsent at the last try
	then   []func()     // run once all is sent (FlushThen)
}

// Spill waits, between retries of a spilled flush, at least minSpillWait and
// at most maxSpillWait; the wait doubles while the peer takes nothing. A
// peer keeps its connection while it takes at least minProgress bytes of
// its backlog each Spill timeout: one that reads a byte now and then does
// not hold the backlog's memory for good. A connection that ends with a
// backlog its peer took nothing of for stalledAfter is reported as
// stalled, whoever closed it.
const (
	minSpillWait = 200 * time.Microsecond
	maxSpillWait = 20 * time.Millisecond
	minProgress  = 64 << 10
	stalledAfter = time.Second
)

// ErrStalledPeer is reported (to the Writer's onError) for a connection
// whose peer took less than 64 KiB of its backlog in the Spill timeout.
var ErrStalledPeer = errors.New("batch: the peer read too little of what was written to it for the write timeout")

// Spill makes the Writer's flushes never wait for room in the socket: a
// flush sends what the socket takes, and when some is left, a goroutine of
// the Writer's own sends the rest as the peer reads it, retrying every
// 200 µs to 20 ms (doubling while the peer takes nothing), while writers go
// on writing behind it. So a goroutine that writes to many connections is
// never held by one peer that does not read. A peer that takes less than
// 64 KiB of its backlog in timeout (and does not empty it) has its
// connection closed (onError gets ErrStalledPeer, as it
// does for a connection closed otherwise, by the kernel's TCP_USER_TIMEOUT
// or by the peer, after its peer took nothing of a backlog for a second).
// progress, if not nil, is called (without any lock held) after each retry
// that sent something and when the spill ends, so that a writer waiting for
// the backlog to shrink (Backlog) can look again.
//
// Spill does nothing for a connection that cannot send without waiting
// (one without TryFlush; the patched netpoll's and mtls.Conn have it): its
// flushes wait as before. Call Spill at most once, before
// the Writer is shared; it works with Join and Coalesce, whose flushes then
// do not wait either.
func (w *Writer) Spill(timeout time.Duration, progress func()) {
	if tf, ok := w.conn.(tryFlusher); ok {
		w.spill = &spill{conn: tf, timeout: timeout, progress: progress}
	}
}

// Backlog returns the bytes written and not yet taken by the socket, as
// the last flush left them: 0 unless a spill is under way. It takes no
// lock.
func (w *Writer) Backlog() int {
	if w.spill == nil {
		return 0
	}
	return int(w.spill.left.Load())
}

// FlushThen flushes, then runs f once everything written so far has been
// sent, at once if the socket took it all, else when the spill under way
// has sent it or ended with the connection. f runs without the Writer's
// lock; it may close the connection.
func (w *Writer) FlushThen(f func()) {
	w.Flush()
	if w.spill != nil {
		w.mu.Lock()
		if w.spill.active {
			w.spill.then = append(w.spill.then, f)
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
	}
	f()
}

// trySend is Flush for a Writer that spills; mu is held, and is released
// before it returns.
func (w *Writer) trySend() {
	s := w.spill
	if s.active {
		// The spilling goroutine sends this too.
		w.mu.Unlock()
		return
	}
	if w.conn.Writer().MallocLen() == 0 {
		w.mu.Unlock()
		return
	}
	w.flushes.Add(1)
	_, left, err := s.conn.TryFlush()
	if err == nil && left > 0 {
		s.active = true
		s.left.Store(int64(left))
		go w.drain()
	}
	w.mu.Unlock()
	if err != nil {
		w.fail(err)
	}
}

// drain sends, as the peer reads it, what a flush left buffered.
func (w *Writer) drain() {
	s := w.spill
	wait := minSpillWait
	timer := time.NewTimer(wait)
	defer timer.Stop()
	lastSent := time.Now() // when the peer last took minProgress bytes
	taken := 0             // bytes taken since
	for {
		<-timer.C
		w.mu.Lock()
		var sent, left int
		var err error
		if w.closed {
			err = errClosed
		} else {
			sent, left, err = s.conn.TryFlush()
		}
		if err != nil && s.left.Load() > 0 && time.Since(lastSent) >= stalledAfter {
			// Closed, or refused by the kernel (TCP_USER_TIMEOUT gives up
			// on a window kept shut), with answers unread for a while:
			// the peer's own doing all the same.
			err = fmt.Errorf("%w: %w", ErrStalledPeer, err)
		}
		if err == nil && left > 0 {
			if sent > 0 {
				taken += sent
				wait = minSpillWait
			}
			switch now := time.Now(); {
			case taken >= minProgress:
				lastSent, taken = now, 0
			case now.Sub(lastSent) >= s.timeout:
				err = ErrStalledPeer
			case sent == 0:
				wait = min(2*wait, maxSpillWait)
			}
		}
		done := err != nil || left == 0
		var then []func()
		if done {
			s.active = false
			s.left.Store(0)
			then, s.then = s.then, nil
		} else {
			s.left.Store(int64(left))
		}
		w.mu.Unlock()

		switch {
		case errors.Is(err, errClosed):
			if errors.Is(err, ErrStalledPeer) && w.onError != nil {
				w.onError(err)
			}
		case err != nil:
			w.fail(err)
		}
		if (sent > 0 || done) && s.progress != nil {
			s.progress()
		}
		if done {
			for _, f := range then {
				f()
			}
			return
		}
		timer.Reset(wait)
	}
}

// errClosed marks a spill ended by the connection's close.
var errClosed = errors.New("batch: connection closed")

// fail reports a failed flush and closes the connection.
func (w *Writer) fail(err error) {
	if w.onError != nil {
		w.onError(err)
	}
	w.conn.Close()
}
