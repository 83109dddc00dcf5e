// Copyright 2026 the dubbomesh authors. Licensed under the Apache License,
// Version 2.0, as the rest of this package (see LICENSE).

package netpoll

import "sync/atomic"

// Read-ahead bound (dubbomesh patch). Upstream netpoll reads a connection
// whenever its socket is readable, into an input buffer without bound: a
// peer that writes faster than its handler consumes (a flood whose answers
// it never reads, so that the handler waits on a full socket to flush)
// grows the buffer by gigabytes. Here a connection stops being polled for
// reading once ReadAheadLimit bytes are buffered unread, and is polled again
// once its handler has consumed all but ReadAheadResume of them.

const (
	// ReadAheadLimit is how many unread bytes pause reading a connection.
	// It must exceed the largest frame a handler waits for whole.
	ReadAheadLimit = 64 << 20
	// ReadAheadResume is how many unread bytes resume it.
	ReadAheadResume = ReadAheadLimit / 2
)

// checkReadAhead pauses reading c when length bytes are buffered unread at
// or past ReadAheadLimit. It runs on the poller, after a read. The pause is
// applied again at each read past the limit (a flush's Control may have
// raced with it), and undone at once if the handler consumed the input
// meanwhile.
func (c *connection) checkReadAhead(length int) {
	if length < ReadAheadLimit {
		return
	}
	atomic.StoreInt32(&c.operator.readPaused, 1)
	c.operator.Control(PollPauseRead)
	if c.inputBuffer.Len() < ReadAheadResume {
		c.resumeRead()
	}
}

// resumeRead polls c for reading again if it was paused. Release calls it
// once the handler has consumed enough.
func (c *connection) resumeRead() {
	if atomic.CompareAndSwapInt32(&c.operator.readPaused, 1, 0) {
		c.operator.Control(PollResumeRead)
	}
}
