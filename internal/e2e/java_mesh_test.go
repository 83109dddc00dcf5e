package e2e

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// javaMeshCase is one call of TestJavaMesh, made in both forms.
type javaMeshCase struct {
	name string
	call meshCall
	// plain: the form's answer is text/plain with exactly body (a
	// primitive, a box, a String or null); otherwise both forms answer
	// application/json with want.
	plain bool
	body  string
	// want is the answer as a JSON value (the JSON form's always).
	want any
	// status, when not 0 or 200, is an error's: the form's body is
	// "error: " then errPrefix..., the JSON form's {"error":"errPrefix..."}.
	status    int
	errPrefix string
	// skip, when set, skips the case: "known: <a product bug>".
	skip string
}

// echoUser is a User with every field set, as a caller writes one: nested
// values say what Java needs to read them (an enum as {name}, a Date and a
// BigDecimal as objects, the elements of List<Address> with their class;
// docs/JAVA.md).
const echoUser = `{"id":5000000000,"name":"ann \"q\" é","role":{"name":"ADMIN"},` +
	`"address":{"street":"1 A St","city":"Oslo","zip":"0150"},"tags":["a","b"],"scores":{"math":90},` +
	`"created":{"class":"java.util.Date","value":"2026-12-05T08:00:00.123Z"},"balance":{"value":"12.50"},` +
	`"lucky":[1,2,3],"previous":[{"class":"com.dubbomesh.demo.Address","street":"2 B St","city":"Bergen","zip":"5003"}]}`

// echoUserJSON is echoUser as Java decodes it and the mesh renders it.
func echoUserJSON() map[string]any {
	return map[string]any{
		"id": int64(5000000000), "name": `ann "q" é`, "role": "ADMIN",
		"address": addressJSON("1 A St", "Oslo", "0150"),
		"tags":    []any{"a", "b"}, "scores": map[string]any{"math": 90},
		"created": "2026-12-05T08:00:00.123Z", "balance": exactNum("12.50"),
		"lucky":    []any{1, 2, 3},
		"previous": []any{addressJSON("2 B St", "Bergen", "5003")},
	}
}

