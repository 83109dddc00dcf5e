package protocol

import (
	"encoding/binary"
	"fmt"
)

// Request limits, fixed by the width of the length and count fields.
const (
	// MaxFieldSize bounds each of the interface, method, parameter types and
	// service version fields (a 2-byte length).
	MaxFieldSize = 1<<16 - 1
	// MaxArgs bounds the argument count. It is below what the 2-byte count
	// could carry, to bound the memory a decoded request can hold.
	MaxArgs = 255
	// MaxAttachments bounds the attachment count, for the same reason.
	MaxAttachments = 64
)

// Attachment is one key and value a call carries to the provider beside its
// arguments, for the Dubbo request's attachments map: a service group, a W3C
// traceparent, an application's own. Key and Value are UTF-8 text; Key is
// not empty.
//
// It is an alias of an unnamed struct type, the one http1 and dubbo declare
// too, so that the attachments the HTTP parser captures pass through the
// agent protocol to the Dubbo encoder as one slice type, without a copy.
type Attachment = struct {
	Key, Value []byte
}

// requestFixedSize is the body size of a request with empty fields and no
// arguments: the timeout, four 2-byte lengths and the argument count.
const requestFixedSize = 4 + 4*2 + 2

// Request is a call from the consumer agent to the provider agent: the body
// of a KindRequest frame.
//
// A Request filled by ParseRequest aliases the frame's bytes: its fields are
// valid only while those bytes are, and must be copied to outlive them. A
// Request is not safe for concurrent use; reusing one (one per event loop,
// say) is what makes ParseRequest allocation-free.
type Request struct {
	// Timeout is the caller's remaining budget in milliseconds; 0 means none.
	Timeout uint32
	// Interface is the service's interface name, e.g.
	// "com.alibaba.dubbo.performance.demo.provider.IHelloService".
	Interface []byte
	// Method is the method name, e.g. "hash".
	Method []byte
	// ParameterTypes is the JVM descriptor list, e.g. "Ljava/lang/String;".
	ParameterTypes []byte
	// Version is the service version; empty means the default.
	Version []byte
	// Args holds each argument's textual value, in order: a String's text or
	// a primitive's decimal form.
	Args [][]byte
	// Attachments go into the Dubbo request's attachments map, in order
	// (where a key repeats, the provider keeps the last). Empty means none:
	// the frame then has no attachments section and FlagAttachments clear,
	// exactly as before the section existed.
	Attachments []Attachment
	// JSON asks for the result as JSON whatever its type (FlagJSON).
	JSON bool
}

// BodySize returns the size of r's body on the wire.
func (r *Request) BodySize() int {
	n := requestFixedSize + len(r.Interface) + len(r.Method) + len(r.ParameterTypes) + len(r.Version)
	for _, a := range r.Args {
		n += 4 + len(a)
	}
	if len(r.Attachments) > 0 {
		n += 2
		for _, a := range r.Attachments {
			n += 4 + len(a.Key) + len(a.Value)
		}
	}
	return n
}

// Size returns the size of r's whole frame, HeaderSize + BodySize: the length
// of the buffer PutRequest needs.
func (r *Request) Size() int { return HeaderSize + r.BodySize() }

// Validate reports whether r can be encoded. It returns an error wrapping
// ErrMalformed if a field, an attachment's key or its value is longer than
// MaxFieldSize, an attachment's key is empty, or there are more than MaxArgs
// arguments or MaxAttachments attachments, and one wrapping
// ErrFrameTooLarge if the frame would exceed MaxFrameSize. Callers that
// take a Request from outside call it before Size and PutRequest. It
// allocates only to report an error.
func (r *Request) Validate() error {
	if err := checkField("interface", r.Interface); err != nil {
		return err
	}
	if err := checkField("method", r.Method); err != nil {
		return err
	}
	if err := checkField("parameter types", r.ParameterTypes); err != nil {
		return err
	}
	if err := checkField("service version", r.Version); err != nil {
		return err
	}
	if len(r.Args) > MaxArgs {
		return fmt.Errorf("%w: %d arguments, at most %d", ErrMalformed, len(r.Args), MaxArgs)
	}
	if len(r.Attachments) > MaxAttachments {
		return fmt.Errorf("%w: %d attachments, at most %d", ErrMalformed, len(r.Attachments), MaxAttachments)
	}
	for _, a := range r.Attachments {
		if len(a.Key) == 0 {
			return fmt.Errorf("%w: an attachment with an empty key", ErrMalformed)
		}
		if err := checkField("attachment key", a.Key); err != nil {
			return err
		}
		if err := checkField("attachment value", a.Value); err != nil {
			return err
		}
	}
	if n := r.Size(); n > MaxFrameSize {
		return fmt.Errorf("%w: request of %d bytes, at most %d", ErrFrameTooLarge, n, MaxFrameSize)
	}
	return nil
}

