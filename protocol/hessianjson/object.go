package hessianjson

import "math"

// class is a class definition: its fields are r.fields[first:first+n].
type class struct {
	first, n int
	kind     classKind
	// a and b index the fields a special kind reads: the field (a) of a
	// classField, the value (a) of a classDecimal, the scale (a) and intVal (b) of a classDecimalFields,
	// the signum (a) and mag (b) of a classBigInteger.
	a, b int
}

// span is a field name in Renderer.names, rendered as a JSON key:
// `"name":`.
type span struct{ start, end int }

// classKind tells how objects of a class render.
type classKind uint8

const (
	// classPlain: a JSON object of the fields, in their order.
	classPlain classKind = iota
	// classEnum: a class whose only field is name, as Java's Hessian
	// writes an enum constant; rendered as that field's value.
	classEnum
	// classUnwrap: a class that wraps one value, rendered as that value:
	// java.sql.Date, Time and Timestamp (a date in the field value), and
	// the ShortHandle, ByteHandle and FloatHandle objects that Caucho's
	// Hessian writes for a boxed Short, Byte or Float (a number in the
	// field _value). Kind reports the wrapped value's kind.
	classUnwrap
	// classField: a class rendered as one of its fields, the others read
	// and dropped: the proxy Java writes for an EnumSet
	// (java.util.EnumSet$SerializationProxy), as its elements. Kind
	// reports that field's kind.
	classField
	// classDecimal: java.math.BigDecimal as Dubbo's hessian-lite and
	// dubbo-go-hessian2 write it (and a BigInteger written as text);
	// rendered as the number in its value field.
	classDecimal
	// classDecimalFields: java.math.BigDecimal as Caucho's Hessian writes
	// it, by its fields scale and intVal (a BigInteger); rendered as the
	// number, in the form of Java's BigDecimal.toString.
	classDecimalFields
	// classBigInteger: java.math.BigInteger as Java's Hessian writes it,
	// by its fields signum and mag (the magnitude as big-endian ints).
	classBigInteger
)

// classDef reads a class definition ('C', the class name, the field count
// and the field names) into the class table.
func (r *Renderer) classDef(c *cursor) error {
	c.pos++ // 'C'
	if c.replay {
		return c.skipClassDef()
	}
	var err error
	if r.scratch, err = r.str(r.scratch[:0], c, math.MaxInt); err != nil {
		return err
	}
	n, err := c.readLength("field count")
	if err != nil {
		return err
	}
	cl := class{first: len(r.fields), n: n}
	for range n {
		start := len(r.names)
		if r.names, err = r.str(r.names, c, math.MaxInt); err != nil {
			return err
		}
		r.names = append(r.names, ':')
		r.fields = append(r.fields, span{start, len(r.names)})
	}
	r.classify(&cl, r.scratch)
	r.classes = append(r.classes, cl)
	return nil
}

// skipClassDef moves past a class definition already in the table.
func (c *cursor) skipClassDef() error {
	if err := c.skipString(); err != nil {
		return err
	}
	n, err := c.readLength("field count")
	if err != nil {
		return err
	}
	for range n {
		if err := c.skipString(); err != nil {
			return err
		}
	}
	return nil
}

// classify sets the kind of cl, whose name is the JSON string name.
func (r *Renderer) classify(cl *class, name []byte) {
	switch string(name) {
	case `"java.math.BigDecimal"`:
		if v := r.field(cl, `"value":`); v >= 0 {
			cl.kind, cl.a = classDecimal, v
			return
		}
		if s, v := r.field(cl, `"scale":`), r.field(cl, `"intVal":`); s >= 0 && v >= 0 {
			cl.kind, cl.a, cl.b = classDecimalFields, s, v
			return
		}
	case `"java.math.BigInteger"`:
		if s, m := r.field(cl, `"signum":`), r.field(cl, `"mag":`); s >= 0 && m >= 0 {
			cl.kind, cl.a, cl.b = classBigInteger, s, m
			return
		}
		if v := r.field(cl, `"value":`); v >= 0 {
			cl.kind, cl.a = classDecimal, v
			return
		}
	case `"java.sql.Date"`, `"java.sql.Time"`, `"java.sql.Timestamp"`:
		if cl.n == 1 && r.field(cl, `"value":`) == 0 {
			cl.kind = classUnwrap
			return
		}
	case `"java.util.EnumSet$SerializationProxy"`:
		if e := r.field(cl, `"elements":`); e >= 0 {
			cl.kind, cl.a = classField, e
			return
		}
	case `"com.caucho.hessian.io.ShortHandle"`, `"com.caucho.hessian.io.ByteHandle"`, `"com.caucho.hessian.io.FloatHandle"`:
		if cl.n == 1 && r.field(cl, `"_value":`) == 0 {
			cl.kind = classUnwrap
			return
		}
	}
	if cl.n == 1 && r.field(cl, `"name":`) == 0 {
		cl.kind = classEnum
	}
}

