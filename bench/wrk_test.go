package main

import (
	"errors"
	"testing"
)

const sampleWrk = `Running 5s test @ http://127.0.0.1:20000/
  2 threads and 256 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    52.14ms    3.02ms 120.50ms   91.23%
    Req/Sec     2.46k   150.12     2.70k    72.00%
  Latency Distribution
     50%   51.20ms
     75%   52.90ms
     90%   55.10ms
     99%   65.30ms
  24512 requests in 5.01s, 2.11MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 17
Requests/sec:   4892.61
Transfer/sec:    431.12KB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk([]byte(sampleWrk))
	noErr(t, err)
	eq(t, "qps", r.QPS, 4892.61)
	eq(t, "requests", r.Requests, int64(24512))
	eq(t, "latency", r.LatencyUs, latencyUs{P50: 51200, P90: 55100, P99: 65300, Max: 120500})
	eq(t, "non-2xx", r.Non2xx, int64(17))
	eq(t, "socket errors", r.SocketErrors, int64(5))
	if _, err := parseWrk([]byte("wrk: connection refused\n")); !errors.Is(err, ErrWrkOutput) {
		t.Fatalf("error %v, want ErrWrkOutput", err)
	}
	eq(t, "us", wrkMicros("812.00us"), int64(812))
	eq(t, "s", wrkMicros("1.20s"), int64(1200000))
	eq(t, "bad", wrkMicros("12x"), int64(0))
}

func FuzzParseWrk(f *testing.F) {
	f.Add([]byte(sampleWrk))
	f.Add([]byte("Requests/sec: x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseWrk(b)
		if (r == nil) == (err == nil) {
			t.Fatalf("result %v with error %v", r, err)
		}
	})
}
