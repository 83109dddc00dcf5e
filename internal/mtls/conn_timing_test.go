package mtls

import "testing"

// BenchmarkRoundTrip: one 200-byte frame to an echo server and back over
// mutual TLS on loopback, both ends served as the agents serve their links
// (Serve, Writer.Flush): two records sealed, two opened, two events, one
// per side. Most of an op is the system calls and wake-ups; allocs/op counts
// crypto/tls's and netpoll's per-record and per-event objects (see
// TestReadAllocs).
func BenchmarkRoundTrip(b *testing.B) {
	round := echoRoundTrip(b, 200)
	for range 100 {
		round()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		round()
	}
}
