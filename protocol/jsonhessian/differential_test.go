package jsonhessian

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	hessian "github.com/apache/dubbo-go-hessian2"
	gxbig "github.com/dubbogo/gost/math/big"
)

// The differential oracle: our bytes, decoded by dubbo-go-hessian2, must
// equal what encoding/json reads from the same text, written as the declared
// type would be. Both sides are brought to one form:
//
//   - null: nil; booleans and strings: themselves;
//   - numbers: num{'I'|'L'|'B', decimal} for int (byte, short), long and
//     BigInteger, float64 for double (and float);
//   - byte[]: binVal; Date: dateMs; BigDecimal: decimalText;
//   - maps and objects: map[string]any (an object keeps the library's
//     "_class" key); lists and arrays: []any.

type (
	num struct {
		kind byte
		text string
	}
	binVal      string
	dateMs      int64
	decimalText string
)

// testDecimalSerializer decodes a BigDecimal to its text alone: the
// library's own reading keeps only 81 digits and refuses what Java accepts
// ("1E+400"), where Java reads the text.
type testDecimalSerializer struct{}

func (testDecimalSerializer) EncObject(*hessian.Encoder, hessian.POJO) error {
	panic("not used")
}

func (testDecimalSerializer) DecObject(d *hessian.Decoder, _ reflect.Type, _ *hessian.ClassInfo) (any, error) {
	v, err := d.DecodeValue() // our BigDecimal class has the single field "value"
	if err != nil {
		return nil, err
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("BigDecimal value %T", v)
	}
	return &gxbig.Decimal{Value: s}, nil
}

func init() {
	hessian.SetSerializer(classBigDecimal, testDecimalSerializer{})
}

// normalize brings a value the library decoded to the common form.
func normalize(v any) any {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil
	}
	switch x := v.(type) {
	case nil:
		return nil
	case bool, string, float64:
		return x
	case int32:
		return num{'I', strconv.FormatInt(int64(x), 10)}
	case int64:
		return num{'L', strconv.FormatInt(x, 10)}
	case []byte:
		return binVal(x)
	case time.Time:
		return dateMs(x.UnixMilli())
	case *gxbig.Integer:
		return num{'B', x.String()}
	case *gxbig.Decimal:
		return decimalText(x.Value)
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k.(string)] = normalize(val)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k] = normalize(val)
		}
		return m
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return num{'I', strconv.FormatInt(rv.Int(), 10)}
	case reflect.Uint8, reflect.Uint16:
		return num{'I', strconv.FormatUint(rv.Uint(), 10)}
	case reflect.Float32:
		return rv.Float()
	case reflect.Slice:
		if rv.IsNil() {
			return nil
		}
		l := make([]any, rv.Len())
		for i := range l {
			l[i] = normalize(rv.Index(i).Interface())
		}
		return l
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface())
	}
	return fmt.Sprintf("unexpected %T", v)
}

// jsonValue reads text as encoding/json does, keeping numbers' text.
func jsonValue(text []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// expectText returns the common form of the text argument arg of type t.
func expectText(t Type, arg string) any {
	if arg == "null" && (t.Kind.IsBox() || t.Kind == KindBigDecimal || t.Kind == KindBigInteger || t.Kind == KindDate || t.Kind == KindSQLDate) {
		return nil
	}
	switch t.Kind.unbox() {
	case KindBool:
		return arg == "true"
	case KindByte, KindShort, KindInt:
		v, _ := strconv.ParseInt(arg, 10, 32)
		return num{'I', strconv.FormatInt(v, 10)}
	case KindLong:
		v, _ := strconv.ParseInt(arg, 10, 64)
		return num{'L', strconv.FormatInt(v, 10)}
	case KindFloat:
		f, _ := strconv.ParseFloat(arg, 32)
		return f
	case KindDouble:
		f, _ := strconv.ParseFloat(arg, 64)
		return f
	case KindChar, KindString:
		return arg
	case KindBigDecimal:
		return decimalText(arg)
	case KindBigInteger:
		return bigIntNum(arg)
	case KindDate:
		return expectDate(arg)
	case KindSQLDate:
		return expectSQLDate(t, expectDate(arg))
	}
	return fmt.Sprintf("unexpected kind %v", t.Kind)
}

func bigIntNum(s string) num {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return num{'B', "not a BigInteger: " + s}
	}
	return num{'B', b.String()}
}

// expectDate reads a date with the standard library: time.Parse for RFC
// 3339 (after making its letters upper case), ParseInt for milliseconds.
func expectDate(s string) any {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && !strings.HasPrefix(s, "+") {
		return dateMs(ms)
	}
	u := []byte(s)
	if len(u) > 10 && (u[10] == 't' || u[10] == ' ') {
		u[10] = 'T'
	}
	if n := len(u); n > 0 && u[n-1] == 'z' {
		u[n-1] = 'Z'
	}
	tm, err := time.Parse(time.RFC3339Nano, string(u))
	if err != nil {
		return "not a date: " + s
	}
	return dateMs(tm.UnixMilli())
}

