package hessianjson

import (
	"encoding/binary"
	"math"
	"slices"
	"unicode/utf16"
)

// hb builds hessian2 bytes by hand, the way Java's Hessian2Output writes
// them, for tests.
type hb []byte

// raw appends p. Every method appends through raw, which copies b first,
// so that one prefix can start many values.
func (b hb) raw(p ...byte) hb { return append(slices.Clip(b), p...) }

func (b hb) null() hb { return b.raw('N') }

func (b hb) boolean(v bool) hb {
	if v {
		return b.raw('T')
	}
	return b.raw('F')
}

// int32 writes an int in its most compact form.
func (b hb) int32(v int32) hb {
	switch {
	case v >= -16 && v <= 47:
		return b.raw(byte(0x90 + v))
	case v >= -2048 && v <= 2047:
		return b.raw(byte(0xc8+(v>>8)), byte(v))
	case v >= -262144 && v <= 262143:
		return b.raw(byte(0xd4+(v>>16)), byte(v>>8), byte(v))
	}
	return binary.BigEndian.AppendUint32(b.raw('I'), uint32(v))
}

// int64 writes a long in its most compact form.
func (b hb) int64(v int64) hb {
	switch {
	case v >= -8 && v <= 15:
		return b.raw(byte(0xe0 + v))
	case v >= -2048 && v <= 2047:
		return b.raw(byte(0xf8+(v>>8)), byte(v))
	case v >= -262144 && v <= 262143:
		return b.raw(byte(0x3c+(v>>16)), byte(v>>8), byte(v))
	case v == int64(int32(v)):
		return binary.BigEndian.AppendUint32(b.raw(0x59), uint32(v))
	}
	return binary.BigEndian.AppendUint64(b.raw('L'), uint64(v))
}

func (b hb) double(v float64) hb {
	return binary.BigEndian.AppendUint64(b.raw('D'), math.Float64bits(v))
}

// units writes UTF-16 code units in hessian's UTF-8 form (a surrogate as
// its own 3-byte sequence).
func (b hb) units(u []uint16) hb {
	for _, c := range u {
		switch {
		case c < 0x80:
			b = b.raw(byte(c))
		case c < 0x800:
			b = b.raw(byte(0xc0|c>>6), byte(0x80|c&0x3f))
		default:
			b = b.raw(byte(0xe0|c>>12), byte(0x80|c>>6&0x3f), byte(0x80|c&0x3f))
		}
	}
	return b
}

// str writes a string in chunks of at most chunk units (Java: 0x8000),
// the last one in its shortest form.
func (b hb) strChunked(s string, chunk int) hb {
	u := utf16.Encode([]rune(s))
	for len(u) > chunk {
		b = b.raw('R', byte(chunk>>8), byte(chunk))
		b = b.units(u[:chunk])
		u = u[chunk:]
	}
	return b.unitsFinal(u)
}

func (b hb) unitsFinal(u []uint16) hb {
	switch n := len(u); {
	case n <= 31:
		b = b.raw(byte(n))
	case n <= 1023:
		b = b.raw(byte(0x30+n>>8), byte(n))
	default:
		b = b.raw('S', byte(n>>8), byte(n))
	}
	return b.units(u)
}

func (b hb) str(s string) hb { return b.strChunked(s, 0x8000) }

// classDef writes 'C', the name, the field count and the field names.
func (b hb) classDef(name string, fields ...string) hb {
	b = b.raw('C').str(name).int32(int32(len(fields)))
	for _, f := range fields {
		b = b.str(f)
	}
	return b
}

// object starts an instance of class index i.
func (b hb) object(i int) hb {
	if i <= 15 {
		return b.raw(byte(0x60 + i))
	}
	return b.raw('O').int32(int32(i))
}

func (b hb) ref(i int) hb { return b.raw('Q').int32(int32(i)) }

func (b hb) date(ms int64) hb {
	return binary.BigEndian.AppendUint64(b.raw(0x4a), uint64(ms))
}

// listBegin writes a list header as Java's writeListBegin: fixed length
// (short form up to 7) or, with n < 0, variable length closed by 'Z'.
func (b hb) listBegin(n int, typ string) hb {
	switch {
	case n < 0 && typ == "":
		return b.raw(0x57)
	case n < 0:
		return b.raw(0x55).str(typ)
	case n <= 7 && typ == "":
		return b.raw(byte(0x78 + n))
	case n <= 7:
		return b.raw(byte(0x70 + n)).str(typ)
	case typ == "":
		return b.raw(0x58).int32(int32(n))
	}
	return b.raw('V').str(typ).int32(int32(n))
}

func (b hb) end() hb { return b.raw('Z') }
