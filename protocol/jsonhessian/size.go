package jsonhessian

import "math"

// Encoded sizes. Each XxxSize returns the exact number of bytes AppendXxx
// appends for the same value, so that a caller can size a frame first and
// then write it in place (protocol/dubbo writes into buffers sized this way,
// as dst[:0] of the exact room). None allocates.

// StringSize returns the size AppendString appends for s.
func StringSize(s []byte) int {
	if len(s) == 0 {
		return 1
	}
	total := 0
	for len(s) > 0 {
		consumed, units, size := stringChunk(s)
		s = s[consumed:]
		if len(s) > 0 {
			total += 3 + size
		} else {
			total += stringHeaderSize(units) + size
		}
	}
	return total
}

// stringHeaderSize is the size of the last chunk's header for units.
func stringHeaderSize(units int) int {
	switch {
	case units <= 0x1f:
		return 1
	case units <= 0x3ff:
		return 2
	}
	return 3
}

// IntSize returns the size AppendInt appends for v.
func IntSize(v int32) int {
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

// LongSize returns the size AppendLong appends for v.
func LongSize(v int64) int {
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

// DoubleSize returns the size AppendDouble appends for v.
func DoubleSize(v float64) int {
	if v >= -0x8000 && v < 0x8000 && v == math.Trunc(v) {
		switch iv := int64(v); {
		case iv == 0 || iv == 1:
			return 1
		case -0x80 <= iv && iv < 0x80:
			return 2
		}
		return 3
	}
	return 9
}
