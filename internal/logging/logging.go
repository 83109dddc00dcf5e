package logging

import (
	"flag"
	"io"
	"log/slog"
	"strings"

	"github.com/dubbomesh/dubbomesh/internal/cmdline"
)

// Options are a binary's log flags. The zero value is not valid: Register
// sets the defaults (text, info).
type Options struct {
	// Format is "text" (slog's key=value lines) or "json" (one JSON
	// object per line).
	Format string
	// Level is the least level logged: debug, info, warn or error.
	Level string
}

// Register adds --log-format and --log-level to fs, writing into o, with
// the defaults text and info.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.StringVar(&o.Format, "log-format", "text", "log line format: text (key=value) or json (one object per line)")
	fs.StringVar(&o.Level, "log-level", "info", "least level logged: debug, info, warn or error")
}

// Check records on c the first of --log-format and --log-level that holds
// a value New does not take.
func (o *Options) Check(c *cmdline.Check) {
	if o.Format != "text" && o.Format != "json" {
		c.Fail("log-format", "want text or json (got %q)", o.Format)
	}
	if _, ok := parseLevel(o.Level); !ok {
		c.Fail("log-level", "want debug, info, warn or error (got %q)", o.Level)
	}
}

// parseLevel reads one of the four level names, in any case.
func parseLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn", "warning":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}

// New returns a logger writing to w in o's format, from o's level up. o
// should have passed Check; an unknown format is text, an unknown level
// info. The logger is safe for concurrent use.
func (o Options) New(w io.Writer) *slog.Logger {
	level, _ := parseLevel(o.Level)
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: durationText}
	if o.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Setup makes o's logger, writing to w, the process's logger: slog's
// default (and so the log package's output, at info level), and gRPC's,
// which then logs only warnings and errors, each distinct line at most
// once per LibraryEvery. It returns the logger. Call it once, first thing
// in main: gRPC's logger must be set before any gRPC client exists.
func Setup(o Options, w io.Writer) *slog.Logger {
	l := o.New(w)
	slog.SetDefault(l)
	RouteGRPC(l)
	return l
}

// durationText writes durations as text ("1.5s"), in JSON too, where slog
// would write nanoseconds.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// Discard returns a logger that writes nothing, for a component given no
// logger.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Or returns l, or a logger that writes nothing when l is nil.
func Or(l *slog.Logger) *slog.Logger {
	if l == nil {
		return Discard()
	}
	return l
}

// Clip returns s cut to n bytes with "..." after it when it is longer:
// for text from outside (a key, a client's bytes) quoted in a log line or
// an error.
func Clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
