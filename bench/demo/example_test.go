package demo_test

import (
	"fmt"

	"github.com/dubbomesh/dubbomesh/bench/demo"
)

func ExampleGetUser() {
	u := demo.GetUser(1)
	fmt.Printf("%s\n", u.AppendJSON(nil))
	// Output:
	// {"id":1,"name":"user-1","role":"MEMBER","address":{"street":"1 Main St","city":"Springfield","zip":"00001"},"tags":["id1","odd"],"scores":{"math":7,"art":13},"created":"2023-11-15T22:13:20.123Z","balance":1.37,"lucky":[1,1,42],"previous":[{"street":"2 Old Rd","city":"Shelbyville","zip":"00001"}]}
}
