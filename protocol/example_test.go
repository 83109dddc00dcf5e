package protocol_test

import (
	"errors"
	"fmt"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// A consumer agent encodes a call; the provider agent splits the frame off
// its read buffer and decodes it, then answers.
func Example() {
	req := &protocol.Request{
		Timeout:        3000,
		Interface:      []byte("com.alibaba.dubbo.performance.demo.provider.IHelloService"),
		Method:         []byte("hash"),
		ParameterTypes: []byte("Ljava/lang/String;"),
		Args:           [][]byte{[]byte("hello")},
	}
	if err := req.Validate(); err != nil {
		panic(err)
	}
	wire := make([]byte, req.Size()) // in the agent: buf, _ := w.Malloc(req.Size())
	protocol.PutRequest(wire, 1, req)

	// The provider agent's side. got aliases wire and is reused call after call.
	var got protocol.Request
	h, body, n, err := protocol.Next(wire)
	if err != nil {
		panic(err)
	}
	if err := protocol.ParseRequest(h, body, &got); err != nil {
		panic(err)
	}
	fmt.Printf("%v id=%d frame=%d bytes\n", h.Kind, h.ID, n)
	fmt.Printf("%s.%s(%s) %q timeout=%dms\n", got.Interface, got.Method, got.ParameterTypes, got.Args[0], got.Timeout)

	// The answer travels back with the same id.
	answer := make([]byte, protocol.ResponseSize(len("99162322")))
	protocol.PutResponse(answer, h.ID, []byte("99162322"))
	h, body, _, _ = protocol.Next(answer)
	fmt.Printf("%v id=%d HTTP %d body=%s\n", h.Kind, h.ID, h.Status.HTTPStatus(), body)
	// Output:
	// request id=1 frame=118 bytes
	// com.alibaba.dubbo.performance.demo.provider.IHelloService.hash(Ljava/lang/String;) "hello" timeout=3000ms
	// response id=1 HTTP 200 body=99162322
}

// A batch decoder handles every whole frame of a read in one pass and keeps
// the partial frame at the end for the next read.
func ExampleNext() {
	buf := make([]byte, 0, 256)
	buf = buf[:protocol.ResponseSize(2)]
	n := protocol.PutResponse(buf, 7, []byte("42"))
	buf = buf[:n+protocol.HeaderSize]
	n += protocol.PutHeartbeat(buf[n:], 8, false)
	msg := "java.lang.IllegalStateException: boom"
	buf = buf[:n+protocol.ErrorSize(msg)]
	protocol.PutError(buf[n:], 9, protocol.StatusException, msg)
	read := buf[:len(buf)-5] // the last frame has not fully arrived

	for {
		h, body, n, err := protocol.Next(read)
		if errors.Is(err, protocol.ErrShort) {
			fmt.Printf("wait for %d more bytes\n", h.FrameSize()-len(read))
			break
		}
		if err != nil {
			panic(err) // in an agent: refuse the peer and close
		}
		fmt.Printf("%v id=%d status=%v body=%q\n", h.Kind, h.ID, h.Status, body)
		read = read[n:]
	}
	// Output:
	// response id=7 status=ok body="42"
	// heartbeat id=8 status=ok body=""
	// wait for 5 more bytes
}

// A receiver refuses a peer that speaks another version with an error frame
// on id 0, then closes the connection.
func ExampleRefusalStatus() {
	peer := []byte{0xDB, 0x3E, 7} // the first three bytes of a version 7 frame
	_, err := protocol.ParseHeader(peer)
	if s, ok := protocol.RefusalStatus(err); ok {
		out := make([]byte, protocol.ErrorSize(err.Error()))
		protocol.PutError(out, 0, s, err.Error())
		h, body, _, _ := protocol.Next(out)
		fmt.Printf("%v id=%d status=%v connection-level=%v\n%s\n", h.Kind, h.ID, h.Status, h.IsConnectionError(), body)
	}
	// Output:
	// error id=0 status=bad version connection-level=true
	// protocol: agent protocol version 7 not supported, want 1
}
