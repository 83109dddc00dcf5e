package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestLastAnswerCloses: writing an answer with Connection: close closes the
// connection, whose close callbacks run on the writing goroutine and take
// the connection's lock; the answer path must not hold it then.
func TestLastAnswerCloses(t *testing.T) {
	p := newHandlePath(t, "bye")
	p.req = []byte(post(echoForm("bye"), "Connection: close") + post(echoForm("never")))
	var (
		used, need int
		err        error
		done       = make(chan struct{})
	)
	go func() {
		defer close(done)
		used, need = p.a.handleRequests(p.hc, p.req)
		p.hc.set.Flush()
		id := <-p.ids
		protocol.PutResponse(p.frame, id, p.param)
		_, _, err = p.l.handleAnswers(&p.set, nil, p.frame)
		p.set.Flush()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the answer path deadlocked closing the connection")
	}
	if err != nil {
		t.Fatal(err)
	}
	check(t, "need", need, 0)
	if used >= len(p.req) || !p.hc.stopped {
		t.Fatalf("read %d of %d bytes past Connection: close", used, len(p.req))
	}
	check(t, "connection closed", p.conn.closed.Load(), true)
	got, _ := p.out.Next(p.out.Len())
	if !bytes.Contains(got, []byte("\r\nConnection: close\r\n")) || !bytes.HasSuffix(got, []byte("\r\n\r\nbye")) {
		t.Fatalf("response %q", got)
	}
	select {
	case id := <-p.ids:
		t.Fatalf("request %d sent after Connection: close", id)
	case <-time.After(50 * time.Millisecond):
	}
}
