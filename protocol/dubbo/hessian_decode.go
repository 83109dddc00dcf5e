package dubbo

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	hessian "github.com/apache/dubbo-go-hessian2"
)

// decKind is the kind of a value read by the fast-path decoders.
type decKind uint8

const (
	decKNull decKind = iota
	decKInt
	decKLong
	decKBool
	decKDouble
	decKString
	// decKRaw is a JSON integer beyond int64 (a BigInteger in Java), kept
	// as its text in s.
	decKRaw
	// decKOther is anything the fast path does not read (lists, maps,
	// objects, binary, dates): the reader has not moved.
	decKOther
)

// decValue is one value read by a fast-path decoder: i for decKInt,
// decKLong and decKBool (0 or 1), f for decKDouble, s (UTF-8, aliasing the
// body or the caller's scratch) for decKString and decKRaw.
type decValue struct {
	kind decKind
	i    int64
	f    float64
	s    []byte
}

// decHessian reads hessian2 values from b, starting at pos. It is a small
// value type kept on the stack; classes (the field counts of the class
// definitions seen while skipping objects) stays nil unless an object is met.
type decHessian struct {
	b       []byte
	pos     int
	classes []int
	// maxDepth, when not 0, bounds skip's nesting instead of decMaxDepth.
	maxDepth int
	// cut: a value was given up on and the rest of b left unread.
	cut bool
}

func (d *decHessian) errTag(what string) error {
	if d.pos >= len(d.b) {
		return decErrTruncated
	}
	return fmt.Errorf("%w: hessian tag 0x%02x at offset %d where %s was expected", ErrMalformed, d.b[d.pos], d.pos, what)
}

// decScalarSize returns the encoded size of the fixed-size hessian2 value
// starting with tag and its kind, or 0 for variable-size values.
func decScalarSize(tag byte) (int, decKind) {
	switch {
	case tag == 'N':
		return 1, decKNull
	case tag == 'T' || tag == 'F':
		return 1, decKBool
	case tag >= 0x80 && tag <= 0xbf:
		return 1, decKInt
	case tag >= 0xc0 && tag <= 0xcf:
		return 2, decKInt
	case tag >= 0xd0 && tag <= 0xd7:
		return 3, decKInt
	case tag == 'I':
		return 5, decKInt
	case tag >= 0xd8 && tag <= 0xef:
		return 1, decKLong
	case tag >= 0xf0:
		return 2, decKLong
	case tag >= 0x38 && tag <= 0x3f:
		return 3, decKLong
	case tag == 0x59:
		return 5, decKLong
	case tag == 'L':
		return 9, decKLong
	case tag == 0x5b || tag == 0x5c:
		return 1, decKDouble
	case tag == 0x5d:
		return 2, decKDouble
	case tag == 0x5e:
		return 3, decKDouble
	case tag == 0x5f:
		return 5, decKDouble
	case tag == 'D':
		return 9, decKDouble
	case tag == 0x4a: // date in milliseconds
		return 9, decKOther
	case tag == 0x4b: // date in minutes
		return 5, decKOther
	}
	return 0, decKOther
}

// decIsStringTag reports whether tag starts a string (or a string chunk).
func decIsStringTag(tag byte) bool {
	return tag <= 0x1f || (tag >= 0x30 && tag <= 0x33) || tag == 'S' || tag == 'R'
}

// value reads the next value if the fast path knows its kind: null, bool,
// int, long, double or string. Strings alias d.b unless they are chunked or
// hold a surrogate pair; those are converted by appending to scratch, which
// is returned (possibly grown). For anything else it returns decKOther
// without moving.
func (d *decHessian) value(scratch []byte) (decValue, []byte, error) {
	if d.pos >= len(d.b) {
		return decValue{}, scratch, decErrTruncated
	}
	tag := d.b[d.pos]
	if decIsStringTag(tag) {
		s, scratch, err := d.str(scratch)
		return decValue{kind: decKString, s: s}, scratch, err
	}
	size, kind := decScalarSize(tag)
	if kind == decKOther {
		return decValue{kind: decKOther}, scratch, nil
	}
	if len(d.b)-d.pos < size {
		return decValue{}, scratch, decErrTruncated
	}
	p := d.b[d.pos+1 : d.pos+size]
	d.pos += size
	v := decValue{kind: kind}
	switch kind {
	case decKBool:
		if tag == 'T' {
			v.i = 1
		}
	case decKInt, decKLong:
		v.i = decInteger(tag, p)
	case decKDouble:
		v.f = decDouble(tag, p)
	}
	return v, scratch, nil
}

