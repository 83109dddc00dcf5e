package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// hostCPU is one reading of the whole machine's CPU time from the first line
// of /proc/stat, in clock ticks summed over every CPU.
type hostCPU struct {
	busy  uint64 // user, nice, system, irq, softirq (guest time is inside user)
	steal uint64 // time the hypervisor ran something else while a CPU wanted to run
	total uint64 // busy, idle, iowait and steal
}

// parseHostCPU reads the aggregate "cpu" line of /proc/stat: user nice
// system idle iowait irq softirq steal [guest guest_nice]. Kernels before
// 2.6.11 have no steal column; it then reads as 0.
func parseHostCPU(b []byte) (hostCPU, error) {
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	f := bytes.Fields(line)
	if len(f) < 8 || string(f[0]) != "cpu" {
		return hostCPU{}, fmt.Errorf("%w: /proc/stat starts %q", ErrProcFormat, line)
	}
	var v [8]uint64
	for i := 1; i < len(f) && i <= len(v); i++ {
		n, err := strconv.ParseUint(string(f[i]), 10, 64)
		if err != nil {
			return hostCPU{}, fmt.Errorf("%w: /proc/stat field %d %q", ErrProcFormat, i, f[i])
		}
		v[i-1] = n
	}
	user, nice, system, idle, iowait, irq, softirq, steal := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
	busy := user + nice + system + irq + softirq
	return hostCPU{busy: busy, steal: steal, total: busy + idle + iowait + steal}, nil
}

// readHostCPU reads /proc/stat.
func readHostCPU() (hostCPU, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return hostCPU{}, err
	}
	return parseHostCPU(b)
}

// hostUse is the machine's CPU over a measured phase, to tell a quiet run
// from a shared one: what the machine spent beyond the bench's own
// processes, and what the hypervisor took.
type hostUse struct {
	BusyCores    float64 `json:"busy_cores"`    // average CPUs busy, everything included
	OutsideCores float64 `json:"outside_cores"` // of those, not spent by the phase's processes (the idle mesh counts, in the ideal's phase)
	StealPct     float64 `json:"steal_pct"`     // steal as a share of all CPU time
}

// hostUseOver turns two readings taken sec seconds apart, and the CPU
// seconds the phase's processes spent between them, into a hostUse.
func hostUseOver(before, after hostCPU, ticksPerSec, sec, benchCPUSec float64) hostUse {
	if sec <= 0 || ticksPerSec <= 0 || after.total <= before.total {
		return hostUse{}
	}
	busy := float64(after.busy-before.busy) / ticksPerSec / sec
	return hostUse{
		BusyCores:    busy,
		OutsideCores: max(busy-benchCPUSec/sec, 0),
		StealPct:     100 * float64(after.steal-before.steal) / float64(after.total-before.total),
	}
}
