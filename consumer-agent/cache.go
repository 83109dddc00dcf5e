package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/registry"
)

// routeByCache makes a route by the registry cache at path (--registry-cache)
// until etcd is read, and returns the update to give registry.Discover:
// a.Update, then the snapshot saved to path. A cache that is missing is
// not an error (the first start); one that cannot be read is logged and
// ignored.
func routeByCache(lg *slog.Logger, a *Agent, path string) func(registry.Snapshot) {
	s, saved, err := registry.ReadCache(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		lg.Warn("registry cache not read; routing by etcd alone", "err", err)
	case len(s) > 0:
		n := 0
		for _, eps := range s {
			n += len(eps)
		}
		a.Update(s)
		lg.Info("routing by the registry cache until etcd is read", "path", path, "saved", saved.Format(time.RFC3339), "endpoints", n)
	}
	limit := logging.NewLimiter(time.Minute)
	return func(s registry.Snapshot) {
		a.Update(s)
		if err := registry.WriteCache(path, s); err != nil {
			limit.Log(lg, slog.LevelWarn, "registry cache not written", "err", err)
		}
	}
}
