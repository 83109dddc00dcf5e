package lb_test

import (
	"fmt"

	"github.com/dubbomesh/dubbomesh/lb"
)

func ExampleSWRR() {
	var b lb.SWRR[string]
	b.Update([]lb.Item[string]{
		{Key: "10.0.0.1:30000", Weight: 5, Value: "a"},
		{Key: "10.0.0.2:30000", Weight: 1, Value: "b"},
		{Key: "10.0.0.3:30000", Weight: 1, Value: "c"},
	})
	for i := 0; i < 7; i++ {
		v, _ := b.Pick()
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output: a a b a c a a
}

func ExampleSWRR_PickFunc() {
	type agent struct {
		name     string
		inflight int
	}
	a := &agent{name: "a", inflight: 200}
	c := &agent{name: "c"}
	var b lb.SWRR[*agent]
	b.Update([]lb.Item[*agent]{{Key: "a", Weight: 5, Value: a}, {Key: "c", Weight: 1, Value: c}})

	// Skip agents at their limit; a method expression or plain func allocates nothing.
	notFull := func(x *agent) bool { return x.inflight < 200 }
	v, ok := b.PickFunc(notFull)
	fmt.Println(v.name, ok)
	// Output: c true
}

func ExampleSharded() {
	s := lb.NewSharded[string](2) // one shard per event loop
	s.Update([]lb.Item[string]{{Key: "x", Weight: 1, Value: "x:30000"}})
	v, _ := s.Shard(1).Pick() // event loop 1 picks from its own shard
	fmt.Println(v)
	// Output: x:30000
}