// decInteger decodes an int or long whose tag is tag and whose following
// bytes (already bounds-checked by decScalarSize) are p.
func decInteger(tag byte, p []byte) int64 {
	switch {
	case tag >= 0x80 && tag <= 0xbf:
		return int64(tag) - 0x90
	case tag >= 0xc0 && tag <= 0xcf:
		return (int64(tag)-0xc8)<<8 | int64(p[0])
	case tag >= 0xd0 && tag <= 0xd7:
		return (int64(tag)-0xd4)<<16 | int64(p[0])<<8 | int64(p[1])
	case tag == 'I' || tag == 0x59:
		return int64(int32(binary.BigEndian.Uint32(p)))
	case tag >= 0xd8 && tag <= 0xef:
		return int64(tag) - 0xe0
	case tag >= 0xf0:
		return (int64(tag)-0xf8)<<8 | int64(p[0])
	case tag >= 0x38 && tag <= 0x3f:
		return (int64(tag)-0x3c)<<16 | int64(p[0])<<8 | int64(p[1])
	}
	return int64(binary.BigEndian.Uint64(p)) // 'L'
}

// decDouble decodes a double whose tag is tag and whose following bytes are
// p. The 0x5f form is thousandths, scaled as Java's Hessian2Input does
// (0.001 * mills), so the double Java wrote comes back exactly.
func decDouble(tag byte, p []byte) float64 {
	switch tag {
	case 0x5b:
		return 0
	case 0x5c:
		return 1
	case 0x5d:
		return float64(int8(p[0]))
	case 0x5e:
		return float64(int16(binary.BigEndian.Uint16(p)))
	case 0x5f:
		return 0.001 * float64(int32(binary.BigEndian.Uint32(p)))
	}
	return math.Float64frombits(binary.BigEndian.Uint64(p)) // 'D'
}

// intValue reads a value that must be an int (any of its four forms), as
// list lengths, class indexes and field counts are.
func (d *decHessian) intValue() (int64, error) {
	if d.pos >= len(d.b) {
		return 0, decErrTruncated
	}
	size, kind := decScalarSize(d.b[d.pos])
	if kind != decKInt {
		return 0, d.errTag("an int")
	}
	if len(d.b)-d.pos < size {
		return 0, decErrTruncated
	}
	v := decInteger(d.b[d.pos], d.b[d.pos+1:d.pos+size])
	d.pos += size
	return v, nil
}

// chunk reads a string chunk header: the number of UTF-16 code units that
// follow and whether it is the final chunk.
func (d *decHessian) chunk() (units int, final bool, err error) {
	if d.pos >= len(d.b) {
		return 0, false, decErrTruncated
	}
	tag := d.b[d.pos]
	switch {
	case tag <= 0x1f:
		d.pos++
		return int(tag), true, nil
	case tag >= 0x30 && tag <= 0x33:
		if len(d.b)-d.pos < 2 {
			return 0, false, decErrTruncated
		}
		units = int(tag-0x30)<<8 | int(d.b[d.pos+1])
		d.pos += 2
		return units, true, nil
	case tag == 'S' || tag == 'R':
		if len(d.b)-d.pos < 3 {
			return 0, false, decErrTruncated
		}
		units = int(binary.BigEndian.Uint16(d.b[d.pos+1:]))
		d.pos += 3
		return units, tag == 'S', nil
	}
	return 0, false, d.errTag("a string")
}

// str reads a string. A single-chunk string without surrogates is returned
// as a slice of d.b (hessian's UTF-8 is then plain UTF-8); otherwise the
// text is converted, surrogate pairs becoming 4-byte UTF-8 sequences as the
// library and Java decode them, and appended to scratch. A lone surrogate,
// which UTF-8 cannot carry, becomes U+FFFD (the library would keep its
// 3-byte form, which is not valid UTF-8).
func (d *decHessian) str(scratch []byte) ([]byte, []byte, error) {
	start := d.pos
	units, final, err := d.chunk()
	if err != nil {
		return nil, scratch, err
	}
	if final {
		end, surrogate, err := decScanUnits(d.b, d.pos, units)
		if err != nil {
			return nil, scratch, err
		}
		if !surrogate {
			s := d.b[d.pos:end:end]
			d.pos = end
			return s, scratch, nil
		}
	}
	d.pos = start
	base := len(scratch)
	var pending rune // a high surrogate waiting for its low half
	for {
		units, final, err := d.chunk()
		if err != nil {
			return nil, scratch, err
		}
		scratch, d.pos, err = decAppendUnits(scratch, d.b, d.pos, units, &pending)
		if err != nil {
			return nil, scratch, err
		}
		if final {
			break
		}
	}
	if pending != 0 {
		scratch = utf8.AppendRune(scratch, utf8.RuneError)
	}
	return scratch[base:len(scratch):len(scratch)], scratch, nil
}

// skipString moves past a string, validating it, without converting it.
func (d *decHessian) skipString() error {
	for {
		units, final, err := d.chunk()
		if err != nil {
			return err
		}
		if d.pos, _, err = decScanUnits(d.b, d.pos, units); err != nil {
			return err
		}
		if final {
			return nil
		}
	}
}

