package main

import (
	"testing"

	"github.com/dubbomesh/dubbomesh/internal/peertest"
)

// A client that leaves mid-request (FIN, RST, half-close) has its
// connection closed at once, and the agent stays idle: netpoll would
// otherwise run the handler forever on the unread bytes.
func TestClientLeavesMidRequest(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)
	whole := post(echoForm("hello"))
	peertest.Check(t, a.Addr().String(),
		[]byte("\n"),                       // a port probe's newline
		[]byte("POST / HTT"),               // a request line cut short
		[]byte(whole[:len(whole)-3]),       // a body cut short
		[]byte(whole+whole[:len(whole)/2]), // a whole request, then part of one
	)
	// Still serving.
	dial(t, a).send(post(echoForm("x")))
}
