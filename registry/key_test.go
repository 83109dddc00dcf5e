package registry

import (
	"errors"
	"testing"
)

func TestKeyRoundTrip(t *testing.T) {
	for _, c := range []struct{ iface, addr string }{
		{"com.alibaba.dubbo.performance.demo.provider.IHelloService", "10.10.10.3:30000"},
		{"a", "h:1"},
		{"x.Y", "[::1]:30000"},
		{"svc", "provider-large:30000"},
	} {
		key := Key(c.iface, c.addr)
		assertEq(t, key, "/dubbomesh/"+c.iface+"/"+c.addr, "Key")
		iface, addr, err := ParseKey(key)
		assertNoErr(t, err, "ParseKey("+key+")")
		assertEq(t, iface, c.iface, "iface")
		assertEq(t, addr, c.addr, "addr")
	}
}

func TestParseKeyBad(t *testing.T) {
	for _, key := range []string{
		"",
		"/dubbomesh/",
		"/dubbomesh",
		"/other/svc/h:1",
		"dubbomesh/svc/h:1",
		"/dubbomesh/svc",
		"/dubbomesh/svc/",
		"/dubbomesh//h:1",
		"/dubbomesh/svc/h",
		"/dubbomesh/svc/h:",
		"/dubbomesh/svc/:1",
		"/dubbomesh/svc/h:1/extra",
		"/dubbomesh/svc/::1:80",
	} {
		if _, _, err := ParseKey(key); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseKey(%q) err = %v, want ErrBadKey", key, err)
		}
	}
}

func TestValueRoundTrip(t *testing.T) {
	for _, w := range []int{1, 3, 5, 200, MaxWeight} {
		v := EncodeValue(w)
		got, err := DecodeValue([]byte(v))
		assertNoErr(t, err, "DecodeValue("+v+")")
		assertEq(t, got, w, "weight")
	}
	assertEq(t, EncodeValue(3), `{"weight":3}`, "EncodeValue")
}

func TestRecordCapacity(t *testing.T) {
	assertEq(t, EncodeRecord(3, 200), `{"weight":3,"capacity":200}`, "EncodeRecord")
	assertEq(t, EncodeRecord(3, 0), `{"weight":3}`, "EncodeRecord without capacity")
	for v, want := range map[string][2]int{
		``:                                {1, 0}, // the oldest agents
		`{"weight":3}`:                    {3, 0}, // agents before capacity
		`{"weight":3,"capacity":200}`:     {3, 200},
		`{"capacity":7200}`:               {1, 7200},
		`{"capacity":0,"weight":2}`:       {2, 0},
		`{"weight":1,"capacity":1048576}`: {1, MaxCapacity},
	} {
		w, c, err := DecodeRecord([]byte(v))
		assertNoErr(t, err, "DecodeRecord("+v+")")
		assertEq(t, [2]int{w, c}, want, "weight and capacity of "+v)
	}
	for v, want := range map[string]error{
		`{"weight":3,"capacity":-1}`:      ErrBadCapacity,
		`{"weight":3,"capacity":1048577}`: ErrBadCapacity,
		`{"weight":3,"capacity":"200"}`:   ErrBadValue,
		`{"weight":3,"capacity":2.5}`:     ErrBadValue,
		`{"weight":3,"capacity":null}`:    ErrBadValue,
		`{"weight":0,"capacity":200}`:     ErrBadWeight,
	} {
		if _, _, err := DecodeRecord([]byte(v)); !errors.Is(err, want) {
			t.Errorf("DecodeRecord(%s) err = %v, want %v", v, err, want)
		}
	}
	if err := (Endpoint{Interface: "svc", Addr: "h:1", Weight: 1, Capacity: -1}).validate(); !errors.Is(err, ErrBadCapacity) {
		t.Errorf("validate with capacity -1: %v, want ErrBadCapacity", err)
	}
}

func TestDecodeValueAccepts(t *testing.T) {
	for v, want := range map[string]int{
		``:                        1,
		`  `:                      1,
		`{}`:                      1,
		`{"weight":7}`:            7,
		` { "weight" : 7 } `:      7,
		`{"weight":2,"zone":"a"}`: 2,
		`{"zone":{"x":[1,2]}}`:    1,
		"{\"weight\":\n12\n}\n":   12,
	} {
		got, err := DecodeValue([]byte(v))
		assertNoErr(t, err, "DecodeValue("+v+")")
		assertEq(t, got, want, "weight of "+v)
	}
}

func TestDecodeValueRejects(t *testing.T) {
	for v, want := range map[string]error{
		`3`:                                  ErrBadValue,
		`null`:                               ErrBadValue,
		`"weight"`:                           ErrBadValue,
		`[1]`:                                ErrBadValue,
		`{`:                                  ErrBadValue,
		`{"weight":3`:                        ErrBadValue,
		`{"weight":3}x`:                      ErrBadValue,
		`{"weight":3}{}`:                     ErrBadValue,
		`{"weight":null}`:                    ErrBadValue,
		`{"weight":"3"}`:                     ErrBadValue,
		`{"weight":3.0}`:                     ErrBadValue,
		`{"weight":3e2}`:                     ErrBadValue,
		`{"weight":true}`:                    ErrBadValue,
		`{"weight":[3]}`:                     ErrBadValue,
		`{"weight":0}`:                       ErrBadWeight,
		`{"weight":-1}`:                      ErrBadWeight,
		`{"weight":-0}`:                      ErrBadWeight,
		`{"weight":1001}`:                    ErrBadWeight,
		`{"weight":99999999999999999999999}`: ErrBadWeight,
	} {
		if _, err := DecodeValue([]byte(v)); !errors.Is(err, want) {
			t.Errorf("DecodeValue(%s) err = %v, want %v", v, err, want)
		}
	}
	long := make([]byte, maxValueLen+1)
	for i := range long {
		long[i] = ' '
	}
	long[0], long[len(long)-1] = '{', '}'
	if _, err := DecodeValue(long); !errors.Is(err, ErrBadValue) {
		t.Errorf("DecodeValue(long) err = %v, want ErrBadValue", err)
	}
}

func TestEndpointValidate(t *testing.T) {
	good := Endpoint{Interface: "svc", Addr: "127.0.0.1:30000", Weight: 3}
	assertNoErr(t, good.validate(), "valid endpoint")
	for _, c := range []struct {
		ep   Endpoint
		want error
	}{
		{Endpoint{Interface: "", Addr: "h:1", Weight: 1}, ErrBadEndpoint},
		{Endpoint{Interface: "a/b", Addr: "h:1", Weight: 1}, ErrBadEndpoint},
		{Endpoint{Interface: "svc", Addr: "h", Weight: 1}, ErrBadEndpoint},
		{Endpoint{Interface: "svc", Addr: "h:1", Weight: 0}, ErrBadWeight},
		{Endpoint{Interface: "svc", Addr: "h:1", Weight: MaxWeight + 1}, ErrBadWeight},
	} {
		if err := c.ep.validate(); !errors.Is(err, c.want) {
			t.Errorf("%+v: err = %v, want %v", c.ep, err, c.want)
		}
	}
}
