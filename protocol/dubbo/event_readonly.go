package dubbo

// The read-only event. A Dubbo provider that shuts down gracefully first
// sends each connection an event request whose data is the string "R"
// (Dubbo's Request.READONLY_EVENT), one-way: flag FlagRequest|FlagEvent|s.
// A consumer then sends that connection no new call; the provider finishes
// the calls it holds and closes. Dubbo writes the data with the
// connection's serialization: hessian2 "R" is 0x01 'R', fastjson "\"R\"\n".

// ReadOnlyData is the data of a read-only event.
const ReadOnlyData = "R"

// encJSONReadOnlyLine is the fastjson body of a read-only event.
const encJSONReadOnlyLine = `"R"` + "\n"

// ReadOnlySize returns the size of a read-only event frame in serialization
// s (hessian2 unless s is FastJSON).
func ReadOnlySize(s Serialization) int {
	if s == FastJSON {
		return HeaderSize + len(encJSONReadOnlyLine)
	}
	return HeaderSize + 2
}

// PutReadOnly writes a read-only event request with the given id into b,
// which must hold ReadOnlySize(s) bytes, and returns the bytes written. It
// does not allocate and keeps no reference to b.
func PutReadOnly(b []byte, id int64, s Serialization) int {
	if s != FastJSON {
		s = Hessian2
	}
	h := Header{Flag: FlagRequest | FlagEvent | byte(s), ID: id}
	if s == FastJSON {
		h.Length = copy(b[HeaderSize:], encJSONReadOnlyLine)
	} else {
		b[HeaderSize] = 0x01 // a one-character compact string
		b[HeaderSize+1] = 'R'
		h.Length = 2
	}
	PutHeader(b, h)
	return HeaderSize + h.Length
}

// IsReadOnly reports whether the frame with header h and body is a
// read-only event request: an event whose data is the string "R", in
// hessian2 (compact or 'S' string) or fastjson (a JSON string, white space
// after it allowed). It does not allocate.
func IsReadOnly(h Header, body []byte) bool {
	if !h.IsEvent() || !h.IsRequest() {
		return false
	}
	switch {
	case len(body) == 2 && body[0] == 0x01 && body[1] == 'R':
		return true // hessian2 compact string
	case len(body) == 4 && body[0] == 'S' && body[1] == 0 && body[2] == 1 && body[3] == 'R':
		return true // hessian2 string with a 2-byte length
	}
	if len(body) >= 3 && body[0] == '"' && body[1] == 'R' && body[2] == '"' {
		for _, c := range body[3:] {
			if c != '\n' && c != '\r' && c != ' ' && c != '\t' {
				return false
			}
		}
		return true // fastjson
	}
	return false
}
