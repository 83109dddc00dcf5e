package dubbo

import (
	"fmt"
	"strconv"
)

// ParseRequest decodes the body of the request frame h into r, in the
// serialization h names: r.ID and r.Serialization come from h; Interface
// (the path), Version, Method and ParameterTypes from the body; Args holds
// one textual value per parameter type (a String's UTF-8, an int or long in
// decimal, a boolean as true/false, a double as Java's Double.toString
// renders it); Timeout is the "timeout" attachment, 0 when absent;
// Attachments holds the other attachments whose key and value are strings,
// but for path, interface and version, in the order sent.
//
// Version is the service version as sent: "0.0.0" in hessian2 requests that
// name none, empty for fastjson's null. Heartbeats (h.IsEvent()) are not
// calls and are refused: answer them before calling ParseRequest.
//
// The slices alias body, or r's own scratch buffer for values that had to be
// converted; they are valid until body is reused or the next ParseRequest on
// r. r.Args and r.Attachments keep their capacity across calls, so a
// Request reused per goroutine makes ParseRequest allocation-free in steady state. r is not
// safe for concurrent use. Every failure wraps ErrMalformed; an unsupported
// parameter type also wraps ErrUnsupportedType. More than 255 arguments are
// refused.
func ParseRequest(h Header, body []byte, r *Request) error {
	if h.IsEvent() {
		return fmt.Errorf("%w: a heartbeat is not a call", ErrMalformed)
	}
	r.ID = h.ID
	r.Serialization = h.Serialization()
	r.Interface, r.Version, r.Method, r.ParameterTypes = nil, nil, nil, nil
	r.Args = r.Args[:0]
	r.Attachments = r.Attachments[:0]
	r.Timeout = 0
	var err error
	switch r.Serialization {
	case Hessian2:
		r.decScratch, err = decHessianRequest(body, r, r.decScratch[:0])
	case FastJSON:
		r.decScratch, err = decJSONRequest(body, r, r.decScratch[:0])
	default:
		err = fmt.Errorf("%w: unknown serialization %d", ErrMalformed, r.Serialization)
	}
	return err
}

// decArgError describes a bad argument.
func decArgError(i int, want string) error {
	return fmt.Errorf("%w: argument %d is not a %s", ErrMalformed, i+1, want)
}

// decNextParam reads the next parameter type off desc, counting it against
// the JVM's limit of 255 parameters.
func decNextParam(desc []byte, i int) (encType, int, error) {
	if i >= encMaxParams {
		return 0, 0, fmt.Errorf("%w: more than %d arguments", ErrMalformed, encMaxParams)
	}
	t, n, err := encNextType(desc)
	if err == nil && t == encTOther {
		err = fmt.Errorf("%w %s", ErrUnsupportedType, encQuote(desc[:n]))
	}
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return t, n, nil
}

// decTimeout parses a timeout attachment: a non-negative decimal.
func decTimeout(b []byte) (int, error) {
	v, ok := decParseDecimal(b)
	if !ok || v < 0 || v > 1<<31-1 {
		return 0, fmt.Errorf("%w: timeout attachment %q", ErrMalformed, b)
	}
	return int(v), nil
}

func decHessianRequest(body []byte, r *Request, scratch []byte) ([]byte, error) {
	d := decHessian{b: body}
	var (
		fields [5][]byte
		err    error
	)
	for i := range fields {
		var v decValue
		if v, scratch, err = d.value(scratch); err != nil {
			return scratch, err
		}
		switch {
		case v.kind == decKString:
			fields[i] = v.s
		case v.kind == decKNull && (i == 0 || i == 2): // dubbo version, service version
		default:
			return scratch, fmt.Errorf("%w: request field %d is not a string", ErrMalformed, i+1)
		}
	}
	r.Interface, r.Version, r.Method, r.ParameterTypes = fields[1], fields[2], fields[3], fields[4]
	desc := r.ParameterTypes
	for i := 0; len(desc) > 0; i++ {
		t, n, err := decNextParam(desc, i)
		if err != nil {
			return scratch, err
		}
		desc = desc[n:]
		var v decValue
		if v, scratch, err = d.value(scratch); err != nil {
			return scratch, err
		}
		if scratch, err = decAppendArg(r, scratch, i, t, v); err != nil {
			return scratch, err
		}
	}
	if d.pos == len(d.b) {
		return scratch, nil // no attachments
	}
	return d.attachments(r, scratch)
}

// decAppendArg appends argument i, of parameter type t and decoded as v, to
// r.Args as text: a String as it is (aliasing the body or scratch), any
// other type rendered into scratch, which it returns grown.
func decAppendArg(r *Request, scratch []byte, i int, t encType, v decValue) ([]byte, error) {
	mark := len(scratch)
	switch {
	case t == encTString && v.kind == decKString:
		r.Args = append(r.Args, v.s)
		return scratch, nil
	case t == encTInt && (v.kind == decKInt || v.kind == decKLong) && v.i == int64(int32(v.i)),
		t == encTLong && (v.kind == decKInt || v.kind == decKLong):
		scratch = strconv.AppendInt(scratch, v.i, 10)
	case t == encTBool && v.kind == decKBool:
		scratch = strconv.AppendBool(scratch, v.i != 0)
	case t == encTDouble && v.kind == decKDouble:
		scratch = decAppendJavaDouble(scratch, v.f)
	case t == encTDouble && (v.kind == decKInt || v.kind == decKLong):
		scratch = decAppendJavaDouble(scratch, float64(v.i))
	default:
		return scratch, decArgError(i, decTypeName(t))
	}
	r.Args = append(r.Args, scratch[mark:len(scratch):len(scratch)])
	return scratch, nil
}

