package load

import "slices"

// MaxParamLen bounds a generated parameter: the race's consumer drew lengths
// from r.nextInt(1024), so 0 to 1023 characters.
const MaxParamLen = 1023

// alphanumerics are the characters of RandomStringUtils.random(n, true, true).
const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Params generates the race's parameters: random alphanumeric strings of a
// uniformly random length from 0 to MaxParamLen, from a xorshift64* stream.
// The same seed gives the same strings. A Params is not safe for concurrent
// use; give each connection its own.
type Params struct {
	state uint64
}

// NewParams returns a generator seeded with seed (0 is replaced by a fixed
// non-zero constant, since xorshift has no zero state).
func NewParams(seed uint64) *Params {
	if seed == 0 {
		seed = 0x9e3779b97f4a7c15
	}
	return &Params{state: seed}
}

func (p *Params) next() uint64 {
	x := p.state
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	p.state = x
	return x * 0x2545f4914f6cdd1d
}

// Append appends one parameter to dst and returns the extended slice. It
// allocates only when dst has less than MaxParamLen bytes of spare capacity.
func (p *Params) Append(dst []byte) []byte {
	n := int(p.next() % (MaxParamLen + 1))
	at := len(dst)
	dst = slices.Grow(dst, n)[:at+n]
	s := dst[at:]
	for i := 0; i < n; {
		// One 64-bit draw yields ten 6-bit picks; reject 62 and 63 so
		// every character is equally likely.
		r := p.next()
		for k := 0; k < 10 && i < n; k++ {
			if c := r & 63; c < uint64(len(alphanumerics)) {
				s[i] = alphanumerics[c]
				i++
			}
			r >>= 6
		}
	}
	return dst
}
