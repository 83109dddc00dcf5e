package hessianjson

// ref is an entry of the reference table: where a map, list or object
// starts (its tag, after any class definitions before it).
type ref struct {
	src, off int
	// open is set while the value is being rendered: a reference to it
	// then is a cycle.
	open bool
}

// enter records that the map, list or object whose tag is at c.b[start]
// starts, at nesting depth depth, and returns its reference index for
// leave. Indexes are given in the order values start, as Java's
// Hessian2Input numbers them.
func (r *Renderer) enter(c *cursor, start, depth int) (int, error) {
	if depth >= MaxDepth {
		return 0, ErrTooDeep
	}
	if !c.replay {
		r.refs = append(r.refs, ref{src: c.src, off: start, open: true})
		return len(r.refs) - 1, nil
	}
	i := c.next
	c.next++
	if i >= len(r.refs) || r.refs[i].src != c.src || r.refs[i].off != start {
		// Only a stream used again after an error, without Reset, gets
		// here: the first reading numbered these bytes otherwise.
		return 0, c.errAt(start, "reference table out of step with the stream")
	}
	r.refs[i].open = true
	return i, nil
}

// leave records that the value entered as index i has been rendered.
func (r *Renderer) leave(i int) { r.refs[i].open = false }

// reference renders a reference ('Q' and an int index) by rendering the
// value it refers to again, from the bytes where it was first read.
func (r *Renderer) reference(dst []byte, c *cursor, depth int) ([]byte, error) {
	c.pos++ // 'Q'
	i, err := c.readIndex("reference", len(r.refs))
	if err != nil {
		return dst, err
	}
	e := r.refs[i]
	if e.open {
		return dst, ErrCycle
	}
	again := cursor{b: r.srcs[e.src], pos: e.off, src: e.src, replay: true, next: i}
	return r.value(dst, &again, depth)
}
