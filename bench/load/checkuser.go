package load

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dubbomesh/dubbomesh/bench/demo"
)

// CheckUser classifies the answer to getUser(id) or echo(getUser(id)), id
// from 1 to UserIDs: Correct for a 200 whose Content-Type is
// application/json and whose body is one JSON object holding exactly the
// user's fields, each with its value, keys in any order and whitespace
// anywhere JSON allows it:
//
//   - id a JSON integer; name and the address's fields strings (escapes
//     decoded);
//   - role its constant's name;
//   - address and each of previous an object of street, city and zip;
//   - tags an array of the strings, lucky of the integers, in order;
//   - scores an object of exactly its names, each with its integer;
//   - created the string of the date in RFC 3339, UTC, with milliseconds
//     ("2023-11-15T22:13:20.123Z");
//   - balance a JSON number with the decimal's exact digits ("1.37").
//
// Any other 200 is Wrong; any other status Failed. contentType is the
// response's Content-Type header (nil when absent). CheckUser allocates
// nothing (after the first call has built the users) and is safe for
// concurrent use.
func CheckUser(status int, contentType, body []byte, id int64) Outcome {
	if status != 200 {
		return Failed
	}
	if id < 1 || id > UserIDs || !isJSON(contentType) {
		return Wrong
	}
	s := scanner{b: body}
	if !s.user(&userTable()[id-1]) || !s.end() {
		return Wrong
	}
	return Correct
}

// isJSON reports whether a Content-Type value is application/json, with
// or without parameters.
func isJSON(ct []byte) bool {
	for i, c := range ct {
		if c == ';' {
			ct = ct[:i]
			break
		}
	}
	for len(ct) > 0 && (ct[len(ct)-1] == ' ' || ct[len(ct)-1] == '\t') {
		ct = ct[:len(ct)-1]
	}
	return equalFold(ct, "application/json")
}

// scanner checks JSON text against expected values as it reads it, without
// building anything. Each method reports whether the value at the front
// matched and consumes it; after a false the scanner's position is
// meaningless.
type scanner struct {
	b []byte
	i int
}

// space skips JSON whitespace.
func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// byte consumes c, after whitespace.
func (s *scanner) byte(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// str consumes a string equal to want once its escapes are decoded.
func (s *scanner) str(want string) bool {
	if !s.byte('"') {
		return false
	}
	w := 0
	for {
		if s.i >= len(s.b) {
			return false
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return w == len(want)
		case c < 0x20:
			return false
		case c != '\\':
			if w >= len(want) || want[w] != c {
				return false
			}
			s.i++
			w++
			continue
		}
		r, ok := s.escape()
		if !ok {
			return false
		}
		var enc [utf8.UTFMax]byte
		n := utf8.EncodeRune(enc[:], r)
		if len(want)-w < n || want[w:w+n] != string(enc[:n]) {
			return false
		}
		w += n
	}
}

// escape decodes the escape at the front of the string being read,
// joining a \u surrogate pair into one character.
func (s *scanner) escape() (rune, bool) {
	if s.i+1 >= len(s.b) {
		return 0, false
	}
	c := s.b[s.i+1]
	s.i += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
		r, ok := s.hex4()
		if !ok {
			return 0, false
		}
		if utf16.IsSurrogate(r) && s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
			save := s.i
			s.i += 2
			if r2, ok := s.hex4(); ok {
				if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
					return p, true
				}
			}
			s.i = save
		}
		if utf16.IsSurrogate(r) {
			return utf8.RuneError, true
		}
		return r, true
	}
	return 0, false
}

func (s *scanner) hex4() (rune, bool) {
	if len(s.b)-s.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	s.i += 4
	return r, true
}

// number consumes a JSON number and returns its text.
func (s *scanner) number() ([]byte, bool) {
	s.space()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	first := s.i
	if n := digits(); n == 0 || (n > 1 && s.b[first] == '0') {
		return nil, false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.i], true
}

// exact consumes a JSON number whose text is want.
func (s *scanner) exact(want string) bool {
	tok, ok := s.number()
	return ok && string(tok) == want
}

// integer consumes a JSON number that is the integer want, written as an
// integer (no fraction or exponent).
func (s *scanner) integer(want int64) bool {
	tok, ok := s.number()
	if !ok {
		return false
	}
	neg := tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	var v uint64
	for _, c := range tok {
		if c < '0' || c > '9' || v > (1<<63)/10 {
			return false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		return v <= 1<<63 && -int64(v) == want // -int64(1<<63) wraps to itself
	}
	return v < 1<<63 && int64(v) == want
}

// object reads an object whose keys are exactly names, each once, in any
// order: field(i) checks the value of names[i].
func (s *scanner) object(names []string, field func(i int) bool) bool {
	if !s.byte('{') {
		return false
	}
	var seen uint32
	if s.byte('}') {
		return len(names) == 0
	}
	for k := -1; ; {
		k = s.key(names, k+1)
		if k < 0 || seen&(1<<k) != 0 || !s.byte(':') || !field(k) {
			return false
		}
		seen |= 1 << k
		if s.byte('}') {
			return seen == 1<<len(names)-1
		}
		if !s.byte(',') {
			return false
		}
	}
}

// key consumes an object key and returns its index in names, or -1. It
// tries names from index first on, wrapping around, so that keys in the
// expected order match at the first try.
func (s *scanner) key(names []string, first int) int {
	s.space()
	for j := range names {
		i := (first + j) % len(names)
		save := s.i
		if s.str(names[i]) {
			return i
		}
		s.i = save
	}
	return -1
}

// array reads an array of n elements, elem(i) checking the i-th.
func (s *scanner) array(n int, elem func(i int) bool) bool {
	if !s.byte('[') {
		return false
	}
	if s.byte(']') {
		return n == 0
	}
	for i := 0; ; i++ {
		if i >= n || !elem(i) {
			return false
		}
		if s.byte(']') {
			return i == n-1
		}
		if !s.byte(',') {
			return false
		}
	}
}

var (
	userFields    = []string{"id", "name", "role", "address", "tags", "scores", "created", "balance", "lucky", "previous"}
	addressFields = []string{"street", "city", "zip"}
)

// user reads the object of e's user.
func (s *scanner) user(e *userEntry) bool {
	u := &e.user
	return s.object(userFields, func(i int) bool {
		switch i {
		case 0:
			return s.integer(u.ID)
		case 1:
			return s.str(u.Name)
		case 2:
			return s.str(u.Role.String())
		case 3:
			return s.address(&u.Address)
		case 4:
			return s.array(len(u.Tags), func(j int) bool { return s.str(u.Tags[j]) })
		case 5:
			return s.object(e.scoreNames, func(j int) bool { return s.integer(int64(u.Scores[j].Value)) })
		case 6:
			return s.str(e.created)
		case 7:
			return s.exact(u.Balance)
		case 8:
			return s.array(len(u.Lucky), func(j int) bool { return s.integer(int64(u.Lucky[j])) })
		default:
			return s.array(len(u.Previous), func(j int) bool { return s.address(&u.Previous[j]) })
		}
	})
}

func (s *scanner) address(a *demo.Address) bool {
	return s.object(addressFields, func(i int) bool {
		switch i {
		case 0:
			return s.str(a.Street)
		case 1:
			return s.str(a.City)
		default:
			return s.str(a.Zip)
		}
	})
}
