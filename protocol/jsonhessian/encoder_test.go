package jsonhessian

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// mustTypes parses desc or fails the test.
func mustTypes(t testing.TB, desc string) []Type {
	t.Helper()
	types, err := ParseTypes([]byte(desc), nil)
	if err != nil {
		t.Fatal(err)
	}
	return types
}

// transcodeCases are arguments AppendArg accepts, one stream per case; each
// is checked against the library's decoding and encoding/json's reading.
var transcodeCases = []struct {
	desc string
	args []string
}{
	// Text arguments.
	{"ZZ", []string{"true", "false"}},
	{"BSIJ", []string{"-128", "32767", "-2147483648", "9223372036854775807"}},
	{"BSIJ", []string{"127", "-32768", "+2147483647", "-9223372036854775808"}},
	{"FD", []string{"0.1", "1.5E3"}},
	{"FDD", []string{"3.4028235e38", "-Inf", "NaN"}},
	{"CCC", []string{"a", "é", "€"}},
	{"Ljava/lang/Boolean;Ljava/lang/Byte;Ljava/lang/Character;Ljava/lang/Short;Ljava/lang/Integer;Ljava/lang/Long;Ljava/lang/Float;Ljava/lang/Double;",
		[]string{"true", "-1", "x", "7", "42", "-42", "2.5", "-0.25"}},
	{"Ljava/lang/Boolean;Ljava/lang/Integer;Ljava/lang/Double;Ljava/math/BigDecimal;Ljava/math/BigInteger;Ljava/util/Date;",
		[]string{"null", "null", "null", "null", "null", "null"}},
	{"Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;", []string{"", "null", "héllo 😀 {\"not\":\"json\"}", strings.Repeat("ab😀", 3000)}},
	{"Ljava/math/BigDecimal;Ljava/math/BigDecimal;Ljava/math/BigDecimal;Ljava/math/BigDecimal;", []string{"1.10", "-0.000", "12345678901234567890.123456789012345678901234567890", "1E+400"}},
	{"Ljava/math/BigInteger;Ljava/math/BigInteger;Ljava/math/BigInteger;Ljava/math/BigInteger;Ljava/math/BigInteger;",
		[]string{"0", "-1", "4294967296", "-123456789012345678901234567890", "+0042"}},
	{"Ljava/util/Date;Ljava/util/Date;Ljava/util/Date;Ljava/util/Date;Ljava/util/Date;", []string{"2026-12-05T08:00:00.123Z", "2026-12-05t08:00:00+08:00", "1969-12-31 23:59:59.9999z", "-1", "0"}},
	{"Ljava/util/Date;Ljava/util/Date;", []string{"1600-02-29T12:00:00-05:30", "9999-12-31T23:59:59.999Z"}},

	// JSON where Object is declared.
	{"Ljava/lang/Object;", []string{`null`}},
	{"Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/Object;", []string{`true`, `false`, `"s\n\u00e9\ud83d\ude00\"\\\/\b\f\r\t"`}},
	{"Ljava/lang/Object;", []string{`[0, -0, 2147483647, -2147483648, 2147483648, -9223372036854775808, 9223372036854775808, -123456789012345678901234567890, 1.5, -0.0, 1e300, 5E-324, 1e-400]`}},
	{"Ljava/lang/Object;", []string{` { "a" : [ 1 , { "b" : [ ] , "c" : { } } ] , "d" : null } `}},
	{"Ljava/lang/Object;", []string{`{"a":1,"a":2}`}},
	{"Ljava/lang/Number;Ljava/io/Serializable;Ljava/lang/CharSequence;", []string{`5`, `"x"`, `"y"`}},
	{"Ljava/lang/Object;", []string{`["\ud800", "\udc00x", "\ud800\u0041", "\uD83D\uDE00"]`}},

	// Collections and maps.
	{"Ljava/util/List;Ljava/util/Set;Ljava/util/Collection;Ljava/util/ArrayList;", []string{`[1,"2",[3]]`, `[]`, `[1,2,3,4,5,6,7,8,9]`, `null`}},
	{"Ljava/util/Map;Ljava/util/HashMap;Ljava/util/Map;", []string{`{"k":"v","n":{"m":[1]}}`, `{}`, `null`}},
	{"Ljava/util/Map;Ljava/util/Map;", []string{`{"class":"java.util.TreeMap","b":1,"a":2}`, `{"x":1,"class":"java.util.LinkedHashMap"}`}},

	// Classes: maps, typed objects, enums, the special classes.
	{"Lcom/x/User;", []string{`{"name":"a","age":5,"addr":{"city":"c"},"role":{"name":"ADMIN"},"tags":["x"],"attrs":{"k":1}}`}},
	{"Lcom/x/User;Lcom/x/User;Lcom/x/User;", []string{`{"class":"com.x.User","name":"a","age":1}`, `{"name":"b","class":"com.x.User","age":2}`, `{"class":"com.x.User","age":3,"name":"c"}`}},
	{"Lcom/x/Color;Lcom/x/Color;Lcom/x/Outer$Color;Lcom/x/Color;", []string{`"RED"`, `"GREEN"`, `"BLUE"`, `null`}},
	{"Lcom/x/User;", []string{`{"role":{"class":"com.x.Role","name":"ADMIN"},"roles":[{"name":"A"},{"class":"com.x.Role","name":"B"}]}`}},
	{"Lcom/x/User;", []string{`{"when":{"class":"java.util.Date","value":"2026-12-05T08:00:00Z"},"epoch":{"value":-5,"class":"java.util.Date"},"n":{"class":"java.util.Date","value":null}}`}},
	{"Lcom/x/User;", []string{`{"a":{"class":"java.math.BigDecimal","value":"1.10"},"b":{"class":"java.math.BigDecimal","value":1.10},"c":{"value":"2.5"},"d":{"class":"java.math.BigDecimal","value":1e400}}`}},
	{"Lcom/x/User;", []string{`{"a":{"class":"java.math.BigInteger","value":"-123456789012345678901234567890"},"b":{"class":"java.math.BigInteger","value":42}}`}},
	{"Lcom/x/User;", []string{`{"raw":{"class":"[B","value":"AQID"},"raw2":{"class":"[B","value":[1,255,-128]}}`}},
	{"Lcom/x/User;", []string{`{"cl\u0061ss":"com.x.Escaped","k\u00e9y":1}`}},
	{"Ljava/math/BigDecimal;Ljava/math/BigInteger;Ljava/util/Date;", []string{"5", "5", "5"}},
	// The java.sql dates, declared and named by "class".
	{"Ljava/sql/Timestamp;Ljava/sql/Timestamp;Ljava/sql/Timestamp;Ljava/sql/Timestamp;", []string{"2026-12-05T08:00:00.123Z", "-1", "null", "0"}},
	{"Ljava/sql/Date;Ljava/sql/Time;", []string{"2026-12-05T00:00:00Z", "1000"}},
	{"Ljava/lang/Object;", []string{`[{"class":"java.sql.Timestamp","value":"2026-12-05T08:00:00Z"},{"value":5,"class":"java.sql.Timestamp"},{"class":"java.sql.Timestamp","value":null}]`}},
	{"Lcom/x/User;", []string{`{"at":{"class":"java.sql.Timestamp","value":1},"day":{"class":"java.sql.Date","value":2}}`}},
	{"[Ljava/sql/Timestamp;", []string{`["2026-12-05T08:00:00Z",1,null,{"value":2}]`}},
	// Boxes say what a number is where nothing declares it: a small Long.
	{"Ljava/lang/Object;", []string{`[{"class":"java.lang.Long","value":1},{"value":"9007199254740993","class":"java.lang.Long"},` +
		`{"class":"java.lang.Long","value":null},{"class":"java.lang.Integer","value":"-2"},{"class":"java.lang.Short","value":3},` +
		`{"class":"java.lang.Byte","value":-4},{"class":"java.lang.Double","value":1},{"class":"java.lang.Float","value":"NaN"},` +
		`{"class":"java.lang.Boolean","value":"true"},{"class":"java.lang.Character","value":"é"},{"class":"java.lang.String","value":"s"}]`}},
	{"Ljava/util/Map;", []string{`{"a":{"class":"java.lang.Long","value":5},"b":{"class":"java.lang.Long","value":-9223372036854775808}}`}},

	// Arrays.
	{"[I[J[D[Z[S[F", []string{`[1,-2,300000]`, `[5,-9223372036854775808]`, `[1,0.5,-2,1e300]`, `[true,false]`, `[1,-32768]`, `[0.1,3.4028235e38]`}},
	{"[I[I[I", []string{`[]`, `[1,2,3,4,5,6,7]`, `[1,2,3,4,5,6,7,8]`}},
	{"[[I[[J[[[D", []string{`[[1],[2,3],[],null]`, `[[1],[2]]`, `[[[0.5]],[]]`}},
	{"[Ljava/lang/String;[Ljava/lang/Object;[Ljava/util/List;[Ljava/util/Map;", []string{`["a",null,"😀"]`, `[1,"a",null,[2],{"b":3}]`, `[[1],null]`, `[{"a":1},null]`}},
	{"[Ljava/lang/Integer;[Ljava/lang/Long;[Ljava/lang/Double;[Ljava/lang/Boolean;[Ljava/lang/Short;[Ljava/lang/Float;[Ljava/lang/Byte;[Ljava/lang/Character;",
		[]string{`[1,null]`, `[1,null]`, `[1.5,null]`, `[true,null]`, `[-3,null]`, `[0.5,null]`, `[-1,null]`, `["x",null]`}},
	{"[Ljava/util/Date;[Ljava/math/BigDecimal;[Ljava/math/BigInteger;", []string{`["2026-01-01T00:00:00Z",0,null]`, `["1.5",2,null]`, `["123456789012345678901234567890",7,null]`}},
	{"[Ljava/util/Date;[Ljava/math/BigDecimal;[Ljava/math/BigInteger;", []string{`[{"value":5},{"class":"java.util.Date","value":6}]`, `[{"value":"1.5"},{"value":2,"class":"java.math.BigDecimal"}]`, `[{"value":"-12345678901234567890"}]`}},
	{"[B[B[B[B[C[C[C", []string{`"AQID"`, `"AQI"`, `[1,255,-128]`, `[]`, `"ab"`, `["a","é"]`, `null`}},
	{"[[B", []string{`["AQ==",[2],null]`}},
	{"[Lcom/x/User;[Lcom/x/Color;[[Lcom/x/Color;", []string{`[{"name":"a"},{"class":"com.x.User","name":"b"},null]`, `["RED",{"name":"GREEN"},null]`, `[["RED"],[]]`}},
	{"[Ljava/lang/String;[Ljava/lang/String;[[Ljava/lang/String;", []string{`["a"]`, `["b"]`, `[["c"]]`}},
}

