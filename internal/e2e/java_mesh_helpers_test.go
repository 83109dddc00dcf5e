package e2e

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Helpers for TestJavaMesh (java_mesh_test.go): a mesh in front of the Java
// provider, driven over HTTP in the form and the JSON form; a Go port of
// UserServiceImpl's deterministic answers as JSON values; and a comparison
// of JSON values that keeps numbers exact where Java's are.

// javaMesh is a consumer agent and one provider agent (--service
// UserService) in front of one Java provider. Its methods are for one
// goroutine at a time (they share one keep-alive HTTP client).
type javaMesh struct {
	c        *cluster
	agent    *agentProc
	javaAddr string
	client   *http.Client
}

// startJavaMesh starts the Java provider, an embedded etcd, a provider
// agent exporting UserService in front of the Java provider, and a consumer
// agent; it returns once a call to UserService.count() is answered.
func startJavaMesh(t *testing.T) *javaMesh {
	t.Helper()
	javaAddr := startJavaProvider(t)
	c, _ := newMesh(t, meshSpec{}) // etcd and the consumer agent only
	c.provAddrs = append(c.provAddrs, javaAddr)
	m := &javaMesh{
		c:        c,
		agent:    c.addAgent(0, 1, "--service", userService),
		javaAddr: javaAddr,
		client: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 2},
		},
	}
	t.Cleanup(m.client.CloseIdleConnections)
	// The consumer agent answers 503 until it has learnt the route.
	for deadline := time.Now().Add(10 * time.Second); ; {
		a := m.form(t, meshCall{method: "count"})
		if a.status == 200 && a.body == "100" {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("UserService not routable through the mesh: %d %q", a.status, a.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// marg is one argument as each form carries it: form is the form's
// parameter (raw text for text types, JSON text otherwise), json the JSON
// form's element of args.
type marg struct{ form, json string }

// txt is a text argument given as a JSON string in the JSON form (String,
// Date, a decimal, a char).
func txt(s string) marg {
	q, _ := json.Marshal(s)
	return marg{s, string(q)}
}

// lit is an argument whose text is the same in both forms: a number or
// boolean, or JSON text for a type that is not text.
func lit(s string) marg { return marg{s, s} }

// meshCall is one call of UserService (or another interface).
type meshCall struct {
	iface          string // default UserService
	method         string
	types          []string // descriptors, one per argument
	args           []marg
	version, group string
	attachments    map[string]string // the form's Dubbo-Attachment-<Name> headers, the JSON form's attachments
	headers        map[string]string // extra headers, both forms (traceparent), names sent as written
}

// meshAnswer is an HTTP answer.
type meshAnswer struct {
	status int
	ctype  string // the media type, parameters cut off
	body   string
}

func (a meshAnswer) String() string {
	return fmt.Sprintf("%d %s %q", a.status, a.ctype, a.body)
}

// form makes the call as a url-encoded form.
func (m *javaMesh) form(t *testing.T, c meshCall) meshAnswer {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for k, val := range c.attachments {
		h["Dubbo-Attachment-"+k] = []string{val} // the name as written, not canonicalized
	}
	for k, val := range c.headers {
		h[k] = []string{val}
	}
	return m.do(t, http.MethodPost, "", h, formValues(c).Encode())
}

// get makes the call as a GET with the form in the query string.
func (m *javaMesh) get(t *testing.T, c meshCall) meshAnswer {
	t.Helper()
	return m.do(t, http.MethodGet, "?"+formValues(c).Encode(), http.Header{}, "")
}

// formValues is the call's form.
func formValues(c meshCall) url.Values {
	v := url.Values{}
	v.Set("interface", cmp.Or(c.iface, userService))
	v.Set("method", c.method)
	if len(c.types) > 0 {
		v.Set("parameterTypesString", strings.Join(c.types, ""))
	}
	for _, a := range c.args {
		v.Add("parameter", a.form)
	}
	if c.version != "" {
		v.Set("version", c.version)
	}
	if c.group != "" {
		v.Set("group", c.group)
	}
	return v
}

// jsonForm makes the call in the JSON form.
func (m *javaMesh) jsonForm(t *testing.T, c meshCall) meshAnswer {
	t.Helper()
	args := make([]json.RawMessage, len(c.args))
	for i, a := range c.args {
		args[i] = json.RawMessage(a.json)
	}
	body := struct {
		Interface      string            `json:"interface"`
		Method         string            `json:"method"`
		ParameterTypes []string          `json:"parameterTypes"`
		Args           []json.RawMessage `json:"args"`
		Version        string            `json:"version,omitempty"`
		Group          string            `json:"group,omitempty"`
		Attachments    map[string]string `json:"attachments,omitempty"`
	}{cmp.Or(c.iface, userService), c.method, append([]string{}, c.types...), args, c.version, c.group, c.attachments}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	for k, val := range c.headers {
		h[k] = []string{val}
	}
	return m.do(t, http.MethodPost, "", h, string(b))
}

// do sends one request to the consumer agent and reads the answer.
func (m *javaMesh) do(t *testing.T, method, query string, h http.Header, body string) meshAnswer {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+m.c.httpAddr+"/"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := m.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, trim(query+body), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, trim(query+body), err)
	}
	ct, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil && len(b) > 0 {
		t.Errorf("%s %s: Content-Type %q: %v", method, trim(query+body), resp.Header.Get("Content-Type"), err)
	}
	return meshAnswer{status: resp.StatusCode, ctype: ct, body: string(b)}
}

// Expected answers: UserServiceImpl's logic ported to Go, as the JSON a
// correct mesh renders (a POJO as an object of its fields, an enum as its
// name, a Date as RFC 3339 UTC with milliseconds, BigDecimal and BigInteger
// as exact numbers).

// exactNum is a JSON number whose text must match digit for digit (a
// BigDecimal keeps its scale: 13.70 is not 13.7).
type exactNum string

// javaEpoch is UserServiceImpl.EPOCH.
const javaEpoch = 1_700_000_000_000

var javaRoles = []string{"ADMIN", "MEMBER", "GUEST"}

// floorMod is Java's Math.floorMod for a long.
func floorMod(x, m int64) int64 {
	r := x % m
	if r < 0 {
		r += m
	}
	return r
}

// msDate renders epoch milliseconds as the mesh renders a Date.
func msDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// decimal2 is BigDecimal.valueOf(unscaled, 2)'s text, for unscaled >= 0.
func decimal2(unscaled int64) exactNum {
	s := fmt.Sprintf("%03d", unscaled)
	return exactNum(s[:len(s)-2] + "." + s[len(s)-2:])
}

func addressJSON(street, city, zip string) map[string]any {
	return map[string]any{"street": street, "city": city, "zip": zip}
}

// userJSON is UserServiceImpl.getUser(id).
func userJSON(id int64) map[string]any {
	parity := "odd"
	if floorMod(id, 2) == 0 {
		parity = "even"
	}
	return map[string]any{
		"id":      id,
		"name":    "user-" + strconv.FormatInt(id, 10),
		"role":    javaRoles[floorMod(id, 3)],
		"address": addressJSON(fmt.Sprintf("%d Main St", id), "Springfield", fmt.Sprintf("%05d", floorMod(id, 100000))),
		"tags":    []any{"id" + strconv.FormatInt(id, 10), parity},
		"scores":  map[string]any{"math": floorMod(id*7, 100), "art": floorMod(id*13, 100)},
		"created": msDate(javaEpoch + floorMod(id, 36500)*86_400_123),
		"balance": decimal2(floorMod(id, 1_000_000) * 137),
		"lucky":   []any{floorMod(id, 10), floorMod(id, 7), 42},
		"previous": []any{
			addressJSON(fmt.Sprintf("%d Old Rd", id+1), "Shelbyville", "00001"),
		},
	}
}

// createJSON is UserServiceImpl.create(name, role); role "" is null.
func createJSON(name, role string) map[string]any {
	u := userJSON(int64(floorMod(int64(javaHash(name)), 1000)))
	u["name"], u["role"] = name, role
	if role == "" {
		u["role"] = nil
	}
	return u
}

// javaBytes is UserServiceImpl.bytes(n): the i-th byte is (byte) i.
func javaBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// findJSON is UserServiceImpl.find with this role ("" for any) and limit.
func findJSON(role string, limit int) []any {
	out := []any{}
	for id := int64(1); id <= 100 && len(out) < limit; id++ {
		if role == "" || javaRoles[floorMod(id, 3)] == role {
			out = append(out, userJSON(id))
		}
	}
	return out
}

// javaByteArrayString is Arrays.toString(bytes(n)): signed bytes.
func javaByteArrayString(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range javaBytes(n) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(int(int8(v))))
	}
	b.WriteByte(']')
	return b.String()
}

