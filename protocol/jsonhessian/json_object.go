package jsonhessian

import "strings"

// JSON objects. Without a "class" key an object is an untyped map ('H'):
// the provider reads it into the declared class, as Java's Hessian does,
// and ignores keys the class lacks. Where the descriptor declares a Date (or
// a java.sql date), BigDecimal or BigInteger (an argument or an array's
// element), an object
// without "class" is read as that class, below: Java's Hessian refuses a
// Date and reads a BigInteger as 0 from an untyped map. With a "class" key
// (Dubbo's generic-call convention) an object is written as that class:
//
//   - java.util.Date, with the key "value" (RFC 3339 or epoch milliseconds):
//     a hessian date; java.sql.Date, Time and Timestamp likewise, as an
//     object of the class with the date in its field "value";
//   - java.math.BigDecimal and java.math.BigInteger, with the key "value"
//     (a decimal string or number): as in bignum.go;
//   - "[B" (Java's name of byte[]), with the key "value" (base64 or an
//     array of numbers): hessian binary. Java's Hessian reads a byte[] field
//     from nothing else, neither a string nor an untyped list;
//   - a box (java.lang.Long, Integer, Short, Byte, Double, Float, Boolean,
//     Character) or java.lang.String, with the key "value": the value as
//     that type, a number also given in a string ("9007199254740993", as
//     JavaScript callers send longs past 2^53). Inside a List, a Map or an
//     Object nothing else makes a small integer a Long: a JSON integer is
//     an int where it fits. Dubbo's hessian2 has no short, byte or float,
//     so a Short or Byte is written as an int and a Float as a double, as a
//     Java consumer's Hessian writes them, and Java reads an Integer or a
//     Double there;
//   - a java.util map class (HashMap, TreeMap, ...): a typed map ('M');
//   - a java.util collection class: refused, a list is a JSON array;
//   - any other class: a typed object, whose fields are the other keys in
//     their order, e.g. {"class":"com.x.Color","name":"RED"} for an enum
//     constant.

// sqlDateTypes are the types of the java.sql dates, by their Java names.
var sqlDateTypes = map[string]Type{
	"java.sql.Date":      {Kind: KindSQLDate, Elem: KindSQLDate, Desc: []byte("Ljava/sql/Date;"), Class: []byte("java/sql/Date")},
	"java.sql.Time":      {Kind: KindSQLDate, Elem: KindSQLDate, Desc: []byte("Ljava/sql/Time;"), Class: []byte("java/sql/Time")},
	"java.sql.Timestamp": {Kind: KindSQLDate, Elem: KindSQLDate, Desc: []byte("Ljava/sql/Timestamp;"), Class: []byte("java/sql/Timestamp")},
}

// knownJavaClasses maps the Java names of the known classes to their kinds.
var knownJavaClasses = func() map[string]Kind {
	m := make(map[string]Kind, len(knownClasses))
	for name, k := range knownClasses {
		b := []byte(name)
		for i, c := range b {
			if c == '/' {
				b[i] = '.'
			}
		}
		m[string(b)] = k
	}
	return m
}()

// objectValue writes the JSON object at e.pos as type t.
func (e *Encoder) objectValue(dst []byte, t Type) ([]byte, error) {
	off := e.pos
	switch t.Kind {
	case KindObject, KindMap, KindClass, KindDate, KindSQLDate, KindBigDecimal, KindBigInteger:
	default:
		return dst, e.shapeError(off, "an object", t)
	}
	c, err := e.takeContainer()
	if err != nil {
		return dst, err
	}
	if c.class < 0 {
		switch t.Kind {
		case KindDate:
			e.name = append(e.name[:0], classDate...)
			return e.specialObject(dst, typeDate, int(c.count))
		case KindSQLDate:
			e.name = t.AppendClassName(e.name[:0])
			return e.specialObject(dst, t, int(c.count))
		case KindBigDecimal:
			e.name = append(e.name[:0], classBigDecimal...)
			return e.specialObject(dst, typeBigDecimal, int(c.count))
		case KindBigInteger:
			e.name = append(e.name[:0], classBigInteger...)
			return e.specialObject(dst, typeBigInteger, int(c.count))
		}
		return e.untypedMap(dst, int(c.count))
	}
	if err := e.className(c); err != nil {
		return dst, err
	}
	switch string(e.name) {
	case classDate:
		return e.specialObject(dst, typeDate, int(c.count))
	case classBigDecimal:
		return e.specialObject(dst, typeBigDecimal, int(c.count))
	case classBigInteger:
		return e.specialObject(dst, typeBigInteger, int(c.count))
	case classBytes:
		return e.specialObject(dst, typeBytes, int(c.count))
	}
	switch k := knownJavaClasses[string(e.name)]; {
	case k == KindMap:
		return e.typedMap(dst, int(c.count))
	case k == KindList:
		return dst, e.errorAt(off, "an object of class %s, a collection: send a JSON array", e.name)
	case k.IsBox() || k == KindString:
		return e.specialObject(dst, Type{Kind: k, Elem: k}, int(c.count))
	case k == KindSQLDate:
		return e.specialObject(dst, sqlDateTypes[string(e.name)], int(c.count))
	}
	return e.typedObject(dst, c)
}

// className reads the value of the object's "class" key into e.name.
func (e *Encoder) className(c container) error {
	pos := e.pos
	e.pos = int(c.class)
	if err := e.expect(':', `after the key "class"`); err != nil {
		return err
	}
	e.ws()
	off := e.pos
	if e.peek() != '"' {
		return e.errorAt(off, `"class" must name a class in a string`)
	}
	s, _, err := e.readString()
	if err != nil {
		return err
	}
	if len(s) == 0 {
		return e.errorAt(off, `"class" names no class`)
	}
	e.name = append(e.name[:0], s...)
	e.pos = pos
	return nil
}

