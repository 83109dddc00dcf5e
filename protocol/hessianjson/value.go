package hessianjson

// value renders the value at c.pos, with any class definitions before it,
// at nesting depth depth (the number of maps, lists and objects around it).
// It records the kind of the top value (note).
func (r *Renderer) value(dst []byte, c *cursor, depth int) ([]byte, error) {
	for {
		if c.pos >= len(c.b) {
			return dst, ErrTruncated
		}
		tag := c.b[c.pos]
		switch {
		case tag == 'C':
			if err := r.classDef(c); err != nil {
				return dst, err
			}
			continue // a class definition comes before the value it serves
		case isStringTag(tag):
			r.note(depth, KindString)
			return r.str(dst, c, r.limit)
		case intSize(tag) > 0 || longSize(tag) > 0:
			r.note(depth, KindInt)
			return r.integer(dst, c)
		case tag == 'N':
			r.note(depth, KindNull)
			c.pos++
			dst = append(dst, "null"...)
			return dst, r.grown(dst)
		case tag == 'T':
			r.note(depth, KindBool)
			c.pos++
			dst = append(dst, "true"...)
			return dst, r.grown(dst)
		case tag == 'F':
			r.note(depth, KindBool)
			c.pos++
			dst = append(dst, "false"...)
			return dst, r.grown(dst)
		case tag == 'D' || (tag >= 0x5b && tag <= 0x5f):
			r.note(depth, KindDouble)
			return r.double(dst, c)
		case tag == 0x4a || tag == 0x4b:
			r.note(depth, KindDate)
			return r.date(dst, c)
		case isBinaryTag(tag):
			r.note(depth, KindBinary)
			return r.binary(dst, c)
		case isListTag(tag):
			r.note(depth, KindList)
			return r.list(dst, c, depth)
		case tag == 'H' || tag == 'M':
			r.note(depth, KindMap)
			return r.hmap(dst, c, depth)
		case tag == 'O' || (tag >= 0x60 && tag <= 0x6f):
			return r.object(dst, c, depth) // notes the kind by class
		case tag == 'Q':
			return r.reference(dst, c, depth)
		}
		return dst, c.errAt(c.pos, "not a value")
	}
}

// note records k as the kind of the value being rendered if it is the top
// one: at depth r.noted, which is 0 unless the top value is an object
// wrapping another (classUnwrap).
func (r *Renderer) note(depth int, k Kind) {
	if depth == r.noted {
		r.kind = k
	}
}
