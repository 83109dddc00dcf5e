package javahash

import "unicode/utf8"

// String returns Java's String.hashCode of the string whose UTF-8 encoding
// is s: s[0]*31^(n-1) + ... + s[n-1] over its UTF-16 code units, with int32
// wraparound. A supplementary character counts as its two surrogates. Bytes
// that are not valid UTF-8 count as U+FFFD, as Java's decoder replaces them.
// It does not allocate and is safe for concurrent use.
func String(s []byte) int32 {
	var h int32
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			h = 31*h + int32(c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		i += n
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xd800+(r>>10))
			h = 31*h + int32(0xdc00+(r&0x3ff))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}
