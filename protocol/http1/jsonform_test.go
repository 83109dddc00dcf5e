package http1

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const userCall = `{"interface":"com.x.UserService","method":"find",
 "parameterTypes":["Ljava/lang/String;","Lcom/x/User;"],
 "args":["te\"xt",{"name":"a","tags":["x",1,null,true]}],
 "version":"1.0.0","group":"g","attachments":{"k":"v","trace\u0041":"1"}}`

func TestParseJSON(t *testing.T) {
	var f Form
	if err := f.ParseJSON([]byte(userCall)); err != nil {
		t.Fatal(err)
	}
	check := func(what string, got []byte, want string) {
		t.Helper()
		if string(got) != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("interface", f.Interface, "com.x.UserService")
	check("method", f.Method, "find")
	check("types", f.ParameterTypes, "Ljava/lang/String;Lcom/x/User;")
	check("version", f.Version, "1.0.0")
	check("group", f.Group, "g")
	if len(f.Params) != 2 {
		t.Fatalf("params %q", f.Params)
	}
	check("arg 0", f.Params[0], `"te\"xt"`)
	check("arg 1", f.Params[1], `{"name":"a","tags":["x",1,null,true]}`)
	if err := f.UnquoteParam(0); err != nil {
		t.Fatal(err)
	}
	check("arg 0 unquoted", f.Params[0], `te"xt`)
	if err := f.UnquoteParam(1); !errors.Is(err, ErrBadJSON) {
		t.Errorf("UnquoteParam of an object: %v, want ErrBadJSON", err)
	}
	if len(f.Attachments) != 2 || string(f.Attachments[1].Key) != "traceA" || string(f.Attachments[1].Value) != "1" {
		t.Errorf("attachments %q", f.Attachments)
	}
	if err := f.Check(); err != nil {
		t.Error(err)
	}
}

func TestParseJSONShapes(t *testing.T) {
	for _, c := range []struct {
		body  string
		types string
		args  int
		err   error
	}{
		{`{"interface":"a","method":"count"}`, "", 0, nil},
		{`{"interface":"a","method":"m","parameterTypes":[],"args":[]}`, "", 0, nil},
		{`{"interface":"a","method":"m","parameterTypes":"IJ","args":[1,2]}`, "IJ", 2, nil},
		{` {"interface":"a","method":"m","parameterTypes":["I","J"],"args":[1, 2] , "x":{"y":[{}]}} `, "IJ", 2, nil},
		{`{"interface":"a","method":"m","parameterTypes":["L\u0061;"],"args":[1]}`, "La;", 1, nil},
		// null is a key left out, as encoders write unset fields.
		{`{"interface":"a","method":"m","parameterTypes":null,"args":null,"version":null,"group":null,"attachments":null}`, "", 0, nil},
		// A key the form reads comes once: parsers disagree on which wins.
		{`{"interface":"a","method":"m","args":null,"args":[1],"parameterTypes":"I"}`, "", 0, ErrRepeatedJSONKey},
		{`{"interface":"a","method":"m","interface":"b"}`, "", 0, ErrRepeatedJSONKey},
		{`{"interface":"a","parameterTypes":"I","parameterTypesString":"J"}`, "", 0, ErrRepeatedJSONKey},
		{`{"interface":"a","method":"m","x":1,"x":2}`, "", 0, nil}, // keys it ignores may repeat
		{`{"interface":"a","method":"m","parameterTypes":["I"],"args":[null]}`, "I", 1, nil},
		{`{"interface":"a","attachments":nul}`, "", 0, ErrBadJSON},
		{`{"interface":"a","attachments":nullx}`, "", 0, ErrBadJSON},
		{`{"interface":"a"`, "", 0, ErrBadJSON},
		{`{"interface":1}`, "", 0, ErrBadJSON},
		{`{"interface":"a","args":{}}`, "", 0, ErrBadJSON},
		{`{"interface":"a","args":[01]}`, "", 0, ErrBadJSON},
		{`{"interface":"a","args":[1,]}`, "", 0, ErrBadJSON},
		{`{"interface":"a","attachments":{"k":1}}`, "", 0, ErrBadJSON},
		{`{"interface":"a"} x`, "", 0, ErrBadJSON},
		{`[]`, "", 0, ErrBadJSON},
		{`{"args":[` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `]}`, "", 0, ErrJSONTooDeep},
	} {
		var f Form
		err := f.ParseJSON([]byte(c.body))
		if !errors.Is(err, c.err) || (err != nil) != (c.err != nil) {
			t.Errorf("%s: err %v, want %v", c.body, err, c.err)
			continue
		}
		if err == nil && (string(f.ParameterTypes) != c.types || len(f.Params) != c.args) {
			t.Errorf("%s: types %q args %d", c.body, f.ParameterTypes, len(f.Params))
		}
	}
}

func TestAllocsParseJSON(t *testing.T) {
	var f Form
	body := []byte(userCall)
	n := testing.AllocsPerRun(100, func() {
		if err := f.ParseJSON(body); err != nil {
			t.Fatal(err)
		}
		f.UnquoteParam(0)
	})
	if n != 0 {
		t.Fatalf("%v allocations per ParseJSON", n)
	}
}

// FuzzParseJSON checks ParseJSON against encoding/json: a body ParseJSON
// accepts is valid JSON, and each argument it returns is valid JSON.
func FuzzParseJSON(f *testing.F) {
	f.Add(userCall)
	f.Add(`{"interface":"a","method":"m","parameterTypes":"IJ","args":[1,2]}`)
	f.Add(`{"args":["\ud83d\ude00","\ud800"]}`)
	var form Form
	f.Fuzz(func(t *testing.T, body string) {
		err := form.ParseJSON([]byte(body))
		if err != nil {
			if !errors.Is(err, ErrBadForm) {
				t.Fatalf("error %v does not match ErrBadForm", err)
			}
			return
		}
		if !json.Valid([]byte(body)) {
			t.Fatalf("%q: accepted, but it is not JSON", body)
		}
		for i, p := range form.Params {
			if !json.Valid(p) {
				t.Fatalf("argument %d %q is not JSON", i, p)
			}
			if form.UnquoteParam(i) == nil && p[0] == '"' {
				var s string
				json.Unmarshal(p, &s)
				if s != string(form.Params[i]) && !strings.Contains(s, "\ufffd") {
					t.Fatalf("argument %d unquoted %q, encoding/json %q", i, form.Params[i], s)
				}
			}
		}
	})
}
