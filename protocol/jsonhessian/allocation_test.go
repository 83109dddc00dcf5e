package jsonhessian

import (
	"strings"
	"testing"
)

func assertNoAllocs(t *testing.T, what string, f func()) {
	t.Helper()
	if n := testing.AllocsPerRun(100, f); n != 0 {
		t.Errorf("%s: %v allocs per run, want 0", what, n)
	}
}

// TestAllocs checks that AppendArg, Check, MaxSize and ParseTypes allocate
// nothing in steady state, for every kind of argument.
func TestAllocs(t *testing.T) {
	var e Encoder
	buf := make([]byte, 0, 1<<20)
	for _, c := range transcodeCases {
		types := mustTypes(t, c.desc)
		args := make([][]byte, len(c.args))
		for i, a := range c.args {
			args[i] = []byte(a)
		}
		assertNoAllocs(t, c.desc+" AppendArg", func() {
			e.Reset()
			out := buf[:0]
			for i, typ := range types {
				var err error
				if out, err = e.AppendArg(out, typ, args[i]); err != nil {
					t.Fatal(err)
				}
			}
		})
		assertNoAllocs(t, c.desc+" Check", func() {
			for i, typ := range types {
				if err := e.Check(typ, args[i]); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	arg := []byte(benchUser)
	assertNoAllocs(t, "User", func() {
		e.Reset()
		out, err := e.AppendArg(buf[:0], benchUserType, arg)
		if err != nil || len(out) > MaxSize(benchUserType, arg) {
			t.Fatal(err)
		}
	})
	// Many class definitions and types in one stream: the tables grow once.
	many := []byte("[" + strings.Repeat(`{"class":"a.B","x":1},{"class":"a.C","y":[[1]]},`, 200) + "null]")
	obj := mustTypes(t, "Ljava/lang/Object;")[0]
	assertNoAllocs(t, "many classes", func() {
		e.Reset()
		if _, err := e.AppendArg(buf[:0], obj, many); err != nil {
			t.Fatal(err)
		}
	})
	desc := []byte("Ljava/lang/String;I[Lcom/x/User;Ljava/util/Map;[[JLjava/lang/Integer;")
	dst := make([]Type, 0, 8)
	assertNoAllocs(t, "ParseTypes", func() {
		var err error
		if dst, err = ParseTypes(desc, dst); err != nil {
			t.Fatal(err)
		}
	})
}
