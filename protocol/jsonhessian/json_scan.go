package jsonhessian

import "bytes"

// Pass 1 of a JSON argument: its structure.
//
// Hessian needs to know things before a container's first value that JSON
// says later: a list's length comes first, and an object with a "class" key
// (anywhere among its keys) is a class definition, naming every field, and
// then the values. So a first pass over the text records, for every array
// and object in document order, its count of values and where its "class"
// key is, and the keys of the objects that have one. It matches brackets,
// finds the ends of strings and limits the depth; everything else (the
// grammar between the structure, strings' contents, numbers) is checked by
// pass 2 as it writes, which walks the containers in the same order.

// container is pass 1's record of an array or object.
type container struct {
	count int32 // values of an array; members of an object
	keys  int32 // for an object with a "class" key, its first key in Encoder.keys; else -1
	class int32 // for an object with a "class" key, the offset just after that key; else -1
}

// keySpan is a key's string token in the input, quotes included.
type keySpan struct{ start, end int32 }

// scanFrame is an open container during pass 1.
type scanFrame struct {
	tape    int32 // its entry in Encoder.tape
	keyBase int32 // its first key in Encoder.open (objects)
	commas  int32 // commas seen directly inside (arrays)
	obj     bool
	wantKey bool // an object expects a key next
	empty   bool // an array holds nothing but whitespace
}

// structural marks the bytes pass 1 stops at; it skips every other byte.
var structural = [256]bool{'"': true, '[': true, ']': true, '{': true, '}': true, ',': true}

// scan runs pass 1 over e.in, filling e.tape and e.keys.
func (e *Encoder) scan() error {
	in := e.in
	e.tape, e.keys, e.open = e.tape[:0], e.keys[:0], e.open[:0]
	var stack [MaxDepth]scanFrame
	depth := 0
	for i := 0; i < len(in); {
		for i < len(in) && !structural[in[i]] {
			i++
		}
		if i == len(in) {
			break
		}
		switch c := in[i]; c {
		case '"':
			end := stringEnd(in, i)
			if end < 0 {
				return e.errorAt(i, "the string never ends")
			}
			if depth > 0 {
				if f := &stack[depth-1]; f.wantKey {
					f.wantKey = false
					e.open = append(e.open, keySpan{int32(i), int32(end)})
					if isClassKey(in[i:end]) {
						t := &e.tape[f.tape]
						if t.class >= 0 {
							return e.errorAt(i, `an object has two "class" keys`)
						}
						t.class = int32(end)
					}
				}
			}
			i = end
		case '[', '{':
			if depth == MaxDepth {
				return e.errorAt(i, "JSON nests deeper than %d levels", MaxDepth)
			}
			stack[depth] = scanFrame{tape: int32(len(e.tape)), keyBase: int32(len(e.open)), obj: c == '{', wantKey: c == '{'}
			e.tape = append(e.tape, container{keys: -1, class: -1})
			depth++
			i++
			if c == '[' {
				j := i
				for j < len(in) && isSpace(in[j]) {
					j++
				}
				stack[depth-1].empty = j < len(in) && in[j] == ']'
			}
		case ']', '}':
			if depth == 0 || stack[depth-1].obj != (c == '}') {
				return e.errorAt(i, "unexpected %q", c)
			}
			depth--
			f := &stack[depth]
			t := &e.tape[f.tape]
			if f.obj {
				t.count = int32(len(e.open)) - f.keyBase
				if t.class >= 0 {
					t.keys = int32(len(e.keys))
					e.keys = append(e.keys, e.open[f.keyBase:]...)
				}
				e.open = e.open[:f.keyBase]
			} else if !f.empty {
				t.count = f.commas + 1
			}
			i++
		case ',':
			if depth > 0 {
				f := &stack[depth-1]
				f.wantKey = f.obj
				f.commas++
			}
			i++
		}
	}
	if depth != 0 {
		return e.errorAt(len(in), "the JSON ends inside %d open arrays or objects", depth)
	}
	return nil
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// stringEnd returns the offset just after the end of the JSON string that
// starts at in[i] (a quote), or -1 when it does not end.
func stringEnd(in []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(in[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		n := 0
		for p := j - 1; p > i && in[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}

// isClassKey reports whether the string token s, quotes included, is the key
// "class", written plainly or with escapes.
func isClassKey(s []byte) bool {
	if len(s) <= 7 || len(s) > 32 {
		// "class" with every letter escaped is 32 bytes.
		return string(s) == `"class"`
	}
	if bytes.IndexByte(s, '\\') < 0 {
		return false
	}
	var buf [32]byte
	d, _, _, _, why := decodeString(s, 0, buf[:0])
	return why == "" && string(d) == "class"
}
