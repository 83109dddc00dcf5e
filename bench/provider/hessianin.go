package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// kind is a declared Java type the UserService reads an argument or a field
// as, the way Dubbo reads arguments: Hessian2Input.readObject(declared
// class). Generic parameters are erased, as in Java: a List<String> is a
// kList whose elements are read as kObject.
type kind uint8

const (
	kObject   kind = iota // Object: whatever the bytes say
	kLong                 // long (null reads as 0)
	kInt                  // int (null reads as 0)
	kString               // String
	kDate                 // java.util.Date
	kDecimal              // java.math.BigDecimal
	kRole                 // the Role enum
	kUser                 // User
	kAddress              // Address
	kList                 // java.util.List
	kMap                  // java.util.Map
	kIntArray             // int[]
)

// maxDepth bounds the nesting of lists, maps and objects in an argument.
const maxDepth = 64

// errNotString is returned by rawString for a value that is not a string.
var errNotString = errors.New("hessian: not a string")

// hin reads hessian2 values from b into Java values (javavalue.go) of the
// declared kinds, as Caucho's Hessian2Input.readObject(Class) does:
//
//   - a POJO (User, Address) from a typed object of any class or from a
//     map ('H' or 'M'), field by field by name, ignoring names it does not
//     have; fields not sent stay null (0 for the primitive id);
//   - an enum from an object or a map holding name, never from a bare
//     string; a BigDecimal from one holding value, its text;
//   - a Date only from a hessian date;
//   - a List as an ArrayList (a LinkedList stays one), a Map as a HashMap
//     (iterated in Java's hash order) or, if the bytes say so, a
//     LinkedHashMap; an int[] from any list of numbers;
//   - a long or an int from any number, a boolean (1, 0) or null (0); a
//     String from a string, an int, a long or a boolean;
//   - under Object: strings, numbers, dates and binary as they are,
//     untyped maps as HashMaps, lists as ArrayLists, typed arrays ("[int",
//     "[string", ...) as arrays, objects of the service's classes as those,
//     of any other class as a HashMap of their fields (Hessian's fallback
//     for a class it cannot load).
//
// Strings arrive as Java writes them, each UTF-16 unit in one to three
// bytes; hin joins surrogate pairs into one character and replaces a lone
// surrogate with U+FFFD, so Go holds valid UTF-8. Like Java, it refuses the
// four-byte UTF-8 form.
//
// Class definitions, list and map types and the reference table are kept
// across the values of one stream, as in Java. Every count is checked
// against the bytes left and nesting is bounded (maxDepth), so hostile
// bytes cost at most a few times their size in memory. A hin is used by one
// goroutine; its zero value with b set reads from the start of b.
type hin struct {
	b       []byte
	pos     int
	classes []classDef
	types   []string
	refs    []any
	depth   int
}

// classDef is a class definition read from the stream; known is the
// service's class of that name, or nil.
type classDef struct {
	name   string
	fields []string
	known  *class
}

// knownClasses are the classes hin reads objects of as themselves.
var knownClasses = []*class{userClass, addressClass, roleClass, decimalClass}

// classOf returns the class a kind reads, or nil.
func classOf(k kind) *class {
	switch k {
	case kUser:
		return userClass
	case kAddress:
		return addressClass
	case kRole:
		return roleClass
	case kDecimal:
		return decimalClass
	}
	return nil
}

func (d *hin) errorf(format string, args ...any) error {
	return fmt.Errorf("hessian: "+format+" at offset %d", append(args, d.pos)...)
}

// truncated is the error for bytes that end inside a value.
func (d *hin) truncated() error { return d.errorf("truncated value") }

// take returns the next n bytes.
func (d *hin) take(n int) ([]byte, error) {
	if n < 0 || len(d.b)-d.pos < n {
		return nil, d.truncated()
	}
	p := d.b[d.pos : d.pos+n]
	d.pos += n
	return p, nil
}

// next returns the next byte.
func (d *hin) next() (byte, error) {
	if d.pos >= len(d.b) {
		return 0, d.truncated()
	}
	c := d.b[d.pos]
	d.pos++
	return c, nil
}

// peek returns the tag of the next value, after reading any class
// definitions that precede it.
func (d *hin) peek() (byte, error) {
	for {
		if d.pos >= len(d.b) {
			return 0, d.truncated()
		}
		if d.b[d.pos] != 'C' {
			return d.b[d.pos], nil
		}
		d.pos++
		if err := d.classDef(); err != nil {
			return 0, err
		}
	}
}