// decUnit decodes the UTF-16 code unit encoded at b[pos] in 1, 2 or 3 bytes
// and returns it with its size. Overlong forms, bad continuation bytes and
// 4-byte sequences (which hessian does not use) are errors.
func decUnit(b []byte, pos int) (rune, int, error) {
	c := b[pos]
	switch {
	case c < 0x80:
		return rune(c), 1, nil
	case c >= 0xc2 && c <= 0xdf:
		if len(b)-pos < 2 {
			return 0, 0, decErrTruncated
		}
		c1 := b[pos+1]
		if c1&0xc0 != 0x80 {
			return 0, 0, decErrUTF8
		}
		return rune(c&0x1f)<<6 | rune(c1&0x3f), 2, nil
	case c&0xf0 == 0xe0:
		if len(b)-pos < 3 {
			return 0, 0, decErrTruncated
		}
		c1, c2 := b[pos+1], b[pos+2]
		if c1&0xc0 != 0x80 || c2&0xc0 != 0x80 {
			return 0, 0, decErrUTF8
		}
		u := rune(c&0x0f)<<12 | rune(c1&0x3f)<<6 | rune(c2&0x3f)
		if u < 0x800 {
			return 0, 0, decErrUTF8
		}
		return u, 3, nil
	}
	return 0, 0, decErrUTF8
}

func decIsSurrogate(u rune) bool { return u >= 0xd800 && u <= 0xdfff }

// decScanUnits validates units code units starting at b[pos] and returns
// where they end and whether any of them is a surrogate. ASCII is checked
// eight bytes at a time.
func decScanUnits(b []byte, pos, units int) (end int, surrogate bool, err error) {
	for units > 0 {
		for units >= 8 && len(b)-pos >= 8 && binary.LittleEndian.Uint64(b[pos:])&0x8080808080808080 == 0 {
			pos += 8
			units -= 8
		}
		if units == 0 {
			break
		}
		if pos >= len(b) {
			return 0, false, decErrTruncated
		}
		u, n, err := decUnit(b, pos)
		if err != nil {
			return 0, false, err
		}
		surrogate = surrogate || decIsSurrogate(u)
		pos += n
		units--
	}
	return pos, surrogate, nil
}

// decAppendUnits converts units code units starting at b[pos] to UTF-8,
// appending to dst. *pending carries a high surrogate across chunk
// boundaries, which Java does not split but other writers might.
func decAppendUnits(dst, b []byte, pos, units int, pending *rune) ([]byte, int, error) {
	for ; units > 0; units-- {
		if pos >= len(b) {
			return dst, 0, decErrTruncated
		}
		u, n, err := decUnit(b, pos)
		if err != nil {
			return dst, 0, err
		}
		switch {
		case *pending != 0 && u >= 0xdc00 && u <= 0xdfff:
			dst = utf8.AppendRune(dst, (*pending-0xd800)<<10+(u-0xdc00)+0x10000)
			*pending = 0
		case *pending != 0:
			dst = utf8.AppendRune(dst, utf8.RuneError)
			*pending = 0
			fallthrough
		default:
			switch {
			case u >= 0xd800 && u <= 0xdbff:
				*pending = u
			case u >= 0xdc00 && u <= 0xdfff:
				dst = utf8.AppendRune(dst, utf8.RuneError)
			default:
				dst = append(dst, b[pos:pos+n]...)
			}
		}
		pos += n
	}
	return dst, pos, nil
}

