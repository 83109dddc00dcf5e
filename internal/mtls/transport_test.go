package mtls

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// byteConn is a net.Conn whose reads come from a buffer, as much as asked.
type byteConn struct {
	net.Conn
	r *bytes.Reader
}

func (b byteConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// TestHandshakeReadsStopAtRecords: during the handshake the transport
// never reads past the end of a record, however much the caller asks for,
// so nothing after the handshake's last record is left inside crypto/tls.
func TestHandshakeReadsStopAtRecords(t *testing.T) {
	var stream []byte
	records := [][]byte{
		append([]byte{22, 3, 3, 0, 3}, "abc"...),
		{23, 3, 3, 0, 0}, // empty body
		append([]byte{23, 3, 3, 0, 5}, "hello"...),
	}
	for _, r := range records {
		stream = append(stream, r...)
	}
	tr := &transport{raw: byteConn{r: bytes.NewReader(stream)}}
	for i, want := range records {
		// One header, then the body, each in as many reads as it takes.
		var got []byte
		buf := make([]byte, 64)
		n, err := tr.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		if n != recordHeaderLen {
			t.Fatalf("record %d: header read %d bytes, want %d", i, n, recordHeaderLen)
		}
		got = append(got, buf[:n]...)
		for len(got) < len(want) {
			n, err := tr.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, buf[:n]...)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d: read %q, want %q", i, got, want)
		}
	}
	if n, err := tr.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("after the records: %d, %v", n, err)
	}
	// A header that arrives one byte at a time is still counted right.
	tr = &transport{raw: byteConn{r: bytes.NewReader(records[2])}}
	for i := 0; i < recordHeaderLen; i++ {
		if n, _ := tr.Read(make([]byte, 1)); n != 1 {
			t.Fatalf("header byte %d: read %d", i, n)
		}
	}
	if n, _ := tr.Read(make([]byte, 64)); n != 5 {
		t.Fatalf("body read %d bytes, want 5", n)
	}
}

// TestWouldBlockIsTemporary: crypto/tls keeps a connection whose transport
// returns errWouldBlock only if it is a net.Error that is temporary.
func TestWouldBlockIsTemporary(t *testing.T) {
	ne, ok := errWouldBlock.(net.Error)
	if !ok || !ne.Timeout() || !ne.Temporary() { //nolint:staticcheck // crypto/tls checks Temporary
		t.Fatalf("errWouldBlock is not a temporary net.Error: %#v", errWouldBlock)
	}
}

// TestRefusedPlaintextClosedInOrder: a plaintext peer that sent a whole
// request (far more than the record header the handshake reads) is closed
// in order (EOF), not reset by unread bytes left in the socket.
func TestRefusedPlaintextClosedInOrder(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), time.Second)
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(bytes.Repeat([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 100))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("refused plaintext peer: %v, want an orderly close", err)
	}
	waitFor(t, time.Second, "refusal counted", func() bool { return srv.refusals(Plaintext) == 1 })
}