func TestTranscode(t *testing.T) {
	for _, c := range transcodeCases {
		types := mustTypes(t, c.desc)
		args := make([][]byte, len(c.args))
		for i, a := range c.args {
			args[i] = []byte(a)
		}
		if !checkDifferential(t, types, args) {
			var e Encoder
			for i, typ := range types {
				if _, err := e.AppendArg(nil, typ, args[i]); err != nil {
					t.Errorf("%s argument %d %q: %v", c.desc, i+1, c.args[i], err)
				}
			}
		}
	}
}

// TestTranscodeBytes pins the exact bytes of a few streams: class
// definitions and list types written once, then referred to by index.
func TestTranscodeBytes(t *testing.T) {
	tests := []struct {
		desc string
		args []string
		want string // hex, spaces ignored
	}{
		{"Lcom/x/Color;Lcom/x/Color;", []string{`"RED"`, `"GREEN"`},
			"43 0b636f6d2e782e436f6c6f72 91 046e616d65 60 03524544" + " 60 05475245454e"},
		{"Ljava/lang/Object;", []string{`[{"class":"a.B","x":1},{"x":2,"class":"a.B"},{"class":"a.B","y":3}]`},
			"7b" + " 43 03612e42 91 0178 60 91" + " 60 92" + " 43 03612e42 91 0179 61 93"},
		{"[I[I[[I", []string{`[1]`, `[2,3]`, `[[4]]`},
			"71 045b696e74 91" + " 72 90 92 93" + " 71 055b5b696e74 71 90 94"},
		{"Ljava/math/BigInteger;Ljava/math/BigDecimal;", []string{`-4294967296`, `1.10`},
			"43 146a6176612e6d6174682e426967496e7465676572 92 067369676e756d 036d6167 60 8f 72 045b696e74 91 90" +
				" 43 146a6176612e6d6174682e426967446563696d616c 91 0576616c7565 61 04312e3130"},
		{"Ljava/util/Date;Ljava/util/Map;", []string{`1`, `{"class":"java.util.HashMap","a":[]}`},
			"4a 0000000000000001" + " 4d 116a6176612e7574696c2e486173684d6170 0161 78 5a"},
		{"[B[C", []string{`[1,2]`, `["a","b"]`}, "22 0102 02 6162"},
		// As Java's SqlDateSerializer: an object of the class, the date
		// in its field value; the class defined once.
		{"Ljava/sql/Timestamp;Ljava/sql/Timestamp;", []string{`1`, `2`},
			"43 126a6176612e73716c2e54696d657374616d70 91 0576616c7565 60 4a 0000000000000001" + " 60 4a 0000000000000002"},
	}
	for _, tt := range tests {
		types := mustTypes(t, tt.desc)
		var e Encoder
		var out []byte
		for i, typ := range types {
			var err error
			if out, err = e.AppendArg(out, typ, []byte(tt.args[i])); err != nil {
				t.Fatalf("%s %q: %v", tt.desc, tt.args[i], err)
			}
		}
		want, err := hex.DecodeString(strings.ReplaceAll(tt.want, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s %q:\n got %x\nwant %x", tt.desc, tt.args, out, want)
		}
	}
}

// TestReset checks that Reset starts a new stream: the class definition is
// written again.
func TestReset(t *testing.T) {
	typ := mustTypes(t, "Lcom/x/Color;")[0]
	var e Encoder
	first, _ := e.AppendArg(nil, typ, []byte(`"RED"`))
	second, _ := e.AppendArg(nil, typ, []byte(`"RED"`))
	e.Reset()
	third, _ := e.AppendArg(nil, typ, []byte(`"RED"`))
	if bytes.Equal(first, second) || !bytes.Equal(first, third) {
		t.Errorf("first %x, second %x, after Reset %x", first, second, third)
	}
}

func TestAppendArgErrors(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	deepOK := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	tests := []struct{ desc, arg, want string }{
		// Text.
		{"Z", "TRUE", `"TRUE" is not a boolean`},
		{"Z", "null", `"null" is not a boolean`},
		{"B", "128", `"128" is not a byte (-128 to 127)`},
		{"S", "-32769", `is not a short`},
		{"I", "2147483648", `"2147483648" is not a int (-2147483648 to 2147483647)`},
		{"I", "1.0", `is not a int`},
		{"I", "", `"" is not a int`},
		{"I", " 1", `is not a int`},
		{"J", "9223372036854775808", `is not a long`},
		{"F", "1e39", `"1e39" is not a float`},
		{"D", "x", `"x" is not a double`},
		{"C", "ab", `"ab" is not a char`},
		{"Ljava/sql/Timestamp;", "yesterday", `"yesterday" is not a java.sql.Timestamp (RFC 3339 or epoch milliseconds)`},
		{"Ljava/lang/Object;", `{"class":"java.sql.Time","value":1.5}`, `"1.5" is not a java.sql.Time in epoch milliseconds`},
		{"[Ljava/sql/Date;", `[true]`, `a boolean where java.sql.Date is declared`},
		{"Ljava/util/UUID;", `"123e4567-e89b-12d3-a456-426614174000"`, `a string where java.util.UUID is declared: a string is read as an enum constant's name, and java.util.UUID is not an enum`},
		{"[Ljava/time/LocalDate;", `["2026-12-05"]`, `a string where java.time.LocalDate is declared`},
		// Boxes in values.
		{"Ljava/lang/Object;", `{"class":"java.lang.Long","value":1.5}`, `"1.5" is not a long`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Long","value":"1x"}`, `JSON at offset 34: "1x" is not a long`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Integer","value":2147483648}`, `is not a int`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Byte","value":"128"}`, `"128" is not a byte`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Long","value":"null"}`, `"null" is not a long`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Long"}`, `lacks its "value"`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Long","value":1,"x":2}`, `takes only "class" and "value"`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Character","value":"ab"}`, `"ab" is not a char`},
		{"Ljava/lang/Object;", `{"class":"java.lang.Boolean","value":1}`, `a number where Boolean is declared`},
		{"C", "😀", `is not a char`},
		{"C", "", `is not a char`},
		{"Ljava/lang/String;", "\xff", `not valid UTF-8`},
		{"Ljava/math/BigDecimal;", "1.2.3", `is not a BigDecimal`},
		{"Ljava/math/BigDecimal;", "1e1234567890", `is not a BigDecimal`},
		{"Ljava/math/BigInteger;", "1.5", `is not a BigInteger`},
		{"Ljava/math/BigInteger;", strings.Repeat("9", 4097), `at most 4096 digits`},
		{"Ljava/util/Date;", "2026-13-01T00:00:00Z", `is not a Date`},
		{"Ljava/util/Date;", "2026-02-29T00:00:00Z", `is not a Date`},
		{"Ljava/util/Date;", "2026-01-01T24:00:00Z", `is not a Date`},
		{"Ljava/util/Date;", "2026-01-01T00:00:00", `is not a Date`},
		{"Ljava/util/Date;", "2026-01-01T00:00:00+24:00", `is not a Date`},
		{"Ljava/util/Date;", "2026-01-01T00:00:00.Z", `is not a Date`},
		{"Ljava/util/Date;", "+5", `is not a Date`},

		// Malformed JSON.
		{"Ljava/lang/Object;", ``, `unexpected end where a value belongs`},
		{"Ljava/lang/Object;", `{`, `ends inside 1 open`},
		{"Ljava/lang/Object;", `[1,]`, `where a value belongs`},
		{"Ljava/lang/Object;", `[1 2]`, `unexpected "2" at the end of an array`},
		{"Ljava/lang/Object;", `{"a" 1}`, `after a key`},
		{"Ljava/lang/Object;", `{"a":1,}`, `unexpected "," at the end of an object`},
		{"Ljava/lang/Object;", `{1:2}`, `where a key belongs`},
		{"Ljava/lang/Object;", `[}`, `unexpected '}'`},
		{"Ljava/lang/Object;", `]`, `unexpected ']'`},
		{"Ljava/lang/Object;", `1 2`, `after the JSON value`},
		{"Ljava/lang/Object;", `"abc`, `never ends`},
		{"Ljava/lang/Object;", "\"a\x01\"", `control character`},
		{"Ljava/lang/Object;", `"\x"`, `"\\x" is not an escape`},
		{"Ljava/lang/Object;", `"\u12"`, `four hex digits`},
		{"Ljava/lang/Object;", "\"\xff\"", `not valid UTF-8`},
		{"Ljava/lang/Object;", `01`, `after the JSON value`},
		{"Ljava/lang/Object;", `-`, `in a number`},
		{"Ljava/lang/Object;", `1.`, `in a number's fraction`},
		{"Ljava/lang/Object;", `1e`, `in a number's exponent`},
		{"Ljava/lang/Object;", `tru`, `in a literal`},
		{"Ljava/lang/Object;", `nul`, `in a literal`},
		{"Ljava/lang/Object;", `'a'`, `where a value belongs`},
		{"Ljava/lang/Object;", deep, `nests deeper than 64 levels`},
		{"Ljava/lang/Object;", `1e400`, `out of double's range`},
		{"Ljava/lang/Object;", strings.Repeat("9", 4097), `at most 4096 digits`},

		// Values of the wrong shape.
		{"[I", `{"a":1}`, `JSON at offset 0: an object where int[] is declared`},
		{"[I", `["1"]`, `JSON at offset 1: a string where int is declared`},
		{"[I", `[1.5]`, `"1.5" is not a int`},
		{"[I", `[null]`, `null where int is declared`},
		{"[I", `"x"`, `a string where int[] is declared`},
		{"[J", `[9223372036854775808]`, `is not a long`},
		{"[B", `[256]`, `"256" is not a byte (-128 to 255)`},
		{"[B", `["a"]`, `a byte[] holds numbers`},
		{"[B", `"@@@"`, `not base64`},
		{"[C", `["ab"]`, `is not a char`},
		{"[C", `[1]`, `a char[] holds one-character strings`},
		{"[Z", `[1]`, `a number where boolean is declared`},
		{"[F", `[1e39]`, `is not a float`},
		{"[[I", `[1]`, `a number where int[] is declared`},
		{"[Ljava/lang/String;", `[1]`, `a number where String is declared`},
		{"[Ljava/lang/Character;", `["ab"]`, `is not a char`},
		{"[Ljava/util/Date;", `["x"]`, `is not a Date`},
		{"[Ljava/util/Date;", `[1.5]`, `is not a Date in epoch milliseconds`},
		{"[Ljava/math/BigDecimal;", `["x"]`, `is not a BigDecimal`},
		{"[Ljava/math/BigInteger;", `[1.5]`, `is not a BigInteger`},
		{"[Lcom/x/User;", `[1]`, `a number where com.x.User is declared`},
		{"[Lcom/x/User;", `[true]`, `a boolean where com.x.User is declared`},
		{"Ljava/util/List;", `{"a":1}`, `an object where java.util.List is declared`},
		{"Ljava/util/List;", `"x"`, `a string where java.util.List is declared`},
		{"Ljava/util/Map;", `[1]`, `an array where java.util.Map is declared`},
		{"Lcom/x/User;", `[1]`, `an array where com.x.User is declared`},
		{"Lcom/x/User;", `5`, `a number where com.x.User is declared`},

		// The "class" key.
		{"Lcom/x/User;", `{"class":1}`, `"class" must name a class in a string`},
		{"Lcom/x/User;", `{"class":""}`, `"class" names no class`},
		{"Lcom/x/User;", `{"class":"a","class":"b"}`, `two "class" keys`},
		{"Lcom/x/User;", `{"class":"java.util.ArrayList","a":1}`, `a collection: send a JSON array`},
		{"Lcom/x/User;", `{"d":{"class":"java.util.Date","value":"x"}}`, `is not a Date`},
		{"Lcom/x/User;", `{"d":{"class":"java.util.Date"}}`, `lacks its "value"`},
		{"Lcom/x/User;", `{"d":{"class":"java.util.Date","value":1,"value":2}}`, `two "value" keys`},
		{"Lcom/x/User;", `{"d":{"class":"java.util.Date","value":1,"tz":"UTC"}}`, `has a key "tz"`},
		{"Lcom/x/User;", `{"d":{"class":"java.util.Date","value":{}}}`, `must be a string or a number`},
		{"Lcom/x/User;", `{"d":{"class":"java.math.BigDecimal","value":"1,5"}}`, `is not a BigDecimal`},
		{"Lcom/x/User;", `{"d":{"class":"java.math.BigInteger","value":1.5}}`, `is not a BigInteger`},
		{"Lcom/x/User;", `{"d":{"class":"[B","value":"!"}}`, `not base64`},
		{"[Ljava/util/Date;", `[{"value":"x"}]`, `is not a Date`},
		{"[Ljava/math/BigInteger;", `[{"signum":1,"mag":[5]}]`, `an object of class java.math.BigInteger has a key "signum"`},
		{"[Ljava/math/BigDecimal;", `[{}]`, `an object of class java.math.BigDecimal lacks its "value"`},
	}
	for _, tt := range tests {
		typ := mustTypes(t, tt.desc)[0]
		var e Encoder
		dst := []byte("keep")
		out, err := e.AppendArg(dst, typ, []byte(tt.arg))
		if err == nil || !errors.Is(err, ErrBadArgument) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %.40q: error %v, want one with %q", tt.desc, tt.arg, err, tt.want)
		}
		if string(out) != "keep" {
			t.Errorf("%s %.40q: dst changed to %q", tt.desc, tt.arg, out)
		}
		if cerr := e.Check(typ, []byte(tt.arg)); cerr == nil || cerr.Error() != err.Error() {
			t.Errorf("%s %.40q: Check = %v, AppendArg = %v", tt.desc, tt.arg, cerr, err)
		}
	}
	if _, err := new(Encoder).AppendArg(nil, mustTypes(t, "Ljava/lang/Object;")[0], []byte(deepOK)); err != nil {
		t.Errorf("%d levels: %v", MaxDepth, err)
	}
	if _, err := new(Encoder).AppendArg(nil, Type{}, []byte(`1`)); err == nil {
		t.Error("the zero Type was accepted")
	}
}