func checkField(name string, f []byte) error {
	if len(f) > MaxFieldSize {
		return fmt.Errorf("%w: %s of %d bytes, at most %d", ErrMalformed, name, len(f), MaxFieldSize)
	}
	return nil
}

// PutRequest writes r as a request frame with the given id into the front
// of b and returns the number of bytes written, r.Size(). With attachments
// it sets FlagAttachments and writes the attachments section. It does not
// allocate and keeps no reference to b or r.
//
// id must not be 0 (see the package documentation). r must have passed
// Validate: PutRequest panics on a field, argument count or attachment
// count it cannot represent, as it panics if len(b) < r.Size().
func PutRequest(b []byte, id uint32, r *Request) int {
	body := r.BodySize()
	n := HeaderSize + body
	if len(b) < n {
		panic("protocol: PutRequest buffer shorter than Request.Size")
	}
	if len(r.Args) > MaxArgs {
		panic("protocol: PutRequest with more than MaxArgs arguments")
	}
	if len(r.Attachments) > MaxAttachments {
		panic("protocol: PutRequest with more than MaxAttachments attachments")
	}
	var flags uint8
	if len(r.Attachments) > 0 {
		flags = FlagAttachments
	}
	if r.JSON {
		flags |= FlagJSON
	}
	PutHeader(b, Header{Kind: KindRequest, Flags: flags, Length: uint32(body), ID: id})
	binary.BigEndian.PutUint32(b[HeaderSize:], r.Timeout)
	off := HeaderSize + 4
	off = putField(b, off, r.Interface)
	off = putField(b, off, r.Method)
	off = putField(b, off, r.ParameterTypes)
	off = putField(b, off, r.Version)
	binary.BigEndian.PutUint16(b[off:], uint16(len(r.Args)))
	off += 2
	for _, a := range r.Args {
		binary.BigEndian.PutUint32(b[off:], uint32(len(a)))
		off += 4
		off += copy(b[off:], a)
	}
	if len(r.Attachments) > 0 {
		binary.BigEndian.PutUint16(b[off:], uint16(len(r.Attachments)))
		off += 2
		for _, a := range r.Attachments {
			if len(a.Key) == 0 {
				panic("protocol: PutRequest with an empty attachment key")
			}
			off = putField(b, off, a.Key)
			off = putField(b, off, a.Value)
		}
	}
	return n
}

// putField writes f with its 2-byte length at b[off:] and returns the offset
// after it.
func putField(b []byte, off int, f []byte) int {
	if len(f) > MaxFieldSize {
		panic("protocol: PutRequest with a field longer than MaxFieldSize")
	}
	binary.BigEndian.PutUint16(b[off:], uint16(len(f)))
	off += 2
	return off + copy(b[off:], f)
}

var (
	errRequestShort    = malformed("request body shorter than its fixed fields")
	errFieldOverrun    = malformed("request field overruns the body")
	errTooManyArgs     = malformed("request with more than 255 arguments")
	errArgCountOverrun = malformed("request argument count overruns the body")
	errArgOverrun      = malformed("request argument overruns the body")
	errTrailing        = malformed("bytes after the last request argument or attachment")
	errNoAttachments   = malformed("request attachments section with no attachment")
	errTooManyAtts     = malformed("request with more than 64 attachments")
	errAttCountOverrun = malformed("request attachment count overruns the body")
	errAttOverrun      = malformed("request attachment overruns the body")
	errAttEmptyKey     = malformed("request attachment with an empty key")
)

