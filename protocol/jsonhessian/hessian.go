package jsonhessian

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// Hessian 2 value writers. Each appends one value to dst and returns the
// extended slice; none allocates beyond growing dst. Strings, ints, longs and
// doubles come out byte for byte as github.com/apache/dubbo-go-hessian2
// v1.13.1 writes the same Go values; protocol/dubbo writes its frames with
// them, sized by the XxxSize functions (size.go).

// Hessian 2 tags.
const (
	tagNull  = 'N'
	tagTrue  = 'T'
	tagFalse = 'F'

	tagMap      = 'H' // untyped map: (key value)* 'Z'
	tagTypedMap = 'M' // typed map: type (key value)* 'Z'
	tagEnd      = 'Z'

	tagClassDef     = 'C'  // class name, field count, field names
	tagObject       = 'O'  // object of class definition int
	tagObjectDirect = 0x60 // object of class definition 0..15

	tagListTyped         = 'V'  // typed list: type, int length, values
	tagListTypedDirect   = 0x70 // typed list of 0..7 values: type, values
	tagListUntyped       = 0x58 // untyped list: int length, values
	tagListUntypedDirect = 0x78 // untyped list of 0..7 values

	tagStringChunk  = 'R'
	tagString       = 'S'
	tagStringMedium = 0x30

	tagBinaryChunk  = 'A'
	tagBinary       = 'B'
	tagBinaryDirect = 0x20
	tagBinaryMedium = 0x34

	tagDate = 0x4a // milliseconds since the epoch, int64

	tagInt          = 'I'
	tagIntZero      = 0x90
	tagIntByteZero  = 0xc8
	tagIntShortZero = 0xd4

	tagLong          = 'L'
	tagLongZero      = 0xe0
	tagLongByteZero  = 0xf8
	tagLongShortZero = 0x3c
	tagLongInt       = 0x59

	tagDouble      = 'D'
	tagDoubleZero  = 0x5b
	tagDoubleOne   = 0x5c
	tagDoubleByte  = 0x5d
	tagDoubleShort = 0x5e
)

// stringChunkUnits is the number of UTF-16 code units at which
// dubbo-go-hessian2 closes a string chunk when more of the string follows. It
// keeps whole characters together, so a chunk ending in a surrogate pair holds
// stringChunkUnits+1 units.
const stringChunkUnits = 4096

// binaryChunk is the size of the chunks a long binary is cut into, as Java's
// Hessian2Output cuts them.
const binaryChunk = 0x8000

// replacement is U+FFFD, written for each byte of invalid UTF-8.
const replacement = "\uFFFD"

// AppendNull appends null.
func AppendNull(dst []byte) []byte { return append(dst, tagNull) }

// AppendBool appends a boolean.
func AppendBool(dst []byte, v bool) []byte {
	if v {
		return append(dst, tagTrue)
	}
	return append(dst, tagFalse)
}

// AppendInt appends a Java int in its most compact form.
func AppendInt(dst []byte, v int32) []byte {
	switch {
	case -0x10 <= v && v <= 0x2f:
		return append(dst, byte(tagIntZero+v))
	case -0x800 <= v && v <= 0x7ff:
		return append(dst, byte(tagIntByteZero+v>>8), byte(v))
	case -0x40000 <= v && v <= 0x3ffff:
		return append(dst, byte(tagIntShortZero+v>>16), byte(v>>8), byte(v))
	}
	return binary.BigEndian.AppendUint32(append(dst, tagInt), uint32(v))
}

// AppendLong appends a Java long in its most compact form.
func AppendLong(dst []byte, v int64) []byte {
	switch {
	case -0x08 <= v && v <= 0x0f:
		return append(dst, byte(tagLongZero+v))
	case -0x800 <= v && v <= 0x7ff:
		return append(dst, byte(tagLongByteZero+v>>8), byte(v))
	case -0x40000 <= v && v <= 0x3ffff:
		return append(dst, byte(tagLongShortZero+v>>16), byte(v>>8), byte(v))
	case math.MinInt32 <= v && v <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(dst, tagLongInt), uint32(v))
	}
	return binary.BigEndian.AppendUint64(append(dst, tagLong), uint64(v))
}

// AppendDouble appends a Java double in the library's form: 0.0 and 1.0 as
// one byte, other integral values in byte or short range compactly (-0.0
// counts as 0, as in the library and in Java's Hessian), anything else as
// 'D' and the IEEE 754 bits.
func AppendDouble(dst []byte, v float64) []byte {
	if v >= -0x8000 && v < 0x8000 && v == math.Trunc(v) {
		switch iv := int64(v); {
		case iv == 0:
			return append(dst, tagDoubleZero)
		case iv == 1:
			return append(dst, tagDoubleOne)
		case -0x80 <= iv && iv < 0x80:
			return append(dst, tagDoubleByte, byte(iv))
		default:
			return append(dst, tagDoubleShort, byte(iv>>8), byte(iv))
		}
	}
	return binary.BigEndian.AppendUint64(append(dst, tagDouble), math.Float64bits(v))
}

