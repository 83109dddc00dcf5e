package hessianjson

import (
	"math"
	"testing"
	"time"

	gxbig "github.com/dubbogo/gost/math/big"
)

// checkAgainstLibrary encodes v with dubbo-go-hessian2, renders it, and
// compares with the library's own decoding of the same bytes.
func checkAgainstLibrary(t *testing.T, v any) {
	t.Helper()
	b, err := encode(v)
	if err != nil {
		t.Fatalf("encode %#v: %v", v, err)
	}
	want, err := libraryJSON(b)
	if err != nil {
		t.Fatalf("library on % x: %v", b, err)
	}
	var r Renderer
	got, n, err := r.Append(nil, b)
	if err != nil {
		t.Fatalf("render % x: %v", b, err)
	}
	if n != len(b) {
		t.Fatalf("consumed %d of %d bytes", n, len(b))
	}
	same, err := sameJSON(got, want)
	if err != nil {
		t.Fatal(err)
	}
	if !same {
		t.Fatalf("hessian % x\n ours %s\n library %s", b, got, want)
	}
}

// TestAgainstLibrary compares with the library on values it encodes and
// decodes faithfully. It does not on some: a null map field decodes as an
// empty map, and a null in an interface{} field or in a map field panics,
// so the values here avoid them.
func TestAgainstLibrary(t *testing.T) {
	dec := func(s string) *gxbig.Decimal {
		d := &gxbig.Decimal{}
		if err := d.FromString(s); err != nil {
			t.Fatal(err)
		}
		return d
	}
	bigInt := func(s string) *gxbig.Integer {
		i := &gxbig.Integer{}
		if err := i.FromString(s); err != nil {
			t.Fatal(err)
		}
		return i
	}
	shared := &Address{City: "Oslo", Zip: 150}
	sharedList := []any{int32(1), "x"}
	values := map[string]any{
		"nil":          nil,
		"bool":         true,
		"int32":        int32(-70000),
		"int64":        int64(math.MinInt64),
		"float":        1.0 / 3,
		"NaN":          math.NaN(),
		"string":       "héllo \"wörld\"\n😀",
		"long string":  string(make([]rune, 70000)),
		"bytes":        []byte{0, 1, 2, 250, 251, 252, 253},
		"long bytes":   make([]byte, 70000),
		"date":         time.UnixMilli(-1234567890123),
		"list":         []any{nil, int32(1), "two", 3.5, false},
		"strings":      []string{"a", "b"},
		"int64s":       []int64{1, -1, 1 << 40},
		"nested lists": [][]int32{{1, 2}, {3}},
		"map":          map[string]any{"a": int32(1), "b": []any{"c"}},
		"int keys":     map[any]any{int64(1): "one", int64(-2): "minus two", true: "yes"},
		"user":         sampleUser(),
		"users":        []any{sampleUser(), sampleUser()},
		"enum":         RoleMember,
		"decimal":      dec("-0.000123"),
		"big decimal":  dec("123456789012345678901234567890.123456789"),
		"big integers": []any{bigInt("0"), bigInt("-1"), bigInt("4294967296"), bigInt("-123456789012345678901234567890123")},
		"shared":       []any{shared, shared, &Node{Name: "n", Value: shared, Meta: map[string]any{}}},
		"shared list":  []any{sharedList, sharedList},
		"node": &Node{Name: "root", Value: 2.5, Kids: []any{&Node{Name: "kid", Value: "v", Meta: map[string]any{"k": RoleGuest}}, RoleGuest},
			Meta: map[string]any{"when": time.UnixMilli(0), "n": int32(0)}},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) { checkAgainstLibrary(t, v) })
	}
}
