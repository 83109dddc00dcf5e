// Copyright 2026 the dubbomesh authors. Licensed under the Apache License,
// Version 2.0, as the rest of this package (see LICENSE).

package netpoll

// remoteAddrString names the peer in a timeout's error (dubbomesh patch).
// A connection made by NewFDConnection has no address: upstream's
// c.remoteAddr.String() panicked on it when a read or write timed out.
func (c *connection) remoteAddrString() string {
	if c.remoteAddr == nil {
		return "unknown peer"
	}
	return c.remoteAddr.String()
}
