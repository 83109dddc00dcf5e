package mtls

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestReloadOnHangup: SIGHUP reloads the files; files that do not load
// leave the current generation in place.
func TestReloadOnHangup(t *testing.T) {
	p := newPKI(t, "agent")
	s := mustLoad(t, p.files)
	stop := s.ReloadOnHangup(nil)
	defer stop()
	before := s.NotAfter()
	p.issue(t, "agent", leafFor("agent"))
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Second, "the reload on SIGHUP", func() bool { return s.Loads() == 2 })
	if s.NotAfter().Before(before) {
		t.Fatal("the reloaded certificate is older")
	}
	os.WriteFile(p.files.Key, []byte("garbage"), 0o600)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	time.Sleep(200 * time.Millisecond)
	if s.Loads() != 2 {
		t.Fatalf("a broken key was loaded: %d generations", s.Loads())
	}
}