// skip moves past one value of any kind, checking its structure: every
// length against the bytes left, every string's encoding, nesting up to
// decMaxDepth, or d.maxDepth when set. A class definition and the value
// after it count as one value, as in the library. It allocates only to
// remember class definitions.
func (d *decHessian) skip(depth int) error {
	limit := decMaxDepth
	if d.maxDepth > 0 {
		limit = d.maxDepth
	}
	if depth > limit {
		return decErrDepth
	}
	if d.pos >= len(d.b) {
		return decErrTruncated
	}
	tag := d.b[d.pos]
	if decIsStringTag(tag) {
		return d.skipString()
	}
	if size, _ := decScalarSize(tag); size > 0 {
		if len(d.b)-d.pos < size {
			return decErrTruncated
		}
		d.pos += size
		return nil
	}
	switch {
	case tag >= 0x20 && tag <= 0x2f: // short binary
		return d.advance(1 + int(tag-0x20))
	case tag >= 0x34 && tag <= 0x37: // medium binary
		if len(d.b)-d.pos < 2 {
			return decErrTruncated
		}
		return d.advance(2 + (int(tag-0x34)<<8 | int(d.b[d.pos+1])))
	case tag == 'A' || tag == 'B': // chunked binary
		for {
			if len(d.b)-d.pos < 3 {
				return decErrTruncated
			}
			t := d.b[d.pos]
			if err := d.advance(3 + int(binary.BigEndian.Uint16(d.b[d.pos+1:]))); err != nil {
				return err
			}
			if t == 'B' {
				return nil
			}
			if d.pos >= len(d.b) || (d.b[d.pos] != 'A' && d.b[d.pos] != 'B') {
				return d.errTag("a binary chunk")
			}
		}
	case tag == 0x51: // reference to an earlier list, map or object
		d.pos++
		_, err := d.intValue()
		return err
	case tag == 0x55: // variable-length typed list
		d.pos++
		if err := d.skipType(); err != nil {
			return err
		}
		return d.skipUntilEnd(depth, 1)
	case tag == 'V': // fixed-length typed list
		d.pos++
		if err := d.skipType(); err != nil {
			return err
		}
		return d.skipCounted(depth)
	case tag == 0x57: // variable-length untyped list
		d.pos++
		return d.skipUntilEnd(depth, 1)
	case tag == 0x58: // fixed-length untyped list
		d.pos++
		return d.skipCounted(depth)
	case tag >= 0x70 && tag <= 0x77: // short typed list
		d.pos++
		if err := d.skipType(); err != nil {
			return err
		}
		return d.skipN(depth, int64(tag-0x70))
	case tag >= 0x78 && tag <= 0x7f: // short untyped list
		d.pos++
		return d.skipN(depth, int64(tag-0x78))
	case tag == 'H':
		d.pos++
		return d.skipUntilEnd(depth, 2)
	case tag == 'M':
		d.pos++
		if err := d.skipType(); err != nil {
			return err
		}
		return d.skipUntilEnd(depth, 2)
	case tag == 'C':
		d.pos++
		if err := d.skipString(); err != nil {
			return err
		}
		n, err := d.intValue()
		if err != nil {
			return err
		}
		if n < 0 || n > int64(len(d.b)-d.pos) {
			return fmt.Errorf("%w: class definition with %d fields", ErrMalformed, n)
		}
		for i := int64(0); i < n; i++ {
			if err := d.skipString(); err != nil {
				return err
			}
		}
		d.classes = append(d.classes, int(n))
		return d.skip(depth + 1)
	case tag == 'O':
		d.pos++
		idx, err := d.intValue()
		if err != nil {
			return err
		}
		return d.skipObject(depth, idx)
	case tag >= 0x60 && tag <= 0x6f:
		d.pos++
		return d.skipObject(depth, int64(tag-0x60))
	}
	return d.errTag("a value")
}

func (d *decHessian) advance(n int) error {
	if len(d.b)-d.pos < n {
		return decErrTruncated
	}
	d.pos += n
	return nil
}

// skipType moves past a list or map type: a type name or a type reference.
func (d *decHessian) skipType() error {
	if d.pos < len(d.b) && decIsStringTag(d.b[d.pos]) {
		return d.skipString()
	}
	_, err := d.intValue()
	return err
}

// skipUntilEnd skips groups of per values (1 for lists, 2 for maps) up to
// and including the closing 'Z'.
func (d *decHessian) skipUntilEnd(depth, per int) error {
	for {
		if d.pos >= len(d.b) {
			return decErrTruncated
		}
		if d.b[d.pos] == 'Z' {
			d.pos++
			return nil
		}
		for i := 0; i < per; i++ {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
		}
	}
}

// skipCounted reads a length and skips that many values.
func (d *decHessian) skipCounted(depth int) error {
	n, err := d.intValue()
	if err != nil {
		return err
	}
	return d.skipN(depth, n)
}

// skipN skips n values; every value takes at least a byte, so a length
// beyond the bytes left is refused before looping.
func (d *decHessian) skipN(depth int, n int64) error {
	if n < 0 || n > int64(len(d.b)-d.pos) {
		return fmt.Errorf("%w: length %d with %d bytes left", ErrMalformed, n, len(d.b)-d.pos)
	}
	for i := int64(0); i < n; i++ {
		if err := d.skip(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

func (d *decHessian) skipObject(depth int, idx int64) error {
	if idx < 0 || idx >= int64(len(d.classes)) {
		return fmt.Errorf("%w: object of undefined class %d", ErrMalformed, idx)
	}
	return d.skipN(depth, int64(d.classes[idx]))
}

// decLibraryDecode decodes one hessian2 value with dubbo-go-hessian2, for the
// values the fast path does not read. The caller has checked b with skip, so
// lengths and nesting are bounded; a panic inside the library is still
// turned into ErrMalformed.
func decLibraryDecode(b []byte) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("%w: hessian decoder failed: %v", ErrMalformed, p)
		}
	}()
	v, err = hessian.NewDecoder(b).Decode()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return v, nil
}
