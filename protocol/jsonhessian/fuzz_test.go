package jsonhessian

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParseTypes checks that ParseTypes never panics, that the types it
// returns cover the descriptor exactly, in order, and that its errors wrap
// ErrBadArgument and name the parameter.
func FuzzParseTypes(f *testing.F) {
	for _, s := range []string{"", "I", "ZBCSIJFD", "Ljava/lang/String;I[Lcom/x/User;", "[[J", "Lcom/x/User", "V", "[", "L;", "Lcom//x;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, desc string) {
		types, err := ParseTypes([]byte(desc), nil)
		if err != nil {
			if !errors.Is(err, ErrBadArgument) {
				t.Fatalf("error %v does not wrap ErrBadArgument", err)
			}
			if !strings.Contains(err.Error(), "argument ") && !strings.Contains(err.Error(), "parameters") {
				t.Fatalf("error %v names no parameter", err)
			}
			return
		}
		var all []byte
		for _, typ := range types {
			all = append(all, typ.Desc...)
			if typ.Kind == KindInvalid || typ.Elem == KindInvalid || typ.Elem == KindArray ||
				(typ.Kind == KindArray) != (typ.Dims > 0) || (typ.Kind != KindArray && typ.Kind != typ.Elem) {
				t.Fatalf("%q: type %+v", desc, typ)
			}
			if typ.Class != nil && !bytes.Contains(typ.Desc, typ.Class) {
				t.Fatalf("%q: class %q is not in %q", desc, typ.Class, typ.Desc)
			}
			n, k, err := NextType(typ.Desc)
			if err != nil || n.Kind != typ.Kind || k != len(typ.Desc) {
				t.Fatalf("%q: NextType(%q) = %+v, %d, %v", desc, typ.Desc, n, k, err)
			}
		}
		if string(all) != desc {
			t.Fatalf("%q: types cover %q", desc, all)
		}
	})
}

// FuzzAppendArg checks, for any descriptor list and arguments (separated by
// NUL), that AppendArg never panics or hangs; that Check agrees with it; and
// that when it succeeds, its bytes stay within MaxSize and
// dubbo-go-hessian2 decodes them, as one stream, to what encoding/json reads
// from the same text (see checkDifferential).
func FuzzAppendArg(f *testing.F) {
	for _, c := range transcodeCases {
		f.Add(c.desc, strings.Join(c.args, "\x00"))
	}
	f.Add("Lcom/dubbomesh/demo/User;", benchUser)
	f.Fuzz(func(t *testing.T, desc, joined string) {
		types, err := ParseTypes([]byte(desc), nil)
		if err != nil || len(types) == 0 || len(types) > 8 {
			return
		}
		parts := strings.Split(joined, "\x00")
		if len(parts) < len(types) {
			return
		}
		args := make([][]byte, len(types))
		var e Encoder
		for i := range types {
			args[i] = []byte(parts[i])
			_, aerr := e.AppendArg(nil, types[i], args[i])
			cerr := e.Check(types[i], args[i])
			if (aerr == nil) != (cerr == nil) {
				t.Fatalf("%s %q: AppendArg %v, Check %v", types[i], args[i], aerr, cerr)
			}
			if aerr != nil && !errors.Is(aerr, ErrBadArgument) {
				t.Fatalf("%s %q: error %v does not wrap ErrBadArgument", types[i], args[i], aerr)
			}
		}
		checkDifferential(t, types, args)
	})
}
