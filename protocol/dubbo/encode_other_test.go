package dubbo

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"
)

// encUserRequest is a call with arguments outside the fast path around
// the race's types: a POJO (twice, so the second reuses the first's class
// definition), an int array, a String and a long.
func encUserRequest(s Serialization) *Request {
	user := `{"class":"com.x.User","id":7,"name":"ann",
	  "tags":["a","b"],"role":{"name":"ADMIN"}}`
	return &Request{
		ID: 3, Serialization: s,
		Interface:      []byte("com.x.UserService"),
		Method:         []byte("merge"),
		ParameterTypes: []byte("Lcom/x/User;[ILjava/lang/String;JLcom/x/User;"),
		Args:           encArgs(user, "[1, 2, 3]", "x y", "42", user),
	}
}

func TestEncodeOtherTypesHessian(t *testing.T) {
	r := encUserRequest(Hessian2)
	n, err := RequestSize(r)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	if got := PutRequest(b, r); got != n {
		t.Fatalf("PutRequest wrote %d bytes, RequestSize said %d", got, n)
	}
	d := hessian.NewDecoder(b[HeaderSize:])
	var got []any
	for range 11 {
		v, err := d.Decode()
		if err != nil {
			t.Fatalf("value %d: %v", len(got), err)
		}
		got = append(got, v)
	}
	if got[4] != "Lcom/x/User;[ILjava/lang/String;JLcom/x/User;" || got[3] != "merge" {
		t.Fatalf("header values %v", got[:5])
	}
	if !reflect.DeepEqual(got[6], []int32{1, 2, 3}) {
		t.Errorf("int[] decoded as %#v", got[6])
	}
	if got[7] != "x y" || got[8] != int64(42) {
		t.Errorf("String, long decoded as %#v, %#v", got[7], got[8])
	}
	for _, i := range []int{5, 9} {
		m := encLibraryFields(t, got[i])
		if m["name"] != "ann" || m["id"] != int32(7) || m["_class"] != "com.x.User" {
			t.Errorf("value %d decoded as %#v", i, got[i])
		}
	}
	if att, ok := got[10].(map[any]any); !ok || att["path"] != "com.x.UserService" {
		t.Errorf("attachments %#v", got[10])
	}
}

// encLibraryFields returns the fields of an object the library decoded
// without a registered Go type (it gives a map, with the class name under
// "_class").
func encLibraryFields(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%#v is not an object's fields", v)
	}
	return m
}

func TestEncodeOtherTypesFastJSON(t *testing.T) {
	r := encUserRequest(FastJSON)
	r.ParameterTypes = append(r.ParameterTypes, "Ljava/math/BigDecimal;C"...)
	r.Args = append(r.Args, []byte("1.10"), []byte("\""))
	n, err := RequestSize(r)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	PutRequest(b, r)
	lines := strings.Split(string(b[HeaderSize:]), "\n")
	want := []string{
		`{"class":"com.x.User","id":7,"name":"ann","tags":["a","b"],"role":{"name":"ADMIN"}}`,
		`[1,2,3]`, `"x y"`, `42`,
		`{"class":"com.x.User","id":7,"name":"ann","tags":["a","b"],"role":{"name":"ADMIN"}}`,
		`1.10`, `"\""`,
	}
	for i, w := range want {
		if lines[5+i] != w {
			t.Errorf("argument %d: line %q, want %q", i+1, lines[5+i], w)
		}
		if !json.Valid([]byte(lines[5+i])) {
			t.Errorf("argument %d: %q is not JSON", i+1, lines[5+i])
		}
	}
}

func TestEncodeOtherTypesAllocs(t *testing.T) {
	for _, s := range []Serialization{Hessian2, FastJSON} {
		r := encUserRequest(s)
		buf := make([]byte, 4096)
		encAssertNoAllocs(t, "POJO request "+s.String(), func() {
			n, err := RequestSize(r)
			if err != nil {
				t.Fatal(err)
			}
			PutRequest(buf[:n], r)
		})
	}
}

func TestEncodeOtherTypesRefused(t *testing.T) {
	r := encUserRequest(Hessian2)
	r.Args[1] = []byte(`[1, "x"]`)
	_, err := RequestSize(r)
	if err == nil || !strings.Contains(err.Error(), "parameter 2") {
		t.Fatalf("RequestSize = %v, want an error naming parameter 2", err)
	}
}
