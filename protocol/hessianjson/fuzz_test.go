package hessianjson

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	gxbig "github.com/dubbogo/gost/math/big"
)

// FuzzAppend feeds arbitrary bytes to a Renderer as one stream of up to
// four values. Append must not panic or hang; it either fails with one of
// the package's errors or writes valid JSON no longer than MaxSize, having
// consumed part of src.
func FuzzAppend(f *testing.F) {
	f.Add(javaUser())
	f.Add(javaUsers(3))
	goldens, _ := filepath.Glob(filepath.Join("testdata", "java", "*.hessian"))
	for _, file := range goldens {
		if b, err := os.ReadFile(file); err == nil && len(b) < 16<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		const max = 1 << 20
		r := NewRenderer(max)
		pos := 0
		for k := 0; k < 4 && pos < len(src); k++ {
			out, n, err := r.Append(nil, src[pos:])
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCycle) &&
					!errors.Is(err, ErrTooDeep) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				if out == nil && n == 0 && r.Kind() == KindNone {
					return
				}
				t.Fatalf("on error: %q, %d, %v", out, n, r.Kind())
			}
			if n <= 0 || n > len(src)-pos {
				t.Fatalf("consumed %d of %d bytes", n, len(src)-pos)
			}
			if len(out) > max {
				t.Fatalf("%d bytes of JSON past MaxSize", len(out))
			}
			if !json.Valid(out) {
				t.Fatalf("invalid JSON %q from % x", out, src[pos:pos+n])
			}
			if r.Kind() == KindNone {
				t.Fatalf("no kind for %q", out)
			}
			pos += n
		}
	})
}

// FuzzAgainstLibrary builds a Go value from the fuzzer's bytes (scalars,
// strings beyond the BMP, binary, dates, lists, maps, POJOs, enums,
// decimals and big integers, with shared references), has
// dubbo-go-hessian2 encode it, and compares the JSON rendered from those
// bytes with the library's own decoding of them. Values the library cannot
// read back are skipped.
//
// The comparison is not made on arbitrary bytes (FuzzAppend), where the
// library is the one that errs: it accepts bad UTF-8 and lone surrogates
// (three U+FFFD for one), dangling references (null), drops null values of
// typed maps, zeroes a BigInteger whose magnitude is a shared reference,
// decodes the 0x5f double as mills/1000 rather than Java's 0.001*mills, and
// reads a BigInteger written as text as 0; its seed corpus alone has these.
func FuzzAgainstLibrary(f *testing.F) {
	f.Add([]byte("\x0e\x05hello\x08\x03\x02\x01\x05\x06\x0b\x01"))
	f.Add([]byte("\x09\x04\x0d\x07\x0e\x01\x0f\x00\x0c\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{b: data}
		v := g.value(0)
		b, err := encode(v)
		if err != nil {
			return
		}
		want, err := libraryJSON(b)
		if err != nil {
			return
		}
		var r Renderer
		got, n, err := r.Append(nil, b)
		if err != nil || n != len(b) {
			t.Fatalf("hessian % x: %v (consumed %d of %d)", b, err, n, len(b))
		}
		same, err := sameJSON(got, want)
		if err != nil {
			t.Fatal(err)
		}
		if !same {
			t.Fatalf("hessian % x\n ours %s\n library %s", b, got, want)
		}
	})
}

// gen builds Go values from bytes, for FuzzAgainstLibrary. It avoids what
// the library itself gets wrong: nulls in interface{} and map fields of
// POJOs, map keys of mixed kinds (1 and "1" are one JSON key), dates past
// the range of time.UnixNano, and cycles.
type gen struct {
	b      []byte
	shared []any // finished pointers, used again to make references
}

func (g *gen) byte() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

func (g *gen) uint64(n int) uint64 {
	var p [8]byte
	for i := range n {
		p[i] = g.byte()
	}
	return binary.LittleEndian.Uint64(p[:])
}

var runes = []rune{'a', 'Z', '0', ' ', '"', '\\', '/', '\n', 0, 0x1f, 0x7f, 'é', 'ß', '€', 0xfffd, 0xffff, '😀', 0x10ffff, 0x800, 0x7ff}

func (g *gen) string() string {
	n := int(g.byte() % 40)
	if n == 39 {
		n = int(g.uint64(2) % 5000)
	}
	s := make([]rune, n)
	for i := range s {
		c := g.byte()
		if c < 200 {
			s[i] = rune(' ' + c%95)
		} else {
			s[i] = runes[int(c-200)%len(runes)]
		}
	}
	return string(s)
}

// value returns a value that may be nil.
func (g *gen) value(depth int) any {
	if g.byte()%8 == 0 {
		return nil
	}
	return g.some(depth)
}

// some returns a value that is not nil.
func (g *gen) some(depth int) any {
	k := g.byte() % 16
	if depth > 6 && k >= 8 {
		k %= 8
	}
	switch k {
	case 0:
		return g.byte()%2 == 0
	case 1:
		return int32(g.uint64(4))
	case 2:
		return int64(g.uint64(int(g.byte() % 9)))
	case 3:
		if c := g.byte(); c < 128 {
			return float64(int8(c)) / 8
		}
		return math.Float64frombits(g.uint64(8))
	case 4:
		return g.string()
	case 5:
		p := make([]byte, int(g.byte()))
		for i := range p {
			p[i] = g.byte()
		}
		return p
	case 6:
		return time.UnixMilli(int64(g.uint64(5)) - 1<<39)
	case 7:
		return Role(g.byte() % 3)
	case 8:
		l := make([]any, g.byte()%6)
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		return l
	case 9:
		m := make(map[string]any)
		for range g.byte() % 5 {
			m[g.string()] = g.value(depth + 1)
		}
		return m
	case 10:
		m := make(map[any]any)
		for range g.byte() % 5 {
			m[int64(g.uint64(3))] = g.value(depth + 1)
		}
		return m
	case 11:
		a := &Address{Street: g.string(), City: g.string(), Zip: int32(g.uint64(2))}
		g.shared = append(g.shared, a)
		return a
	case 12:
		d := &gxbig.Decimal{}
		s := strconv.FormatInt(int64(g.uint64(int(g.byte()%9))), 10)
		if c := g.byte() % 8; c > 0 && len(s) > int(c) {
			s = s[:len(s)-int(c)] + "." + s[len(s)-int(c):]
		}
		if d.FromString(s) != nil {
			return s
		}
		return d
	case 13:
		i := &gxbig.Integer{}
		s := strconv.FormatUint(g.uint64(8), 10) + strconv.FormatUint(g.uint64(int(g.byte()%9)), 10)
		if g.byte()%2 == 0 {
			s = "-" + s
		}
		if i.FromString(s) != nil {
			return s
		}
		return i
	case 14:
		n := &Node{Name: g.string(), Value: g.some(depth + 1), Meta: map[string]any{}}
		for range g.byte() % 4 {
			n.Kids = append(n.Kids, g.value(depth+1))
		}
		for range g.byte() % 3 {
			n.Meta[g.string()] = g.some(depth + 1)
		}
		g.shared = append(g.shared, n)
		return n
	}
	if len(g.shared) == 0 {
		return "none shared yet"
	}
	return g.shared[int(g.byte())%len(g.shared)]
}