func javaMeshCases(javaPort string) []javaMeshCase {
	created, _ := time.Parse(time.RFC3339, "2026-12-05T08:00:00.123Z")
	// User.toString of echoUser.
	inspected := `User{id=5000000000, name=ann "q" é, role=ADMIN, address=Address{street=1 A St, city=Oslo, zip=0150}, ` +
		`tags=[a, b], scores={math=90}, created=` + strconv.FormatInt(created.UnixMilli(), 10) + `, balance=12.50, lucky=[1, 2, 3], ` +
		`previous=[Address{street=2 B St, city=Bergen, zip=5003}]}`
	userT := []string{userDesc}
	square := func(s string) exactNum {
		n, _ := new(big.Int).SetString(s, 10)
		return exactNum(n.Mul(n, n).String())
	}
	const big30 = "123456789012345678901234567890"
	roleCountsArg := `[{"class":"com.dubbomesh.demo.User","id":1,"role":{"name":"ADMIN"}},` +
		`{"class":"com.dubbomesh.demo.User","id":2,"role":{"name":"GUEST"}},` +
		`{"class":"com.dubbomesh.demo.User","id":3,"role":{"name":"ADMIN"}}]`
	household := []any{}
	for id := int64(1); id <= 3; id++ {
		u := userJSON(id)
		u["address"] = addressJSON("1 Shared Way", "Springfield", "00042")
		household = append(household, u)
	}
	// 70,000 UTF-16 units: hessian2 sends a string this long in chunks.
	longArg := strings.Repeat("é", 69999) + "😀"
	const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	notExported := "org.apache.dubbo.remoting.RemotingException: Not found exported service: "

	return []javaMeshCase{
		// POJOs in and out.
		{name: "getUser", call: meshCall{method: "getUser", types: []string{"J"}, args: []marg{lit("7")}}, want: userJSON(7)},
		{name: "getUser balance with a trailing zero", call: meshCall{method: "getUser", types: []string{"J"}, args: []marg{lit("10")}}, want: userJSON(10)},
		{name: "getUser negative id", call: meshCall{method: "getUser", types: []string{"J"}, args: []marg{lit("-5")}}, want: userJSON(-5)},
		{name: "echo", call: meshCall{method: "echo", types: userT, args: []marg{lit(echoUser)}}, want: echoUserJSON()},
		{name: "echo sparse, nested date as epoch ms", call: meshCall{method: "echo", types: userT,
			args: []marg{lit(`{"id":1,"name":"x","created":{"class":"java.util.Date","value":1700000000123},"bogus":{"x":[1]}}`)}},
			want: map[string]any{"id": 1, "name": "x", "role": nil, "address": nil, "tags": nil, "scores": nil,
				"created": msDate(1700000000123), "balance": nil, "lucky": nil, "previous": nil}},
		{name: "inspect", call: meshCall{method: "inspect", types: userT, args: []marg{lit(echoUser)}}, plain: true,
			body: inspected, want: inspected},

		// Enums.
		{name: "create with a Role as a JSON string", call: meshCall{method: "create", types: []string{strDesc, roleDesc},
			args: []marg{txt("bob"), lit(`"MEMBER"`)}}, want: createJSON("bob", "MEMBER")},
		{name: "create with a Role as an object", call: meshCall{method: "create", types: []string{strDesc, roleDesc},
			args: []marg{txt("Zoë"), lit(`{"name":"GUEST"}`)}}, want: createJSON("Zoë", "GUEST")},
		// Java's Hessian refuses a constant Role lacks, and Dubbo then
		// calls the method with null in its place (docs/JAVA.md).
		{name: "create with an unknown Role", call: meshCall{method: "create", types: []string{strDesc, roleDesc},
			args: []marg{txt("bob"), lit(`"OWNER"`)}}, want: createJSON("bob", "")},
		{name: "roleOf", call: meshCall{method: "roleOf", types: []string{"J"}, args: []marg{lit("5")}}, want: "GUEST"},
		{name: "roleSet EnumSet", call: meshCall{method: "roleSet"}, want: []any{"ADMIN", "GUEST"}},
		{name: "sharedRoles", call: meshCall{method: "sharedRoles"}, want: []any{"ADMIN", "MEMBER", "ADMIN", "GUEST", "ADMIN"}},
		{name: "roleCounts: List<User> in, Map<Role,Integer> out", call: meshCall{method: "roleCounts", types: []string{"Ljava/util/List;"},
			args: []marg{lit(roleCountsArg)}}, want: map[string]any{"ADMIN": 2, "GUEST": 1}},

		// Date, BigDecimal, BigInteger.
		{name: "shift RFC 3339", call: meshCall{method: "shift", types: []string{"Ljava/util/Date;", "J"},
			args: []marg{txt("2026-12-05T08:00:00.123Z"), lit("1000")}}, want: "2026-12-05T08:00:01.123Z"},
		{name: "shift epoch ms", call: meshCall{method: "shift", types: []string{"Ljava/util/Date;", "J"},
			args: []marg{lit("1700000000000"), lit("-1")}}, want: msDate(1699999999999)},
		{name: "shift with an offset", call: meshCall{method: "shift", types: []string{"Ljava/util/Date;", "J"},
			args: []marg{txt("2026-12-05T09:00:00.123+01:00"), lit("0")}}, want: "2026-12-05T08:00:00.123Z"},
		{name: "shift before 1970", call: meshCall{method: "shift", types: []string{"Ljava/util/Date;", "J"},
			args: []marg{txt("1970-01-01T00:00:00Z"), lit("-1")}}, want: "1969-12-31T23:59:59.999Z"},
		{name: "add", call: meshCall{method: "add", types: []string{"Ljava/math/BigDecimal;", "Ljava/math/BigDecimal;"},
			args: []marg{lit("1.10"), lit("2.005")}}, want: exactNum("3.105")},
		{name: "add keeps the scale", call: meshCall{method: "add", types: []string{"Ljava/math/BigDecimal;", "Ljava/math/BigDecimal;"},
			args: []marg{txt("-0.5"), txt("0.50")}}, want: exactNum("0.00")},
		{name: "add with exponents", call: meshCall{method: "add", types: []string{"Ljava/math/BigDecimal;", "Ljava/math/BigDecimal;"},
			args: []marg{lit("1E+3"), lit("1e3")}}, want: exactNum("2E+3")},
		{name: "square", call: meshCall{method: "square", types: []string{"Ljava/math/BigInteger;"}, args: []marg{txt(big30)}}, want: square(big30)},
		{name: "square negative", call: meshCall{method: "square", types: []string{"Ljava/math/BigInteger;"},
			args: []marg{lit("-98765432109876543210")}}, want: square("-98765432109876543210")},
		{name: "square zero", call: meshCall{method: "square", types: []string{"Ljava/math/BigInteger;"}, args: []marg{lit("0")}}, want: exactNum("0")},

		// Arrays.
		{name: "sum int[]", call: meshCall{method: "sum", types: []string{"[I"}, args: []marg{lit("[1,2,3,-4]")}}, plain: true, body: "2", want: 2},
		{name: "sum overflows as Java's int", call: meshCall{method: "sum", types: []string{"[I"}, args: []marg{lit("[2147483647,1]")}},
			plain: true, body: "-2147483648", want: -2147483648},
		{name: "split String[] out", call: meshCall{method: "split", types: []string{strDesc}, args: []marg{txt("a,b,,c,,")}},
			want: []any{"a", "b", "", "c"}},
		{name: "split escapes", call: meshCall{method: "split", types: []string{strDesc}, args: []marg{txt("q\"x,line\nbreak,tab\t\\,😀")}},
			want: []any{"q\"x", "line\nbreak", "tab\t\\", "😀"}},
		{name: "join String[] in", call: meshCall{method: "join", types: []string{"[Ljava/lang/String;"}, args: []marg{lit(`["x","y","é"]`)}},
			plain: true, body: "x|y|é", want: "x|y|é"},
		{name: "addresses Address[] out", call: meshCall{method: "addresses", types: userT, args: []marg{lit(echoUser)}},
			want: []any{addressJSON("1 A St", "Oslo", "0150"), addressJSON("2 B St", "Bergen", "5003")}},

		// Collections and maps.
		{name: "find by role name", call: meshCall{method: "find", types: []string{"Ljava/util/Map;"}, args: []marg{lit(`{"role":"ADMIN","limit":2}`)}},
			want: findJSON("ADMIN", 2)},
		{name: "find by typed Role", call: meshCall{method: "find", types: []string{"Ljava/util/Map;"},
			args: []marg{lit(`{"role":{"class":"com.dubbomesh.demo.Role","name":"GUEST"},"limit":2}`)}}, want: findJSON("GUEST", 2)},
		{name: "find empty query", call: meshCall{method: "find", types: []string{"Ljava/util/Map;"}, args: []marg{lit(`{}`)}}, want: findJSON("", 3)},
		{name: "find limit as a long", call: meshCall{method: "find", types: []string{"Ljava/util/Map;"}, args: []marg{lit(`{"limit":5000000000}`)}},
			want: findJSON("", 100)}, // Number.intValue() of 5000000000L is 705032704
		{name: "find null query", call: meshCall{method: "find", types: []string{"Ljava/util/Map;"}, args: []marg{lit(`null`)}}, want: findJSON("", 3)},
		{name: "byName Map<String,User> out", call: meshCall{method: "byName", types: []string{"Ljava/util/List;"}, args: []marg{lit(`["ann","bob"]`)}},
			want: map[string]any{"ann": createJSON("ann", "MEMBER"), "bob": createJSON("bob", "MEMBER")}},
		{name: "byName empty", call: meshCall{method: "byName", types: []string{"Ljava/util/List;"}, args: []marg{lit(`[]`)}}, want: map[string]any{}},
		{name: "household shares one Address", call: meshCall{method: "household", types: []string{"I"}, args: []marg{lit("3")}}, want: household},
		{name: "misc", call: meshCall{method: "misc"}, want: map[string]any{
			"null": nil, "true": true, "int": -7, "long": int64(1) << 40, "short": 3, "byte": -1,
			"double": 0.1, "float": 1.5, "nan": "NaN", "inf": "Infinity", "ninf": "-Infinity", "char": "x",
			"date": msDate(javaEpoch), "bytes": b64([]byte{1, 2, 3}), "decimal": exactNum("-0.000123"),
			"bigint": exactNum("-98765432109876543210"), "role": "GUEST", "linkedList": []any{1, "a"},
			"treeSet": []any{"a", "b"}, "objects": []any{1, "x", nil}, "intKeys": map[string]any{"1": "one", "-2": "minus two"},
			"emptyList": []any{}, "emptyMap": map[string]any{}, "unicode": "h\u00e9llo \u4e16\u754c \U0001F600"}},

		// Primitives, String, void, no arguments.
		{name: "count without arguments", call: meshCall{method: "count"}, plain: true, body: "100", want: 100},
		{name: "touch void", call: meshCall{method: "touch", types: userT, args: []marg{lit(echoUser)}}, plain: true, body: "", want: nil},
		{name: "isAdmin boolean", call: meshCall{method: "isAdmin", types: userT, args: []marg{lit(echoUser)}}, plain: true, body: "true", want: true},
		{name: "isAdmin false", call: meshCall{method: "isAdmin", types: userT, args: []marg{lit(`{"id":1,"role":{"name":"GUEST"}}`)}},
			plain: true, body: "false", want: false},
		{name: "half double", call: meshCall{method: "half", types: []string{"D"}, args: []marg{lit("7")}}, plain: true, body: "3.5", want: 3.5},
		{name: "half double as Java writes it", call: meshCall{method: "half", types: []string{"D"}, args: []marg{lit("2e10")}},
			plain: true, body: "1.0E10", want: 1e10},
		{name: "half small", call: meshCall{method: "half", types: []string{"D"}, args: []marg{lit("1e-5")}}, plain: true, body: "5.0E-6", want: 5e-6},
		{name: "half NaN", call: meshCall{method: "half", types: []string{"D"}, args: []marg{txt("NaN")}}, plain: true, body: "NaN", want: "NaN"},
		{name: "initial char", call: meshCall{method: "initial", types: []string{strDesc}, args: []marg{txt("émile")}}, plain: true, body: "é", want: "é"},
		{name: "bytes byte[] as base64", call: meshCall{method: "bytes", types: []string{"I"}, args: []marg{lit("5")}}, want: b64([]byte{0, 1, 2, 3, 4})},
		{name: "bytes in chunks", call: meshCall{method: "bytes", types: []string{"I"}, args: []marg{lit("20000")}}, want: b64(javaBytes(20000))},
		{name: "bytes empty", call: meshCall{method: "bytes", types: []string{"I"}, args: []marg{lit("0")}}, want: ""},
		{name: "repeat in chunks", call: meshCall{method: "repeat", types: []string{strDesc, "I"}, args: []marg{txt("a😀"), lit("11000")}},
			plain: true, body: strings.Repeat("a😀", 11000), want: strings.Repeat("a😀", 11000)},
		{name: "repeat an argument past a chunk", call: meshCall{method: "repeat", types: []string{strDesc, "I"}, args: []marg{txt(longArg), lit("1")}},
			plain: true, body: longArg, want: longArg},

		// Object arguments: each JSON value as Java's Hessian reads it.
		describeCase("untyped map", `{"a":1}`, "java.util.HashMap:{a=1}"),
		describeCase("typed POJO", `{"class":"com.dubbomesh.demo.Address","street":"s","city":"c","zip":"z"}`,
			"com.dubbomesh.demo.Address:Address{street=s, city=c, zip=z}"),
		describeCase("list", `[1,"x",true]`, "java.util.ArrayList:[1, x, true]"),
		describeCase("int", `7`, "java.lang.Integer:7"),
		describeCase("long", `5000000000`, "java.lang.Long:5000000000"),
		describeCase("double", `1.5`, "java.lang.Double:1.5"),
		describeCase("string", `"hi"`, "java.lang.String:hi"),
		describeCase("null", `null`, "null"),
		describeCase("enum", `{"class":"com.dubbomesh.demo.Role","name":"ADMIN"}`, "com.dubbomesh.demo.Role:ADMIN"),
		describeCase("BigDecimal", `{"class":"java.math.BigDecimal","value":"1.10"}`, "java.math.BigDecimal:1.10"),
		describeCase("BigInteger", `{"class":"java.math.BigInteger","value":"-123456789012345678901"}`, "java.math.BigInteger:-123456789012345678901"),
		describeCase("byte[]", `{"class":"[B","value":"AQID"}`, "[B:[1, 2, 3]"),
		describeCase("Long", `{"class":"java.lang.Long","value":7}`, "java.lang.Long:7"),
		describeCase("Long from a string", `{"class":"java.lang.Long","value":"9007199254740993"}`, "java.lang.Long:9007199254740993"),
		describeCase("Integer", `{"class":"java.lang.Integer","value":"-7"}`, "java.lang.Integer:-7"),
		describeCase("Double", `{"class":"java.lang.Double","value":2}`, "java.lang.Double:2.0"),
		describeCase("Boolean", `{"class":"java.lang.Boolean","value":false}`, "java.lang.Boolean:false"),
		describeCase("byte[] past a chunk", `{"class":"[B","value":"`+b64(javaBytes(70000))+`"}`, "[B:"+javaByteArrayString(70000)),

		// Boxes: Longs in a List<Long> say so; a box takes null; byte,
		// short and float results are text, a float as the double Dubbo's
		// hessian2 carries.
		{name: "sumLongs List<Long>", call: meshCall{method: "sumLongs", types: []string{"Ljava/util/List;"},
			args: []marg{lit(`[{"class":"java.lang.Long","value":1},{"class":"java.lang.Long","value":"9007199254740993"}]`)}},
			plain: true, body: "9007199254740994", want: int64(9007199254740994)},
		{name: "sumLongs of untyped small numbers", call: meshCall{method: "sumLongs", types: []string{"Ljava/util/List;"},
			args: []marg{lit(`[1,2]`)}}, status: 500, errPrefix: "java.lang.ClassCastException: "},
		{name: "boxes null", call: meshCall{method: "boxes", types: []string{"Ljava/lang/Integer;", "Ljava/lang/Long;", "Ljava/lang/Boolean;", "Ljava/lang/Double;"},
			args: []marg{lit("null"), lit("null"), lit("null"), lit("null")}}, plain: true, body: "null,null,null,null", want: "null,null,null,null"},
		{name: "boxes", call: meshCall{method: "boxes", types: []string{"Ljava/lang/Integer;", "Ljava/lang/Long;", "Ljava/lang/Boolean;", "Ljava/lang/Double;"},
			args: []marg{lit("-1"), lit("5000000000"), lit("true"), lit("0.5")}}, plain: true, body: "-1,5000000000,true,0.5", want: "-1,5000000000,true,0.5"},
		{name: "narrow short", call: meshCall{method: "narrow", types: []string{"I"}, args: []marg{lit("70000")}}, plain: true, body: "4464", want: 4464},
		{name: "narrowByte byte", call: meshCall{method: "narrowByte", types: []string{"I"}, args: []marg{lit("300")}}, plain: true, body: "44", want: 44},
		{name: "third float", call: meshCall{method: "third", types: []string{"F"}, args: []marg{lit("1")}},
			plain: true, body: "0.3333333432674408", want: 0.3333333432674408},
		{name: "third float NaN", call: meshCall{method: "third", types: []string{"F"}, args: []marg{txt("NaN")}}, plain: true, body: "NaN", want: "NaN"},

		// The java.sql dates: declared, and named by "class" in a value.
		{name: "later java.sql.Timestamp", call: meshCall{method: "later", types: []string{"Ljava/sql/Timestamp;", "J"},
			args: []marg{txt("2026-12-05T08:00:00.123Z"), lit("1000")}}, want: "2026-12-05T08:00:01.123Z"},
		{name: "later java.sql.Timestamp in epoch ms", call: meshCall{method: "later", types: []string{"Ljava/sql/Timestamp;", "J"},
			args: []marg{lit("-1"), lit("1")}}, want: "1970-01-01T00:00:00.000Z"},
		{name: "timeOf java.sql dates in a List", call: meshCall{method: "timeOf", types: []string{"Ljava/util/List;"},
			args: []marg{lit(`[{"class":"java.sql.Timestamp","value":"2026-12-05T08:00:00.123Z"},{"class":"java.sql.Date","value":86400000},` +
				`{"class":"java.sql.Time","value":1000},{"class":"java.util.Date","value":5},null]`)}},
			plain: true, body: "java.sql.Timestamp:1796457600123,java.sql.Date:86400000,java.sql.Time:1000,java.util.Date:5,null",
			want: "java.sql.Timestamp:1796457600123,java.sql.Date:86400000,java.sql.Time:1000,java.util.Date:5,null"},

		// Failures.
		{name: "exception", call: meshCall{method: "failing", types: []string{"J"}, args: []marg{lit("9")}},
			status: 500, errPrefix: "java.lang.IllegalArgumentException: user 9 is locked"},
		{name: "exception: List<User> of untyped maps", call: meshCall{method: "roleCounts", types: []string{"Ljava/util/List;"},
			args: []marg{lit(`[{"id":1,"role":{"name":"ADMIN"}}]`)}}, status: 500, errPrefix: "java.lang.ClassCastException: "},
		{name: "cycle", call: meshCall{method: "cycle"}, status: 502,
			errPrefix: "provider agent: the provider's answer cannot be rendered as JSON: "},
		{name: "exception with 60 causes", call: meshCall{method: "throwCauses", types: []string{"I"}, args: []marg{lit("60")}},
			status: 500, errPrefix: "java.lang.RuntimeException: level 59"},
		{name: "exception with 400 causes", call: meshCall{method: "throwCauses", types: []string{"I"}, args: []marg{lit("400")}},
			status: 500, errPrefix: "java.lang.RuntimeException: (its message is not read: nested more than 256 deep)"},
		{name: "exception message after a line break", call: meshCall{method: "throwMessage", types: []string{strDesc}, args: []marg{txt("\n boom\nat line two")}},
			status: 500, errPrefix: "java.lang.IllegalStateException: boom"},
		{name: "a result Hessian cannot write", call: meshCall{method: "unwritable"}, status: 502,
			errPrefix: "Failed to send response: "},
		{name: "unknown method", call: meshCall{method: "nosuch", types: []string{strDesc}, args: []marg{txt("x")}},
			status: 404, errPrefix: "Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:" + userService + ", nosuch"},
		{name: "unknown method without arguments", call: meshCall{method: "nosuch"},
			status: 404, errPrefix: "org.apache.dubbo.rpc.RpcException: Failed to invoke remote proxy method nosuch"},
		{name: "wrong version", call: meshCall{method: "instance", version: "9.9.9"},
			status: 404, errPrefix: notExported + userService + ":9.9.9:" + javaPort + " in "},
		{name: "group without its version", call: meshCall{method: "instance", group: "gray"},
			status: 404, errPrefix: notExported + "gray/" + userService + ":" + javaPort + " in "},
		{name: "argument of the wrong shape", call: meshCall{method: "sum", types: []string{"[I"}, args: []marg{lit(`[1,"x"]`)}},
			status: 400, errPrefix: "dubbo: bad argument: parameter 1: jsonhessian: bad argument: "},

		// Version, group and attachments.
		{name: "instance default", call: meshCall{method: "instance"}, plain: true, body: "default", want: "default"},
		{name: "instance group and version", call: meshCall{method: "instance", group: "gray", version: "1.0.0"},
			plain: true, body: "gray:1.0.0", want: "gray:1.0.0"},
		{name: "attachment", call: meshCall{method: "attachment", types: []string{strDesc}, args: []marg{txt("tenant")},
			attachments: map[string]string{"tenant": "acme"}}, plain: true, body: "acme", want: "acme"},
		{name: "attachment traceparent", call: meshCall{method: "attachment", types: []string{strDesc}, args: []marg{txt("traceparent")},
			headers: map[string]string{"traceparent": traceparent}}, plain: true, body: traceparent, want: traceparent},
		{name: "attachment tracestate", call: meshCall{method: "attachment", types: []string{strDesc}, args: []marg{txt("tracestate")},
			headers: map[string]string{"traceparent": traceparent, "tracestate": "congo=t61rcWkgMzE"}},
			plain: true, body: "congo=t61rcWkgMzE", want: "congo=t61rcWkgMzE"},
		{name: "attachment absent is null", call: meshCall{method: "attachment", types: []string{strDesc}, args: []marg{txt("absent")}},
			plain: true, body: "", want: nil},
		{name: "attachment group reaches the gray export", call: meshCall{method: "instance", version: "1.0.0",
			attachments: map[string]string{"group": "gray"}}, plain: true, body: "gray:1.0.0", want: "gray:1.0.0"},
		{name: "attachment header name as net/http canonicalizes it", call: meshCall{method: "instance", version: "1.0.0",
			headers: map[string]string{"Dubbo-Attachment-Group": "gray"}}, plain: true, body: "gray:1.0.0", want: "gray:1.0.0"},
	}
}

