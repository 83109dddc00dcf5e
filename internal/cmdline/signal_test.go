package cmdline

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
)

func TestUntilSignalDone(t *testing.T) {
	sig := make(chan os.Signal, 1)
	v, s, err := UntilSignal(sig, func(context.Context) (int, error) { return 7, nil })
	if v != 7 || s != nil || err != nil {
		t.Fatalf("got %v %v %v", v, s, err)
	}
}

func TestUntilSignalFirst(t *testing.T) {
	sig := make(chan os.Signal, 1)
	sig <- syscall.SIGTERM
	v, s, err := UntilSignal(sig, func(ctx context.Context) (int, error) {
		<-ctx.Done() // waits until the signal cancels it
		return 0, ctx.Err()
	})
	if v != 0 || s != syscall.SIGTERM || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v %v %v", v, s, err)
	}
}
