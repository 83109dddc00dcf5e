package alloctest

import "testing"

var sink []byte

func TestPerRun(t *testing.T) {
	n, calls := PerRun(10, func() {})
	if n != 0 || calls != 11 {
		t.Fatalf("PerRun of nothing = %v allocations over %d calls, want 0 over 11", n, calls)
	}
	n, calls = PerRun(10, func() { sink = make([]byte, 64) })
	if n != 1 || calls != Tries*11 {
		t.Fatalf("PerRun of one allocation = %v over %d calls, want 1 over %d", n, calls, Tries*11)
	}
}
