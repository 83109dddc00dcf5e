package hessianjson

// hmap renders a map ('H' untyped, or 'M' and a type) as a JSON object.
func (r *Renderer) hmap(dst []byte, c *cursor, depth int) ([]byte, error) {
	start := c.pos
	typed := c.b[c.pos] == 'M'
	c.pos++
	if typed {
		if err := r.skipType(c); err != nil {
			return dst, err
		}
	}
	i, err := r.enter(c, start, depth)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '{')
	for k := 0; ; k++ {
		end, err := c.end()
		if err != nil {
			return dst, err
		}
		if end {
			break
		}
		if k > 0 {
			dst = append(dst, ',')
		}
		if dst, err = r.key(dst, c, depth+1); err != nil {
			return dst, err
		}
		dst = append(dst, ':')
		if dst, err = r.value(dst, c, depth+1); err != nil {
			return dst, err
		}
	}
	dst = append(dst, '}')
	r.leave(i)
	return dst, r.grown(dst)
}

// key renders a map key as a JSON string: a string as it is; a number, a
// boolean or null as its JSON text in quotes ("12", "true", "null"); a
// value whose JSON is a string (a date, binary, an enum) as that string;
// and a map, list or object as its JSON text, escaped into a string.
func (r *Renderer) key(dst []byte, c *cursor, depth int) ([]byte, error) {
	if c.pos < len(c.b) && isStringTag(c.b[c.pos]) {
		return r.str(dst, c, r.limit)
	}
	p := len(dst)
	dst, err := r.value(dst, c, depth)
	if err != nil {
		return dst, err
	}
	switch dst[p] {
	case '"':
		return dst, nil
	case '{', '[':
		r.scratch = append(r.scratch[:0], dst[p:]...)
		dst = appendQuoted(dst[:p], r.scratch)
	default: // a number, true, false or null: no character to escape
		dst = append(dst, 0)
		copy(dst[p+1:], dst[p:])
		dst[p] = '"'
		dst = append(dst, '"')
	}
	return dst, r.grown(dst)
}