func TestCheck(t *testing.T) {
	var e Encoder
	for _, c := range transcodeCases {
		for i, typ := range mustTypes(t, c.desc) {
			if err := e.Check(typ, []byte(c.args[i])); err != nil {
				t.Errorf("Check(%s, %q): %v", typ, c.args[i], err)
			}
		}
	}
	// Check keeps a small buffer whatever the argument's size.
	big := []byte("[" + strings.Repeat(`"abcdefghijklmnopqrstuvwxyz",`, 10000) + "1]")
	var fresh Encoder
	if err := fresh.Check(mustTypes(t, "Ljava/util/List;")[0], big); err != nil || cap(fresh.check) > 2*checkBuffer {
		t.Errorf("Check of %d bytes: %v, buffer %d", len(big), err, cap(fresh.check))
	}
	// Check leaves no class definition behind.
	typ := mustTypes(t, "Lcom/x/Color;")[0]
	e.Reset()
	_ = e.Check(typ, []byte(`"RED"`))
	out, _ := e.AppendArg(nil, typ, []byte(`"RED"`))
	if out[0] != tagClassDef {
		t.Errorf("after Check, AppendArg wrote %x", out)
	}
}

// TestMaxSize checks the bound against the inputs that come closest to it.
func TestMaxSize(t *testing.T) {
	tests := []struct{ desc, arg string }{
		{"[D", `[0.5]`},
		{"[D", `[1e5,1e5,1e5,1e5]`},
		{"[D", "[" + strings.Repeat("1e5,", 1000) + "1e5]"},
		{"Ljava/lang/Object;", "[" + strings.Repeat("1e5,", 1000) + "1e5]"},
		{"D", `1e5`},
		{"D", `2`},
		{"Ljava/lang/String;", ``},
		{"Ljava/lang/String;", `😀`},
		{"Ljava/lang/String;", strings.Repeat("😀", 5000)},
		{"Ljava/lang/Object;", `"` + strings.Repeat("😀", 5000) + `"`},
		{"Ljava/lang/Object;", `"` + strings.Repeat(`\ud83d\ude00`, 5000) + `"`},
		{"Ljava/math/BigInteger;", `1`},
		{"Ljava/math/BigInteger;", strings.Repeat("9", 4096)},
		{"Ljava/math/BigDecimal;", `1`},
		{"Ljava/util/Date;", `1`},
		{"C", `a`},
		{"Lcom/x/VeryLongEnumClassNameToStretchTheBound;", `""`},
		{"[Lcom/x/VeryLongEnumClassNameToStretchTheBound;", `["","","",""]`},
		{"[[[[Lcom/x/VeryLongEnumClassNameToStretchTheBound;", `[[[[]]],[[[]]],[[[]]]]`},
		{"[[[[[[[[I", `[[[[[[[[]]]]]]]]`},
		{"Ljava/lang/Object;", "[" + strings.Repeat(`123456789012345678901,`, 100) + "1]"},
		{"[Ljava/math/BigInteger;", `[1,2,3]`},
		{"[Ljava/math/BigDecimal;", `[1,2,3]`},
		{"[Ljava/util/Date;", `[1,2,3]`},
		{"Ljava/lang/Object;", `[{"class":"a"},{"class":"b"},{"class":"c"}]`},
		{"Ljava/lang/Object;", `{"":{"":{"":{}}}}`},
		{"Ljava/lang/Object;", `[{"class":"java.math.BigInteger","value":1}]`},
		{"Ljava/lang/Object;", `[{"class":"java.util.Date","value":1}]`},
	}
	for _, tt := range tests {
		typ := mustTypes(t, tt.desc)[0]
		var e Encoder
		out, err := e.AppendArg(nil, typ, []byte(tt.arg))
		if err != nil {
			t.Fatalf("%s %.40q: %v", tt.desc, tt.arg, err)
		}
		if max := MaxSize(typ, []byte(tt.arg)); len(out) > max {
			t.Errorf("%s %.40q: %d bytes, MaxSize %d", tt.desc, tt.arg, len(out), max)
		}
	}
	// A class definition referred to with a large index in a later argument.
	var e Encoder
	var out []byte
	for i := range 300 {
		out, _ = e.AppendArg(out[:0], mustTypes(t, "Ljava/lang/Object;")[0], []byte(`{"class":"c`+strings.Repeat("x", i)+`"}`))
	}
	for _, c := range []struct{ desc, elem string }{
		{"[Ljava/math/BigDecimal;", "1"}, {"[Ljava/math/BigInteger;", "1"}, {"[Ljava/math/BigInteger;", "0"},
		{"[Ljava/math/BigInteger;", "-999999999"}, {"[Ljava/util/Date;", "1"}, {"[Lcom/x/E;", `""`},
		{"[[Ljava/util/Date;", "[1]"}, {"[[Ljava/math/BigInteger;", "[1]"}, {"Ljava/util/List;", `{"value":1}`},
		{"[Ljava/util/Date;", `{"value":1}`}, {"[Ljava/math/BigInteger;", `{"value":1}`},
	} {
		typ := mustTypes(t, c.desc)[0]
		arg := []byte("[" + strings.Repeat(c.elem+",", 999) + c.elem + "]")
		out, err := e.AppendArg(out[:0], typ, arg)
		if err != nil || len(out) > MaxSize(typ, arg) {
			t.Errorf("late %s of %s: %d bytes, MaxSize %d, %v", c.desc, c.elem, len(out), MaxSize(typ, arg), err)
		}
	}
}
