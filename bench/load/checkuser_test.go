package load

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/dubbomesh/dubbomesh/bench/demo"
)

var jsonType = []byte("application/json")

// userJSON returns getUser(id) as bench/demo renders it.
func userJSON(id int64) []byte {
	u := demo.GetUser(id)
	return u.AppendJSON(nil)
}

func TestCheckUserAcceptsEquivalentJSON(t *testing.T) {
	for _, id := range []int64{1, 2, 3, 500, UserIDs} {
		body := userJSON(id)
		for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON ;x=y"} {
			eq(t, ct, CheckUser(200, []byte(ct), body, id), Correct)
		}
		// Re-encoded by encoding/json: keys sorted, so in another order.
		var m map[string]any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		noErr(t, d.Decode(&m))
		sorted, err := json.MarshalIndent(m, " ", "\t")
		noErr(t, err)
		eq(t, "re-encoded "+string(sorted), CheckUser(200, jsonType, sorted, id), Correct)
	}
	// As Java answers an echo: scores and previous came in as HashMaps, so
	// their keys are in hash order; strings may be escaped.
	const echoed = `{"id":1,"name":"\u0075ser-1","role":"MEMBER",` +
		`"address":{"street":"1 Main St","city":"Springfield","zip":"00001"},` +
		`"tags":["id1","odd"],"scores":{"art":13,"math":7},"created":"2023-11-15T22:13:20.123Z",` +
		`"balance":1.37,"lucky":[1,1,42],"previous":[{"zip":"00001","city":"Shelbyville","street":"2 Old Rd"}]}`
	eq(t, "Java's echo", CheckUser(200, jsonType, []byte(echoed), 1), Correct)
}

func TestCheckUserRejects(t *testing.T) {
	good := string(userJSON(1))
	for _, tc := range []struct{ what, from, to string }{
		{"id", `"id":1,`, `"id":2,`},
		{"id as a fraction", `"id":1,`, `"id":1.0,`},
		{"id as a string", `"id":1,`, `"id":"1",`},
		{"name", `"user-1"`, `"user-2"`},
		{"name prefix", `"user-1"`, `"user-"`},
		{"role", `"MEMBER"`, `"member"`},
		{"role as an object", `"MEMBER"`, `{"name":"MEMBER"}`},
		{"street", `"1 Main St"`, `"1 Main Street"`},
		{"zip as a number", `"zip":"00001"},"tags"`, `"zip":1},"tags"`},
		{"tags order", `["id1","odd"]`, `["odd","id1"]`},
		{"one tag more", `["id1","odd"]`, `["id1","odd","x"]`},
		{"score", `"math":7`, `"math":8`},
		{"score missing", `"math":7,`, ``},
		{"score extra", `"art":13}`, `"art":13,"music":1}`},
		{"created without milliseconds", `22:13:20.123Z`, `22:13:20Z`},
		{"created as a number", `"2023-11-15T22:13:20.123Z"`, `1700086400123`},
		{"balance digits", `1.37`, `1.370`},
		{"balance as a string", `1.37`, `"1.37"`},
		{"lucky", `[1,1,42]`, `[1,1,43]`},
		{"lucky short", `[1,1,42]`, `[1,1]`},
		{"previous", `"2 Old Rd"`, `"3 Old Rd"`},
		{"previous empty", `[{"street":"2 Old Rd","city":"Shelbyville","zip":"00001"}]`, `[]`},
		{"field missing", `"balance":1.37,`, ``},
		{"field repeated", `"id":1,`, `"id":1,"id":1,`},
		{"field unknown", `"id":1,`, `"id":1,"class":"com.dubbomesh.demo.User",`},
		{"trailing bytes", `]}`, `]}x`},
		{"not closed", `]}`, `]`},
		{"null", good, `null`},
	} {
		body := strings.Replace(good, tc.from, tc.to, 1)
		if body == good && tc.from != good {
			t.Fatalf("%s: %q not found", tc.what, tc.from)
		}
		eq(t, tc.what, CheckUser(200, jsonType, []byte(body), 1), Wrong)
	}
	eq(t, "text/plain", CheckUser(200, []byte("text/plain; charset=utf-8"), []byte(good), 1), Wrong)
	eq(t, "no Content-Type", CheckUser(200, nil, []byte(good), 1), Wrong)
	eq(t, "another id", CheckUser(200, jsonType, []byte(good), 2), Wrong)
	eq(t, "id out of range", CheckUser(200, jsonType, []byte(good), UserIDs+1), Wrong)
	eq(t, "status 502", CheckUser(502, jsonType, []byte(good), 1), Failed)
}

func TestCheckUserAllocatesNothing(t *testing.T) {
	body := userJSON(7)
	if n := testing.AllocsPerRun(1000, func() {
		if CheckUser(200, jsonType, body, 7) != Correct {
			t.Fatal("not correct")
		}
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

func TestUserRequests(t *testing.T) {
	req := AppendUserRequest(nil, "h:1", 42)
	const want = "POST / HTTP/1.1\r\nHost: h:1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: 91\r\n\r\n" + userForm + "42"
	eq(t, "getUser request", string(req), want)
	eq(t, "form length", len(userForm+"42"), 91)

	req = AppendEchoRequest(nil, "h:1", 3)
	_, body, _ := strings.Cut(string(req), "\r\n\r\n")
	form, err := url.ParseQuery(body)
	noErr(t, err)
	u := demo.GetUser(3)
	eq(t, "interface", form.Get("interface"), demo.Interface)
	eq(t, "method", form.Get("method"), "echo")
	eq(t, "types", form.Get("parameterTypesString"), demo.UserDescriptor)
	eq(t, "parameter", form.Get("parameter"), string(u.AppendArgJSON(nil)))
	if !strings.Contains(string(req), "Content-Length: "+itoa(int32(len(body)))+"\r\n") {
		t.Fatalf("Content-Length does not match the body of %d bytes", len(body))
	}
}

func TestParseWorkload(t *testing.T) {
	for i, name := range Workloads {
		w, err := ParseWorkload(name)
		noErr(t, err)
		eq(t, name, w, Workload(i))
		eq(t, "String", w.String(), name)
	}
	if _, err := ParseWorkload("users"); err == nil {
		t.Fatal("accepted an unknown workload")
	}
}

func BenchmarkCheckUser(b *testing.B) {
	body := userJSON(7)
	b.ReportAllocs()
	for b.Loop() {
		if CheckUser(200, jsonType, body, 7) != Correct {
			b.Fatal("not correct")
		}
	}
}