// decTypeName names a parameter type for error messages.
func decTypeName(t encType) string {
	switch t {
	case encTString:
		return "String"
	case encTInt:
		return "int"
	case encTLong:
		return "long"
	case encTBool:
		return "boolean"
	}
	return "double"
}

// attachments reads the attachments map ('H', or 'M' with a type; null is
// accepted as empty): it takes the timeout from it, and appends the entries
// with string keys and values to r.Attachments, but for path, interface and
// version. Other entries, whatever their types, are skipped.
func (d *decHessian) attachments(r *Request, scratch []byte) ([]byte, error) {
	switch d.b[d.pos] {
	case 'N':
		d.pos++
		return scratch, nil
	case 'H':
		d.pos++
	case 'M':
		d.pos++
		if err := d.skipType(); err != nil {
			return scratch, err
		}
	default:
		return scratch, d.errTag("the attachments map")
	}
	for {
		if d.pos >= len(d.b) {
			return scratch, decErrTruncated
		}
		if d.b[d.pos] == 'Z' {
			d.pos++
			return scratch, nil
		}
		var key []byte
		if decIsStringTag(d.b[d.pos]) {
			var err error
			if key, scratch, err = d.str(scratch); err != nil {
				return scratch, err
			}
		} else if err := d.skip(1); err != nil {
			return scratch, err
		}
		if string(key) != "timeout" {
			if len(key) == 0 || encReservedKey(key) || d.pos >= len(d.b) || !decIsStringTag(d.b[d.pos]) {
				if err := d.skip(1); err != nil {
					return scratch, err
				}
				continue
			}
			var value []byte
			var err error
			if value, scratch, err = d.str(scratch); err != nil {
				return scratch, err
			}
			r.Attachments = append(r.Attachments, Attachment{Key: key, Value: value})
			continue
		}
		v, s, err := d.value(scratch)
		if err != nil {
			return s, err
		}
		scratch = s
		switch v.kind {
		case decKString:
			if r.Timeout, err = decTimeout(v.s); err != nil {
				return scratch, err
			}
		case decKInt, decKLong:
			if v.i < 0 || v.i > 1<<31-1 {
				return scratch, fmt.Errorf("%w: timeout attachment %d", ErrMalformed, v.i)
			}
			r.Timeout = int(v.i)
		case decKNull:
		default:
			return scratch, fmt.Errorf("%w: timeout attachment is not a number", ErrMalformed)
		}
	}
}

func decJSONRequest(body []byte, r *Request, scratch []byte) ([]byte, error) {
	j := decJSON{b: body}
	var (
		fields [5][]byte
		err    error
	)
	for i := range fields {
		var v decValue
		if v, scratch, err = j.value(scratch); err != nil {
			return scratch, err
		}
		switch {
		case v.kind == decKString:
			fields[i] = v.s
		case v.kind == decKNull && (i == 0 || i == 2):
		default:
			return scratch, fmt.Errorf("%w: request field %d is not a string", ErrMalformed, i+1)
		}
		if err := j.endLine(); err != nil {
			return scratch, err
		}
	}
	r.Interface, r.Version, r.Method, r.ParameterTypes = fields[1], fields[2], fields[3], fields[4]
	desc := r.ParameterTypes
	for i := 0; len(desc) > 0; i++ {
		t, n, err := decNextParam(desc, i)
		if err != nil {
			return scratch, err
		}
		desc = desc[n:]
		var v decValue
		if v, scratch, err = j.value(scratch); err != nil {
			return scratch, err
		}
		if scratch, err = decAppendArg(r, scratch, i, t, v); err != nil {
			return scratch, err
		}
		if err := j.endLine(); err != nil {
			return scratch, err
		}
	}
	switch j.peek() {
	case 0:
		return scratch, nil // no attachments
	case 'n':
		if err := j.literal("null"); err != nil {
			return scratch, err
		}
		return scratch, j.endLine()
	}
	if err := j.open(); err != nil {
		return scratch, err
	}
	for first := true; ; first = false {
		more, err := j.more('}', first)
		if err != nil {
			return scratch, err
		}
		if !more {
			break
		}
		var key []byte
		if key, scratch, err = j.str(scratch); err != nil {
			return scratch, err
		}
		if err := j.colon(); err != nil {
			return scratch, err
		}
		if string(key) != "timeout" {
			if len(key) == 0 || encReservedKey(key) || j.peek() != '"' {
				if err := j.skip(1); err != nil {
					return scratch, err
				}
				continue
			}
			var value []byte
			if value, scratch, err = j.str(scratch); err != nil {
				return scratch, err
			}
			r.Attachments = append(r.Attachments, Attachment{Key: key, Value: value})
			continue
		}
		var v decValue
		if v, scratch, err = j.value(scratch); err != nil {
			return scratch, err
		}
		switch v.kind {
		case decKString:
			if r.Timeout, err = decTimeout(v.s); err != nil {
				return scratch, err
			}
		case decKLong:
			if v.i < 0 || v.i > 1<<31-1 {
				return scratch, fmt.Errorf("%w: timeout attachment %d", ErrMalformed, v.i)
			}
			r.Timeout = int(v.i)
		case decKNull:
		default:
			return scratch, fmt.Errorf("%w: timeout attachment is not a number", ErrMalformed)
		}
	}
	return scratch, j.endLine()
}
