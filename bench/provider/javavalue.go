package main

import (
	"errors"
	"math"
	"math/big"
	"slices"
	"strings"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
)

// The UserService holds its arguments and results as Java values, shaped as
// Java's Hessian would make them, so that what it answers is what a Java
// provider answers, byte for byte (hessianout.go). A Java value is one of:
//
//	nil                 null
//	bool, int32, int64  boolean, int, long (and their boxes)
//	float64             double
//	string              java.lang.String, as valid UTF-8
//	date                java.util.Date
//	[]byte              byte[]
//	*object             a POJO, an enum constant or a java.math.BigDecimal
//	*list               a List or an array
//	*hmap               a Map
//
// Objects, lists and maps are compared by identity, as Java's are: a value
// that occurs twice in a result is written once and then referred to.
// Nothing here is shared between calls but the read-only classes and the
// enum constants.

// date is a java.util.Date: milliseconds since 1970.
type date int64

// class is a Java class whose objects the service reads or writes: its name
// and its fields in Hessian's order (primitives and java.lang types first,
// then the others, each group in declaration order).
type class struct {
	name   string
	fields []string
	kinds  []kind // each field's declared type
}

// object is an instance of a class; fields holds one Java value per
// class.fields entry.
type object struct {
	class  *class
	fields []any
}

// list is a java.util.List or an array. typ is the type Hessian writes:
// "" for an ArrayList (an untyped list on the wire), "[int" for int[],
// "[string" for String[], or another collection's or array's Java name.
type list struct {
	typ   string
	elems []any
}

// hmap is a java.util.Map, its entries in Java's iteration order. typ is ""
// for a HashMap (an untyped map on the wire, iterated in hash order, see
// sortHashMap) or "java.util.LinkedHashMap" (a typed map, in insertion
// order).
type hmap struct {
	typ        string
	keys, vals []any
	// index finds a key's place once the map is large (indexFrom keys):
	// a linear search per put made reading a map of n keys n² work.
	index map[any]int
}

// indexFrom is the size from which an hmap indexes its keys.
const indexFrom = 16

// floatKey is a double's bits: Double.equals compares them.
type floatKey uint64

// indexKey is key as the index holds it; ok is false for a byte[], equal
// only to itself, which is searched for.
func indexKey(key any) (k any, ok bool) {
	switch key := key.(type) {
	case []byte:
		return nil, false
	case float64:
		return floatKey(math.Float64bits(key)), true
	}
	return key, true
}

// linkedHashMap is the one typed map the service keeps as it is.
const linkedHashMap = "java.util.LinkedHashMap"

// The classes of com.dubbomesh.demo and the one of java.math that the
// service uses.
var (
	userClass = &class{
		name: demo.UserClass,
		fields: []string{"id", "name", "role", "address", "tags", "scores", "created",
			"balance", "lucky", "previous"},
		kinds: []kind{kLong, kString, kRole, kAddress, kList, kMap, kDate, kDecimal, kIntArray, kList},
	}
	addressClass = &class{
		name:   demo.AddressClass,
		fields: []string{"street", "city", "zip"},
		kinds:  []kind{kString, kString, kString},
	}
	// roleClass is Role as Hessian writes an enum: a class of one field,
	// name.
	roleClass = &class{name: demo.RoleClass, fields: []string{"name"}, kinds: []kind{kString}}
	// decimalClass is BigDecimal as Hessian writes it: a class of one
	// field, value, holding toString().
	decimalClass = &class{name: "java.math.BigDecimal", fields: []string{"value"}, kinds: []kind{kString}}
)

// roles are the enum constants, indexed by demo.Role: like Java's, one
// instance each, so that a result holding a role twice refers to it.
var roles = [...]*object{
	demo.Admin:  {class: roleClass, fields: []any{"ADMIN"}},
	demo.Member: {class: roleClass, fields: []any{"MEMBER"}},
	demo.Guest:  {class: roleClass, fields: []any{"GUEST"}},
}

// roleNamed returns the constant named name, or nil.
func roleNamed(name string) *object {
	if r, ok := demo.ParseRole(name); ok {
		return roles[r]
	}
	return nil
}