// expectJSON returns the common form of the JSON value v (as jsonValue read
// it) written as type t.
func expectJSON(t Type, v any) any {
	if v == nil {
		return nil
	}
	switch t.Kind {
	case KindObject, KindMap, KindList, KindClass:
		switch x := v.(type) {
		case map[string]any:
			return expectObject(x)
		case []any:
			l := make([]any, len(x))
			for i, e := range x {
				l[i] = expectJSON(anyType, e)
			}
			return l
		case json.Number:
			return expectNumber(string(x))
		case string:
			if t.Kind == KindClass {
				class := string(t.AppendClassName(nil))
				checkLibraryClass(class)
				return map[string]any{"_class": class, "name": x}
			}
			return x
		}
		return v
	case KindArray:
		return expectArray(t, v)
	case KindDate, KindSQLDate:
		var d any
		switch x := v.(type) {
		case string:
			d = expectDate(x)
		case json.Number:
			d = expectDate(string(x))
		case map[string]any:
			if _, ok := x["class"]; !ok {
				return expectJSON(t, x["value"])
			}
			return expectObject(x)
		}
		if t.Kind == KindSQLDate {
			return expectSQLDate(t, d)
		}
		return d
	case KindBigDecimal, KindBigInteger:
		switch x := v.(type) {
		case string, json.Number:
			if t.Kind == KindBigDecimal {
				return decimalText(fmt.Sprint(x))
			}
			return bigIntNum(fmt.Sprint(x))
		case map[string]any:
			if _, ok := x["class"]; !ok {
				return expectJSON(t, x["value"])
			}
			return expectObject(x)
		}
	case KindChar, KindCharBox, KindString:
		return v
	}
	switch x := v.(type) {
	case bool:
		return x
	case json.Number:
		return expectText(t, string(x))
	}
	return fmt.Sprintf("unexpected %T for %v", v, t.Kind)
}

// expectSQLDate returns the common form of a java.sql date of type t and
// date d: an object of its class with the field value, unless the library
// maps the class to a Go type of its own (java.sql.Date and Time).
func expectSQLDate(t Type, d any) any {
	name := string(t.AppendClassName(nil))
	checkLibraryClass(name)
	return map[string]any{"_class": name, "value": d}
}

// expectNumber returns the common form of a number where nothing declares
// its type.
func expectNumber(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if v, err := strconv.ParseInt(s, 10, 32); err == nil {
			return num{'I', strconv.FormatInt(v, 10)}
		}
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			return num{'L', strconv.FormatInt(v, 10)}
		}
		return bigIntNum(s)
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// expectObject returns the common form of a JSON object: a map, or what its
// "class" makes of it.
func expectObject(m map[string]any) any {
	class, ok := m["class"].(string)
	if !ok {
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = expectJSON(anyType, v)
		}
		return out
	}
	switch class {
	case classDate:
		return expectJSON(typeDate, m["value"])
	case classBigDecimal:
		return expectJSON(typeBigDecimal, m["value"])
	case classBigInteger:
		return expectJSON(typeBigInteger, m["value"])
	case classBytes:
		return expectArray(typeBytes, m["value"])
	}
	if st, ok := sqlDateTypes[class]; ok {
		return expectJSON(st, m["value"])
	}
	if k := knownJavaClasses[class]; k.IsBox() || k == KindString {
		if s, ok := m["value"].(string); ok && k.IsBox() && k != KindCharBox {
			return expectText(Type{Kind: k.unbox()}, s)
		}
		return expectJSON(Type{Kind: k, Elem: k}, m["value"])
	}
	out := make(map[string]any, len(m))
	if knownJavaClasses[class] != KindMap {
		checkLibraryClass(class)
		out["_class"] = class
	}
	for k, v := range m {
		if k != "class" {
			out[k] = expectJSON(anyType, v)
		}
	}
	return out
}

// expectArray returns the common form of the JSON value v written as the
// array type t. Null elements come back as the library's zero values where
// it decodes into typed Go slices: "" in a String[], the zero time in a
// Date[]; a Character[] comes back as the characters' code points, a Byte[]
// as unsigned bytes.
func expectArray(t Type, v any) any {
	if v == nil {
		return nil
	}
	if t.Dims == 1 && t.Elem == KindByte {
		switch x := v.(type) {
		case string:
			b, err := base64.StdEncoding.DecodeString(x)
			if err != nil {
				b, _ = base64.RawStdEncoding.DecodeString(x)
			}
			return binVal(b)
		case []any:
			b := make([]byte, len(x))
			for i, e := range x {
				n, _ := strconv.Atoi(string(e.(json.Number)))
				b[i] = byte(n)
			}
			return binVal(b)
		}
	}
	if t.Dims == 1 && t.Elem == KindChar {
		switch x := v.(type) {
		case string:
			return x
		case []any:
			var s strings.Builder
			for _, e := range x {
				s.WriteString(e.(string))
			}
			return s.String()
		}
	}
	x, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("unexpected %T for an array", v)
	}
	if t.Elem == KindClass {
		checkLibraryClass(string(t.AppendClassName(nil)))
	}
	et := t.ElemType()
	l := make([]any, len(x))
	for i, e := range x {
		switch {
		case e == nil && et.Kind == KindString:
			l[i] = ""
		case e == nil && et.Kind == KindDate:
			l[i] = dateMs(time.Time{}.UnixMilli())
		case et.Kind == KindCharBox && e != nil:
			r, _ := utf8.DecodeRuneInString(e.(string))
			l[i] = num{'I', strconv.Itoa(int(r))}
		case et.Kind == KindByteBox && e != nil:
			n, _ := strconv.Atoi(string(e.(json.Number)))
			l[i] = num{'I', strconv.Itoa(int(uint8(n)))}
		default:
			l[i] = expectJSON(et, e)
		}
	}
	return l
}

