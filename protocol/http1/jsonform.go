package http1

// ParseJSON resets f and decodes the JSON form of a call, a body sent with
// Content-Type: application/json:
//
//	{"interface":"com.x.UserService","method":"find",
//	 "parameterTypes":["Ljava/lang/String;","Lcom/x/User;"],
//	 "args":["text",{"name":"a"}],
//	 "version":"1.0.0","group":"g","attachments":{"k":"v"}}
//
// interface, method, version and group set their fields (a null value is
// the key left out, for every key); the descriptors
// of parameterTypes (an array of strings, or one string holding the whole
// list) are joined into ParameterTypes; each element of args is appended to
// Params as its JSON text, unchanged (see UnquoteParam); attachments, an
// object of strings, are appended to Attachments (at most 32). Other
// keys are ignored; one of these repeated is an error. Values are valid as
// Parse's are: until the next Parse, ParseJSON or Reset, and as long as
// body is.
//
// It returns ErrBadJSON for malformed JSON or a field of the wrong JSON
// type, ErrRepeatedJSONKey for a key it reads given twice, ErrJSONTooDeep for an argument nested deeper than 64 levels, and
// ErrTooManyParams or ErrTooManyAttachments past their bounds. Like Parse,
// it does not check the required fields: see Check.
func (f *Form) ParseJSON(body []byte) error {
	f.Reset()
	if cap(f.scratch) < len(body) {
		f.scratch = make([]byte, 0, len(body))
	}
	i := jsonSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return ErrBadJSON
	}
	i = jsonSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return jsonEnd(body, i+1)
	}
	for {
		var key []byte
		var err error
		if key, i, f.scratch, err = jsonString(body, i, f.scratch); err != nil {
			return err
		}
		i = jsonSpace(body, i)
		if i >= len(body) || body[i] != ':' {
			return ErrBadJSON
		}
		if i, err = f.jsonField(body, jsonSpace(body, i+1), key); err != nil {
			return err
		}
		i = jsonSpace(body, i)
		if i >= len(body) {
			return ErrBadJSON
		}
		switch body[i] {
		case ',':
			i = jsonSpace(body, i+1)
		case '}':
			return jsonEnd(body, i+1)
		default:
			return ErrBadJSON
		}
	}
}

// jsonEnd allows only white space after the call's object.
func jsonEnd(b []byte, i int) error {
	if jsonSpace(b, i) != len(b) {
		return ErrBadJSON
	}
	return nil
}

// jsonKeys are the bits of the keys the JSON form reads.
var jsonKeys = map[string]uint8{
	"interface": seenInterface, "method": seenMethod, "version": seenVersion, "group": seenGroup,
	"parameterTypes": seenParameterTypes, "parameterTypesString": seenParameterTypes,
	"args": seenArgs, "attachments": seenAttachments,
}

// jsonField decodes the value of key at b[i] and returns the index after it.
// A null is the key left out, as JSON encoders write an unset field. A key
// the form reads may come once: JSON parsers disagree on which of two
// wins, and a proxy that checks the call must see the one the agent makes.
func (f *Form) jsonField(b []byte, i int, key []byte) (int, error) {
	var err error
	if bit := jsonKeys[string(key)]; bit != 0 {
		if f.seen&bit != 0 {
			return i, ErrRepeatedJSONKey
		}
		if len(b)-i >= 4 && string(b[i:i+4]) == "null" {
			f.seen |= bit
			return i + 4, nil
		}
	}
	switch string(key) {
	case "parameterTypes":
		f.seen |= seenParameterTypes
		return f.jsonTypes(b, i)
	case "args":
		f.seen |= seenArgs
		return f.jsonArgs(b, i)
	case "attachments":
		f.seen |= seenAttachments
		return f.jsonAttachments(b, i)
	default:
		if dst, _ := f.target(key); dst != nil {
			var v []byte
			if v, i, f.scratch, err = jsonString(b, i, f.scratch); err != nil {
				return i, err
			}
			*dst = v
			return i, nil
		}
	}
	return jsonSkip(b, i, 0)
}

// jsonTypes joins the descriptors of an array of strings, or takes one
// string, into ParameterTypes.
func (f *Form) jsonTypes(b []byte, i int) (int, error) {
	var err error
	if i < len(b) && b[i] == '"' {
		f.ParameterTypes, i, f.scratch, err = jsonString(b, i, f.scratch)
		return i, err
	}
	if i >= len(b) || b[i] != '[' {
		return i, ErrBadJSON
	}
	start := len(f.scratch)
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		f.ParameterTypes = f.scratch[start:start:start]
		return i + 1, nil
	}
	for {
		var d []byte
		mark := len(f.scratch)
		if d, i, f.scratch, err = jsonString(b, i, f.scratch); err != nil {
			return i, err
		}
		if len(f.scratch) == mark {
			// Not unescaped onto scratch: it aliases b.
			f.scratch = append(f.scratch, d...)
		}
		i = jsonSpace(b, i)
		if i >= len(b) {
			return i, ErrBadJSON
		}
		switch b[i] {
		case ',':
			i = jsonSpace(b, i+1)
		case ']':
			f.ParameterTypes = f.scratch[start:len(f.scratch):len(f.scratch)]
			return i + 1, nil
		default:
			return i, ErrBadJSON
		}
	}
}

// jsonArgs appends each element of the array at b[i] to Params, as JSON.
func (f *Form) jsonArgs(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '[' {
		return i, ErrBadJSON
	}
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		if len(f.Params) == maxParams {
			return i, ErrTooManyParams
		}
		end, err := jsonSkip(b, i, 1)
		if err != nil {
			return end, err
		}
		f.Params = append(f.Params, b[i:end:end])
		i = jsonSpace(b, end)
		if i >= len(b) {
			return i, ErrBadJSON
		}
		switch b[i] {
		case ',':
			i = jsonSpace(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, ErrBadJSON
		}
	}
}

// jsonAttachments appends the pairs of the object of strings at b[i].
func (f *Form) jsonAttachments(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return i, ErrBadJSON
	}
	i = jsonSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		var k, v []byte
		var err error
		if k, i, f.scratch, err = jsonString(b, i, f.scratch); err != nil {
			return i, err
		}
		i = jsonSpace(b, i)
		if i >= len(b) || b[i] != ':' {
			return i, ErrBadJSON
		}
		if v, i, f.scratch, err = jsonString(b, jsonSpace(b, i+1), f.scratch); err != nil {
			return i, err
		}
		if len(f.Attachments) == MaxAttachmentHeaders {
			return i, ErrTooManyAttachments
		}
		f.Attachments = append(f.Attachments, Attachment{Key: k, Value: v})
		i = jsonSpace(b, i)
		if i >= len(b) {
			return i, ErrBadJSON
		}
		switch b[i] {
		case ',':
			i = jsonSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, ErrBadJSON
		}
	}
}

// UnquoteParam turns Params[i], the JSON text of an argument, into the
// text the form would carry for a String, primitive, decimal or date
// parameter: a JSON string's content, unescaped; a number or true/false
// as it is. It returns ErrBadJSON for another kind of value (null, an
// object, an array). Call it after ParseJSON, for the parameters whose
// declared type is one of those.
func (f *Form) UnquoteParam(i int) error {
	p := f.Params[i]
	switch {
	case len(p) > 0 && p[0] == '"':
		v, _, scratch, err := jsonString(p, 0, f.scratch)
		f.scratch = scratch
		if err != nil {
			return err
		}
		f.Params[i] = v
	case len(p) > 0 && (p[0] == '{' || p[0] == '[' || p[0] == 'n'):
		return ErrBadJSON
	}
	return nil
}
