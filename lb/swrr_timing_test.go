package lb

import (
	"strconv"
	"sync/atomic"
	"testing"
)

func benchItems(n int) []Item[*conn] {
	its := make([]Item[*conn], n)
	for i := range its {
		its[i] = Item[*conn]{Key: strconv.Itoa(i), Weight: 3 + 2*(i%2), Value: &conn{up: true}}
	}
	return its
}

func BenchmarkPick(b *testing.B) {
	for _, n := range []int{3, 16} {
		b.Run(strconv.Itoa(n)+"peers", func(b *testing.B) {
			var s SWRR[*conn]
			s.Update(benchItems(n))
			b.ReportAllocs()
			for b.Loop() {
				s.Pick()
			}
		})
	}
}

func BenchmarkPickFunc(b *testing.B) {
	var s SWRR[*conn]
	s.Update(benchItems(3))
	b.ReportAllocs()
	for b.Loop() {
		s.PickFunc(isUp)
	}
}

// BenchmarkPickParallel shares one SWRR among all goroutines: the contended
// case that Sharded avoids.
func BenchmarkPickParallel(b *testing.B) {
	var s SWRR[*conn]
	s.Update(benchItems(3))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Pick()
		}
	})
}

// BenchmarkShardedPickParallel gives each goroutine its own shard, as each
// event loop has.
func BenchmarkShardedPickParallel(b *testing.B) {
	s := NewSharded[*conn](64)
	s.Update(benchItems(3))
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		shard := s.Shard(int(next.Add(1)) % s.Shards())
		for pb.Next() {
			shard.Pick()
		}
	})
}

func BenchmarkPickSED(b *testing.B) {
	for _, n := range []int{3, 16} {
		b.Run(strconv.Itoa(n)+"peers", func(b *testing.B) {
			var s SWRR[*conn]
			s.Update(benchItems(n))
			load := func(*conn) Load { return Load{InFlight: 150, Capacity: 200, Latency: 50} }
			tie := Tie{Ratio: 0.05, Slack: 2, Busy: 0.5, MinBusy: 8}
			b.ReportAllocs()
			for b.Loop() {
				s.PickSED(isUp, load, tie)
			}
		})
	}
}

func BenchmarkReportEstimate(b *testing.B) {
	var r Report
	r.Set(150, 1000, 10)
	a := Aging{Fresh: 100, Stale: 1000}
	b.ReportAllocs()
	for b.Loop() {
		r.Estimate(1010, 20, 500, a)
	}
}
