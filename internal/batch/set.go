package batch

// Set is the group of Writers one pass of a handler wrote to. Add holds each
// Writer once; Flush lets go of them all, so each is flushed at most once per
// pass (and not at all while other goroutines still hold it).
//
// A Set belongs to one goroutine at a time. Reuse it across passes: once its
// backing array has grown, Add and Flush do not allocate.
type Set struct {
	ws []*Writer
}

// Add holds w for this pass unless the Set already holds it.
func (s *Set) Add(w *Writer) {
	for _, x := range s.ws {
		if x == w {
			return
		}
	}
	w.Hold()
	s.ws = append(s.ws, w)
}

// Len returns the number of Writers held.
func (s *Set) Len() int { return len(s.ws) }

// Flush releases every Writer held, flushing those it was the last holder of,
// and empties the Set.
func (s *Set) Flush() {
	for i, w := range s.ws {
		w.Done()
		s.ws[i] = nil
	}
	s.ws = s.ws[:0]
}

// Pause runs wait, which blocks, for a handler whose pass holds the Writers
// in s: it lets them go first (Flush), since what the handler waits for may
// sit in them, and the handler does not count as busy while wait runs, so
// that the flushes other handlers left to the last one do not wait on it
// (see Group).
func (s *Set) Pause(wait func()) {
	s.Flush()
	Handlers.Leave()
	wait()
	Handlers.Enter()
}