// field returns the index of the field of cl whose JSON key is key, or -1.
func (r *Renderer) field(cl *class, key string) int {
	for i := range cl.n {
		if s := r.fields[cl.first+i]; string(r.names[s.start:s.end]) == key {
			return i
		}
	}
	return -1
}

// object renders an object ('O' and a class index, or 0x60-0x6f) as its
// class's kind says.
func (r *Renderer) object(dst []byte, c *cursor, depth int) ([]byte, error) {
	start := c.pos
	tag := c.b[c.pos]
	c.pos++
	var ci int
	if tag == 'O' {
		var err error
		if ci, err = c.readIndex("class index", len(r.classes)); err != nil {
			return dst, err
		}
	} else if ci = int(tag - 0x60); ci >= len(r.classes) {
		return dst, c.errAt(start, "object of an undefined class")
	}
	cl := r.classes[ci] // a copy: nested definitions may move the table
	i, err := r.enter(c, start, depth)
	if err != nil {
		return dst, err
	}
	switch cl.kind {
	case classUnwrap:
		// The wrapped value is the one whose kind is noted.
		noted := r.noted
		if depth == noted {
			r.noted = depth + 1
		}
		dst, err = r.value(dst, c, depth+1)
		r.noted = noted
	case classField:
		dst, err = r.oneField(dst, c, &cl, depth)
	case classEnum:
		r.note(depth, KindEnum)
		dst, err = r.value(dst, c, depth+1)
	case classDecimal:
		r.note(depth, KindNumber)
		dst, err = r.decimal(dst, c, &cl, depth+1)
	case classDecimalFields:
		r.note(depth, KindNumber)
		dst, err = r.decimalFields(dst, c, &cl, depth+1)
	case classBigInteger:
		r.note(depth, KindNumber)
		dst, err = r.bigInteger(dst, c, &cl, depth+1)
	default:
		r.note(depth, KindObject)
		dst, err = r.fieldsObject(dst, c, &cl, depth+1)
	}
	if err != nil {
		return dst, err
	}
	r.leave(i)
	return dst, r.grown(dst)
}

// oneField renders the object of class cl, at depth, as its field cl.a,
// whose kind is noted; the other fields are discarded.
func (r *Renderer) oneField(dst []byte, c *cursor, cl *class, depth int) ([]byte, error) {
	for f := range cl.n {
		var err error
		if f != cl.a {
			dst, err = r.discard(dst, c, depth+1)
		} else {
			noted := r.noted
			if depth == noted {
				r.noted = depth + 1
			}
			dst, err = r.value(dst, c, depth+1)
			r.noted = noted
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// fieldsObject renders the fields of an object of class cl as a JSON
// object.
func (r *Renderer) fieldsObject(dst []byte, c *cursor, cl *class, depth int) ([]byte, error) {
	dst = append(dst, '{')
	for f := range cl.n {
		if f > 0 {
			dst = append(dst, ',')
		}
		s := r.fields[cl.first+f]
		dst = append(dst, r.names[s.start:s.end]...)
		var err error
		if dst, err = r.value(dst, c, depth); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// discard reads a value that is not written out (a field a special class
// ignores). It is rendered and dropped, so that the reference table and
// class definitions stay in step; the bytes it would have taken count
// toward MaxSize all the same, which keeps references to such objects from
// multiplying hidden work.
func (r *Renderer) discard(dst []byte, c *cursor, depth int) ([]byte, error) {
	p := len(dst)
	dst, err := r.value(dst, c, depth)
	if err != nil {
		return dst, err
	}
	r.limit -= len(dst) - p
	dst = dst[:p]
	return dst, r.grown(dst)
}