// userValue returns u as a fresh Java User.
func userValue(u *demo.User) *object {
	tags := make([]any, len(u.Tags))
	for i, t := range u.Tags {
		tags[i] = t
	}
	scores := &hmap{typ: linkedHashMap}
	for _, s := range u.Scores {
		scores.keys = append(scores.keys, s.Name)
		scores.vals = append(scores.vals, s.Value)
	}
	lucky := make([]any, len(u.Lucky))
	for i, x := range u.Lucky {
		lucky[i] = x
	}
	previous := make([]any, len(u.Previous))
	for i := range u.Previous {
		previous[i] = addressValue(&u.Previous[i])
	}
	var role any
	if u.Role != demo.NoRole {
		role = roles[u.Role]
	}
	return &object{class: userClass, fields: []any{
		u.ID, u.Name, role, addressValue(&u.Address), &list{elems: tags}, scores,
		date(u.Created), decimalValue(u.Balance), &list{typ: "[int", elems: lucky}, &list{elems: previous},
	}}
}

func addressValue(a *demo.Address) *object {
	return &object{class: addressClass, fields: []any{a.Street, a.City, a.Zip}}
}

func decimalValue(text string) *object {
	return &object{class: decimalClass, fields: []any{text}}
}

// put sets key to val in m as Java's Map.put does: an equal key keeps its
// place and takes the new value, a new key goes last. Keys are equal as
// Java's equals says for strings, boxes and dates; other keys only if they
// are the same instance.
func (m *hmap) put(key, val any) {
	if i := m.find(key); i >= 0 {
		m.vals[i] = val
		return
	}
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, val)
	switch n := len(m.keys); {
	case n == indexFrom:
		m.index = make(map[any]int, 2*n)
		for i, k := range m.keys {
			if ik, ok := indexKey(k); ok {
				m.index[ik] = i
			}
		}
	case n > indexFrom:
		if ik, ok := indexKey(key); ok {
			m.index[ik] = n - 1
		}
	}
}

// get returns the value of key, or nil.
func (m *hmap) get(key any) any {
	if i := m.find(key); i >= 0 {
		return m.vals[i]
	}
	return nil
}

// find returns the place of key among m's keys, or -1.
func (m *hmap) find(key any) int {
	if m.index != nil {
		if ik, ok := indexKey(key); ok {
			if i, found := m.index[ik]; found {
				return i
			}
			return -1
		}
	}
	for i, k := range m.keys {
		if javaEquals(k, key) {
			return i
		}
	}
	return -1
}

func javaEquals(a, b any) bool {
	switch a := a.(type) {
	case []byte:
		bb, ok := b.([]byte)
		return ok && len(a) > 0 && len(bb) > 0 && &a[0] == &bb[0]
	case float64:
		bb, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(bb) // Double.equals
	}
	if _, ok := b.([]byte); ok {
		return false
	}
	return a == b
}

// sortHashMap puts a HashMap's entries, given in insertion order, in the
// order Java's HashMap iterates them: by bucket, hash(key) & (capacity-1),
// where hash spreads the key's hashCode (h ^ h>>>16) and the capacity is
// the default table's (16) doubled until the entries fit under its 0.75
// load factor; within a bucket in insertion order. (Buckets of eight or
// more colliding keys, which Java turns into trees, are not modelled.)
func sortHashMap(m *hmap) {
	n := len(m.keys)
	if n < 2 {
		return
	}
	capacity := 16
	for n > capacity*3/4 {
		capacity *= 2
	}
	type entry struct {
		bucket   int
		key, val any
	}
	es := make([]entry, n)
	for i := range es {
		h := javaHashCode(m.keys[i])
		h ^= int32(uint32(h) >> 16)
		es[i] = entry{int(uint32(h)) & (capacity - 1), m.keys[i], m.vals[i]}
	}
	slices.SortStableFunc(es, func(a, b entry) int { return a.bucket - b.bucket })
	for i, e := range es {
		m.keys[i], m.vals[i] = e.key, e.val
		if ik, ok := indexKey(e.key); ok && m.index != nil {
			m.index[ik] = i
		}
	}
}

// javaHashCode returns Java's hashCode of a map key: String's over UTF-16
// units, Integer's value, Long's and Date's fold of the two halves,
// Boolean's 1231 and 1237, Double's fold of its bits; 0 for null and for
// keys whose hash is their identity (which no run can reproduce).
func javaHashCode(k any) int32 {
	switch k := k.(type) {
	case string:
		return javahash.String([]byte(k))
	case int32:
		return k
	case int64:
		return int32(k ^ int64(uint64(k)>>32))
	case date:
		return int32(int64(k) ^ int64(uint64(k)>>32))
	case bool:
		if k {
			return 1231
		}
		return 1237
	case float64:
		bits := math.Float64bits(k)
		if k != k {
			bits = 0x7ff8000000000000 // doubleToLongBits' canonical NaN
		}
		return int32(bits ^ bits>>32)
	}
	return 0
}

