package hessianjson

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// javaGoldens is what each testdata/java/NAME.hessian (one result value
// that the Java provider of internal/e2e wrote; see the README there) must
// render as: its JSON and kind, or an error.
var javaGoldens = map[string]struct {
	want string
	kind Kind
	err  error
}{
	"add":       {want: `3.305`, kind: KindNumber},
	"addresses": {want: `[{"street":"3 Main St","city":"Springfield","zip":"00001"},{"street":"0 Old Rd","city":"Shelbyville","zip":"00002"}]`, kind: KindList},
	"byName": {want: `{"ann":` + providerUserJSON(737, "ann", "MEMBER", "") + `,"bob":` + providerUserJSON(717, "bob", "MEMBER", "") + `}`,
		kind: KindMap},
	"bytes":       {want: `"AAECAwQ="`, kind: KindBinary},
	"bytes_70000": {want: `"` + base64.StdEncoding.EncodeToString(countingBytes(70000)) + `"`, kind: KindBinary},
	"count":       {want: `100`, kind: KindInt},
	"create":      {want: providerUserJSON(414, "ada", "ADMIN", ""), kind: KindObject}, // "ada".hashCode() % 1000 == 414
	"cycle":       {err: ErrCycle},
	"describe":    {want: `"java.lang.String:x"`, kind: KindString},
	"echo": {want: `{"id":3,"name":"echo","role":"GUEST","address":{"street":"3 Main St","city":"Springfield","zip":"00001"},` +
		`"tags":["x","y"],"scores":{"math":90},"created":"2023-11-14T22:13:20.123Z","balance":12.50,"lucky":[4,2],` +
		`"previous":[{"street":"0 Old Rd","city":"Shelbyville","zip":"00002"}]}`, kind: KindObject},
	// An exception whose cause is itself (Throwable's default): the
	// caller renders exceptions its own way.
	"failing":   {err: ErrCycle},
	"find":      {want: "[" + providerUserJSON(1, "", "MEMBER", "") + "," + providerUserJSON(4, "", "MEMBER", "") + "," + providerUserJSON(7, "", "MEMBER", "") + "]", kind: KindList},
	"getUser":   {want: providerUserJSON(7, "", "MEMBER", ""), kind: KindObject},
	"half":      {want: `2.5`, kind: KindDouble},
	"household": {want: "[" + providerUserJSON(1, "", "MEMBER", sharedWay) + "," + providerUserJSON(2, "", "GUEST", sharedWay) + "," + providerUserJSON(3, "", "ADMIN", sharedWay) + "]", kind: KindList},
	"initial":   {want: `"Z"`, kind: KindString},
	"isAdmin":   {want: `true`, kind: KindBool},
	"misc": {want: `{"null":null,"true":true,"int":-7,"long":1099511627776,"short":3,"byte":-1,"double":0.1,"float":1.5,` +
		`"nan":"NaN","inf":"Infinity","ninf":"-Infinity","char":"x","date":"2023-11-14T22:13:20.000Z","bytes":"AQID",` +
		`"decimal":-0.000123,"bigint":-98765432109876543210,"role":"GUEST","linkedList":[1,"a"],"treeSet":["a","b"],` +
		`"objects":[1,"x",null],"intKeys":{"1":"one","-2":"minus two"},"emptyList":[],"emptyMap":{},"unicode":"héllo 世界 😀"}`,
		kind: KindMap},
	"repeat":      {want: `"` + strings.Repeat("a😀", 11000) + `"`, kind: KindString},
	"roleCounts":  {want: `{"ADMIN":2,"MEMBER":1}`, kind: KindMap},
	"roleOf":      {want: `"ADMIN"`, kind: KindEnum},
	"sharedRoles": {want: `["ADMIN","MEMBER","ADMIN","GUEST","ADMIN"]`, kind: KindList},
	"shift":       {want: `"2023-11-14T22:14:20.000Z"`, kind: KindDate},
	"split":       {want: `["a","b","c"]`, kind: KindList},
	"square":      {want: `15241578753238836750495351562536198787501905199875019052100`, kind: KindNumber},
	"sum":         {want: `6`, kind: KindInt},
}

const sharedWay = `{"street":"1 Shared Way","city":"Springfield","zip":"00042"}`

// providerUserJSON is the JSON of UserServiceImpl.getUser(id) in the Java
// provider, with its name and role replaced when given, and its address
// when given.
func providerUserJSON(id int64, name, role, address string) string {
	if name == "" {
		name = fmt.Sprintf("user-%d", id)
	}
	if address == "" {
		address = fmt.Sprintf(`{"street":"%d Main St","city":"Springfield","zip":"%05d"}`, id, id%100000)
	}
	parity := "odd"
	if id%2 == 0 {
		parity = "even"
	}
	created := time.UnixMilli(1700000000000 + id%36500*86400123).UTC().Format("2006-01-02T15:04:05.000Z")
	cents := id % 1000000 * 137
	return fmt.Sprintf(`{"id":%d,"name":"%s","role":"%s","address":%s,"tags":["id%d","%s"],"scores":{"math":%d,"art":%d},`+
		`"created":"%s","balance":%d.%02d,"lucky":[%d,%d,42],"previous":[{"street":"%d Old Rd","city":"Shelbyville","zip":"00001"}]}`,
		id, name, role, address, id, parity, id*7%100, id*13%100, created, cents/100, cents%100, id%10, id%7, id+1)
}

// countingBytes returns n bytes 0, 1, 2, ... wrapping at 256.
func countingBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestJavaGoldens renders the bytes real Java wrote (testdata/java, kept by
// the Java provider's tests) and checks them against javaGoldens. A golden
// not listed there must render too.
func TestJavaGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "java", "*.hessian"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no Java goldens in testdata/java")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".hessian")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, listed := javaGoldens[name]
			got, kind, err := render(t, src)
			switch {
			case !listed && err != nil:
				t.Fatalf("%v", err)
			case !listed:
				t.Logf("not in javaGoldens: %s", got)
			case want.err != nil:
				if !errors.Is(err, want.err) {
					t.Fatalf("got %s, %v; want %v", got, err, want.err)
				}
			case err != nil || got != want.want || kind != want.kind:
				t.Fatalf("got %s, %v, %v\nwant %s, %v", got, kind, err, want.want, want.kind)
			}
		})
	}
}
