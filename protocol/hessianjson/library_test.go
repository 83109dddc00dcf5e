package hessianjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"time"
	"unicode"

	hessian "github.com/apache/dubbo-go-hessian2"
	gxbig "github.com/dubbogo/gost/math/big"
)

// This file holds what the differential tests and benchmarks share: Go
// types registered with dubbo-go-hessian2, shaped like a real service's,
// and the conversion of the library's decoded values into the JSON this
// package writes.

// Role is a Java enum.
type Role hessian.JavaEnum

const (
	RoleAdmin Role = iota
	RoleMember
	RoleGuest
)

var roleNames = [...]string{"ADMIN", "MEMBER", "GUEST"}

func (Role) JavaClassName() string { return "com.dubbomesh.demo.Role" }
func (r Role) String() string      { return roleNames[r] }
func (Role) EnumValue(s string) hessian.JavaEnum {
	for i, n := range roleNames {
		if n == s {
			return hessian.JavaEnum(i)
		}
	}
	return hessian.InvalidJavaEnum
}

// Address is a nested POJO.
type Address struct {
	Street string
	City   string
	Zip    int32
}

func (Address) JavaClassName() string { return "com.dubbomesh.demo.Address" }

// User is the benchmarks' 1 KB object: a POJO with a nested POJO, a list
// of strings, a map, an enum, a Date, a BigDecimal and an int array.
type User struct {
	ID       int64
	Name     string
	Email    string
	Active   bool
	Score    float64
	Address  *Address
	Tags     []string
	Attrs    map[string]string
	Role     Role
	Created  time.Time
	Balance  *gxbig.Decimal
	Counts   []int32
	Nickname string
}

func (User) JavaClassName() string { return "com.dubbomesh.demo.User" }

// Node is a POJO of any values, for generated trees.
type Node struct {
	Name  string
	Value any
	Kids  []any
	Meta  map[string]any
}

func (Node) JavaClassName() string { return "com.dubbomesh.demo.Node" }

func init() {
	hessian.RegisterPOJO(&Address{})
	hessian.RegisterPOJO(&User{})
	hessian.RegisterPOJO(&Node{})
	hessian.RegisterJavaEnum(RoleAdmin)
}

// sampleUser returns a User whose hessian2 form is about 1 KB.
func sampleUser() *User {
	balance := &gxbig.Decimal{}
	if err := balance.FromString("12345.67"); err != nil {
		panic(err)
	}
	return &User{
		ID:      9007199254740993,
		Name:    "Ada Lovelace",
		Email:   "ada@example.com",
		Active:  true,
		Score:   98.625,
		Address: &Address{Street: "12 St James's Square", City: "London", Zip: 10001},
		Tags:    []string{"admin", "analyst", "engine", "poetry", "mathematics", "notes", "bernoulli", "difference"},
		Attrs: map[string]string{
			"team": "engines", "floor": "3", "desk": "12B", "lang": "en-GB", "tz": "Europe/London",
			"manager": "Charles Babbage", "badge": "A-0001", "building": "Analytical", "cost": "cc-77",
		},
		Role:     RoleAdmin,
		Created:  time.UnixMilli(1796457600123),
		Balance:  balance,
		Counts:   []int32{1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946, 17711, 28657, 46368, 75025, 121393, 196418, 317811, 514229, 832040},
		Nickname: "The Enchantress of Numbers, who wrote the first program for a machine that was never built, in notes longer than the paper they annotated",
	}
}

// encode writes v with the library's encoder.
func encode(v any) ([]byte, error) {
	e := hessian.NewEncoder()
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return e.Buffer(), nil
}

// libraryDecode decodes b with the library, turning its panics into
// errors.
func libraryDecode(b []byte) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, fmt.Errorf("library panicked: %v", p)
		}
	}()
	return hessian.NewDecoder(b).Decode()
}

// libraryJSON renders what the library decodes from b as the JSON this
// package writes: decode, convert with jsonable, marshal.
func libraryJSON(b []byte) ([]byte, error) {
	v, err := libraryDecode(b)
	if err != nil {
		return nil, err
	}
	p, err := jsonable(reflect.ValueOf(v), 0)
	if err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

var (
	timeType    = reflect.TypeOf(time.Time{})
	decimalType = reflect.TypeOf(gxbig.Decimal{})
	integerType = reflect.TypeOf(gxbig.Integer{})
	enumType    = reflect.TypeOf((*hessian.POJOEnum)(nil)).Elem()
)

// jsonable converts a value the library decoded into one encoding/json
// marshals as this package renders the hessian2 it came from: dates as
// RFC 3339 strings, decimals as exact numbers, enums as names, POJOs as
// maps of their Java field names, maps with text keys, NaN as a string.
func jsonable(v reflect.Value, depth int) (any, error) {
	if depth > 100 {
		return nil, fmt.Errorf("nested too deep (a cycle?)")
	}
	if !v.IsValid() {
		return nil, nil
	}
	if v.Type().Implements(enumType) && v.Kind() != reflect.Ptr {
		return v.Interface().(fmt.Stringer).String(), nil
	}
	switch v.Type() {
	case timeType:
		t := v.Interface().(time.Time)
		return json.RawMessage(appendDate(nil, t.UnixMilli())), nil
	case decimalType:
		d := v.Addr().Interface().(*gxbig.Decimal)
		return json.Number(d.String()), nil
	case integerType:
		i := v.Addr().Interface().(*gxbig.Integer)
		return json.Number(i.String()), nil
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Ptr:
		if v.IsNil() {
			return nil, nil
		}
		return jsonable(v.Elem(), depth+1)
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return json.RawMessage(appendDouble(nil, v.Float())), nil
	case reflect.String:
		return v.String(), nil
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes(), nil // base64, as encoding/json writes []byte
		}
		out := make([]any, v.Len())
		for i := range out {
			var err error
			if out[i], err = jsonable(v.Index(i), depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case reflect.Map:
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, err := keyText(it.Key(), depth)
			if err != nil {
				return nil, err
			}
			if out[k], err = jsonable(it.Value(), depth+1); err != nil {
				return nil, err
			}
		}
		if _, ok := out[hessian.ClassKey]; ok { // an object of a class the library does not know
			delete(out, hessian.ClassKey)
			if name, ok := out["name"]; ok && len(out) == 1 {
				return name, nil // an enum
			}
		}
		return out, nil
	case reflect.Struct:
		out := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Tag.Get("hessian")
			if name == "" {
				r := []rune(f.Name)
				r[0] = unicode.ToLower(r[0])
				name = string(r)
			}
			var err error
			if out[name], err = jsonable(v.Field(i), depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot convert %s", v.Type())
}

// keyText renders a map key as this package does.
func keyText(k reflect.Value, depth int) (string, error) {
	p, err := jsonable(k, depth+1)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	if b[0] == '"' {
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	}
	return string(b), nil
}

// sameJSON reports whether a and b are the same JSON value: objects
// compared as sets of members, numbers by value.
func sameJSON(a, b []byte) (bool, error) {
	va, err := decodeJSON(a)
	if err != nil {
		return false, fmt.Errorf("%w in %s", err, a)
	}
	vb, err := decodeJSON(b)
	if err != nil {
		return false, fmt.Errorf("%w in %s", err, b)
	}
	return equalJSON(va, vb), nil
}

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func equalJSON(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		ra, oka := new(big.Rat).SetString(string(a))
		rb, okb := new(big.Rat).SetString(string(b))
		return oka && okb && ra.Cmp(rb) == 0
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equalJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !equalJSON(va, vb) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
