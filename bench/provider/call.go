package main

import (
	"sync"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// call is one admitted call between its arrival and its completion: it holds
// a thread of the limiter and waits in the scheduler until due.
//
// A call owns its result: res's byte slices point into text or at read-only
// package data, never into a connection's read buffer, so the call outlives
// the frame it came from. Calls are pooled (acquireCall / releaseCall); a call
// belongs to one goroutine at a time: the reader that builds it, then the
// scheduler that completes it.
type call struct {
	conn   *conn
	twoWay bool
	due    int64 // clock reading at which the call completes
	index  int   // position in the scheduler's heap

	res  dubbo.Response
	text []byte // backing store of res's string value or message
	// frame, when not empty, is the whole response frame, encoded by the
	// UserService (userservice.go), sent instead of res.
	frame []byte
}

var callPool = sync.Pool{New: func() any { return new(call) }}

// acquireCall returns an empty call from the pool.
func acquireCall() *call { return callPool.Get().(*call) }

// releaseCall returns c to the pool; c must not be used afterwards.
func releaseCall(c *call) {
	text, frame := c.text[:0], c.frame[:0]
	if cap(text) > 64<<10 {
		text = nil // do not pin a rare huge argument
	}
	if cap(frame) > 64<<10 {
		frame = nil // nor a rare huge result
	}
	*c = call{text: text, frame: frame}
	callPool.Put(c)
}
