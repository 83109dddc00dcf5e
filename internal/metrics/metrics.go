package metrics

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
)

// Counter is a monotonically increasing count. The zero value is ready to
// use and safe for concurrent use.
type Counter struct{ v atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Load returns the count.
func (c *Counter) Load() uint64 { return c.v.Load() }

// Set is a named group of counters and gauges. Register everything at start
// up; Write may run concurrently with counter updates.
type Set struct {
	mu     sync.Mutex
	names  []string
	values map[string]func() float64
	help   map[string]string
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{values: map[string]func() float64{}, help: map[string]string{}}
}

// Counter registers a new counter under name and returns it.
func (s *Set) Counter(name, help string) *Counter {
	c := new(Counter)
	s.add(name, help, func() float64 { return float64(c.Load()) })
	return c
}

// Gauge registers fn, read each time the set is written.
func (s *Set) Gauge(name, help string, fn func() float64) { s.add(name, help, fn) }

func (s *Set) add(name, help string, fn func() float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.values[name]; dup {
		panic("metrics: duplicate name " + name)
	}
	s.names = append(s.names, name)
	sort.Strings(s.names)
	s.values[name] = fn
	s.help[name] = help
}

// Value returns the current value of name and whether it exists.
func (s *Set) Value(name string) (float64, bool) {
	s.mu.Lock()
	fn, ok := s.values[name]
	s.mu.Unlock()
	if !ok {
		return 0, false
	}
	return fn(), true
}

// WriteTo writes every metric in the Prometheus text format, sorted by name.
func (s *Set) WriteTo(w io.Writer) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var total int64
	for _, name := range s.names {
		n, err := fmt.Fprintf(w, "# HELP %s %s\n%s %v\n", name, s.help[name], name, s.values[name]())
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