// member reads the separator before member i of the object whose '{' is
// behind e.pos (none before the first), its key and the colon, leaving e.pos
// at the value. The key aliases the input or e.str.
func (e *Encoder) member(i int) (key []byte, ascii bool, err error) {
	if i > 0 {
		if err = e.expect(',', "between object members"); err != nil {
			return nil, false, err
		}
	}
	e.ws()
	if e.peek() != '"' {
		return nil, false, e.syntaxError("where a key belongs")
	}
	if key, ascii, err = e.readString(); err != nil {
		return nil, false, err
	}
	if err = e.expect(':', "after a key"); err != nil {
		return nil, false, err
	}
	e.ws()
	return key, ascii, nil
}

// closeObject consumes the '}' after the n members of an object.
func (e *Encoder) closeObject(n int) error {
	if n == 0 {
		return e.expect('}', "where a key belongs")
	}
	return e.expect('}', "at the end of an object")
}

// skipClass consumes the value of the "class" key, a string pass 2 has read
// already.
func (e *Encoder) skipClass() error {
	_, _, err := e.readString()
	return err
}

// untypedMap writes the object of n members at e.pos as an untyped map.
func (e *Encoder) untypedMap(dst []byte, n int) ([]byte, error) {
	e.pos++
	dst = append(dst, tagMap)
	for i := range n {
		key, ascii, err := e.member(i)
		if err != nil {
			return dst, err
		}
		dst = appendText(dst, key, ascii)
		if dst, err = e.value(dst, anyType); err != nil {
			return dst, err
		}
	}
	if err := e.closeObject(n); err != nil {
		return dst, err
	}
	return append(dst, tagEnd), nil
}

// typedMap writes the object of n members at e.pos, whose "class" names the
// map class in e.name, as a typed map.
func (e *Encoder) typedMap(dst []byte, n int) ([]byte, error) {
	dst = e.appendType(append(dst, tagTypedMap), e.name)
	e.pos++
	for i := range n {
		key, ascii, err := e.member(i)
		if err != nil {
			return dst, err
		}
		if string(key) == "class" {
			if err = e.skipClass(); err != nil {
				return dst, err
			}
			continue
		}
		dst = appendText(dst, key, ascii)
		if dst, err = e.value(dst, anyType); err != nil {
			return dst, err
		}
	}
	if err := e.closeObject(n); err != nil {
		return dst, err
	}
	return append(dst, tagEnd), nil
}

// typedObject writes the object c at e.pos, whose "class" names the class in
// e.name, as an object of that class.
func (e *Encoder) typedObject(dst []byte, c container) ([]byte, error) {
	e.defKeyStart(e.name)
	fields := 0
	for _, k := range e.keys[c.keys : c.keys+c.count] {
		if k.end == c.class {
			continue
		}
		s, _, _, escaped, why := decodeString(e.in, int(k.start), e.str[:0])
		if why != "" {
			return dst, e.errorAt(int(k.start), "%s", why)
		}
		if escaped {
			e.str = s[:0]
		}
		e.defKeyField(s)
		fields++
	}
	dst = e.appendInstance(dst, e.key, fields)
	e.pos++
	for i := range int(c.count) {
		key, _, err := e.member(i)
		if err != nil {
			return dst, err
		}
		if string(key) == "class" {
			err = e.skipClass()
		} else {
			dst, err = e.value(dst, anyType)
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, e.closeObject(int(c.count))
}

// specialObject writes the object of n members at e.pos, whose "class" is
// Date, BigDecimal, BigInteger, byte[], a box or String, as the value of its
// "value" key read as t.
func (e *Encoder) specialObject(dst []byte, t Type, n int) ([]byte, error) {
	off := e.pos
	e.pos++
	found := false
	for i := range n {
		key, _, err := e.member(i)
		if err != nil {
			return dst, err
		}
		switch string(key) {
		case "class":
			err = e.skipClass()
		case fieldValue:
			if found {
				return dst, e.errorAt(e.pos, "an object of class %s has two \"value\" keys", e.name)
			}
			found = true
			if e.peek() == '{' {
				return dst, e.errorAt(e.pos, "the \"value\" of class %s must be a string or a number", e.name)
			}
			if k := t.Kind; k.IsBox() && k != KindCharBox && e.peek() == '"' {
				dst, err = e.boxText(dst, t)
			} else {
				dst, err = e.value(dst, t)
			}
		default:
			return dst, e.errorAt(e.pos, "an object of class %s has a key %s: it takes only \"class\" and \"value\"", e.name, quote(key))
		}
		if err != nil {
			return dst, err
		}
	}
	if err := e.closeObject(n); err != nil {
		return dst, err
	}
	if !found {
		return dst, e.errorAt(off, "an object of class %s lacks its \"value\"", e.name)
	}
	return dst, nil
}

// boxText writes the JSON string at e.pos, the "value" of a box other than
// Character, as the text of that box's primitive ("+7", "9007199254740993",
// "NaN"; not "null").
func (e *Encoder) boxText(dst []byte, t Type) ([]byte, error) {
	off := e.pos
	s, _, err := e.readString()
	if err != nil {
		return dst, err
	}
	dst, err = e.appendText(dst, Type{Kind: t.Kind.unbox(), Elem: t.Kind.unbox()}, s)
	if err != nil {
		return dst, e.errorAt(off, "%s", strings.TrimPrefix(err.Error(), ErrBadArgument.Error()+": "))
	}
	return dst, nil
}
