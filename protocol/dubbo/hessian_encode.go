package dubbo

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// Hessian 2 value encoding, byte for byte as github.com/apache/dubbo-go-hessian2
// v1.13.1 writes the same Go values. Every value has a pair of helpers:
// encXxxSize returns the exact encoded size and encPutXxx writes the value
// at the front of b (which must be large enough) and returns the bytes
// written. Neither allocates.

// Hessian 2 tags written by the encoder.
const (
	encTagNull      = 'N'
	encTagTrue      = 'T'
	encTagFalse     = 'F'
	encTagMap       = 'H' // untyped map, ended by encTagEnd
	encTagEnd       = 'Z'
	encTagClassDef  = 'C'
	encTagObject    = 0x60 // object instance of class definition 0
	encTagTypedList = 'V'  // fixed-length typed list: type, length, values

	encTagStringChunk = 'R'
	encTagString      = 'S'
	encTagStringShort = 0x30

	encTagInt          = 'I'
	encTagIntZero      = 0x90
	encTagIntByteZero  = 0xc8
	encTagIntShortZero = 0xd4

	encTagLong          = 'L'
	encTagLongZero      = 0xe0
	encTagLongByteZero  = 0xf8
	encTagLongShortZero = 0x3c
	encTagLongInt       = 0x59

	encTagDouble      = 'D'
	encTagDoubleZero  = 0x5b
	encTagDoubleOne   = 0x5c
	encTagDoubleByte  = 0x5d
	encTagDoubleShort = 0x5e
)

// encChunkUnits is the number of UTF-16 code units at which dubbo-go-hessian2
// closes a string chunk ('R') when more of the string follows. It keeps
// whole characters together, so a chunk ending in a surrogate pair holds
// encChunkUnits+1 units. (Java's Hessian2Output uses 32768-unit chunks; every
// decoder accepts both.)
const encChunkUnits = 4096

// encReplacement is U+FFFD, written for each byte of invalid UTF-8 (as the
// library does). Requests never contain any: CheckArgs refuses them.
const encReplacement = "\uFFFD"

