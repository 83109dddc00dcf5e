package hessianjson

import "encoding/binary"

// cursor reads one hessian2 byte stream: b from pos on. Rendering the value
// of a reference reads its bytes again through a cursor of its own in
// replay mode.
type cursor struct {
	b   []byte
	pos int
	// src is the index of b in Renderer.srcs, recorded with each map, list
	// and object entered into the reference table.
	src int
	// replay is set while a reference is rendered again: its class
	// definitions, types, maps, lists and objects are already in the
	// Renderer's tables and are not added again.
	replay bool
	// next is, in replay mode, the reference index of the next map, list
	// or object: the bytes are read in the same order as the first time,
	// so they take the same consecutive indexes.
	next int
}

// errAt reports what is wrong with the byte at offset at.
func (c *cursor) errAt(at int, what string) error { return malformed(c.b, at, what) }

// need reports ErrTruncated unless n bytes are left.
func (c *cursor) need(n int) error {
	if len(c.b)-c.pos < n {
		return ErrTruncated
	}
	return nil
}

// intSize returns the encoded size of an int whose first byte is tag, or 0
// if tag does not start an int.
func intSize(tag byte) int {
	switch {
	case tag >= 0x80 && tag <= 0xbf:
		return 1
	case tag >= 0xc0 && tag <= 0xcf:
		return 2
	case tag >= 0xd0 && tag <= 0xd7:
		return 3
	case tag == 'I':
		return 5
	}
	return 0
}

// longSize returns the encoded size of a long whose first byte is tag, or 0
// if tag does not start a long.
func longSize(tag byte) int {
	switch {
	case tag >= 0xd8 && tag <= 0xef:
		return 1
	case tag >= 0xf0:
		return 2
	case tag >= 0x38 && tag <= 0x3f:
		return 3
	case tag == 0x59:
		return 5
	case tag == 'L':
		return 9
	}
	return 0
}

// integer decodes the int or long of size bytes at p (p[0] is its tag).
func integer(p []byte) int64 {
	switch tag := p[0]; {
	case tag >= 0x80 && tag <= 0xbf:
		return int64(tag) - 0x90
	case tag >= 0xc0 && tag <= 0xcf:
		return (int64(tag)-0xc8)<<8 | int64(p[1])
	case tag >= 0xd0 && tag <= 0xd7:
		return (int64(tag)-0xd4)<<16 | int64(p[1])<<8 | int64(p[2])
	case tag == 'I' || tag == 0x59:
		return int64(int32(binary.BigEndian.Uint32(p[1:])))
	case tag >= 0xd8 && tag <= 0xef:
		return int64(tag) - 0xe0
	case tag >= 0xf0:
		return (int64(tag)-0xf8)<<8 | int64(p[1])
	case tag >= 0x38 && tag <= 0x3f:
		return (int64(tag)-0x3c)<<16 | int64(p[1])<<8 | int64(p[2])
	}
	return int64(binary.BigEndian.Uint64(p[1:])) // 'L'
}

// readInt reads an int in any of its forms, as lengths, class indexes,
// type references and value references are written.
func (c *cursor) readInt(what string) (int64, error) {
	if c.pos >= len(c.b) {
		return 0, ErrTruncated
	}
	size := intSize(c.b[c.pos])
	if size == 0 {
		return 0, c.errAt(c.pos, what+" must be an int")
	}
	if err := c.need(size); err != nil {
		return 0, err
	}
	v := integer(c.b[c.pos : c.pos+size])
	c.pos += size
	return v, nil
}

// readIndex reads an int that must lie in [0, n): an index into one of the
// Renderer's tables, or a count bounded by n.
func (c *cursor) readIndex(what string, n int) (int, error) {
	at := c.pos
	v, err := c.readInt(what)
	if err != nil {
		return 0, err
	}
	if v < 0 || v >= int64(n) {
		return 0, c.errAt(at, what+" out of range")
	}
	return int(v), nil
}

// readLength reads the length of a fixed-length list or the field count of
// a class definition. Every element takes at least one byte, so a length
// beyond the bytes left is refused before anything loops on it.
func (c *cursor) readLength(what string) (int, error) {
	at := c.pos
	v, err := c.readInt(what)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return 0, c.errAt(at, what+" is negative")
	}
	if v > int64(len(c.b)-c.pos) {
		return 0, ErrTruncated
	}
	return int(v), nil
}