// javaInt is Java's (int) cast of a double: NaN is 0, and values past int's
// range saturate.
func javaInt(f float64) int32 {
	switch {
	case f != f:
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

// javaLong is Java's (long) cast of a double.
func javaLong(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// errDecimal is the NumberFormatException of new BigDecimal(text).
var errDecimal = errors.New("java.lang.NumberFormatException: not a BigDecimal")

// maxDecimalText bounds the decimals the service parses.
const maxDecimalText = 1000

// parseDecimal parses text as new BigDecimal(String) does: an optional
// sign, digits with at most one point (at least one digit), and an
// optional exponent. It returns the unscaled value and the scale.
func parseDecimal(text string) (*big.Int, int64, error) {
	if len(text) == 0 || len(text) > maxDecimalText {
		return nil, 0, errDecimal
	}
	mant, exp, hasExp := text, "", false
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		mant, exp, hasExp = text[:i], text[i+1:], true
	}
	neg := false
	if len(mant) > 0 && (mant[0] == '+' || mant[0] == '-') {
		neg = mant[0] == '-'
		mant = mant[1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	if len(digits) == 0 || strings.IndexFunc(digits, notDigit) >= 0 {
		return nil, 0, errDecimal
	}
	scale := int64(len(frac))
	if hasExp {
		e := exp
		eneg := false
		if len(e) > 0 && (e[0] == '+' || e[0] == '-') {
			eneg = e[0] == '-'
			e = e[1:]
		}
		if len(e) == 0 || len(e) > 9 || strings.IndexFunc(e, notDigit) >= 0 {
			return nil, 0, errDecimal
		}
		var v int64
		for _, c := range e {
			v = v*10 + int64(c-'0')
		}
		if eneg {
			v = -v
		}
		scale -= v
	}
	if scale > math.MaxInt32 || scale < math.MinInt32 {
		return nil, 0, errDecimal
	}
	u, _ := new(big.Int).SetString(digits, 10)
	if neg {
		u.Neg(u)
	}
	return u, scale, nil
}

func notDigit(r rune) bool { return r < '0' || r > '9' }

// formatDecimal writes unscaled × 10^-scale as BigDecimal.toString does:
// plainly when the scale is not negative and the adjusted exponent is at
// least -6, else in scientific notation ("1.23E+5").
func formatDecimal(u *big.Int, scale int64) string {
	coeff := new(big.Int).Abs(u).String()
	sign := ""
	if u.Sign() < 0 {
		sign = "-"
	}
	if scale == 0 {
		return sign + coeff
	}
	adjusted := -scale + int64(len(coeff)-1)
	if scale > 0 && adjusted >= -6 {
		if pad := scale - int64(len(coeff)); pad >= 0 {
			return sign + "0." + strings.Repeat("0", int(pad)) + coeff
		}
		point := int64(len(coeff)) - scale
		return sign + coeff[:point] + "." + coeff[point:]
	}
	s := sign + coeff[:1]
	if len(coeff) > 1 {
		s += "." + coeff[1:]
	}
	if adjusted != 0 {
		s += "E"
		if adjusted > 0 {
			s += "+"
		}
		s += big.NewInt(adjusted).String()
	}
	return s
}

// addDecimals returns a.add(b) for two BigDecimal texts: the exact sum, at
// the larger of the two scales.
func addDecimals(a, b string) (string, error) {
	ua, sa, err := parseDecimal(a)
	if err != nil {
		return "", err
	}
	ub, sb, err := parseDecimal(b)
	if err != nil {
		return "", err
	}
	if sa-sb > maxDecimalText || sb-sa > maxDecimalText {
		return "", errDecimal // not worth the digits here
	}
	ten := big.NewInt(10)
	for sa < sb {
		ua.Mul(ua, ten)
		sa++
	}
	for sb < sa {
		ub.Mul(ub, ten)
		sb++
	}
	return formatDecimal(ua.Add(ua, ub), sa), nil
}
