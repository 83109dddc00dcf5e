package dubbo

import (
	"strings"
	"testing"
)

func encAssertNoAllocs(t *testing.T, what string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(100, f); n != 0 {
		t.Errorf("%s: %v allocs per run, want 0", what, n)
	}
}

func TestEncodeAllocs(t *testing.T) {
	buf := make([]byte, 64<<10)
	for _, s := range []Serialization{Hessian2, FastJSON} {
		for _, n := range []int{0, 1023, 5000} {
			r := encRaceRequest(s, strings.Repeat("a1Z", n)[:n])
			r.Timeout = 3000
			encAssertNoAllocs(t, "race request "+s.String(), func() {
				n, err := RequestSize(r)
				if err != nil {
					t.Fatal(err)
				}
				PutRequest(buf[:n], r)
			})
		}
		typed := &Request{Serialization: s, Interface: []byte("a.B"), Method: []byte("m"), Version: []byte("1.0"),
			ParameterTypes: []byte("Ljava/lang/String;IJZDLjava/lang/Double;"),
			Args:           encArgs("héllo 😀", "-123456", "9007199254740993", "true", "1.5", "-1234.5678e-10")}
		encAssertNoAllocs(t, "typed request "+s.String(), func() {
			n, err := RequestSize(typed)
			if err != nil {
				t.Fatal(err)
			}
			PutRequest(buf[:n], typed)
		})
		encAssertNoAllocs(t, "heartbeat "+s.String(), func() { PutHeartbeat(buf, 7, s, true) })

		dst := make([]byte, 0, 64<<10)
		for _, v := range []Value{
			{Type: TypeInt, Int: -1094917604},
			{Type: TypeString, Bytes: []byte(strings.Repeat("x", 1000))},
			{Type: TypeLong, Int: 1 << 40},
			{Type: TypeDouble, Float: 0.1},
			{Type: TypeNull},
		} {
			r := &Response{ID: 1, Serialization: s, Status: StatusOK, Value: v, WithAttachments: v.Type == TypeString}
			encAssertNoAllocs(t, "response "+s.String(), func() { dst = AppendResponse(dst[:0], r) })
		}
		ex := &Response{Serialization: s, Status: StatusOK, Exception: true, ExceptionClass: []byte("a.E"), ErrorMessage: []byte("m")}
		encAssertNoAllocs(t, "exception "+s.String(), func() { dst = AppendResponse(dst[:0], ex) })
	}
	args := encArgs("x", "1", "2", "false", "2.5")
	types := []byte("Ljava/lang/String;IJZD") // a request's bytes live on the heap
	encAssertNoAllocs(t, "CheckArgs", func() {
		if err := CheckArgs(types, args); err != nil {
			t.Fatal(err)
		}
	})
}