// classDef reads a class definition after its 'C'.
func (d *hin) classDef() error {
	name, err := d.str()
	if err != nil {
		return err
	}
	n, err := d.count()
	if err != nil {
		return err
	}
	def := classDef{name: name, fields: make([]string, n)}
	for i := range def.fields {
		if def.fields[i], err = d.str(); err != nil {
			return err
		}
	}
	for _, c := range knownClasses {
		if c.name == name {
			def.known = c
		}
	}
	d.classes = append(d.classes, def)
	return nil
}

// count reads a length or a field count: an int no larger than the bytes
// left, since each element takes at least one.
func (d *hin) count() (int, error) {
	v, err := d.readInt()
	if err != nil {
		return 0, err
	}
	if v < 0 || int(v) > len(d.b)-d.pos {
		return 0, d.errorf("count %d exceeds the bytes left", v)
	}
	return int(v), nil
}

// number reads any numeric, boolean or null value: i for the integers,
// booleans (1, 0) and null (0), f and isFloat for doubles. ok is false, and
// nothing is consumed, for any other tag.
func (d *hin) number() (i int64, f float64, isFloat, ok bool, err error) {
	if d.pos >= len(d.b) {
		return 0, 0, false, false, d.truncated()
	}
	tag := d.b[d.pos]
	size := 0
	switch {
	case tag >= 0x80 && tag <= 0xbf, tag >= 0xd8 && tag <= 0xef, tag == 'N', tag == 'T', tag == 'F',
		tag == 0x5b, tag == 0x5c:
		size = 1
	case tag >= 0xc0 && tag <= 0xcf, tag >= 0xf0, tag == 0x5d:
		size = 2
	case tag >= 0xd0 && tag <= 0xd7, tag >= 0x38 && tag <= 0x3f, tag == 0x5e:
		size = 3
	case tag == 'I', tag == 'Y', tag == 0x5f:
		size = 5
	case tag == 'L', tag == 'D':
		size = 9
	default:
		return 0, 0, false, false, nil
	}
	p, err := d.take(size)
	if err != nil {
		return 0, 0, false, false, err
	}
	switch {
	case tag >= 0x80 && tag <= 0xbf:
		i = int64(tag) - 0x90
	case tag >= 0xc0 && tag <= 0xcf:
		i = (int64(tag)-0xc8)<<8 | int64(p[1])
	case tag >= 0xd0 && tag <= 0xd7:
		i = (int64(tag)-0xd4)<<16 | int64(p[1])<<8 | int64(p[2])
	case tag >= 0xd8 && tag <= 0xef:
		i = int64(tag) - 0xe0
	case tag >= 0xf0:
		i = (int64(tag)-0xf8)<<8 | int64(p[1])
	case tag >= 0x38 && tag <= 0x3f:
		i = (int64(tag)-0x3c)<<16 | int64(p[1])<<8 | int64(p[2])
	case tag == 'I', tag == 'Y':
		i = int64(int32(binary.BigEndian.Uint32(p[1:])))
	case tag == 'L':
		i = int64(binary.BigEndian.Uint64(p[1:]))
	case tag == 'T':
		i = 1
	case tag == 'N', tag == 'F':
	case tag == 0x5b:
		return 0, 0, true, true, nil
	case tag == 0x5c:
		return 0, 1, true, true, nil
	case tag == 0x5d:
		return 0, float64(int8(p[1])), true, true, nil
	case tag == 0x5e:
		return 0, float64(int16(binary.BigEndian.Uint16(p[1:]))), true, true, nil
	case tag == 0x5f:
		return 0, 0.001 * float64(int32(binary.BigEndian.Uint32(p[1:]))), true, true, nil
	case tag == 'D':
		return 0, math.Float64frombits(binary.BigEndian.Uint64(p[1:])), true, true, nil
	}
	return i, 0, false, true, nil
}

// readLong reads a long as Hessian2Input.readLong does: any number
// (doubles cast), a boolean, or null as 0.
func (d *hin) readLong() (int64, error) {
	i, f, isFloat, ok, err := d.number()
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, d.errorf("expected long, got tag 0x%02x", d.b[d.pos])
	case isFloat:
		return javaLong(f), nil
	}
	return i, nil
}

