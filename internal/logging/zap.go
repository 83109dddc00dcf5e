package logging

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LibraryEvery is how often a library's line (etcd's client, gRPC) that
// repeats is let through.
const LibraryEvery = 30 * time.Second

// Zap returns a zap logger, for the etcd client, that writes into lg: its
// warnings and errors only, each distinct message at most once per
// LibraryEvery, with zap's fields as attributes and "logger" naming the
// part of the library that spoke. A nil lg gives a logger that writes
// nothing.
func Zap(lg *slog.Logger) *zap.Logger {
	if lg == nil {
		return zap.NewNop()
	}
	return zap.New(&zapCore{h: lg.Handler(), limit: NewLimiter(LibraryEvery)})
}

// zapCore is a zapcore.Core over a slog.Handler.
type zapCore struct {
	h     slog.Handler
	attrs []slog.Attr // from With
	limit *Limiter    // shared by the cores With derives
}

// slogLevel maps zap's levels onto slog's; those above error are errors.
func slogLevel(l zapcore.Level) slog.Level {
	switch {
	case l <= zapcore.DebugLevel:
		return slog.LevelDebug
	case l == zapcore.InfoLevel:
		return slog.LevelInfo
	case l == zapcore.WarnLevel:
		return slog.LevelWarn
	}
	return slog.LevelError
}

func (c *zapCore) Enabled(l zapcore.Level) bool {
	return l >= zapcore.WarnLevel && c.h.Enabled(context.Background(), slogLevel(l))
}

func (c *zapCore) With(fields []zapcore.Field) zapcore.Core {
	return &zapCore{h: c.h, attrs: append(slices.Clip(c.attrs), attrsOf(fields)...), limit: c.limit}
}

func (c *zapCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *zapCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	ok, repeated := c.limit.Allow(e.LoggerName + "\x00" + e.Message)
	if !ok {
		return nil
	}
	r := slog.NewRecord(e.Time, slogLevel(e.Level), e.Message, 0)
	if e.LoggerName != "" {
		r.AddAttrs(slog.String("logger", e.LoggerName))
	}
	r.AddAttrs(c.attrs...)
	r.AddAttrs(attrsOf(fields)...)
	if repeated > 0 {
		r.AddAttrs(slog.Int("repeated", repeated))
	}
	return c.h.Handle(context.Background(), r)
}

func (c *zapCore) Sync() error { return nil }

// attrsOf turns zap fields into slog attributes, in key order.
func attrsOf(fields []zapcore.Field) []slog.Attr {
	if len(fields) == 0 {
		return nil
	}
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range fields {
		f.AddTo(enc)
	}
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	attrs := make([]slog.Attr, len(keys))
	for i, k := range keys {
		attrs[i] = slog.Any(k, enc.Fields[k])
	}
	return attrs
}
