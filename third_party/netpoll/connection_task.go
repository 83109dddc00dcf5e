// Copyright 2026 The dubbomesh Authors. Licensed under the Apache License,
// Version 2.0, as the rest of this package (see LICENSE).

package netpoll

// requestTask returns the connection's task for a request event: process
// with the OnRequest set when it runs. Upstream makes a closure per event,
// one allocation for every readable event; this one is made on the
// connection's first event and kept. It is called with the processing lock
// held, which orders the first call's write before every later read.
func (c *connection) requestTask() func() {
	if c.reqTask == nil {
		c.reqTask = func() {
			onRequest, _ := c.onRequestCallback.Load().(OnRequest)
			c.process(nil, onRequest)
		}
	}
	return c.reqTask
}
