// Package dubbo encodes and decodes Dubbo 2 frames, hessian2 and fastjson,
// for the provider agent and the reference provider.
//
// # Frames
//
// A frame is a 16-byte header (ParseHeader, PutHeader: magic 0xdabb, flag,
// status, request id, body length) and a body in the serialization named by
// the flag's low five bits: Hessian2 (2) or FastJSON (6). In hessian2 the
// body is a sequence of hessian values; in fastjson, one JSON text per line.
//
// A request body holds the dubbo version ("2.0.2"; fastjson "2.0.1"), the
// interface, the service version ("0.0.0" when none; fastjson null), the
// method, the parameter descriptor ("Ljava/lang/String;I"), each argument as
// its Java type, then the attachments map: path, interface, version, when
// set timeout, then the request's own attachments (Request.Attachments: the
// service group, a trace context, an application's entries). A response body starts with a flag: 0 exception, 1 value,
// 2 null, and 3-5 the same followed by an attachments map; with a status
// other than 20 it is just an error string. A heartbeat is an event frame
// whose body is null.
//
// Arguments and results travel as text (Request.Args, the text
// DecodeResponse renders): a String's UTF-8, the decimal form of an int or
// long, "true"/"false", a double as Java prints it. Arguments of every
// other type are transcoded by package jsonhessian (JSON text for classes,
// collections, maps and arrays), and a ResultDecoder renders results of
// every other type as JSON with package hessianjson. CheckArgs validates
// arguments against a descriptor list; errors wrap ErrBadArgument.
//
// Hessian strings are written byte for byte as
// github.com/apache/dubbo-go-hessian2 writes them: lengths in UTF-16 code
// units, characters outside the BMP as surrogate pairs of 3-byte sequences,
// chunks of 4096 units.
//
// # Buffers
//
// Nothing here keeps a reference to its arguments, and all functions are
// safe for concurrent use on distinct buffers. The encoders write into
// buffers the caller owns: RequestSize returns the exact frame size so that
// PutRequest can fill a connection's write buffer in place,
//
//	n, err := dubbo.RequestSize(&req) // validates req
//	buf, _ := w.Malloc(n)
//	dubbo.PutRequest(buf, &req)
//
// and AppendResponse appends to a slice the caller reuses. Decoded values
// (Request fields from ParseRequest, text from DecodeResponse) alias the body
// or the caller's scratch, and are valid until either is reused. The request
// and response paths do not allocate in steady state.
package dubbo
