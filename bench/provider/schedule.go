package main

import (
	"sync"
	"time"
)

// scheduler completes calls at their due times. One goroutine (run) and one
// timer serve every call of the server: a call is pushed on a min-heap by due
// time, and whenever the timer fires every call due by then is handed to the
// completion function in one batch, so calls that complete together are
// encoded together and their connections are written once. No goroutine or
// timer is made per call.
//
// add is safe for concurrent use; run must be called once.
type scheduler struct {
	clk      clock
	complete func(batch []*call) // called on run's goroutine; must not keep batch

	mu   sync.Mutex
	heap []*call // guarded by mu: min-heap on due

	wake chan struct{} // a new earliest call was added
	quit chan struct{}
	done chan struct{}
}

func newScheduler(clk clock, complete func([]*call)) *scheduler {
	return &scheduler{
		clk:      clk,
		complete: complete,
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		done:     make(chan struct{}),
	}
}

// add schedules c to complete at c.due. The scheduler owns c from now on.
func (s *scheduler) add(c *call) {
	s.mu.Lock()
	s.push(c)
	first := c.index == 0
	s.mu.Unlock()
	if first {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// pending returns the number of calls waiting.
func (s *scheduler) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.heap)
}

// run completes calls until stop is called. Calls still waiting then are
// dropped without completion.
func (s *scheduler) run() {
	defer close(s.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var batch []*call
	for {
		select {
		case <-timer.C:
		case <-s.wake:
		case <-s.quit:
			timer.Stop()
			return
		}
		now := s.clk.now()
		wait := time.Duration(-1)
		s.mu.Lock()
		for len(s.heap) > 0 && s.heap[0].due <= now {
			batch = append(batch, s.pop())
		}
		if len(s.heap) > 0 {
			wait = time.Duration(s.heap[0].due - now)
		}
		s.mu.Unlock()
		if len(batch) > 0 {
			s.complete(batch)
			clear(batch)
			batch = batch[:0]
		}
		if wait >= 0 {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
	}
}

// stop ends run and waits for it.
func (s *scheduler) stop() {
	close(s.quit)
	<-s.done
}

// push, pop, up and down keep s.heap a binary min-heap on due; the caller
// holds s.mu. (container/heap would cost an interface call per comparison.)
func (s *scheduler) push(c *call) {
	c.index = len(s.heap)
	s.heap = append(s.heap, c)
	s.up(c.index)
}

func (s *scheduler) pop() *call {
	h := s.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h[0].index = 0
	h[last] = nil
	s.heap = h[:last]
	if last > 0 {
		s.down(0)
	}
	top.index = -1
	return top
}

func (s *scheduler) up(i int) {
	h := s.heap
	for i > 0 {
		p := (i - 1) / 2
		if h[p].due <= h[i].due {
			break
		}
		h[p], h[i] = h[i], h[p]
		h[p].index, h[i].index = p, i
		i = p
	}
}

func (s *scheduler) down(i int) {
	h := s.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r].due < h[l].due {
			m = r
		}
		if h[i].due <= h[m].due {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].index, h[m].index = i, m
		i = m
	}
}
