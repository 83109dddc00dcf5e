package cmdline

import (
	"context"
	"os"
)

// UntilSignal runs start on a goroutine of its own, with a context that a
// signal from sig cancels, and waits for it. It returns start's results
// with a nil signal when start returned first. When a signal came first, it
// cancels the context, waits for start to return, and returns its results
// with the signal: start may have succeeded meanwhile, and the caller then
// undoes what v holds. It is for a program's start-up steps that wait on
// the network for as long as it takes (etcd away), so that SIGTERM still
// ends the program cleanly.
func UntilSignal[T any](sig <-chan os.Signal, start func(context.Context) (T, error)) (v T, s os.Signal, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := start(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, nil, r.err
	case s = <-sig:
		cancel()
		r := <-done
		return r.v, s, r.err
	}
}
