// Package protocol provides the codec of the agent protocol, the
// length-prefixed binary framing that the consumer agent and the provider
// agent use to multiplex many calls over one TCP connection.
//
// The package only encodes and decodes bytes. It does no I/O, holds no state
// and is safe for concurrent use; the functions that encode (PutRequest,
// PutResponse, PutError, PutHeartbeat) write into a slice the caller owns,
// typically a netpoll write buffer, and the functions that decode (Next,
// ParseHeader, ParseRequest) return slices that alias their input. None of
// them allocates on the success path.
//
// The frames are the same over plaintext TCP and over mutual TLS 1.3 (agents
// started with --tls-cert, --tls-key and --tls-ca; internal/mtls): TLS only
// carries the byte stream, and a TLS provider agent announces itself with
// "tls":true in its registration value (package registry), so that a
// consumer agent of the other mode never dials it.
//
// The sub-packages of protocol are separate codecs (the Dubbo 2 frame, the
// HTTP fast path); this file specifies the agent protocol only.
//
// # Wire format
//
// Every integer is unsigned and big-endian. A connection carries a sequence of
// frames in both directions; each frame is a 16-byte header followed by a body
// of exactly the length the header announces. There is no padding and no
// alignment between frames.
//
// Header (16 bytes):
//
//	offset  size  field
//	     0     2  magic, 0xDB 0x3E
//	     2     1  version, 1
//	     3     1  kind: 1 request, 2 response, 3 heartbeat, 4 error, 5 goaway
//	     4     1  status: 0 in requests, responses, heartbeats and goaways;
//	              not 0 in errors
//	     5     1  flags: bit 0 (0x01) of a heartbeat marks the reply; bit 1
//	              (0x02, FlagGoAwayOK) of a ping says its sender understands
//	              GOAWAY; bit 1 (0x02) of a request says an attachments
//	              section follows the arguments; bit 2 (0x04, FlagJSON) of a
//	              request asks for the result as JSON, and of a response
//	              says its body is JSON; bit 3 (0x08, FlagLoad) of a
//	              response or an error says bytes 6-7 carry the load;
//	              all other bits 0
//	     6     2  load: with FlagLoad, the sender's load as the answer
//	              leaves (see Load reports); otherwise reserved, 0
//	     8     4  body length: the number of bytes after the header
//	    12     4  request id
//
// A frame is at most MaxFrameSize (16 MiB) bytes, header included, so the
// body length is at most 16 MiB - 16. Senders write 0 in the reserved bytes
// and in the flag bits not defined above; receivers ignore them.
//
// # Load reports
//
// A provider agent stamps every answer (response or error) with its load:
// the calls its provider holds plus the calls waiting in its gate for a
// provider thread, counted as the answer leaves (the answered call no
// longer counts), saturated at 65535. It sets FlagLoad so that a load of 0
// is told apart from no report. The report costs no extra frame or round
// trip: it rides on answers that flow anyway. A consumer agent adds the
// calls it sent to that agent since the report (they had not arrived yet)
// and divides by the agent's registered capacity to pick where the next call
// waits least; a report that is not renewed is trusted less as it ages. Both
// sides of the first edition of this format write 0 in these bits and
// bytes and ignore them, so either side may be older.
//
// Request body (kind 1), the fields back to back:
//
//	size   field
//	   4   timeout in milliseconds: the caller's remaining budget; 0 means none
//	2 + n  interface name: a 2-byte length n, then n bytes
//	2 + n  method name
//	2 + n  parameter types: the JVM descriptor list, e.g. "Ljava/lang/String;"
//	2 + n  service version; empty means the default
//	   2   argument count c, at most 255
//	c × (4 + n)  each argument: a 4-byte length n, then n bytes of UTF-8 text:
//	             for a String its text, for a primitive, box, BigDecimal,
//	             BigInteger or Date its text form ("-12", "1.10",
//	             "2026-12-05T08:00:00.123Z"), for any other type a JSON text
//
// When the header's flag bit 1 (FlagAttachments) is set, an attachments
// section follows the last argument: entries for the Dubbo request's
// attachments map (the service group, W3C traceparent and tracestate, an
// application's own), which the provider agent writes after the path,
// interface, version and timeout it always sends:
//
//	size   field
//	   2   attachment count k, 1 to 64
//	k × (2 + n + 2 + m)  each attachment: a 2-byte length n, n bytes of key
//	                     (UTF-8, not empty), a 2-byte length m, m bytes of
//	                     value (UTF-8); where a key repeats, the last wins
//
// A sender sets the flag only when it has at least one attachment, so a
// request has exactly one encoding; a frame with the flag clear is exactly
// the request of the first edition of this format, and receivers accept it
// as before.
//
// The body ends exactly after the last argument, or after the last
// attachment when the flag is set. Trailing bytes, a length that overruns
// the body, an argument count above 255, an attachment count of 0 or above
// 64, or an empty attachment key make the frame malformed.
//
// Response body (kind 2, status 0): the rendered result, exactly the bytes the
// consumer agent puts into the HTTP body (a Java int's decimal form, a
// String's text, nothing for null). The body is nothing else; it may be empty.
// With FlagJSON set the body is a JSON text (a POJO, a map, a list, or any
// value of a request that set FlagJSON), which the consumer agent serves as
// application/json; without it, text/plain.
//
// Error body (kind 4, status not 0): a UTF-8 message, for example
// "java.lang.IllegalStateException: boom". It may be empty.
//
// Heartbeat (kind 3, status 0): the body is empty. A heartbeat with flag bit 0
// clear is a ping; the peer answers with a heartbeat carrying the same id and
// flag bit 0 set (the pong). Either side may ping. A ping with flag bit 1
// (FlagGoAwayOK) set also says that its sender understands GOAWAY frames;
// receivers that do not care ignore the bit.
//
// Liveness: a consumer agent pings a new connection at once and sends no
// request on it before the first answer; afterwards it pings whenever calls
// are outstanding on the connection and nothing has been read for its
// --ping-interval (250 ms by default), and when the connection has been
// idle for a minute. A ping that gets no answer (no byte at all) within
// --ping-timeout means the peer or the path is gone: the connection is
// closed, its calls fail (status Lost, HTTP 502) and it is redialed with
// backoff. While answers flow nothing is pinged. A provider agent answers
// every ping at once, even with calls queued.
//
// GoAway (kind 5, status 0, id 0): the body is an optional UTF-8 reason, for
// logs. A provider agent that is about to leave (SIGTERM) sends one on each
// connection whose peer has announced FlagGoAwayOK, and on each such
// connection that opens while it drains, before it deregisters from etcd.
// The receiver sends no new request on that connection, lets the calls in
// flight on it finish (the sender keeps serving them while it drains), and
// never sends on it again; it uses a later connection to the same address
// only once that connection answers a ping, and without a GOAWAY first. A
// GOAWAY with a non-zero id or status is malformed. Peers of the first
// edition of this format refuse kind 5 as an unknown kind (ErrBadKind),
// which is why it is only sent to peers that announced it.
//
// # Request ids
//
// The caller picks request ids; it never uses 0, and an id is not reused
// while its call is in flight. The answer to a request, a response or an
// error, carries the request's id. Responses may come in any order.
// An error frame with id 0 concerns the whole connection: its sender closes
// the connection after writing it. Requests and responses with id 0 are
// malformed.
//
// # Statuses
//
// The status byte of an error frame says what went wrong, and with it the
// HTTP status the consumer agent answers with:
//
//	value  name             HTTP  meaning
//	    0  OK                200  success; only in non-error frames
//	    1  BadRequest        400  the provider agent could not encode the arguments
//	    2  Exception         500  the provider threw; the message is "class: message"
//	    3  Unavailable       502  the provider is unreachable; the call was not sent,
//	                              so the consumer agent may send it to another agent
//	    4  BadResponse       502  the provider's answer could not be decoded, or it
//	                              had a Dubbo status not listed here
//	    5  Overloaded        503  the provider's thread pool is exhausted (Dubbo 100),
//	                              or the agent's in-flight table is full; with id 0,
//	                              the agent holds as many connections as it takes
//	    6  ServiceNotFound   503  Dubbo status 60 whose message does not say what
//	                              is missing (see NotFound for one that does)
//	    7  Timeout           504  the deadline passed (Dubbo 30/31, or the agent's own)
//	    8  BadVersion        502  connection-level, id 0: the peer speaks another version
//	    9  BadFrame          502  connection-level, id 0: the peer sent a malformed frame
//	   10  Lost              502  the provider connection was lost, or the agent shut
//	                              down, with the call sent: its fate is unknown
//	   11  NotFound          404  the provider has no such service, method, version
//	                              or group, as its message says: "Service not
//	                              found" (Dubbo 40), "Not found exported service"
//	                              or "Not found method" (70), "... not found,
//	                              invocation rejected" (Dubbo 3, 40), any of them
//	                              also with status 60; the message is the
//	                              provider's. Any other Dubbo 40 is BadRequest
//	   12  BadResult         502  the provider answered a value the agent cannot
//	                              render as JSON: a reference cycle, nesting deeper
//	                              than 64 levels, or larger than the frame limit;
//	                              or the provider could not write its result
//	                              (Dubbo 50, "Failed to send response")
//
// A receiver keeps status values it does not know and maps them to HTTP 502.
//
// BadRequest, NotFound and Exception are the caller's mistakes: the provider
// ran the call, or refused it as malformed. BadResult is the call's too: the
// provider ran it, and any agent would fail to render its answer alike. They
// never count against the provider agent that answered: it is not sidelined,
// ejected, or the call retried elsewhere, for them. Every other status
// (Status.PathFault) says something about the path and may.
//
// # Refusing a peer
//
// A receiver checks the header before it waits for the body:
//
//   - bytes 0-1 are not the magic: it closes the connection without a word
//     (ErrBadMagic);
//   - byte 2 is not 1: it sends an error frame with id 0, status BadVersion and
//     a message such as "agent protocol version 7 not supported, want 1", then
//     closes (ErrBadVersion). It decides on these three bytes alone, so a
//     future version may change everything after byte 2;
//   - the kind is unknown (ErrBadKind), the length exceeds the limit
//     (ErrFrameTooLarge), or the header or body is inconsistent as described
//     above (ErrMalformed): it sends an error frame with id 0 and status
//     BadFrame, then closes.
//
// A provider agent that holds as many connections as it takes answers a
// new one, before reading from it, with an error frame with id 0 and
// status Overloaded naming its bound, and closes it once the peer has
// (or after a second).
//
// RefusalStatus maps a decode error to the status of that last error frame.
//
// # Decoding in batches
//
// Next splits one whole frame off the front of a buffer. A reader that has
// received many bytes calls Next in a loop until it returns ErrShort, handles
// every frame in one pass, and then releases the bytes it consumed:
//
//	buf, _ := r.Peek(r.Len())
//	for {
//		h, body, n, err := protocol.Next(buf)
//		if err != nil {
//			break // ErrShort: wait for more; anything else: refuse and close
//		}
//		handle(h, body) // body is valid until r.Release
//		buf = buf[n:]
//		r.Skip(n)
//	}
//	r.Release()
package protocol
