package hessianjson

import (
	"encoding/base64"
	"encoding/binary"
)

// isBinaryTag reports whether tag starts a binary value or a binary chunk.
func isBinaryTag(tag byte) bool {
	return (tag >= 0x20 && tag <= 0x2f) || (tag >= 0x34 && tag <= 0x37) || tag == 'A' || tag == 'B'
}

// binaryChunk reads a binary chunk's header: how many bytes follow and
// whether it is the last chunk ('A' chunks are followed by more).
func (c *cursor) binaryChunk() (size int, final bool, err error) {
	if c.pos >= len(c.b) {
		return 0, false, ErrTruncated
	}
	switch tag := c.b[c.pos]; {
	case tag >= 0x20 && tag <= 0x2f:
		c.pos++
		return int(tag - 0x20), true, nil
	case tag >= 0x34 && tag <= 0x37:
		if err := c.need(2); err != nil {
			return 0, false, err
		}
		size = int(tag-0x34)<<8 | int(c.b[c.pos+1])
		c.pos += 2
		return size, true, nil
	case tag == 'A' || tag == 'B':
		if err := c.need(3); err != nil {
			return 0, false, err
		}
		size = int(binary.BigEndian.Uint16(c.b[c.pos+1:]))
		c.pos += 3
		return size, tag == 'B', nil
	}
	return 0, false, c.errAt(c.pos, "not a binary chunk")
}

// binary renders a byte[] as a JSON string of its standard (padded) base64,
// joining its chunks.
func (r *Renderer) binary(dst []byte, c *cursor) ([]byte, error) {
	dst = append(dst, '"')
	var (
		carry [3]byte // bytes left over from a chunk, waiting for a group of 3
		held  int
	)
	for {
		size, final, err := c.binaryChunk()
		if err != nil {
			return dst, err
		}
		if err := c.need(size); err != nil {
			return dst, err
		}
		p := c.b[c.pos : c.pos+size]
		c.pos += size
		for held > 0 && held < 3 && len(p) > 0 {
			carry[held] = p[0]
			held++
			p = p[1:]
		}
		if held == 3 {
			dst = base64.StdEncoding.AppendEncode(dst, carry[:])
			held = 0
		}
		whole := len(p) - len(p)%3
		dst = base64.StdEncoding.AppendEncode(dst, p[:whole])
		held += copy(carry[held:], p[whole:])
		if err := r.grown(dst); err != nil {
			return dst, err
		}
		if final {
			break
		}
	}
	dst = base64.StdEncoding.AppendEncode(dst, carry[:held])
	dst = append(dst, '"')
	return dst, r.grown(dst)
}
