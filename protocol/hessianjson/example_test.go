package hessianjson_test

import (
	"fmt"

	"github.com/dubbomesh/dubbomesh/protocol/hessianjson"
)

// A Dubbo response body is one hessian2 stream: the flag (4: a value with
// attachments), the value, the attachments. Here the value is a list of
// two users sharing an enum constant, which the second refers to.
func Example() {
	body := []byte("\x94" + // flag 4
		"\x7a" + // a list of 2
		"C\x04User\x92\x04name\x04role" + // class 0: User [name, role]
		"\x60\x03ann" + // User 0
		"C\x04Role\x91\x04name" + // class 1: Role [name], an enum
		"\x61\x05ADMIN" + // Role ADMIN
		"\x60\x03bob" + // User 1
		"Q\x92" + // reference 2: ADMIN again
		"H\x05dubbo\x052.0.2Z") // the attachments

	var r hessianjson.Renderer // one per event loop
	r.Reset()                  // a new body is a new stream
	var out []byte
	pos := 0
	for range 3 {
		json, n, err := r.Append(out[:0], body[pos:])
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-6v scalar=%-5v %s\n", r.Kind(), r.Kind().Scalar(), json)
		pos += n
		out = json
	}
	// Output:
	// int    scalar=true  4
	// list   scalar=false [{"name":"ann","role":"ADMIN"},{"name":"bob","role":"ADMIN"}]
	// map    scalar=false {"dubbo":"2.0.2"}
}