// describeCase calls describe(Object) with value, whose answer is Java's
// class name and toString of what its Hessian read.
func describeCase(name, value, want string) javaMeshCase {
	return javaMeshCase{name: "describe " + name, call: meshCall{method: "describe", types: []string{"Ljava/lang/Object;"},
		args: []marg{lit(value)}}, plain: true, body: want, want: want}
}

// TestJavaMesh is issue 11's proof that the product works with Java: a
// consumer agent and a provider agent in front of the Java provider of
// testdata/java (Caucho Hessian, decoding as Dubbo does), driven over HTTP.
// Every argument and result kind of UserService is called in the form and
// in the JSON form, and each answer is compared with what UserServiceImpl
// computes (ported to Go in java_mesh_helpers_test.go): the value, exact
// numbers where Java's are exact, the status and the Content-Type. Caller
// mistakes and provider failures sideline no provider agent.
func TestJavaMesh(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	began := time.Now()
	m := startJavaMesh(t)
	t.Logf("mesh and JVM up in %v", time.Since(began).Round(time.Millisecond))
	_, javaPort, _ := strings.Cut(m.javaAddr, ":")
	counters := []string{"consumer_agent_sidelined_total", "consumer_agent_ejections_total", "consumer_agent_retries_total"}
	before := map[string]float64{}
	for _, name := range counters {
		before[name] = metric(t, m.c.adminAddr, name)
	}

	cases := javaMeshCases(javaPort)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			t.Run("form", func(t *testing.T) { tc.check(t, m.form(t, tc.call), false) })
			t.Run("json", func(t *testing.T) { tc.check(t, m.jsonForm(t, tc.call), true) })
		})
	}

	t.Run("GET with a query string", func(t *testing.T) {
		a := m.get(t, meshCall{method: "getUser", types: []string{"J"}, args: []marg{lit("42")}})
		if a.status != 200 || a.ctype != "application/json" {
			t.Fatalf("got %v, want 200 application/json", a)
		}
		if err := sameJSON(userJSON(42), a.body); err != nil {
			t.Fatal(err)
		}
	})

	// Calls from many connections at once, multiplexed on the agents'
	// connections and the provider's, each answer matched to its call.
	t.Run("concurrent calls", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			cl := dialClient(t, m.c.httpAddr)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer cl.close()
				for i := range 25 {
					id := int64(g*1000 + i)
					form := "interface=" + userService + "&method=getUser&parameterTypesString=J&parameter=" + strconv.FormatInt(id, 10)
					want := userJSON(id)
					if i%2 == 1 {
						form = "interface=" + userService + "&method=create&parameterTypesString=" + urlEncode(strDesc+roleDesc) +
							"&parameter=" + strconv.Itoa(i) + "&parameter=%22ADMIN%22"
						want = createJSON(strconv.Itoa(i), "ADMIN")
					}
					status, body, err := cl.call(form)
					if err == nil && status != 200 {
						err = fmt.Errorf("status %d %q", status, body)
					}
					if err == nil {
						err = sameJSON(want, body)
					}
					if err != nil {
						errs <- fmt.Errorf("%s: %v", form, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("no agent sidelined", func(t *testing.T) {
		for _, name := range counters {
			if d := metric(t, m.c.adminAddr, name) - before[name]; d != 0 {
				t.Errorf("%s rose by %v", name, d)
			}
		}
		if a := m.form(t, meshCall{method: "count"}); a.status != 200 || a.body != "100" {
			t.Errorf("count() after the failures: %v", a)
		}
	})
	t.Logf("%d cases in %v", len(cases), time.Since(began).Round(time.Millisecond))
}

// check compares one answer with the case's expectation.
func (tc javaMeshCase) check(t *testing.T, a meshAnswer, jsonForm bool) {
	t.Helper()
	if tc.status != 0 && tc.status != 200 {
		if a.status != tc.status {
			t.Fatalf("got %v, want status %d", a, tc.status)
		}
		msg := a.body
		if jsonForm {
			var e struct {
				Error *string `json:"error"`
			}
			if a.ctype != "application/json" || json.Unmarshal([]byte(a.body), &e) != nil || e.Error == nil {
				t.Fatalf("got %v, want application/json {\"error\":...}", a)
			}
			msg = *e.Error
		} else {
			if !strings.HasPrefix(msg, "error: ") {
				t.Fatalf("got %v, want a body starting \"error: \"", a)
			}
			msg = strings.TrimSuffix(strings.TrimPrefix(msg, "error: "), "\n")
		}
		if !strings.HasPrefix(msg, tc.errPrefix) || strings.Contains(msg, "\n") {
			t.Fatalf("error %q, want one line starting %q", msg, tc.errPrefix)
		}
		return
	}
	if a.status != 200 {
		t.Fatalf("got %v, want 200", a)
	}
	if tc.plain && !jsonForm {
		if a.ctype != "text/plain" || a.body != tc.body {
			a.body = trim(a.body)
			t.Fatalf("got %v, want text/plain %q", a, trim(tc.body))
		}
		return
	}
	if a.ctype != "application/json" {
		t.Errorf("Content-Type %q, want application/json", a.ctype)
	}
	if err := sameJSON(tc.want, a.body); err != nil {
		t.Fatalf("%v\nanswer: %s", err, trim(a.body))
	}
}

func trim(s string) string {
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}
