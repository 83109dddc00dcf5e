package mtls

import "github.com/cloudwego/netpoll"

// plainReader is a Conn's netpoll.Reader: the plaintext decrypted so far,
// in a LinkBuffer. A method that needs more than is buffered decrypts more,
// waiting on netpoll for the ciphertext (Conn.wait), as a netpoll
// connection's reader waits for bytes. As with netpoll, slices it returns
// are valid until Release, and it belongs to the connection's handler.
type plainReader struct {
	*netpoll.LinkBuffer
	c *Conn
}

var _ netpoll.Reader = (*plainReader)(nil)

// Next returns the next n bytes, waiting for them.
func (r *plainReader) Next(n int) ([]byte, error) {
	if err := r.c.wait(n); err != nil {
		return nil, err
	}
	return r.LinkBuffer.Next(n)
}

// Peek returns the next n bytes without consuming them, waiting for them.
func (r *plainReader) Peek(n int) ([]byte, error) {
	if err := r.c.wait(n); err != nil {
		return nil, err
	}
	return r.LinkBuffer.Peek(n)
}

// Skip drops the next n bytes, waiting for them.
func (r *plainReader) Skip(n int) error {
	if err := r.c.wait(n); err != nil {
		return err
	}
	return r.LinkBuffer.Skip(n)
}

// ReadString returns the next n bytes as a string, waiting for them.
func (r *plainReader) ReadString(n int) (string, error) {
	if err := r.c.wait(n); err != nil {
		return "", err
	}
	return r.LinkBuffer.ReadString(n)
}

// ReadBinary returns a copy of the next n bytes, waiting for them.
func (r *plainReader) ReadBinary(n int) ([]byte, error) {
	if err := r.c.wait(n); err != nil {
		return nil, err
	}
	return r.LinkBuffer.ReadBinary(n)
}

// ReadByte returns the next byte, waiting for it.
func (r *plainReader) ReadByte() (byte, error) {
	if err := r.c.wait(1); err != nil {
		return 0, err
	}
	return r.LinkBuffer.ReadByte()
}

// Slice returns a Reader over the next n bytes, waiting for them.
func (r *plainReader) Slice(n int) (netpoll.Reader, error) {
	if err := r.c.wait(n); err != nil {
		return nil, err
	}
	return r.LinkBuffer.Slice(n)
}
