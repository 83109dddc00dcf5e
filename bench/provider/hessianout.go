package main

import (
	"encoding/binary"
	"math"
	"sync"
	"unicode/utf8"
)

// hout writes Java values (javavalue.go) in hessian2 exactly as Caucho's
// Hessian2Output writes the Java objects they stand for, so that the
// service's answers are the bytes a Java provider sends:
//
//   - ints, longs and doubles in their shortest forms, Java's choice of
//     form included (a double that is an int in the short forms, then
//     thousandths, then eight bytes);
//   - strings as UTF-16 units of one to three bytes each (a supplementary
//     character as its two surrogates), in chunks of 32768 units that never
//     end between a surrogate pair;
//   - dates in minutes when they fall on a minute, else in milliseconds;
//   - objects as a class definition, the first time a class occurs, then
//     the instance; enum constants and BigDecimals are objects too;
//   - ArrayLists as untyped fixed lists, arrays and other lists as typed
//     ones ("[int", "[string"), the type written once and then referred to
//     by number; HashMaps as untyped maps ('H'), other maps typed ('M');
//   - an object, list or map that occurs again as a reference to its first
//     occurrence (Hessian2Output.addRef): a list of users sharing one enum
//     constant refers to it.
//
// An hout is used by one goroutine; acquireHout and releaseHout pool them.
type hout struct {
	b       []byte
	classes map[*class]int
	types   map[string]int
	refs    map[any]int // keyed by *object, *list and *hmap
}

var houtPool = sync.Pool{New: func() any {
	return &hout{classes: map[*class]int{}, types: map[string]int{}, refs: map[any]int{}}
}}

// acquireHout returns an empty writer, a new stream.
func acquireHout() *hout { return houtPool.Get().(*hout) }

// releaseHout returns w to the pool; w and its buffer must not be used
// afterwards.
func releaseHout(w *hout) {
	w.b = w.b[:0]
	if cap(w.b) > 1<<20 {
		w.b = nil
	}
	clear(w.classes)
	clear(w.types)
	clear(w.refs)
	houtPool.Put(w)
}

// value writes v.
func (w *hout) value(v any) {
	switch v := v.(type) {
	case nil:
		w.b = append(w.b, 'N')
	case bool:
		if v {
			w.b = append(w.b, 'T')
		} else {
			w.b = append(w.b, 'F')
		}
	case int32:
		w.int(v)
	case int64:
		w.long(v)
	case float64:
		w.double(v)
	case string:
		w.str(v)
	case date:
		w.date(int64(v))
	case []byte:
		w.binary(v)
	case *object:
		w.object(v)
	case *list:
		w.list(v)
	case *hmap:
		w.hmap(v)
	default:
		panic("hout: not a Java value") // the service builds only the types above
	}
}

// int writes a Java int (Hessian2Output.writeInt).
func (w *hout) int(v int32) {
	switch {
	case -0x10 <= v && v <= 0x2f:
		w.b = append(w.b, byte(v+0x90))
	case -0x800 <= v && v <= 0x7ff:
		w.b = append(w.b, byte(0xc8+v>>8), byte(v))
	case -0x40000 <= v && v <= 0x3ffff:
		w.b = append(w.b, byte(0xd4+v>>16), byte(v>>8), byte(v))
	default:
		w.b = binary.BigEndian.AppendUint32(append(w.b, 'I'), uint32(v))
	}
}

// long writes a Java long (Hessian2Output.writeLong).
func (w *hout) long(v int64) {
	switch {
	case -0x08 <= v && v <= 0x0f:
		w.b = append(w.b, byte(v+0xe0))
	case -0x800 <= v && v <= 0x7ff:
		w.b = append(w.b, byte(0xf8+v>>8), byte(v))
	case -0x40000 <= v && v <= 0x3ffff:
		w.b = append(w.b, byte(0x3c+v>>16), byte(v>>8), byte(v))
	case math.MinInt32 <= v && v <= math.MaxInt32:
		w.b = binary.BigEndian.AppendUint32(append(w.b, 'Y'), uint32(v))
	default:
		w.b = binary.BigEndian.AppendUint64(append(w.b, 'L'), uint64(v))
	}
}

// double writes a Java double (Hessian2Output.writeDouble).
func (w *hout) double(v float64) {
	if i := javaInt(v); float64(i) == v {
		switch {
		case i == 0:
			w.b = append(w.b, 0x5b)
			return
		case i == 1:
			w.b = append(w.b, 0x5c)
			return
		case -0x80 <= i && i < 0x80:
			w.b = append(w.b, 0x5d, byte(i))
			return
		case -0x8000 <= i && i < 0x8000:
			w.b = append(w.b, 0x5e, byte(i>>8), byte(i))
			return
		}
	}
	if mills := javaInt(v * 1000); 0.001*float64(mills) == v {
		w.b = binary.BigEndian.AppendUint32(append(w.b, 0x5f), uint32(mills))
		return
	}
	bits := math.Float64bits(v)
	if v != v {
		bits = 0x7ff8000000000000 // doubleToLongBits' canonical NaN
	}
	w.b = binary.BigEndian.AppendUint64(append(w.b, 'D'), bits)
}

