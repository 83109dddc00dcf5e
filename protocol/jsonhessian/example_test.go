package jsonhessian_test

import (
	"errors"
	"fmt"

	"github.com/dubbomesh/dubbomesh/protocol/jsonhessian"
)

// Encode the arguments of a call to
// void update(long id, com.x.User user, com.x.Role role, int[] ids):
// one hessian2 stream, after Reset.
func ExampleEncoder_AppendArg() {
	types, err := jsonhessian.ParseTypes([]byte("JLcom/x/User;Lcom/x/Role;[I"), nil)
	if err != nil {
		panic(err)
	}
	args := []string{
		"42",
		`{"name":"Ada","role":{"name":"ADMIN"},"since":{"class":"java.util.Date","value":"2026-12-05T08:00:00Z"}}`,
		`"USER"`,
		`[1,2,3]`,
	}
	var enc jsonhessian.Encoder
	enc.Reset()
	var body []byte
	for i, t := range types {
		if body, err = enc.AppendArg(body, t, []byte(args[i])); err != nil {
			panic(fmt.Errorf("argument %d: %w", i+1, err))
		}
	}
	fmt.Printf("%d types, %d bytes\n", len(types), len(body))
	// Output: 4 types, 79 bytes
}

// A value of the wrong shape is refused with ErrBadArgument.
func ExampleEncoder_Check() {
	t, _, _ := jsonhessian.NextType([]byte("[I"))
	var enc jsonhessian.Encoder
	err := enc.Check(t, []byte(`[1,"two"]`))
	fmt.Println(errors.Is(err, jsonhessian.ErrBadArgument))
	fmt.Println(err)
	// Output:
	// true
	// jsonhessian: bad argument: JSON at offset 3: a string where int is declared
}

// ParseTypes names the parameter a descriptor list goes wrong at.
func ExampleParseTypes() {
	_, err := jsonhessian.ParseTypes([]byte("ILcom/x/User"), nil)
	fmt.Println(err)
	// Output: jsonhessian: bad argument: argument 2: "Lcom/x/User" lacks ';'
}
