package dubbo

import (
	"errors"
	"strings"
	"testing"
)

func encArgs(ss ...string) [][]byte {
	args := make([][]byte, len(ss))
	for i, s := range ss {
		args[i] = []byte(s)
	}
	return args
}

func TestCheckArgsAccepts(t *testing.T) {
	cases := []struct {
		types string
		args  []string
	}{
		{"", nil},
		{"Ljava/lang/String;", []string{""}},
		{"Ljava/lang/String;", []string{"héllo 😀"}},
		{"I", []string{"-2147483648"}},
		{"I", []string{"2147483647"}},
		{"Ljava/lang/Integer;", []string{"+007"}},
		{"J", []string{"-9223372036854775808"}},
		{"Ljava/lang/Long;", []string{"9223372036854775807"}},
		{"ZLjava/lang/Boolean;", []string{"true", "false"}},
		{"DDDDD", []string{"1.5", "-0", "1e300", "NaN", "-Inf"}},
		{"Ljava/lang/Double;", []string{"0x1p-2"}},
		// A box takes null; the string "null" stays a String.
		{"Ljava/lang/Integer;Ljava/lang/Long;Ljava/lang/Boolean;Ljava/lang/Double;", []string{"null", "null", "null", "null"}},
		{"Ljava/lang/String;", []string{"null"}},
		{"Ljava/lang/String;IJZD", []string{"s", "1", "2", "true", "3.5"}},
		{strings.Repeat("I", 255), strings.Split(strings.Repeat("1", 255), "")},
	}
	for _, c := range cases {
		if err := CheckArgs([]byte(c.types), encArgs(c.args...)); err != nil {
			t.Errorf("CheckArgs(%q, %q) = %v", c.types, c.args, err)
		}
	}
}

func TestCheckArgsRefuses(t *testing.T) {
	cases := []struct {
		types string
		args  []string
		want  error
		msg   string // the whole message when not empty
	}{
		// Every descriptor is supported; values of the types outside the
		// fast path are read by jsonhessian (JSON for collections and
		// classes), which names the parameter and says why.
		{"Ljava/util/List;", []string{"x"}, ErrBadArgument, `dubbo: bad argument: parameter 1: jsonhessian: bad argument: JSON at offset 0: unexpected "x" where a value belongs`},
		{"Ljava/lang/String;Ljava/util/Map;", []string{"x", "[1]"}, ErrBadArgument, ""},
		{"[I", []string{`["a"]`}, ErrBadArgument, ""},
		{"[[Ljava/lang/String;I", []string{"[[1]]", "1"}, ErrBadArgument, ""},
		{"F", []string{"x"}, ErrBadArgument, ""},
		{"Ljava/lang/String", []string{"x"}, ErrBadArgument, `dubbo: bad argument: parameter type jsonhessian: bad argument: "Ljava/lang/String" lacks ';'`},
		{"Q", []string{"x"}, ErrBadArgument, ""},
		{"L", []string{"x"}, ErrBadArgument, ""},
		{"I", nil, ErrBadArgument, `dubbo: bad argument: 1 parameter types but 0 arguments`},
		{"", []string{"x"}, ErrBadArgument, `dubbo: bad argument: 0 parameter types but 1 arguments`},
		{"IJZ", []string{"1"}, ErrBadArgument, `dubbo: bad argument: 3 parameter types but 1 arguments`},
		{"Ljava/lang/String;I", []string{"x"}, ErrBadArgument, `dubbo: bad argument: 2 parameter types but 1 arguments`},
		{"Ljava/lang/String;I", []string{"a", "x"}, ErrBadArgument, `dubbo: bad argument: parameter 2: "x" is not an int`},
		{"I", []string{"2147483648"}, ErrBadArgument, ""},
		{"I", []string{"-2147483649"}, ErrBadArgument, ""},
		{"I", []string{"99999999999999999999999"}, ErrBadArgument, ""},
		{"I", []string{""}, ErrBadArgument, ""},
		{"I", []string{"-"}, ErrBadArgument, ""},
		{"I", []string{"1.0"}, ErrBadArgument, ""},
		{"I", []string{" 1"}, ErrBadArgument, ""},
		{"J", []string{"9223372036854775808"}, ErrBadArgument, `dubbo: bad argument: parameter 1: "9223372036854775808" is not a long`},
		{"J", []string{"-9223372036854775809"}, ErrBadArgument, ""},
		{"Z", []string{"TRUE"}, ErrBadArgument, `dubbo: bad argument: parameter 1: "TRUE" is not a boolean (want true or false)`},
		{"Ljava/lang/Boolean;", []string{"1"}, ErrBadArgument, ""},
		{"I", []string{"null"}, ErrBadArgument, `dubbo: bad argument: parameter 1: "null" is not an int`},
		{"ZJD", []string{"null", "1", "1"}, ErrBadArgument, ""},
		{"Ljava/lang/Integer;", []string{"NULL"}, ErrBadArgument, ""},
		{"D", []string{"abc"}, ErrBadArgument, ""},
		{"D", []string{"1e400"}, ErrBadArgument, ""},
		{"D", []string{""}, ErrBadArgument, ""},
		{"Ljava/lang/String;", []string{"ok\xff"}, ErrBadArgument, `dubbo: bad argument: parameter 1: string is not valid UTF-8`},
		{"Ljava/lang/String;", []string{"\xed\xa0\x80"}, ErrBadArgument, ""}, // a lone surrogate
		{strings.Repeat("I", 256), strings.Split(strings.Repeat("1", 256), ""), ErrBadArgument, ""},
		{strings.Repeat("I", 300), nil, ErrBadArgument, `dubbo: bad argument: 300 parameters, more than the JVM's 255`},
	}
	for _, c := range cases {
		err := CheckArgs([]byte(c.types), encArgs(c.args...))
		if !errors.Is(err, c.want) || !errors.Is(err, ErrBadArgument) {
			t.Errorf("CheckArgs(%q, %q) = %v, want %v", c.types, c.args, err, c.want)
			continue
		}
		if c.msg != "" && err.Error() != c.msg {
			t.Errorf("CheckArgs(%q, %q):\n got %s\nwant %s", c.types, c.args, err, c.msg)
		}
	}
	if errors.Is(ErrBadArgument, ErrUnsupportedType) {
		t.Error("ErrBadArgument must not match ErrUnsupportedType")
	}
}

func TestCheckArgsLongArgumentQuoted(t *testing.T) {
	err := CheckArgs([]byte("I"), encArgs(strings.Repeat("9", 10000)))
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("error for a long argument: %.300v", err)
	}
}