// date writes a java.util.Date (Hessian2Output.writeUTCDate).
func (w *hout) date(ms int64) {
	if ms%60000 == 0 {
		if m := ms / 60000; m>>31 == 0 || m>>31 == -1 {
			w.b = binary.BigEndian.AppendUint32(append(w.b, 0x4b), uint32(m))
			return
		}
	}
	w.b = binary.BigEndian.AppendUint64(append(w.b, 0x4a), uint64(ms))
}

// maxChunk is the most UTF-16 units Hessian2Output puts in a string chunk.
const maxChunk = 0x8000

// str writes a String (Hessian2Output.writeString): chunks of at most
// maxChunk units, a chunk that would end on a high surrogate one unit
// shorter.
func (w *hout) str(s string) {
	for {
		units, end := 0, 0 // units and bytes of s that fit in this chunk
		for end < len(s) {
			r, n := utf8.DecodeRuneInString(s[end:])
			u := 1
			if r >= 0x10000 {
				u = 2
			}
			if units+u > maxChunk {
				break
			}
			units += u
			end += n
		}
		if end == len(s) {
			switch {
			case units <= 0x1f:
				w.b = append(w.b, byte(units))
			case units <= 0x3ff:
				w.b = append(w.b, byte(0x30+units>>8), byte(units))
			default:
				w.b = append(w.b, 'S', byte(units>>8), byte(units))
			}
			w.units(s)
			return
		}
		w.b = append(w.b, 'R', byte(units>>8), byte(units))
		w.units(s[:end])
		s = s[end:]
	}
}

// units writes the UTF-16 units of s, each in one to three bytes.
func (w *hout) units(s string) {
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			w.unit(0xd800 + r>>10)
			w.unit(0xdc00 + r&0x3ff)
			continue
		}
		w.unit(r)
	}
}

func (w *hout) unit(u rune) {
	switch {
	case u < 0x80:
		w.b = append(w.b, byte(u))
	case u < 0x800:
		w.b = append(w.b, byte(0xc0|u>>6), byte(0x80|u&0x3f))
	default:
		w.b = append(w.b, byte(0xe0|u>>12), byte(0x80|u>>6&0x3f), byte(0x80|u&0x3f))
	}
}

// binary writes a byte[]: in one piece up to 1023 bytes, else in chunks.
func (w *hout) binary(p []byte) {
	for len(p) > 0xffff {
		w.b = append(append(w.b, 'A', 0xff, 0xff), p[:0xffff]...)
		p = p[0xffff:]
	}
	switch n := len(p); {
	case n <= 0x0f:
		w.b = append(w.b, byte(0x20+n))
	case n <= 0x3ff:
		w.b = append(w.b, byte(0x34+n>>8), byte(n))
	default:
		w.b = append(w.b, 'B', byte(n>>8), byte(n))
	}
	w.b = append(w.b, p...)
}

// addRef writes a reference and reports true if v was written before;
// otherwise it numbers v and reports false (Hessian2Output.addRef).
func (w *hout) addRef(v any) bool {
	if i, ok := w.refs[v]; ok {
		w.b = append(w.b, 'Q')
		w.int(int32(i))
		return true
	}
	w.refs[v] = len(w.refs)
	return false
}

// typeName writes a list's or map's type, by number after its first time.
func (w *hout) typeName(t string) {
	if i, ok := w.types[t]; ok {
		w.int(int32(i))
		return
	}
	w.types[t] = len(w.types)
	w.str(t)
}

// object writes a POJO, an enum constant or a BigDecimal.
func (w *hout) object(o *object) {
	if w.addRef(o) {
		return
	}
	i, ok := w.classes[o.class]
	if !ok {
		i = len(w.classes)
		w.classes[o.class] = i
		w.b = append(w.b, 'C')
		w.str(o.class.name)
		w.int(int32(len(o.class.fields)))
		for _, f := range o.class.fields {
			w.str(f)
		}
	}
	if i <= 0x0f {
		w.b = append(w.b, byte(0x60+i))
	} else {
		w.b = append(w.b, 'O')
		w.int(int32(i))
	}
	for _, v := range o.fields {
		w.value(v)
	}
}

// list writes a list or an array as a fixed-length list
// (Hessian2Output.writeListBegin).
func (w *hout) list(l *list) {
	if w.addRef(l) {
		return
	}
	n := len(l.elems)
	switch {
	case l.typ == "" && n <= 7:
		w.b = append(w.b, byte(0x78+n))
	case l.typ == "":
		w.b = append(w.b, 'X')
		w.int(int32(n))
	case n <= 7:
		w.b = append(w.b, byte(0x70+n))
		w.typeName(l.typ)
	default:
		w.b = append(w.b, 'V')
		w.typeName(l.typ)
		w.int(int32(n))
	}
	for _, v := range l.elems {
		w.value(v)
	}
}

// hmap writes a map (Hessian2Output.writeMapBegin, entries, 'Z').
func (w *hout) hmap(m *hmap) {
	if w.addRef(m) {
		return
	}
	if m.typ == "" {
		w.b = append(w.b, 'H')
	} else {
		w.b = append(w.b, 'M')
		w.typeName(m.typ)
	}
	for i := range m.keys {
		w.value(m.keys[i])
		w.value(m.vals[i])
	}
	w.b = append(w.b, 'Z')
}