// readInt reads an int as Hessian2Input.readInt does: any number (longs
// and doubles cast), a boolean, or null as 0.
func (d *hin) readInt() (int32, error) {
	i, f, isFloat, ok, err := d.number()
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, d.errorf("expected int, got tag 0x%02x", d.b[d.pos])
	case isFloat:
		return javaInt(f), nil
	}
	return int32(i), nil
}

// isString reports whether tag starts a string.
func isString(tag byte) bool {
	return tag <= 0x1f || (tag >= 0x30 && tag <= 0x33) || tag == 'S' || tag == 'R'
}

// rawString reads a string and returns its UTF-8 bytes: for an ASCII
// string in one chunk (every name in a request's header), a slice of b,
// read without allocating; otherwise a decoded copy. A value that is not a
// string returns errNotString, consuming nothing.
func (d *hin) rawString() ([]byte, error) {
	if d.pos >= len(d.b) {
		return nil, d.truncated()
	}
	if !isString(d.b[d.pos]) {
		return nil, errNotString
	}
	if p, ok := d.asciiChunk(); ok {
		return p, nil
	}
	s, err := d.str()
	return []byte(s), err
}

// asciiChunk reads a string that is one chunk of ASCII and returns a slice
// of b; for any other value it reports false and consumes nothing.
func (d *hin) asciiChunk() ([]byte, bool) {
	start := d.pos
	if start >= len(d.b) || d.b[start] == 'R' || !isString(d.b[start]) {
		return nil, false
	}
	units, err := d.chunkHeader()
	if err == nil && units <= len(d.b)-d.pos {
		p := d.b[d.pos : d.pos+units]
		ascii := true
		for _, c := range p {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if ascii {
			d.pos += units
			return p, true
		}
	}
	d.pos = start
	return nil, false
}

// chunkHeader reads a string chunk's tag and length in UTF-16 units.
func (d *hin) chunkHeader() (int, error) {
	tag, err := d.next()
	if err != nil {
		return 0, err
	}
	switch {
	case tag <= 0x1f:
		return int(tag), nil
	case tag >= 0x30 && tag <= 0x33:
		c, err := d.next()
		return int(tag-0x30)<<8 | int(c), err
	case tag == 'S', tag == 'R':
		p, err := d.take(2)
		if err != nil {
			return 0, err
		}
		return int(binary.BigEndian.Uint16(p)), nil
	}
	d.pos--
	return 0, d.errorf("expected string, got tag 0x%02x", tag)
}

// str reads a string (all chunks) into valid UTF-8.
func (d *hin) str() (string, error) {
	if p, ok := d.asciiChunk(); ok {
		return string(p), nil // the common case
	}
	var (
		out     []byte
		pending rune = -1 // a high surrogate waiting for its low half
	)
	for {
		if d.pos >= len(d.b) {
			return "", d.truncated()
		}
		final := d.b[d.pos] != 'R'
		units, err := d.chunkHeader()
		if err != nil {
			return "", err
		}
		if units > len(d.b)-d.pos {
			return "", d.truncated()
		}
		for ; units > 0; units-- {
			u, err := d.unit()
			if err != nil {
				return "", err
			}
			switch {
			case u >= 0xd800 && u <= 0xdbff:
				if pending >= 0 {
					out = utf8.AppendRune(out, utf8.RuneError)
				}
				pending = u
				continue
			case u >= 0xdc00 && u <= 0xdfff:
				if pending >= 0 {
					out = utf8.AppendRune(out, 0x10000+(pending-0xd800)<<10+(u-0xdc00))
					pending = -1
					continue
				}
				u = utf8.RuneError
			}
			if pending >= 0 {
				out = utf8.AppendRune(out, utf8.RuneError)
				pending = -1
			}
			out = utf8.AppendRune(out, u)
		}
		if final {
			break
		}
	}
	if pending >= 0 {
		out = utf8.AppendRune(out, utf8.RuneError)
	}
	return string(out), nil
}

// unit reads one UTF-16 unit in Java's encoding: one, two or three bytes,
// by the lead byte only, as Hessian2Input.parseUTF8Char reads them.
func (d *hin) unit() (rune, error) {
	c, err := d.next()
	if err != nil {
		return 0, err
	}
	switch {
	case c < 0x80:
		return rune(c), nil
	case c&0xe0 == 0xc0:
		p, err := d.take(1)
		if err != nil {
			return 0, err
		}
		return rune(c&0x1f)<<6 | rune(p[0]&0x3f), nil
	case c&0xf0 == 0xe0:
		p, err := d.take(2)
		if err != nil {
			return 0, err
		}
		return rune(c&0x0f)<<12 | rune(p[0]&0x3f)<<6 | rune(p[1]&0x3f), nil
	}
	d.pos--
	return 0, d.errorf("bad utf-8 encoding 0x%02x", c)
}

// binary reads a byte[] (all chunks).
func (d *hin) binary() ([]byte, error) {
	out := []byte{}
	for {
		tag, err := d.next()
		if err != nil {
			return nil, err
		}
		var n int
		final := true
		switch {
		case tag >= 0x20 && tag <= 0x2f:
			n = int(tag - 0x20)
		case tag >= 0x34 && tag <= 0x37:
			c, err := d.next()
			if err != nil {
				return nil, err
			}
			n = int(tag-0x34)<<8 | int(c)
		case tag == 'A', tag == 'B':
			p, err := d.take(2)
			if err != nil {
				return nil, err
			}
			n, final = int(binary.BigEndian.Uint16(p)), tag == 'B'
		default:
			d.pos--
			return nil, d.errorf("expected binary chunk, got tag 0x%02x", tag)
		}
		p, err := d.take(n)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
		if final {
			return out, nil
		}
	}
}

// typeName reads a list's or map's type: a string, or an int referring to
// an earlier one.
func (d *hin) typeName() (string, error) {
	if d.pos < len(d.b) && isString(d.b[d.pos]) {
		t, err := d.str()
		if err == nil {
			d.types = append(d.types, t)
		}
		return t, err
	}
	i, err := d.readInt()
	if err != nil {
		return "", err
	}
	if i < 0 || int(i) >= len(d.types) {
		return "", d.errorf("type reference %d out of range", i)
	}
	return d.types[i], nil
}

// enter counts one more level of nesting.
func (d *hin) enter() error {
	if d.depth >= maxDepth {
		return d.errorf("values nested more than %d deep", maxDepth)
	}
	d.depth++
	return nil
}

// addRef reserves the next slot of the reference table for v.
func (d *hin) addRef(v any) int {
	d.refs = append(d.refs, v)
	return len(d.refs) - 1
}

// read reads one value of the declared kind k.
func (d *hin) read(k kind) (any, error) {
	tag, err := d.peek()
	if err != nil {
		return nil, err
	}
	switch tag {
	case 'N':
		d.pos++
		switch k {
		case kLong:
			return int64(0), nil
		case kInt:
			return int32(0), nil
		}
		return nil, nil
	case 'Q':
		return d.ref(k)
	}
	switch k {
	case kLong:
		return d.readLong()
	case kInt:
		return d.readInt()
	case kString:
		return d.stringValue()
	case kDate:
		if tag != 0x4a && tag != 0x4b {
			return nil, d.errorf("expected date, got tag 0x%02x", tag)
		}
		return d.untyped()
	case kDecimal, kRole, kUser, kAddress:
		return d.instance(classOf(k))
	case kList, kIntArray:
		return d.list(k)
	case kMap:
		return d.mapValue(k)
	}
	return d.untyped()
}

// ref reads a reference to an earlier value, which must suit k.
func (d *hin) ref(k kind) (any, error) {
	d.pos++
	i, err := d.readInt()
	if err != nil {
		return nil, err
	}
	if i < 0 || int(i) >= len(d.refs) {
		return nil, d.errorf("reference %d out of range", i)
	}
	v := d.refs[i]
	ok := false
	switch k {
	case kObject:
		ok = true
	case kDecimal, kRole, kUser, kAddress:
		o, isObj := v.(*object)
		ok = v == nil || isObj && o.class == classOf(k)
	case kList:
		_, ok = v.(*list)
	case kIntArray:
		l, isList := v.(*list)
		ok = isList && l.typ == "[int"
	case kMap:
		_, ok = v.(*hmap)
	}
	if !ok {
		return nil, d.errorf("reference %d is not of the declared type", i)
	}
	return v, nil
}

// stringValue reads a String: a string, or a number or boolean as its text
// (Hessian2Input.readString).
func (d *hin) stringValue() (any, error) {
	tag := d.b[d.pos]
	if isString(tag) {
		return d.str()
	}
	i, _, isFloat, ok, err := d.number()
	switch {
	case err != nil:
		return nil, err
	case !ok || isFloat:
		return nil, d.errorf("expected string, got tag 0x%02x", tag)
	case tag == 'T':
		return "true", nil
	case tag == 'F':
		return "false", nil
	}
	return fmt.Sprint(i), nil
}

// untyped reads a value declared as Object.
func (d *hin) untyped() (any, error) {
	tag, err := d.peek()
	if err != nil {
		return nil, err
	}
	switch {
	case tag == 'N':
		d.pos++
		return nil, nil
	case tag == 'T', tag == 'F':
		d.pos++
		return tag == 'T', nil
	case tag == 'Q':
		return d.ref(kObject)
	case tag >= 0x80 && tag <= 0xd7, tag == 'I':
		return d.readInt()
	case tag >= 0xd8, tag >= 0x38 && tag <= 0x3f, tag == 'L', tag == 'Y':
		return d.readLong()
	case tag >= 0x5b && tag <= 0x5f, tag == 'D':
		_, f, _, _, err := d.number()
		return f, err
	case tag == 0x4a:
		p, err := d.take(9)
		if err != nil {
			return nil, err
		}
		return date(binary.BigEndian.Uint64(p[1:])), nil
	case tag == 0x4b:
		p, err := d.take(5)
		if err != nil {
			return nil, err
		}
		return date(int64(int32(binary.BigEndian.Uint32(p[1:]))) * 60000), nil
	case isString(tag):
		return d.str()
	case tag >= 0x20 && tag <= 0x2f, tag >= 0x34 && tag <= 0x37, tag == 'A', tag == 'B':
		return d.binary()
	case tag == 'H', tag == 'M':
		return d.mapValue(kObject)
	case tag == 'O', tag >= 0x60 && tag <= 0x6f:
		return d.object(kObject)
	case tag >= 0x55 && tag <= 0x58, tag >= 0x70 && tag <= 0x7f:
		return d.list(kObject)
	}
	return nil, d.errorf("unexpected tag 0x%02x", tag)
}

// objectDef reads an object's class reference ('O' and an int, or 0x60 to
// 0x6f) and returns its definition.
func (d *hin) objectDef() (*classDef, error) {
	tag, _ := d.next()
	var i int32
	if tag == 'O' {
		var err error
		if i, err = d.readInt(); err != nil {
			return nil, err
		}
	} else {
		i = int32(tag - 0x60)
	}
	if i < 0 || int(i) >= len(d.classes) {
		return nil, d.errorf("class reference %d out of range", i)
	}
	return &d.classes[i], nil
}

// object reads a typed object where kind k (kObject or kMap) is declared:
// an object of the service's classes as itself under Object, anything else
// as a HashMap of its fields.
func (d *hin) object(k kind) (any, error) {
	def, err := d.objectDef()
	if err != nil {
		return nil, err
	}
	if def.known != nil && k == kObject {
		return d.fill(def.known, def)
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	m := &hmap{}
	d.addRef(m)
	for _, name := range def.fields {
		v, err := d.untyped()
		if err != nil {
			return nil, err
		}
		m.put(name, v)
	}
	sortHashMap(m)
	d.depth--
	return m, nil
}

// instance reads an object of class c from a typed object of any class or
// from a map.
func (d *hin) instance(c *class) (any, error) {
	tag, err := d.peek()
	if err != nil {
		return nil, err
	}
	switch {
	case tag == 'H', tag == 'M':
		d.pos++
		if tag == 'M' {
			if _, err := d.typeName(); err != nil {
				return nil, err
			}
		}
		return d.fill(c, nil)
	case tag == 'O', tag >= 0x60 && tag <= 0x6f:
		def, err := d.objectDef()
		if err != nil {
			return nil, err
		}
		return d.fill(c, def)
	}
	return nil, d.errorf("expected %s, got tag 0x%02x", c.name, tag)
}

// fill reads the fields of an object of class c, by name: the values of an
// object of class def, or with def nil a map's entries up to its end.
// Fields c does not have are read and dropped.
func (d *hin) fill(c *class, def *classDef) (any, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	o := &object{class: c, fields: make([]any, len(c.fields))}
	for i, k := range c.kinds {
		if k == kLong {
			o.fields[i] = int64(0)
		}
	}
	ref := d.addRef(o)
	field := func(name any) error {
		for i, f := range c.fields {
			if f == name {
				v, err := d.read(c.kinds[i])
				o.fields[i] = v
				return err
			}
		}
		_, err := d.untyped()
		return err
	}
	if def != nil {
		for _, name := range def.fields {
			if err := field(name); err != nil {
				return nil, err
			}
		}
	} else {
		for {
			if d.pos >= len(d.b) {
				return nil, d.truncated()
			}
			if d.b[d.pos] == 'Z' {
				d.pos++
				break
			}
			key, err := d.untyped()
			if err != nil {
				return nil, err
			}
			if err := field(key); err != nil {
				return nil, err
			}
		}
	}
	d.depth--
	switch c {
	case roleClass:
		name, _ := o.fields[0].(string)
		r := roleNamed(name)
		if r == nil {
			return nil, d.errorf("no enum constant %s.%s", c.name, name)
		}
		d.refs[ref] = r
		return r, nil
	case decimalClass:
		text, _ := o.fields[0].(string)
		if _, _, err := parseDecimal(text); err != nil {
			return nil, d.errorf("java.math.BigDecimal: %q is not a number", text)
		}
	}
	return o, nil
}

// mapValue reads a map where k (kMap or kObject) is declared: a
// LinkedHashMap when the bytes name one, a HashMap otherwise; under Object,
// a map typed with one of the service's classes is read as that class.
func (d *hin) mapValue(k kind) (any, error) {
	tag, _ := d.peek()
	switch {
	case tag == 'O', tag >= 0x60 && tag <= 0x6f:
		return d.object(kMap)
	case tag != 'H' && tag != 'M':
		return nil, d.errorf("expected map, got tag 0x%02x", tag)
	}
	d.pos++
	typ := ""
	if tag == 'M' {
		var err error
		if typ, err = d.typeName(); err != nil {
			return nil, err
		}
	}
	if k == kObject {
		for _, c := range knownClasses {
			if c.name == typ {
				return d.fill(c, nil)
			}
		}
	}
	if typ != linkedHashMap {
		typ = ""
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	m := &hmap{typ: typ}
	d.addRef(m)
	for {
		if d.pos >= len(d.b) {
			return nil, d.truncated()
		}
		if d.b[d.pos] == 'Z' {
			d.pos++
			break
		}
		key, err := d.untyped()
		if err != nil {
			return nil, err
		}
		val, err := d.untyped()
		if err != nil {
			return nil, err
		}
		m.put(key, val)
	}
	if typ == "" {
		sortHashMap(m)
	}
	d.depth--
	return m, nil
}

// arrayElem gives the element kind of the typed arrays hin reads as
// themselves under Object.
var arrayElem = map[string]kind{
	"[int":                  kInt,
	"[long":                 kLong,
	"[string":               kString,
	"[object":               kObject,
	"[" + userClass.name:    kUser,
	"[" + addressClass.name: kAddress,
	"[" + roleClass.name:    kRole,
	"[" + decimalClass.name: kDecimal,
	"[java.util.Date":       kDate,
}

// list reads a list where k (kList, kIntArray or kObject) is declared.
func (d *hin) list(k kind) (any, error) {
	tag, err := d.next()
	if err != nil {
		return nil, err
	}
	typ, n := "", -1 // n < 0: ends with 'Z'
	switch {
	case tag == 0x55 || tag == 'V' || tag >= 0x70 && tag <= 0x77:
		if typ, err = d.typeName(); err != nil {
			return nil, err
		}
		switch {
		case tag == 'V':
			n, err = d.count()
		case tag >= 0x70:
			n = int(tag - 0x70)
		}
	case tag == 'X':
		n, err = d.count()
	case tag >= 0x78 && tag <= 0x7f:
		n = int(tag - 0x78)
	case tag == 0x57:
	default:
		d.pos--
		return nil, d.errorf("expected list, got tag 0x%02x", tag)
	}
	if err != nil {
		return nil, err
	}
	elem := kObject
	switch k {
	case kIntArray:
		typ, elem = "[int", kInt
	case kList:
		if typ != "java.util.LinkedList" {
			typ = ""
		}
	default:
		if e, ok := arrayElem[typ]; ok {
			elem = e
		} else if typ != "java.util.LinkedList" {
			typ = ""
		}
	}
	if err := d.enter(); err != nil {
		return nil, err
	}
	l := &list{typ: typ, elems: make([]any, 0, max(n, 0))}
	d.addRef(l)
	for i := 0; n < 0 || i < n; i++ {
		if n < 0 {
			if d.pos >= len(d.b) {
				return nil, d.truncated()
			}
			if d.b[d.pos] == 'Z' {
				d.pos++
				break
			}
		}
		v, err := d.read(elem)
		if err != nil {
			return nil, err
		}
		l.elems = append(l.elems, v)
	}
	d.depth--
	return l, nil
}