// encASCIIPrefix returns the length of the ASCII prefix of s.
func encASCIIPrefix(s []byte) int {
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

// encStringChunk scans the next string chunk at the front of s, as the
// library cuts them: whole characters until the chunk holds at least
// encChunkUnits UTF-16 code units or s ends. It returns the bytes of s
// consumed, the code units and the encoded size of the chunk's data.
func encStringChunk(s []byte) (consumed, units, size int) {
	for consumed < len(s) && units < encChunkUnits {
		if s[consumed] < utf8.RuneSelf {
			k := encASCIIPrefix(s[consumed:min(len(s), consumed+encChunkUnits-units)])
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
			size += len(encReplacement)
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

// encStringHeaderSize is the size of the final chunk's header for units.
func encStringHeaderSize(units int) int {
	switch {
	case units <= 0x1f:
		return 1
	case units <= 0x3ff:
		return 2
	}
	return 3
}

// encStringSize returns the encoded size of the string s (UTF-8).
func encStringSize(s []byte) int {
	if len(s) == 0 {
		return 1
	}
	total := 0
	for len(s) > 0 {
		consumed, units, size := encStringChunk(s)
		s = s[consumed:]
		if len(s) > 0 {
			total += 3 + size
		} else {
			total += encStringHeaderSize(units) + size
		}
	}
	return total
}

// encPutString writes the string s (UTF-8) as a hessian string: lengths in
// UTF-16 code units, characters outside the BMP as two 3-byte surrogate
// sequences, chunked like the library.
func encPutString(b []byte, s []byte) int {
	if len(s) == 0 {
		b[0] = 0
		return 1
	}
	off := 0
	for len(s) > 0 {
		consumed, units, _ := encStringChunk(s)
		chunk := s[:consumed]
		s = s[consumed:]
		switch {
		case len(s) > 0:
			b[off] = encTagStringChunk
			binary.BigEndian.PutUint16(b[off+1:], uint16(units))
			off += 3
		case units <= 0x1f:
			b[off] = byte(units)
			off++
		case units <= 0x3ff:
			b[off] = byte(encTagStringShort + units>>8)
			b[off+1] = byte(units)
			off += 2
		default:
			b[off] = encTagString
			binary.BigEndian.PutUint16(b[off+1:], uint16(units))
			off += 3
		}
		off += encPutStringData(b[off:], chunk)
	}
	return off
}

// encPutStringData writes the data of one chunk.
func encPutStringData(b []byte, s []byte) int {
	off := 0
	for i := 0; i < len(s); {
		k := encASCIIPrefix(s[i:])
		off += copy(b[off:], s[i:i+k])
		i += k
		if i == len(s) {
			break
		}
		r, n := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			off += copy(b[off:], encReplacement)
		case n == 4:
			r -= 0x10000
			off += encPutUCS2(b[off:], 0xd800+r>>10)
			off += encPutUCS2(b[off:], 0xdc00+r&0x3ff)
		default:
			off += copy(b[off:], s[i:i+n])
		}
		i += n
	}
	return off
}

// encPutUCS2 writes a surrogate code unit as a 3-byte sequence.
func encPutUCS2(b []byte, u rune) int {
	b[0] = byte(0xe0 | u>>12)
	b[1] = byte(0x80 | (u>>6)&0x3f)
	b[2] = byte(0x80 | u&0x3f)
	return 3
}

// encIntSize returns the encoded size of a Java int.
func encIntSize(v int32) int {
	switch {
	case -0x10 <= v && v <= 0x2f:
		return 1
	case -0x800 <= v && v <= 0x7ff:
		return 2
	case -0x40000 <= v && v <= 0x3ffff:
		return 3
	}
	return 5
}

// encPutInt writes a Java int in its most compact form.
func encPutInt(b []byte, v int32) int {
	switch {
	case -0x10 <= v && v <= 0x2f:
		b[0] = byte(encTagIntZero + v)
		return 1
	case -0x800 <= v && v <= 0x7ff:
		b[0] = byte(encTagIntByteZero + v>>8)
		b[1] = byte(v)
		return 2
	case -0x40000 <= v && v <= 0x3ffff:
		b[0] = byte(encTagIntShortZero + v>>16)
		b[1] = byte(v >> 8)
		b[2] = byte(v)
		return 3
	}
	b[0] = encTagInt
	binary.BigEndian.PutUint32(b[1:], uint32(v))
	return 5
}

// encLongSize returns the encoded size of a Java long.
func encLongSize(v int64) int {
	switch {
	case -0x08 <= v && v <= 0x0f:
		return 1
	case -0x800 <= v && v <= 0x7ff:
		return 2
	case -0x40000 <= v && v <= 0x3ffff:
		return 3
	case math.MinInt32 <= v && v <= math.MaxInt32:
		return 5
	}
	return 9
}

// encPutLong writes a Java long in its most compact form.
func encPutLong(b []byte, v int64) int {
	switch {
	case -0x08 <= v && v <= 0x0f:
		b[0] = byte(encTagLongZero + v)
		return 1
	case -0x800 <= v && v <= 0x7ff:
		b[0] = byte(encTagLongByteZero + v>>8)
		b[1] = byte(v)
		return 2
	case -0x40000 <= v && v <= 0x3ffff:
		b[0] = byte(encTagLongShortZero + v>>16)
		b[1] = byte(v >> 8)
		b[2] = byte(v)
		return 3
	case math.MinInt32 <= v && v <= math.MaxInt32:
		b[0] = encTagLongInt
		binary.BigEndian.PutUint32(b[1:], uint32(v))
		return 5
	}
	b[0] = encTagLong
	binary.BigEndian.PutUint64(b[1:], uint64(v))
	return 9
}

// encDoubleShort reports whether v is written in a compact integral form
// (an integer in [-32768, 32767]; -0.0 counts as 0, as in the library) and
// returns that integer. NaN fails the comparisons.
func encDoubleShort(v float64) (int64, bool) {
	if v >= -0x8000 && v < 0x8000 && v == math.Trunc(v) {
		return int64(v), true
	}
	return 0, false
}

// encDoubleSize returns the encoded size of a Java double.
func encDoubleSize(v float64) int {
	iv, ok := encDoubleShort(v)
	switch {
	case !ok:
		return 9
	case iv == 0 || iv == 1:
		return 1
	case -0x80 <= iv && iv < 0x80:
		return 2
	}
	return 3
}

// encPutDouble writes a Java double in the library's form: 0.0 and 1.0 as
// one byte, other integral values in byte or short range compactly, anything
// else as 'D' and the IEEE 754 bits.
func encPutDouble(b []byte, v float64) int {
	iv, ok := encDoubleShort(v)
	switch {
	case !ok:
		b[0] = encTagDouble
		binary.BigEndian.PutUint64(b[1:], math.Float64bits(v))
		return 9
	case iv == 0:
		b[0] = encTagDoubleZero
		return 1
	case iv == 1:
		b[0] = encTagDoubleOne
		return 1
	case -0x80 <= iv && iv < 0x80:
		b[0] = encTagDoubleByte
		b[1] = byte(iv)
		return 2
	}
	b[0] = encTagDoubleShort
	binary.BigEndian.PutUint16(b[1:], uint16(iv))
	return 3
}

// encPutBool writes 'T' or 'F'.
func encPutBool(b []byte, v bool) int {
	if v {
		b[0] = encTagTrue
	} else {
		b[0] = encTagFalse
	}
	return 1
}

// encHessianConst returns the concatenated hessian encoding of strings and
// ints, for the fixed parts of frames built once at start-up.
func encHessianConst(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			n := len(b)
			b = append(b, make([]byte, encStringSize([]byte(v)))...)
			encPutString(b[n:], []byte(v))
		case int:
			n := len(b)
			b = append(b, make([]byte, encIntSize(int32(v)))...)
			encPutInt(b[n:], int32(v))
		case byte:
			b = append(b, v)
		default:
			panic("dubbo: encHessianConst: unsupported part")
		}
	}
	return b
}

// Fixed parts of hessian frames.
var (
	encHessianDubboVersion = encHessianConst("2.0.2")
	encHessianKeyPath      = encHessianConst("path")
	encHessianKeyInterface = encHessianConst("interface")
	encHessianKeyVersion   = encHessianConst("version")
	encHessianKeyTimeout   = encHessianConst("timeout")

	// encHessianResponseAttachments is the map a provider adds with
	// response flags 3-5: {"dubbo": "2.0.2"}.
	encHessianResponseAttachments = encHessianConst(byte(encTagMap), "dubbo", "2.0.2", byte(encTagEnd))

	// encHessianThrowableFields follows the class name of an exception's
	// class definition: the field count and names of java.lang.Throwable.
	encHessianThrowableFields = encHessianConst(4, "detailMessage", "cause", "stackTrace", "suppressedExceptions")

	// encHessianThrowableTail follows the detail message of an exception
	// instance: cause null, an empty StackTraceElement[], no suppressed
	// exceptions.
	encHessianThrowableTail = encHessianConst(byte(encTagNull), byte(encTagTypedList), "[java.lang.StackTraceElement", 0, byte(encTagNull))
)
