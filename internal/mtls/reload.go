package mtls

import (
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// ReloadOnHangup reloads s each time the process gets SIGHUP, logging the
// outcome to lg: the new certificate's expiry, or why the files were
// refused (the current ones then stay). Connections already open keep
// their session; new handshakes use what was loaded. A certificate that is
// not valid now (expired, or not yet valid), the current one when it is
// called or one reloaded, is logged as an error: every peer refuses it. It
// returns a function that stops watching.
func (s *Store) ReloadOnHangup(lg *slog.Logger) (stop func()) {
	lg = logging.Or(lg)
	s.logInvalid(lg)
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
				s.logInvalid(lg)
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// logInvalid logs the current certificate if it is not valid now.
func (s *Store) logInvalid(lg *slog.Logger) {
	if err := s.Invalid(time.Now()); err != nil {
		lg.Error("this agent's TLS certificate is not valid now: every peer will refuse it", "err", err)
	}
}