// AppendDate appends a java.util.Date of ms milliseconds since the epoch.
func AppendDate(dst []byte, ms int64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, tagDate), uint64(ms))
}

// AppendBinary appends b as hessian binary (a Java byte[]).
func AppendBinary(dst []byte, b []byte) []byte {
	for len(b) > binaryChunk {
		dst = append(dst, tagBinaryChunk, binaryChunk>>8, binaryChunk&0xff)
		dst = append(dst, b[:binaryChunk]...)
		b = b[binaryChunk:]
	}
	switch n := len(b); {
	case n <= 0xf:
		dst = append(dst, byte(tagBinaryDirect+n))
	case n <= 0x3ff:
		dst = append(dst, byte(tagBinaryMedium+n>>8), byte(n))
	default:
		dst = append(dst, tagBinary, byte(n>>8), byte(n))
	}
	return append(dst, b...)
}

// AppendString appends the UTF-8 string s as a hessian string: lengths in
// UTF-16 code units, characters outside the BMP as surrogate pairs of 3-byte
// sequences, chunks of 4096 units, U+FFFD for each byte of invalid UTF-8.
func AppendString(dst []byte, s []byte) []byte {
	if len(s) == 0 {
		return append(dst, 0)
	}
	for len(s) > 0 {
		consumed, units, size := stringChunk(s)
		chunk := s[:consumed]
		s = s[consumed:]
		dst = appendStringHeader(dst, units, len(s) > 0)
		if size == consumed { // no character changes its size: copy
			dst = append(dst, chunk...)
		} else {
			dst = appendStringData(dst, chunk)
		}
	}
	return dst
}

// appendASCII appends the ASCII string s (every byte below 0x80), as
// AppendString would, without looking at its bytes.
func appendASCII(dst []byte, s []byte) []byte {
	if len(s) == 0 {
		return append(dst, 0)
	}
	for len(s) > stringChunkUnits {
		dst = appendStringHeader(dst, stringChunkUnits, true)
		dst = append(dst, s[:stringChunkUnits]...)
		s = s[stringChunkUnits:]
	}
	dst = appendStringHeader(dst, len(s), false)
	return append(dst, s...)
}

// appendStringHeader appends the header of a chunk of units code units; more
// says whether another chunk follows.
func appendStringHeader(dst []byte, units int, more bool) []byte {
	switch {
	case more:
		return append(dst, tagStringChunk, byte(units>>8), byte(units))
	case units <= 0x1f:
		return append(dst, byte(units))
	case units <= 0x3ff:
		return append(dst, byte(tagStringMedium+units>>8), byte(units))
	}
	return append(dst, tagString, byte(units>>8), byte(units))
}

// asciiPrefix returns the length of the ASCII prefix of s.
func asciiPrefix(s []byte) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64(s[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf; i++ {
	}
	return i
}

// stringChunk scans the next string chunk at the front of s, as the library
// cuts them: whole characters until the chunk holds at least
// stringChunkUnits UTF-16 code units or s ends. It returns the bytes of s
// consumed, the code units and the encoded size of the chunk's data.
func stringChunk(s []byte) (consumed, units, size int) {
	for consumed < len(s) && units < stringChunkUnits {
		if s[consumed] < utf8.RuneSelf {
			k := asciiPrefix(s[consumed:min(len(s), consumed+stringChunkUnits-units)])
			consumed += k
			units += k
			size += k
			continue
		}
		r, n := utf8.DecodeRune(s[consumed:])
		consumed += n
		switch {
		case r == utf8.RuneError && n == 1:
			units++
			size += len(replacement)
		case n == 4: // a surrogate pair, two 3-byte sequences
			units += 2
			size += 6
		default:
			units++
			size += n
		}
	}
	return consumed, units, size
}

// appendStringData appends the data of one chunk.
func appendStringData(dst []byte, s []byte) []byte {
	for i := 0; i < len(s); {
		k := asciiPrefix(s[i:])
		dst = append(dst, s[i:i+k]...)
		i += k
		if i == len(s) {
			break
		}
		r, n := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, replacement...)
		case n == 4:
			r -= 0x10000
			dst = appendUnit(dst, 0xd800+r>>10)
			dst = appendUnit(dst, 0xdc00+r&0x3ff)
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// appendUnit appends a UTF-16 code unit as a 1- to 3-byte sequence, as Java
// writes a char (a surrogate becomes a 3-byte sequence of its own).
func appendUnit(dst []byte, u rune) []byte {
	switch {
	case u < 0x80:
		return append(dst, byte(u))
	case u < 0x800:
		return append(dst, byte(0xc0|u>>6), byte(0x80|u&0x3f))
	}
	return append(dst, byte(0xe0|u>>12), byte(0x80|(u>>6)&0x3f), byte(0x80|u&0x3f))
}
