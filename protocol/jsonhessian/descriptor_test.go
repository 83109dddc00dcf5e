package jsonhessian

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTypes(t *testing.T) {
	type want struct {
		kind  Kind
		elem  Kind
		dims  int
		desc  string
		class string
	}
	tests := []struct {
		desc string
		want []want
	}{
		{"", nil},
		{"ZBCSIJFD", []want{
			{KindBool, KindBool, 0, "Z", ""}, {KindByte, KindByte, 0, "B", ""},
			{KindChar, KindChar, 0, "C", ""}, {KindShort, KindShort, 0, "S", ""},
			{KindInt, KindInt, 0, "I", ""}, {KindLong, KindLong, 0, "J", ""},
			{KindFloat, KindFloat, 0, "F", ""}, {KindDouble, KindDouble, 0, "D", ""},
		}},
		{"Ljava/lang/Boolean;Ljava/lang/Byte;Ljava/lang/Character;Ljava/lang/Short;Ljava/lang/Integer;Ljava/lang/Long;Ljava/lang/Float;Ljava/lang/Double;", []want{
			{KindBoolBox, KindBoolBox, 0, "Ljava/lang/Boolean;", "java/lang/Boolean"},
			{KindByteBox, KindByteBox, 0, "Ljava/lang/Byte;", "java/lang/Byte"},
			{KindCharBox, KindCharBox, 0, "Ljava/lang/Character;", "java/lang/Character"},
			{KindShortBox, KindShortBox, 0, "Ljava/lang/Short;", "java/lang/Short"},
			{KindIntBox, KindIntBox, 0, "Ljava/lang/Integer;", "java/lang/Integer"},
			{KindLongBox, KindLongBox, 0, "Ljava/lang/Long;", "java/lang/Long"},
			{KindFloatBox, KindFloatBox, 0, "Ljava/lang/Float;", "java/lang/Float"},
			{KindDoubleBox, KindDoubleBox, 0, "Ljava/lang/Double;", "java/lang/Double"},
		}},
		{"Ljava/lang/String;Ljava/math/BigDecimal;Ljava/math/BigInteger;Ljava/util/Date;Ljava/lang/Object;", []want{
			{KindString, KindString, 0, "Ljava/lang/String;", "java/lang/String"},
			{KindBigDecimal, KindBigDecimal, 0, "Ljava/math/BigDecimal;", "java/math/BigDecimal"},
			{KindBigInteger, KindBigInteger, 0, "Ljava/math/BigInteger;", "java/math/BigInteger"},
			{KindDate, KindDate, 0, "Ljava/util/Date;", "java/util/Date"},
			{KindObject, KindObject, 0, "Ljava/lang/Object;", "java/lang/Object"},
		}},
		{"Ljava/util/List;Ljava/util/ArrayList;Ljava/util/Collection;Ljava/util/Set;Ljava/util/HashSet;", []want{
			{KindList, KindList, 0, "Ljava/util/List;", "java/util/List"},
			{KindList, KindList, 0, "Ljava/util/ArrayList;", "java/util/ArrayList"},
			{KindList, KindList, 0, "Ljava/util/Collection;", "java/util/Collection"},
			{KindList, KindList, 0, "Ljava/util/Set;", "java/util/Set"},
			{KindList, KindList, 0, "Ljava/util/HashSet;", "java/util/HashSet"},
		}},
		{"Ljava/util/Map;Ljava/util/HashMap;Ljava/util/LinkedHashMap;Lcom/x/User;Lcom/x/Outer$Color;LUser;", []want{
			{KindMap, KindMap, 0, "Ljava/util/Map;", "java/util/Map"},
			{KindMap, KindMap, 0, "Ljava/util/HashMap;", "java/util/HashMap"},
			{KindMap, KindMap, 0, "Ljava/util/LinkedHashMap;", "java/util/LinkedHashMap"},
			{KindClass, KindClass, 0, "Lcom/x/User;", "com/x/User"},
			{KindClass, KindClass, 0, "Lcom/x/Outer$Color;", "com/x/Outer$Color"},
			{KindClass, KindClass, 0, "LUser;", "User"},
		}},
		{"[I[[J[Ljava/lang/String;[Lcom/x/User;[[[Ljava/util/Date;", []want{
			{KindArray, KindInt, 1, "[I", ""},
			{KindArray, KindLong, 2, "[[J", ""},
			{KindArray, KindString, 1, "[Ljava/lang/String;", "java/lang/String"},
			{KindArray, KindClass, 1, "[Lcom/x/User;", "com/x/User"},
			{KindArray, KindDate, 3, "[[[Ljava/util/Date;", "java/util/Date"},
		}},
		{"Lcom/x/Ünïcode;", []want{{KindClass, KindClass, 0, "Lcom/x/Ünïcode;", "com/x/Ünïcode"}}},
	}
	for _, tt := range tests {
		got, err := ParseTypes([]byte(tt.desc), nil)
		if err != nil {
			t.Errorf("ParseTypes(%q): %v", tt.desc, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("ParseTypes(%q): %d types, want %d", tt.desc, len(got), len(tt.want))
			continue
		}
		for i, w := range tt.want {
			g := got[i]
			if g.Kind != w.kind || g.Elem != w.elem || g.Dims != w.dims || string(g.Desc) != w.desc || string(g.Class) != w.class {
				t.Errorf("ParseTypes(%q)[%d] = {%v %v %d %q %q}, want %+v", tt.desc, i, g.Kind, g.Elem, g.Dims, g.Desc, g.Class, w)
			}
		}
	}
}

func TestParseTypesErrors(t *testing.T) {
	tests := []struct{ desc, want string }{
		{"Lcom/x/User", `argument 1: "Lcom/x/User" lacks ';'`},
		{"ILcom/x/User", `argument 2: "Lcom/x/User" lacks ';'`},
		{"IJX", `argument 3: "X" is not a type`},
		{"V", `argument 1: "V" is void, not a parameter type`},
		{"[", `argument 1: "[" lacks an element type`},
		{"I[[", `argument 2: "[[" lacks an element type`},
		{"[V", `argument 1: "[V" is void`},
		{"L;", `argument 1: "L;" names no class`},
		{"Lcom.x.User;", `argument 1: "Lcom.x.User;" has '.' in its class name`},
		{"Lcom//User;", `argument 1: "Lcom//User;" has an empty package segment`},
		{"L/User;", `has an empty package segment`},
		{"Lcom/x/;", `argument 1: "Lcom/x/;" ends with '/'`},
		{"Lcom/[x;", `has '[' in its class name`},
		{"Lcom/\x01x;", `control character`},
		{"Lcom/\xffx;", `not valid UTF-8`},
		{" I", `argument 1: " " is not a type`},
		{strings.Repeat("[", 256) + "I", `more than 255 array dimensions`},
		{"L" + strings.Repeat("a", 1025) + ";", `longer than 1024 bytes`},
		{strings.Repeat("I", 256), `more than 255 parameters`},
	}
	for _, tt := range tests {
		_, err := ParseTypes([]byte(tt.desc), nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrBadArgument) {
			t.Errorf("ParseTypes(%q) = %v, want an ErrBadArgument with %q", tt.desc, err, tt.want)
		}
	}
	if _, err := ParseTypes([]byte(strings.Repeat("I", 255)), nil); err != nil {
		t.Errorf("255 parameters: %v", err)
	}
	if _, err := ParseTypes([]byte(strings.Repeat("[", 255)+"I"), nil); err != nil {
		t.Errorf("255 dimensions: %v", err)
	}
}

func TestNextType(t *testing.T) {
	desc := []byte("[[Lcom/x/User;I")
	typ, n, err := NextType(desc)
	if err != nil || n != 14 || typ.Kind != KindArray || typ.Dims != 2 {
		t.Fatalf("NextType = %+v, %d, %v", typ, n, err)
	}
	if _, _, err := NextType(nil); err == nil || !errors.Is(err, ErrBadArgument) {
		t.Errorf("NextType(empty) = %v", err)
	}
	if _, _, err := NextType([]byte("Lx")); err == nil || !strings.Contains(err.Error(), `"Lx" lacks ';'`) {
		t.Errorf("NextType(Lx) = %v", err)
	}
}

func TestTypeNames(t *testing.T) {
	tests := []struct {
		desc, class, list, elem string
	}{
		{"I", "", "", ""},
		{"Lcom/x/User;", "com.x.User", "", ""},
		{"[I", "", "[int", "I"},
		{"[[J", "", "[[long", "[J"},
		{"[Z", "", "[boolean", "Z"},
		{"[S", "", "[short", "S"},
		{"[F", "", "[float", "F"},
		{"[D", "", "[double", "D"},
		{"[[B", "", "[[byte", "[B"},
		{"[[C", "", "[[char", "[C"},
		{"[Ljava/lang/String;", "java.lang.String", "[string", "Ljava/lang/String;"},
		{"[Ljava/lang/Object;", "java.lang.Object", "[object", "Ljava/lang/Object;"},
		{"[Ljava/util/Date;", "java.util.Date", "[date", "Ljava/util/Date;"},
		{"[Ljava/lang/Integer;", "java.lang.Integer", "[java.lang.Integer", "Ljava/lang/Integer;"},
		{"[Ljava/lang/Number;", "java.lang.Number", "[java.lang.Number", "Ljava/lang/Number;"},
		{"[[Lcom/x/User;", "com.x.User", "[[com.x.User", "[Lcom/x/User;"},
	}
	for _, tt := range tests {
		typ, _, err := NextType([]byte(tt.desc))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(typ.AppendClassName(nil)); got != tt.class {
			t.Errorf("%s: AppendClassName = %q, want %q", tt.desc, got, tt.class)
		}
		if got := string(typ.AppendListType(nil)); got != tt.list {
			t.Errorf("%s: AppendListType = %q, want %q", tt.desc, got, tt.list)
		}
		if got := typ.ElemType().String(); got != tt.elem {
			t.Errorf("%s: ElemType = %q, want %q", tt.desc, got, tt.elem)
		}
		if typ.String() != tt.desc {
			t.Errorf("String = %q", typ.String())
		}
	}
	e := Type{Kind: KindArray, Elem: KindInt, Dims: 2, Desc: []byte("[[I")}.ElemType().ElemType()
	if e.Kind != KindInt || e.Dims != 0 || string(e.Desc) != "I" {
		t.Errorf("[[I elem elem = %+v", e)
	}
}

func TestKind(t *testing.T) {
	if KindInt.String() != "int" || KindIntBox.String() != "Integer" || Kind(200).String() != "invalid" {
		t.Error("Kind.String")
	}
	for k := KindBool; k <= KindDouble; k++ {
		if !k.IsPrimitive() || k.IsBox() || !k.IsText() || (k+KindBoolBox-KindBool).unbox() != k {
			t.Errorf("%v", k)
		}
	}
	for _, k := range []Kind{KindObject, KindList, KindMap, KindClass, KindArray} {
		if k.IsText() || k.IsPrimitive() || k.IsBox() {
			t.Errorf("%v", k)
		}
	}
}