// ParseRequest decodes the body of a request frame into r, overwriting all
// of r. h is the frame's header, as Next returned it: its FlagAttachments
// says whether an attachments section follows the arguments. r's fields
// alias body (with their capacity capped, so appending to one cannot
// overwrite the next); r.Args and r.Attachments reuse r's previous
// capacity, so once grown ParseRequest does not allocate. Every error wraps
// ErrMalformed; after one, r is empty but keeps its capacities.
func ParseRequest(h Header, body []byte, r *Request) error {
	args, atts := r.Args[:0], r.Attachments[:0]
	*r = Request{Args: args, Attachments: atts}
	if len(body) < requestFixedSize {
		return errRequestShort
	}
	timeout := binary.BigEndian.Uint32(body)
	p := body[4:]
	var iface, method, types, version []byte
	var ok bool
	if iface, p, ok = cutField(p); !ok {
		return errFieldOverrun
	}
	if method, p, ok = cutField(p); !ok {
		return errFieldOverrun
	}
	if types, p, ok = cutField(p); !ok {
		return errFieldOverrun
	}
	if version, p, ok = cutField(p); !ok {
		return errFieldOverrun
	}
	if len(p) < 2 {
		return errFieldOverrun
	}
	argc := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	if argc > MaxArgs {
		return errTooManyArgs
	}
	// Each argument takes at least its 4-byte length: a count the body cannot
	// hold is refused before Args grows for it.
	if argc*4 > len(p) {
		return errArgCountOverrun
	}
	for range argc {
		if len(p) < 4 {
			r.Args = args[:0]
			return errArgOverrun
		}
		n := uint64(binary.BigEndian.Uint32(p))
		p = p[4:]
		if n > uint64(len(p)) {
			r.Args = args[:0]
			return errArgOverrun
		}
		args = append(args, p[:n:n])
		p = p[n:]
	}
	if h.Flags&FlagAttachments != 0 {
		var err error
		if atts, p, err = cutAttachments(p, atts); err != nil {
			r.Args, r.Attachments = args[:0], atts[:0]
			return err
		}
	}
	if len(p) != 0 {
		r.Args, r.Attachments = args[:0], atts[:0]
		return errTrailing
	}
	*r = Request{
		Timeout:        timeout,
		Interface:      iface,
		Method:         method,
		ParameterTypes: types,
		Version:        version,
		Args:           args,
		Attachments:    atts,
		JSON:           h.Flags&FlagJSON != 0,
	}
	return nil
}

// cutAttachments splits the attachments section off the front of p,
// appending each attachment to atts.
func cutAttachments(p []byte, atts []Attachment) ([]Attachment, []byte, error) {
	if len(p) < 2 {
		return atts, p, errAttCountOverrun
	}
	k := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	switch {
	case k == 0:
		return atts, p, errNoAttachments
	case k > MaxAttachments:
		return atts, p, errTooManyAtts
	case k*4 > len(p): // each takes at least its two lengths
		return atts, p, errAttCountOverrun
	}
	for range k {
		var key, value []byte
		var ok bool
		if key, p, ok = cutField(p); !ok {
			return atts, p, errAttOverrun
		}
		if value, p, ok = cutField(p); !ok {
			return atts, p, errAttOverrun
		}
		if len(key) == 0 {
			return atts, p, errAttEmptyKey
		}
		atts = append(atts, Attachment{Key: key, Value: value})
	}
	return atts, p, nil
}

// cutField splits a field with a 2-byte length off the front of p.
func cutField(p []byte) (field, rest []byte, ok bool) {
	if len(p) < 2 {
		return nil, p, false
	}
	n := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	if n > len(p) {
		return nil, p, false
	}
	return p[:n:n], p[n:], true
}
