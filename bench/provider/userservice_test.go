package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hessian "github.com/apache/dubbo-go-hessian2"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// goldenCase is one case of testdata/golden (written by
// testdata/java/GoldenUsers.java with Caucho Hessian): the arguments a
// consumer sends and the result Java's UserServiceImpl answers, both as
// hessian2 bytes.
type goldenCase struct {
	name, method, desc string
	args, result       []byte
}

func goldenCases(t testing.TB) []goldenCase {
	t.Helper()
	dir := filepath.Join("testdata", "golden")
	f, err := os.Open(filepath.Join(dir, "cases.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []goldenCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), " ")
		if len(fields) != 3 {
			t.Fatalf("cases.txt: bad line %q", sc.Text())
		}
		gc := goldenCase{name: fields[0], method: fields[1], desc: fields[2]}
		if gc.args, err = os.ReadFile(filepath.Join(dir, gc.name+".args")); err != nil {
			t.Fatal(err)
		}
		if gc.result, err = os.ReadFile(filepath.Join(dir, gc.name+".result")); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, gc)
	}
	if len(cases) == 0 {
		t.Fatal("no golden cases")
	}
	return cases
}

// userFrame builds a UserService request frame with dubbo-go-hessian2's
// encoder, as a Go consumer would: the header strings, the arguments (raw
// hessian2 bytes, continuing the same stream) and the attachments.
func userFrame(t testing.TB, id int64, version, method, desc string, args []byte, atts map[string]string) []byte {
	t.Helper()
	e := hessian.NewEncoder()
	for _, s := range []string{"2.0.2", demo.Interface, version, method, desc} {
		if err := e.Encode(s); err != nil {
			t.Fatal(err)
		}
	}
	e.Append(args)
	all := map[string]string{"path": demo.Interface, "interface": demo.Interface, "version": version, "timeout": "3000"}
	for k, v := range atts {
		all[k] = v
	}
	if err := e.Encode(all); err != nil {
		t.Fatal(err)
	}
	body := e.Buffer()
	frame := make([]byte, dubbo.HeaderSize, dubbo.HeaderSize+len(body))
	dubbo.PutHeader(frame, dubbo.Header{Flag: dubbo.FlagRequest | dubbo.FlagTwoWay | byte(dubbo.Hessian2), ID: id, Length: len(body)})
	return append(frame, body...)
}

// hessianArgs encodes values with dubbo-go-hessian2, one stream.
func hessianArgs(t testing.TB, vs ...any) []byte {
	t.Helper()
	e := hessian.NewEncoder()
	for _, v := range vs {
		if err := e.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	return e.Buffer()
}

// resultBytes splits a hessian2 response body into its flag and the value
// that follows, checking the attachments that close flags 3 to 5.
func resultBytes(t *testing.T, f frame, withAttachments bool) (flag byte, value []byte) {
	t.Helper()
	if f.h.Status != dubbo.StatusOK || len(f.body) == 0 {
		t.Fatalf("status %d, body %q", f.h.Status, f.body)
	}
	flag, value = f.body[0], f.body[1:]
	if withAttachments {
		if !bytes.HasSuffix(value, respAttachments) {
			t.Fatalf("body %q does not end in the attachments", f.body)
		}
		value = value[:len(value)-len(respAttachments)]
		flag -= 3
	}
	return flag, value
}

// TestUserServiceAnswersAsJava sends each golden case's arguments over a
// socket and compares the answer with what Java's Hessian wrote for Java's
// result, byte for byte.
func TestUserServiceAnswersAsJava(t *testing.T) {
	for _, attach := range []bool{false, true} {
		cfg := testConfig()
		cfg.latency = 0
		cfg.attachments = attach
		_, addr, _ := startServer(t, cfg)
		c := dial(t, addr)
		for i, gc := range goldenCases(t) {
			c.write(userFrame(t, int64(i+1), "0.0.0", gc.method, gc.desc, gc.args, nil))
			f := c.read(5 * time.Second)
			if f.h.ID != int64(i+1) {
				t.Fatalf("%s: answer to %d, want %d", gc.name, f.h.ID, i+1)
			}
			flag, value := resultBytes(t, f, attach)
			switch {
			case bytes.Equal(gc.result, []byte("N")):
				if flag != 0x92 || len(value) != 0 {
					t.Fatalf("%s: flag %#x, value %q; want the null flag", gc.name, flag, value)
				}
			case flag != 0x91:
				t.Fatalf("%s: flag %#x, body %q", gc.name, flag, f.body)
			case !bytes.Equal(value, gc.result):
				t.Fatalf("%s: answered\n% x\nJava wrote\n% x", gc.name, value, gc.result)
			}
		}
	}
}

// TestUserServiceLibraryDecodesAnswers checks that dubbo-go-hessian2 reads
// the answers back: getUser's fields, and the refs of a list of users
// sharing their roles.
func TestUserServiceLibraryDecodesAnswers(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	c.write(userFrame(t, 1, "", "getUser", "J", hessianArgs(t, int64(1)), nil))
	_, value := resultBytes(t, c.read(5*time.Second), false)
	v, err := hessian.NewDecoder(value).Decode()
	if err != nil {
		t.Fatal(err)
	}
	u, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("decoded %T", v)
	}
	want := demo.GetUser(1)
	role, _ := u["role"].(map[string]any)
	addr1, _ := u["address"].(map[string]any)
	if u["_class"] != demo.UserClass || u["id"] != int64(1) || u["name"] != want.Name || role["name"] != "MEMBER" ||
		addr1["zip"] != "00001" || !u["created"].(time.Time).Equal(time.UnixMilli(want.Created)) {
		t.Fatalf("getUser(1) decoded as %v", u)
	}

	c.write(userFrame(t, 2, "", "find", "Ljava/util/Map;", hessianArgs(t, map[string]any{"limit": int32(7)}), nil))
	_, value = resultBytes(t, c.read(5*time.Second), false)
	if v, err = hessian.NewDecoder(value).Decode(); err != nil {
		t.Fatal(err)
	}
	users, ok := v.([]any)
	if !ok || len(users) != 7 {
		t.Fatalf("find decoded as %T %v", v, v)
	}
	for i, x := range users {
		role, _ := x.(map[string]any)["role"].(map[string]any)
		if want := demo.RoleOf(int64(i + 1)).String(); role["name"] != want {
			t.Fatalf("user %d: role %v, want %s", i+1, role, want)
		}
	}
}