// errLibraryClass is panicked by checkLibraryClass.
var errLibraryClass = errors.New("the library maps this class to a Go type")

var libraryClasses = struct {
	sync.Mutex
	known map[string]bool
}{known: map[string]bool{}}

// checkLibraryClass panics with errLibraryClass when the library decodes the
// class named name into a Go type of its own (java.lang.Integer, exceptions,
// java.time classes, ...) rather than a map, which the expectation cannot
// describe; checkDifferential then skips the comparison.
func checkLibraryClass(name string) {
	libraryClasses.Lock()
	known, ok := libraryClasses.known[name]
	if !ok {
		b := AppendString([]byte{tagClassDef}, []byte(name))
		b = append(b, tagIntZero, tagObjectDirect)
		v, err := hessian.NewDecoder(b).Decode()
		m, isMap := v.(map[string]any)
		known = err != nil || !isMap || m["_class"] != name
		libraryClasses.known[name] = known
	}
	libraryClasses.Unlock()
	if known {
		panic(errLibraryClass)
	}
}

// libraryDecodes reports whether dubbo-go-hessian2 can decode values of type
// t: it panics on a char[][] (it reads "[[char" as a list of string lists,
// where Java writes each char[] as a string).
func libraryDecodes(t Type) bool {
	return !(t.Kind == KindArray && t.Elem == KindChar && t.Dims >= 2)
}

// librarySlice reports whether the library decodes an array of t into
// slices of a Go type of its own (time.Time, *gxbig.Decimal,
// *gxbig.Integer). Such an array may hold an object whose "class" names
// another class (written as that class, as the package documents); the
// library cannot put the map it reads there, and reflect.Set panics, which
// checkDifferential then takes as nothing to compare. Java's Hessian would
// refuse to store such an element too, or take it as a subclass: the
// provider decides.
func librarySlice(t Type) bool {
	return t.Kind == KindArray && (t.Elem == KindDate || t.Elem == KindBigDecimal || t.Elem == KindBigInteger)
}

// checkDifferential encodes args of types into one stream, decodes the stream
// with the library and compares each value with the expectation. It returns
// false, having checked nothing, when an argument is refused.
func checkDifferential(t *testing.T, types []Type, args [][]byte) bool {
	t.Helper()
	var e Encoder
	var out []byte
	for i, typ := range types {
		before := len(out)
		var err error
		out, err = e.AppendArg(out, typ, args[i])
		if err != nil {
			return false
		}
		if n, max := len(out)-before, MaxSize(typ, args[i]); n > max {
			t.Fatalf("argument %d (%s, %q): %d bytes, over MaxSize %d", i+1, typ, args[i], n, max)
		}
		if !libraryDecodes(typ) {
			return true
		}
	}
	defer func() {
		r := recover()
		if r == nil || r == errLibraryClass {
			return
		}
		for i, typ := range types {
			if librarySlice(typ) && bytes.Contains(args[i], []byte(`"class"`)) && strings.Contains(fmt.Sprint(r), "reflect.Set") {
				return // see librarySlice
			}
		}
		panic(r)
	}()
	d := hessian.NewDecoder(out)
	for i, typ := range types {
		got, err := d.Decode()
		if err != nil {
			t.Fatalf("argument %d (%s, %q): library Decode of %x: %v", i+1, typ, args[i], out, err)
		}
		var want any
		if typ.Kind.IsText() {
			want = expectText(typ, string(args[i]))
		} else {
			v, err := jsonValue(args[i])
			if err != nil {
				t.Fatalf("argument %d (%s, %q): we accepted what encoding/json refuses: %v", i+1, typ, args[i], err)
			}
			want = expectJSON(typ, v)
		}
		if g := normalize(got); !equivalent(g, want) {
			t.Fatalf("argument %d (%s, %q):\n got %#v\nwant %#v\nbytes %x", i+1, typ, args[i], g, want, out)
		}
	}
	return true
}

// equivalent is reflect.DeepEqual, except that doubles compare as float32
// where one side is a float32 widened (a float[]'s elements) and NaN equals
// NaN.
func equivalent(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equivalent(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equivalent(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