// b64 is how the mesh renders a byte[]: standard base64 with padding.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// sameJSON decodes got (numbers as json.Number) and compares it with
// want: nil, bool, string, an integer or float64 (compared as exact
// rationals, so 1.0E10 equals 1e10), exactNum (compared as text),
// []any and map[string]any (keys in any order, none missing or extra).
func sameJSON(want any, got string) error {
	d := json.NewDecoder(strings.NewReader(got))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("not one JSON value: more after it")
	}
	return compareJSON("$", want, v)
}

func compareJSON(path string, want, got any) error {
	switch w := want.(type) {
	case nil:
		if got != nil {
			return fmt.Errorf("%s: got %s, want null", path, show(got))
		}
	case bool, string:
		if got != want {
			return fmt.Errorf("%s: got %s, want %s", path, show(got), show(want))
		}
	case exactNum:
		n, ok := got.(json.Number)
		if !ok || string(n) != string(w) {
			return fmt.Errorf("%s: got %s, want the number %s exactly", path, show(got), w)
		}
	case int, int64, float64:
		n, ok := got.(json.Number)
		if !ok {
			return fmt.Errorf("%s: got %s, want the number %v", path, show(got), w)
		}
		g, ok1 := new(big.Rat).SetString(string(n))
		e, ok2 := new(big.Rat).SetString(fmt.Sprint(w))
		if !ok1 || !ok2 || g.Cmp(e) != 0 {
			return fmt.Errorf("%s: got %s, want %v", path, n, w)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: got %s, want an array of %d", path, show(got), len(w))
		}
		for i := range w {
			if err := compareJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); err != nil {
				return err
			}
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %s, want an object", path, show(got))
		}
		var extra []string
		for k := range g {
			if _, ok := w[k]; !ok {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			return fmt.Errorf("%s: unexpected keys %q", path, extra)
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s: key %q missing", path, k)
			}
			if err := compareJSON(path+"."+k, w[k], gv); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%s: bad expectation %T", path, want)
	}
	return nil
}

func show(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return fmt.Sprintf("%#v", v)
	}
	s := strings.TrimSpace(b.String())
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
