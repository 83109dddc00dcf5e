package mtls

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// ReloadOnHangup reloads s each time the process gets SIGHUP, logging the
// outcome to lg: the new certificate's expiry, or why the files were
// refused (the current ones then stay). Connections already open keep
// their session; new handshakes use what was loaded. It returns a function
// that stops watching.
func (s *Store) ReloadOnHangup(lg *slog.Logger) (stop func()) {
	lg = logging.Or(lg)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ch:
				if err := s.Reload(); err != nil {
					lg.Error("TLS reload failed; keeping the current certificate", "err", err)
					continue
				}
				lg.Info("TLS certificate reloaded", "cert", s.files.Cert, "not_after", s.NotAfter(), "generation", s.Loads())
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
