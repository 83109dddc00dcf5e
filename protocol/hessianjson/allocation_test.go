package hessianjson

import (
	"math/big"
	"testing"
)

// TestAppendAllocations: a warm Renderer renders each kind of value, one
// stream after another, without allocating.
func TestAppendAllocations(t *testing.T) {
	x, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	user, err := encode(sampleUser())
	if err != nil {
		t.Fatal(err)
	}
	streams := map[string][]byte{
		"java user":        javaUser(),
		"library user":     user,
		"shared enums":     javaUsers(20),
		"big integer":      bigIntegerJava(nil, x, true, 0),
		"chunked string":   hb{}.strChunked("a😀\"\n€"+string(make([]byte, 3000)), 1000),
		"chunked binary":   hb{'A', 0, 4, 1, 2, 3, 4, 'B', 0, 2, 5, 6},
		"object map keys":  hb{'H', 0x7a, 0x91, 0x92, 0x91, 'H', 'H', 'Z', 'N', 'Z', 0x92, 'Z'},
		"reference replay": hb{0x7b, 0x7a, 0x91, 0x92}.ref(1).ref(1),
	}
	var r Renderer
	dst := make([]byte, 0, 64<<10)
	for name, src := range streams {
		t.Run(name, func(t *testing.T) {
			run := func() {
				r.Reset()
				out, _, err := r.Append(dst[:0], src)
				if err != nil || len(out) == 0 {
					t.Fatalf("%q %v", out, err)
				}
			}
			run() // warm the tables
			if n := testing.AllocsPerRun(100, run); n != 0 {
				t.Fatalf("%v allocations per Append", n)
			}
		})
	}
}

// TestStreamAllocations: a Dubbo response read by three Appends (flag,
// value, attachments) on a warm Renderer does not allocate.
func TestStreamAllocations(t *testing.T) {
	value := javaUser()
	body := append(append(hb{0x94}, value...), hb{'H'}.str("user").ref(0).end()...)
	var r Renderer
	dst := make([]byte, 0, 8<<10)
	run := func() {
		r.Reset()
		pos := 0
		for range 3 {
			out, n, err := r.Append(dst[:0], body[pos:])
			if err != nil || len(out) == 0 {
				t.Fatalf("%q %v", out, err)
			}
			pos += n
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Fatalf("%v allocations per response", n)
	}
}
