package hessianjson

// DefaultMaxSize is the JSON size limit of a Renderer whose MaxSize is 0:
// 16 MiB, the agent protocol's largest frame.
const DefaultMaxSize = 16 << 20

// MaxDepth is how deeply maps, lists and objects may nest, counting
// references written out again.
const MaxDepth = 64

// Renderer renders hessian2 values as JSON. It holds the state of one
// hessian2 stream: the class definitions, the types and the reference table
// that values met so far have defined, which later values of the same
// stream may use. Reset starts a new stream.
//
// The zero value is ready to use; NewRenderer sets MaxSize. A Renderer is
// not safe for concurrent use: keep one per event loop. Its tables are
// reused across streams, so a warm Renderer does not allocate.
type Renderer struct {
	// MaxSize bounds the bytes one Append may add to dst; 0 means
	// DefaultMaxSize. A reference is written out in full each time it
	// occurs, and the output it would add counts too, so a small value
	// that refers many times to a large one is stopped with ErrTooLarge.
	MaxSize int

	// srcs holds each src passed to Append since Reset: references render
	// again from them.
	srcs [][]byte
	// refs is the reference table: the maps, lists and objects of the
	// stream in the order they start.
	refs []ref
	// types counts the list and map type names, which later lists and
	// maps may name by index.
	types int
	// classes are the class definitions; their field names, each already
	// rendered as a JSON key `"name":`, are spans of names.
	classes []class
	fields  []span
	names   []byte
	// scratch holds a map key's JSON while it is turned into a string.
	scratch []byte
	// words and digits hold a BigInteger's magnitude while it is printed.
	words  []uint32
	digits []uint32
	// limit is the length dst may reach in the Append under way.
	limit int
	// kind is the kind of the top value, noted at depth noted.
	kind  Kind
	noted int
}

// NewRenderer returns a Renderer whose output per Append is limited to
// maxSize bytes (0 means DefaultMaxSize).
func NewRenderer(maxSize int) *Renderer {
	return &Renderer{MaxSize: maxSize}
}

// Reset forgets the class definitions, types and references of the stream
// read so far, and the srcs that Append was given, so that the next Append
// starts a new stream. It keeps the memory for reuse.
func (r *Renderer) Reset() {
	clear(r.srcs) // drop the references to the caller's buffers
	r.srcs = r.srcs[:0]
	r.refs = r.refs[:0]
	r.types = 0
	r.classes = r.classes[:0]
	r.fields = r.fields[:0]
	r.names = r.names[:0]
	r.kind = KindNone
}

// Append renders the one hessian2 value at the front of src as JSON,
// appends it to dst and returns the extended slice and the number of bytes
// of src the value took. Class definitions before the value are part of
// it. The value may use the class definitions, types and references of the
// values that earlier Appends since Reset read: successive calls must be
// given successive parts of one hessian2 stream, and each src must stay
// valid and unchanged until Reset, since a reference is rendered again from
// the bytes where its value was first read.
//
// dst is only appended to; the result aliases dst when it has room. On
// error, Append returns dst with its original length (bytes beyond it may
// have been overwritten), 0 and an error matching one of ErrMalformed,
// ErrTruncated, ErrCycle, ErrTooDeep and ErrTooLarge; the stream's state is
// then undefined, so call Reset before using the Renderer again.
//
// See the package documentation for the JSON each hessian2 value becomes.
func (r *Renderer) Append(dst, src []byte) (out []byte, n int, err error) {
	max := r.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	start := len(dst)
	r.limit = start + max
	r.kind, r.noted = KindNone, 0
	r.srcs = append(r.srcs, src)
	c := cursor{b: src, src: len(r.srcs) - 1}
	out, err = r.value(dst, &c, 0)
	if err != nil {
		r.kind = KindNone
		return dst[:start], 0, err
	}
	return out, c.pos, nil
}

// Kind reports the kind of the value the last successful Append rendered
// (KindNone after an error or a Reset). For a reference it is the kind of
// the value referred to.
func (r *Renderer) Kind() Kind { return r.kind }

// grown reports ErrTooLarge once dst is longer than the Append's limit.
func (r *Renderer) grown(dst []byte) error {
	if len(dst) > r.limit {
		return ErrTooLarge
	}
	return nil
}
