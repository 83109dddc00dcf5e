package logging

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Switch logs the changes of one on/off condition, such as "the provider
// is reachable", once each, when they happen: a change to off at warning
// level, a change to on at info level, each with the message and
// attributes its caller gives (the reason). Setting the state it already
// has logs nothing.
//
// A condition that flaps is folded: within an interval of Every from its
// first line, SwitchBurst lines are logged as the changes come; later
// changes are held, and when the interval ends one line reports the latest
// with "changes", how many there were (a blip and its undoing make a line
// with changes=2 in the state last logged). So the last line logged always
// tells the current state, within Every.
//
// A Switch is safe for concurrent use. The zero value is not usable: use
// NewSwitch.
type Switch struct {
	log   *slog.Logger
	every time.Duration

	mu       sync.Mutex
	set      bool      // state is known
	on       bool      // the current state
	loggedOn bool      // the state of the last line
	logged   bool      // a line was logged
	window   time.Time // start of the current interval
	lines    int       // lines logged in it
	changes  int       // changes since the last line
	msg      string
	args     []any
	expected bool        // the change to off was expected: logged at info
	timer    *time.Timer // pending line at the end of the interval
}

// NewSwitch returns a Switch logging to lg at most SwitchBurst lines per
// every, and one more at its end.
func NewSwitch(lg *slog.Logger, every time.Duration) *Switch {
	return &Switch{log: Or(lg), every: every}
}

// Set records the condition's state. When it differs from the last one
// set (or is the first), msg is logged with args, now or, within Every of
// the last line, when the interval ends.
func (s *Switch) Set(on bool, msg string, args ...any) {
	s.set1(on, false, msg, args)
}

// SetExpected is Set for a change the caller was told of beforehand (a
// peer that said it is leaving): a change to off is logged at info level,
// not as a warning.
func (s *Switch) SetExpected(on bool, msg string, args ...any) {
	s.set1(on, true, msg, args)
}

func (s *Switch) set1(on, expected bool, msg string, args []any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set && s.on == on {
		return
	}
	s.set, s.on, s.expected = true, on, expected
	s.changes++
	s.msg, s.args = msg, args
	now := time.Now()
	if now.Sub(s.window) >= s.every {
		s.window, s.lines = now, 0
	}
	if s.lines >= SwitchBurst {
		if s.timer == nil {
			s.timer = time.AfterFunc(s.every-now.Sub(s.window), s.flush)
		}
		return
	}
	s.emit()
}

// SwitchBurst is how many lines a Switch logs in an interval before it
// holds the changes until the interval ends.
const SwitchBurst = 4

// On reports the state last set, and whether any was.
func (s *Switch) On() (on, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.on, s.set
}

// flush logs the changes held during an interval.
func (s *Switch) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timer = nil
	if s.changes == 0 {
		return
	}
	s.window, s.lines = time.Now(), 0
	s.emit()
}

// emit logs the latest change. mu is held.
func (s *Switch) emit() {
	level := slog.LevelInfo
	if !s.on && !s.expected {
		level = slog.LevelWarn
	}
	args := s.args
	if s.changes > 1 {
		args = append(args[:len(args):len(args)], "changes", s.changes)
	}
	s.log.Log(context.Background(), level, s.msg, args...)
	s.logged, s.loggedOn, s.changes = true, s.on, 0
	s.lines++
}
