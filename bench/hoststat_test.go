package main

import (
	"errors"
	"math"
	"testing"
)

func TestParseHostCPU(t *testing.T) {
	in := "cpu  1430506 2192 836272 2502647 6288 0 254372 51128 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"
	h, err := parseHostCPU([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	busy := uint64(1430506 + 2192 + 836272 + 0 + 254372)
	if h.busy != busy || h.steal != 51128 || h.total != busy+2502647+6288+51128 {
		t.Fatalf("got %+v", h)
	}
	for _, bad := range []string{"", "cpu0 1 2 3 4 5 6 7 8", "cpu 1 2 3", "cpu 1 2 x 4 5 6 7 8"} {
		if _, err := parseHostCPU([]byte(bad)); !errors.Is(err, ErrProcFormat) {
			t.Errorf("%q: err %v, want ErrProcFormat", bad, err)
		}
	}
}

func TestHostUseOver(t *testing.T) {
	// 10 s on 2 CPUs at 100 ticks/s: 2000 ticks; 1500 busy, 100 stolen.
	before := hostCPU{busy: 1000, steal: 50, total: 10000}
	after := hostCPU{busy: 2500, steal: 150, total: 12000}
	u := hostUseOver(before, after, 100, 10, 12) // the bench's processes: 12 CPU-seconds
	near := func(got, want float64) bool { return math.Abs(got-want) < 1e-9 }
	if !near(u.BusyCores, 1.5) || !near(u.OutsideCores, 0.3) || !near(u.StealPct, 5) {
		t.Fatalf("got %+v, want 1.5 busy, 0.3 outside, 5%% steal", u)
	}
	if u := hostUseOver(after, before, 100, 10, 0); u != (hostUse{}) {
		t.Fatalf("readings out of order: %+v", u)
	}
}

func TestReadHostCPU(t *testing.T) {
	h, err := readHostCPU()
	if err != nil {
		t.Skipf("no /proc/stat: %v", err)
	}
	if h.total == 0 || h.busy > h.total {
		t.Fatalf("implausible reading %+v", h)
	}
}