func TestUserServiceErrors(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	call := func(version, method, desc string, args []byte, atts map[string]string) result {
		t.Helper()
		c.write(userFrame(t, c.next, version, method, desc, args, atts))
		c.next++
		return c.decode(c.read(5 * time.Second))
	}
	for _, tc := range []struct {
		what, version, method, desc string
		args                        []byte
		atts                        map[string]string
		status                      dubbo.Status
		out                         dubbo.Outcome
		text                        string // prefix
	}{
		{"unknown method", "", "nope", "J", hessianArgs(t, int64(1)), nil, 40, dubbo.OutcomeError,
			noSuchMethod + demo.Interface + ", nope"},
		{"wrong descriptor", "", "getUser", "I", hessianArgs(t, int32(1)), nil, 40, dubbo.OutcomeError,
			noSuchMethod + demo.Interface + ", getUser"},
		{"a string for a User", "", "echo", demo.UserDescriptor, hessianArgs(t, "x"), nil, 40, dubbo.OutcomeError,
			"Fail to decode request due to: argument 1: hessian: expected com.dubbomesh.demo.User, got tag 0x01"},
		{"a bare string for a role", "", "create", "Ljava/lang/String;Lcom/dubbomesh/demo/Role;", hessianArgs(t, "a", "ADMIN"), nil,
			40, dubbo.OutcomeError, "Fail to decode request due to: argument 2: hessian: expected com.dubbomesh.demo.Role"},
		{"an unknown role", "", "create", "Ljava/lang/String;Lcom/dubbomesh/demo/Role;",
			hessianArgs(t, "a", map[string]any{"name": "OWNER"}), nil, 40, dubbo.OutcomeError,
			"Fail to decode request due to: argument 2: hessian: no enum constant com.dubbomesh.demo.Role.OWNER"},
		{"a decimal that is not one", "", "add", "Ljava/math/BigDecimal;Ljava/math/BigDecimal;",
			hessianArgs(t, map[string]any{"value": "1.x"}, map[string]any{"value": "1"}), nil, 40, dubbo.OutcomeError,
			`Fail to decode request due to: argument 1: hessian: java.math.BigDecimal: "1.x" is not a number`},
		{"a long for a date", "", "shift", "Ljava/util/Date;J", hessianArgs(t, int64(5), int64(1)), nil, 40, dubbo.OutcomeError,
			"Fail to decode request due to: argument 1: hessian: expected date"},
		{"a version not exported", "1.0.0", "count", "", nil, nil, 70, dubbo.OutcomeError,
			"org.apache.dubbo.remoting.RemotingException: Not found exported service: " + demo.Interface + ":1.0.0:"},
		{"a group not exported", "", "count", "", nil, map[string]string{"group": "blue"}, 70, dubbo.OutcomeError,
			"org.apache.dubbo.remoting.RemotingException: Not found exported service: blue/" + demo.Interface + ":"},
		{"failing", "", "failing", "J", hessianArgs(t, int64(7)), nil, 20, dubbo.OutcomeException,
			"java.lang.IllegalArgumentException: user 7 is locked"},
		{"sum of null", "", "sum", "[I", hessianArgs(t, nil), nil, 20, dubbo.OutcomeException,
			"java.lang.NullPointerException: "},
		{"byName of a number", "", "byName", "Ljava/util/List;", hessianArgs(t, []any{"a", int32(1)}), nil, 20,
			dubbo.OutcomeException, "java.lang.ClassCastException: class java.lang.Integer cannot be cast to class java.lang.String"},
		{"count", "", "count", "", nil, nil, 20, dubbo.OutcomeValue, "100"},
		{"sum", "", "sum", "[I", hessianArgs(t, []int32{1 << 30, 1 << 30, 5}), nil, 20, dubbo.OutcomeValue, "-2147483643"},
	} {
		res := call(tc.version, tc.method, tc.desc, tc.args, tc.atts)
		if res.status != tc.status || res.out != tc.out || !strings.HasPrefix(res.text, tc.text) {
			t.Errorf("%s: status %d, outcome %v, %q; want %d, %v, %q...", tc.what, res.status, res.out, res.text, tc.status, tc.out, tc.text)
		}
	}
}

