package main

import (
	"testing"

	"github.com/dubbomesh/dubbomesh/internal/peertest"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// A consumer that leaves mid-frame (FIN, RST, half-close) has its
// connection closed at once, and the provider stays idle.
func TestPeerLeavesMidFrame(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	r := &dubbo.Request{
		ID: 1, Serialization: dubbo.Hessian2,
		Interface: []byte("com.alibaba.dubbo.performance.demo.provider.IHelloService"),
		Method:    []byte("hash"), ParameterTypes: []byte("Ljava/lang/String;"),
		Args: [][]byte{[]byte("hello")},
	}
	n, err := dubbo.RequestSize(r)
	if err != nil {
		t.Fatal(err)
	}
	whole := make([]byte, n)
	dubbo.PutRequest(whole, r)
	peertest.Check(t, addr,
		[]byte("\n"),
		whole[:dubbo.HeaderSize-1],
		whole[:dubbo.HeaderSize],
		whole[:len(whole)-1],
		append(whole[:len(whole):len(whole)], whole[:5]...),
	)
}
