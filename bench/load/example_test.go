package load_test

import (
	"fmt"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// Drive a consumer agent with 256 connections: a warm-up, then a measured
// window.
func ExampleGenerator() {
	g, err := load.Start(load.Config{Addr: "127.0.0.1:20000", Conns: 256})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	time.Sleep(5 * time.Second) // warm-up, not counted
	g.Reset()
	time.Sleep(30 * time.Second)
	res := g.Stop()
	p := res.Percentiles()
	fmt.Printf("qps %.0f p99 %v errors %d wrong %d\n", res.QPS(), p.P99, res.Failed, res.Wrong)
}

// Check an answer the way the race's consumer did.
func ExampleCheck() {
	scratch := make([]byte, 0, 16)
	fmt.Println(load.Check(200, []byte("99162322"), []byte("hello"), scratch))
	fmt.Println(load.Check(200, []byte("0"), []byte("hello"), scratch))
	fmt.Println(load.Check(503, []byte("error: no provider agent\n"), []byte("hello"), scratch))
	// Output:
	// correct
	// wrong
	// failed
}
