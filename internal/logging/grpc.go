package logging

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"google.golang.org/grpc/grpclog"
)

// RouteGRPC makes lg gRPC's logger: its warnings and errors, each distinct
// line at most once per LibraryEvery; its info lines are dropped. It must
// run before any gRPC client or server exists (grpclog.SetLoggerV2 is not
// synchronised).
func RouteGRPC(lg *slog.Logger) {
	grpclog.SetLoggerV2(&grpcLogger{lg: lg, limit: NewLimiter(LibraryEvery)})
}

// grpcLogger is a grpclog.LoggerV2 over slog.
type grpcLogger struct {
	lg    *slog.Logger
	limit *Limiter
}

func (g *grpcLogger) log(level slog.Level, key, msg string) {
	if !g.lg.Enabled(context.Background(), level) {
		return
	}
	ok, repeated := g.limit.Allow(key)
	if !ok {
		return
	}
	args := []any{"logger", "grpc"}
	if repeated > 0 {
		args = append(args, "repeated", repeated)
	}
	g.lg.Log(context.Background(), level, msg, args...)
}

func (g *grpcLogger) Info(args ...any)                 {}
func (g *grpcLogger) Infoln(args ...any)               {}
func (g *grpcLogger) Infof(format string, args ...any) {}

func (g *grpcLogger) Warning(args ...any) {
	m := fmt.Sprint(args...)
	g.log(slog.LevelWarn, m, m)
}

func (g *grpcLogger) Warningln(args ...any) { g.Warning(args...) }

func (g *grpcLogger) Warningf(format string, args ...any) {
	g.log(slog.LevelWarn, format, fmt.Sprintf(format, args...))
}

func (g *grpcLogger) Error(args ...any) {
	m := fmt.Sprint(args...)
	g.log(slog.LevelError, m, m)
}

func (g *grpcLogger) Errorln(args ...any) { g.Error(args...) }

func (g *grpcLogger) Errorf(format string, args ...any) {
	g.log(slog.LevelError, format, fmt.Sprintf(format, args...))
}

func (g *grpcLogger) Fatal(args ...any) {
	g.lg.Error(fmt.Sprint(args...), "logger", "grpc")
	os.Exit(1)
}

func (g *grpcLogger) Fatalln(args ...any) { g.Fatal(args...) }

func (g *grpcLogger) Fatalf(format string, args ...any) {
	g.lg.Error(fmt.Sprintf(format, args...), "logger", "grpc")
	os.Exit(1)
}

// V reports whether verbose level l is on: never, info lines are dropped.
func (g *grpcLogger) V(l int) bool { return false }