func TestUserServiceRefusesFourByteUTF8(t *testing.T) {
	// Java's Hessian reads a character in one to three bytes; the
	// four-byte form of U+1F600, which it cannot read, is refused.
	args := []byte{0x02, 0xf0, 0x9f, 0x98, 0x80}
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	c.write(userFrame(t, 1, "", "split", "Ljava/lang/String;", args, nil))
	res := c.decode(c.read(5 * time.Second))
	if res.status != dubbo.StatusBadRequest || !strings.Contains(res.text, "bad utf-8 encoding 0xf0") {
		t.Fatalf("status %d, %q", res.status, res.text)
	}
}

// TestGetUserAllocatesNothing drives getUser through a connection's whole
// per-call path (decode, route, cache, schedule, complete, encode).
func TestGetUserAllocatesNothing(t *testing.T) {
	p := newCallPath(t)
	frame := userFrame(t, 1, "0.0.0", "getUser", "J", hessianArgs(t, int64(42)), map[string]string{"traceparent": "00-x"})
	want := cachedUser(42)
	out := p.run(t, frame)
	if h, body, _, err := dubbo.Next(out); err != nil || h.Status != dubbo.StatusOK || !bytes.Equal(body[1:], want) {
		t.Fatalf("answer %q, %v", out, err)
	}
	if n := testing.AllocsPerRun(200, func() { p.run(t, frame) }); n != 0 {
		t.Fatalf("getUser allocates %v times per call", n)
	}
}

// TestIsUserCallAllocatesNothing checks the test every hessian2 request
// goes through, the race's included.
func TestIsUserCallAllocatesNothing(t *testing.T) {
	race := raceFrame(t, dubbo.Hessian2)[dubbo.HeaderSize:]
	user := userFrame(t, 1, "", "count", "", nil, nil)[dubbo.HeaderSize:]
	if isUserCall(race) || !isUserCall(user) {
		t.Fatal("isUserCall tells the services apart wrongly")
	}
	if n := testing.AllocsPerRun(1000, func() { isUserCall(race); isUserCall(user) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

func BenchmarkGetUser(b *testing.B) {
	p := newCallPath(b)
	frame := userFrame(b, 1, "0.0.0", "getUser", "J", hessianArgs(b, int64(42)), nil)
	b.ReportAllocs()
	for b.Loop() {
		p.run(b, frame)
	}
}

func BenchmarkEchoUser(b *testing.B) {
	p := newCallPath(b)
	var args []byte
	for _, gc := range goldenCases(b) {
		if gc.name == "echo_map" {
			args = gc.args
		}
	}
	frame := userFrame(b, 1, "0.0.0", "echo", demo.UserDescriptor, args, nil)
	b.ReportAllocs()
	for b.Loop() {
		p.run(b, frame)
	}
}

// BenchmarkIsUserCall is what the UserService's hook costs every other
// hessian2 request, the race's included.
func BenchmarkIsUserCall(b *testing.B) {
	race := raceFrame(b, dubbo.Hessian2)[dubbo.HeaderSize:]
	for b.Loop() {
		if isUserCall(race) {
			b.Fatal("the race's call taken for the UserService")
		}
	}
}
