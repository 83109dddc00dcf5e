package http1

import "bytes"

// maxParams bounds the parameter fields of one form: a Java method takes at
// most 255 arguments.
const maxParams = 255

// maxRetainedScratch bounds the decode buffer a Form keeps between calls, so
// one large body does not pin its size for the connection's lifetime.
const maxRetainedScratch = 64 << 10

// Form is a decoded call: the fields of an application/x-www-form-urlencoded
// body (POST) or query string (GET).
//
// Field values are percent-decoded with '+' meaning a space. A value that
// needs no decoding aliases the input and is valid as long as it is; a value
// that does is decoded into the Form's own buffer and is valid until the
// next Parse, ParseQuery or Reset. Copy what must outlive either. Appending
// to a value never overwrites another: every value's capacity ends at its
// length.
//
// The zero Form is ready to use. A Form is not safe for concurrent use;
// reuse one per connection so that its buffers are reused and decoding
// allocates nothing in steady state.
type Form struct {
	Interface      []byte   // "interface"
	Method         []byte   // "method"
	ParameterTypes []byte   // "parameterTypesString", a JVM descriptor list
	Version        []byte   // "version", optional service version
	Group          []byte   // "group", optional service group (the "group" attachment)
	Params         [][]byte // each "parameter", in order
	// Attachments are the JSON form's "attachments" (ParseJSON only).
	Attachments []Attachment

	seen    uint8  // which single-valued fields were set (first one wins)
	scratch []byte // decoded values; cap >= input length while parsing
}

const (
	seenInterface uint8 = 1 << iota
	seenMethod
	seenParameterTypes
	seenVersion
	seenGroup
	seenArgs        // JSON form only
	seenAttachments // JSON form only
)

// Parse resets f and decodes body: '&'-separated key=value pairs, keys and
// values percent-decoded with '+' as a space. The keys interface, method,
// parameterTypesString, version and group set their fields (the first
// occurrence wins); every parameter is appended to Params. Other keys are ignored,
// empty pairs skipped, and a key without '=' has an empty value.
//
// It returns ErrBadEncoding for a malformed escape anywhere in body ("%zz",
// a truncated "%4") and ErrTooManyParams past 255 parameters; fields decoded
// before the error stay set. Parse does not check that the required fields
// are present: see Check.
func (f *Form) Parse(body []byte) error {
	f.Reset()
	return f.parse(body)
}

// ParseQuery is Parse for a GET request's query string (Request.Query),
// which uses the same grammar.
func (f *Form) ParseQuery(q []byte) error {
	f.Reset()
	return f.parse(q)
}

// Reset clears f's fields, keeping its buffers for reuse unless they have
// grown large. Values from earlier calls become invalid.
func (f *Form) Reset() {
	clear(f.Params) // drop references into old bodies
	f.Params = f.Params[:0]
	f.Interface, f.Method, f.ParameterTypes, f.Version, f.Group = nil, nil, nil, nil, nil
	clear(f.Attachments)
	f.Attachments = f.Attachments[:0]
	f.seen = 0
	if cap(f.scratch) > maxRetainedScratch {
		f.scratch = nil
	}
	f.scratch = f.scratch[:0]
}

// Check reports a missing required field as an *Error with status 400:
// interface and method must be non-empty, and parameterTypesString may be
// empty only when there are no parameters.
func (f *Form) Check() error {
	switch {
	case len(f.Interface) == 0:
		return ErrMissingInterface
	case len(f.Method) == 0:
		return ErrMissingMethod
	case len(f.ParameterTypes) == 0 && len(f.Params) > 0:
		return ErrMissingParameterTypes
	}
	return nil
}

func (f *Form) parse(s []byte) error {
	in := len(s)
	for len(s) > 0 {
		pair := s
		if i := bytes.IndexByte(s, '&'); i >= 0 {
			pair, s = s[:i], s[i+1:]
		} else {
			s = nil
		}
		if len(pair) == 0 {
			continue
		}
		key, value := pair, pair[len(pair):]
		if i := bytes.IndexByte(pair, '='); i >= 0 {
			key, value = pair[:i], pair[i+1:]
		}

		// A decoded key is only compared, so it leaves the scratch
		// buffer straight away; so does the value of an ignored key,
		// decoded only to check its encoding.
		mark := len(f.scratch)
		key, err := f.unescape(key, in)
		if err != nil {
			return err
		}
		dst, isParam := f.target(key)
		f.scratch = f.scratch[:mark]
		if isParam && len(f.Params) == maxParams {
			return ErrTooManyParams
		}
		value, err = f.unescape(value, in)
		switch {
		case err != nil:
			return err
		case isParam:
			f.Params = append(f.Params, value)
		case dst != nil:
			*dst = value
		default:
			f.scratch = f.scratch[:mark]
		}
	}
	return nil
}

// target says where the value of a decoded key goes: a single-valued field
// (dst), Params (isParam), or nowhere (neither) for unknown keys and for
// single-valued fields already set.
func (f *Form) target(key []byte) (dst *[]byte, isParam bool) {
	var bit uint8
	switch string(key) {
	case "parameter":
		return nil, true
	case "interface":
		bit, dst = seenInterface, &f.Interface
	case "method":
		bit, dst = seenMethod, &f.Method
	case "parameterTypesString":
		bit, dst = seenParameterTypes, &f.ParameterTypes
	case "version":
		bit, dst = seenVersion, &f.Version
	case "group":
		bit, dst = seenGroup, &f.Group
	default:
		return nil, false
	}
	if f.seen&bit != 0 {
		return nil, false
	}
	f.seen |= bit
	return dst, false
}

// unescape returns v percent-decoded with '+' as a space. If v needs no
// decoding it returns v itself; otherwise the result is appended to
// f.scratch. in is the length of the whole input, an upper bound on all
// decoded bytes of one call, so scratch is sized once per call (while still
// empty) and never moves under earlier results.
func (f *Form) unescape(v []byte, in int) ([]byte, error) {
	if bytes.IndexByte(v, '%') < 0 && bytes.IndexByte(v, '+') < 0 {
		return v[:len(v):len(v)], nil
	}
	if cap(f.scratch) < in {
		f.scratch = make([]byte, 0, in)
	}
	buf := f.scratch
	start := len(buf)
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '+':
			buf = append(buf, ' ')
		case '%':
			if i+2 >= len(v) {
				return nil, ErrBadEncoding
			}
			hi, ok1 := unhex(v[i+1])
			lo, ok2 := unhex(v[i+2])
			if !ok1 || !ok2 {
				return nil, ErrBadEncoding
			}
			buf = append(buf, hi<<4|lo)
			i += 2
		default:
			buf = append(buf, c)
		}
	}
	f.scratch = buf
	return buf[start:len(buf):len(buf)], nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
