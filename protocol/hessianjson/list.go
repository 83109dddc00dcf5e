package hessianjson

// isListTag reports whether tag starts a list:
//
//	0x55 type value* 'Z'    typed, variable length
//	'V'  type int value*    typed, fixed length
//	0x57 value* 'Z'         untyped, variable length
//	0x58 int value*         untyped, fixed length
//	0x70-0x77 type value*   typed, 0-7 values
//	0x78-0x7f value*        untyped, 0-7 values
func isListTag(tag byte) bool {
	return (tag >= 0x55 && tag <= 0x58) || (tag >= 0x70 && tag <= 0x7f)
}

// list renders a list, set or array as a JSON array; its type is skipped.
func (r *Renderer) list(dst []byte, c *cursor, depth int) ([]byte, error) {
	start := c.pos
	tag := c.b[c.pos]
	c.pos++
	if tag == 0x55 || tag == 'V' || (tag >= 0x70 && tag <= 0x77) {
		if err := r.skipType(c); err != nil {
			return dst, err
		}
	}
	n := -1 // until 'Z'
	switch {
	case tag == 'V' || tag == 0x58:
		var err error
		if n, err = c.readLength("list length"); err != nil {
			return dst, err
		}
	case tag >= 0x70:
		n = int(tag & 7)
	}
	i, err := r.enter(c, start, depth)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '[')
	for k := 0; ; k++ {
		if n >= 0 {
			if k == n {
				break
			}
		} else if end, err := c.end(); err != nil || end {
			if err != nil {
				return dst, err
			}
			break
		}
		if k > 0 {
			dst = append(dst, ',')
		}
		if dst, err = r.value(dst, c, depth+1); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ']')
	r.leave(i)
	return dst, r.grown(dst)
}

// end reports whether c is at the 'Z' that closes a variable-length list
// or a map, and moves past it.
func (c *cursor) end() (bool, error) {
	if c.pos >= len(c.b) {
		return false, ErrTruncated
	}
	if c.b[c.pos] == 'Z' {
		c.pos++
		return true, nil
	}
	return false, nil
}

// skipType moves past the type of a list or map: a type name, which later
// lists and maps of the stream may name by its index, or such an index.
func (r *Renderer) skipType(c *cursor) error {
	if c.pos < len(c.b) && isStringTag(c.b[c.pos]) {
		if err := c.skipString(); err != nil {
			return err
		}
		if !c.replay {
			r.types++
		}
		return nil
	}
	_, err := c.readIndex("type reference", r.types)
	return err
}

// skipString moves past a string, checking its form.
func (c *cursor) skipString() error {
	for {
		units, final, err := c.chunk()
		if err != nil {
			return err
		}
		for ; units > 0; units-- {
			if c.pos >= len(c.b) {
				return ErrTruncated
			}
			n := 1
			if c.b[c.pos] >= 0x80 {
				if _, n, err = unit(c.b, c.pos); err != nil {
					return err
				}
			}
			c.pos += n
		}
		if final {
			return nil
		}
	}
}
