// Package http1 provides the consumer agent's HTTP/1.x fast path: an
// incremental, zero-copy request parser, a decoder for the call's
// application/x-www-form-urlencoded form, and a response writer that fills a
// caller-supplied buffer.
//
// Nothing here reads from or writes to a connection. The agent's connection
// handler peeks at what netpoll has buffered, calls Parse, and skips the bytes
// it consumed:
//
//	r := conn.Reader()
//	for r.Len() > 0 {
//		buf, _ := r.Peek(r.Len())
//		n, err := http1.Parse(buf, &req, &limits)
//		if err == http1.ErrIncomplete {
//			// wait for more bytes; send http1.Continue once if
//			// req.HeaderLen > 0 && req.Expect100
//			break
//		}
//		if err != nil {
//			// answer PutError(status, msg, http1.Close) and close
//		}
//		// finish with req (and a Form decoded from it) here: its
//		// slices alias buf, which Skip and the next Peek invalidate
//		r.Skip(n)
//	}
//	r.Release()
//
// The parser serves what the agent needs and refuses the rest with a status:
// GET and POST only (405 otherwise), HTTP/1.1 and HTTP/1.0 only (505 for
// other versions), bodies framed by Content-Length only (411 for
// Transfer-Encoding, including chunked), and the limits in Limits (413, 431).
// Errors are *Error values carrying the status to answer with. Parse also
// captures the headers the agent passes to the provider as attachments
// (traceparent, tracestate, Dubbo-Attachment-<Name>), within bounds.
//
// Request and Form slices alias the caller's buffers; every exported type
// documents how long its slices stay valid. No type here is safe for
// concurrent use; functions without a receiver are. Parse, Form.Parse and the
// response writer allocate nothing in steady state.
package http1
