package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ErrProcFormat is returned for /proc text that does not parse.
var ErrProcFormat = errors.New("bench: unexpected /proc format")

// procSample is one reading of a process's counters from /proc.
type procSample struct {
	ticks   uint64 // utime + stime of every thread, live or exited, in clock ticks
	vol     uint64 // voluntary context switches, summed over live threads
	invol   uint64 // involuntary context switches, summed over live threads
	hwmKiB  uint64 // peak resident set size (VmHWM)
	rssKiB  uint64 // resident set size now (VmRSS)
	threads int    // live threads
}

// parseStat returns utime and stime (fields 14 and 15) from the text of
// /proc/<pid>/stat. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStat(b []byte) (utime, stime uint64, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("%w: stat without ')'", ErrProcFormat)
	}
	// After ')': field 3 (state) onwards.
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("%w: stat has %d fields after the name", ErrProcFormat, len(f))
	}
	if utime, err = strconv.ParseUint(string(f[11]), 10, 64); err != nil {
		return 0, 0, fmt.Errorf("%w: utime %q", ErrProcFormat, f[11])
	}
	if stime, err = strconv.ParseUint(string(f[12]), 10, 64); err != nil {
		return 0, 0, fmt.Errorf("%w: stime %q", ErrProcFormat, f[12])
	}
	return utime, stime, nil
}

// statusFields are the values parseStatus reads from /proc/<pid>/status or
// /proc/<pid>/task/<tid>/status; a field that is absent stays 0.
type statusFields struct {
	vol, invol, hwmKiB, rssKiB uint64
	threads                    uint64 // the process's live threads (Threads)
}

// parseStatus reads voluntary_ctxt_switches, nonvoluntary_ctxt_switches,
// VmHWM and VmRSS (in kB) and Threads from the text of a status file. The context switch
// counts must be present; VmHWM and VmRSS are absent for kernel threads.
func parseStatus(b []byte) (statusFields, error) {
	var s statusFields
	var haveVol, haveInvol bool
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var dst *uint64
		switch string(key) {
		case "voluntary_ctxt_switches":
			dst, haveVol = &s.vol, true
		case "nonvoluntary_ctxt_switches":
			dst, haveInvol = &s.invol, true
		case "Threads":
			dst = &s.threads
		case "VmHWM", "VmRSS":
			dst = &s.hwmKiB
			if key[2] == 'R' {
				dst = &s.rssKiB
			}
			val = bytes.TrimSuffix(bytes.TrimSpace(val), []byte("kB"))
		default:
			continue
		}
		v, err := strconv.ParseUint(string(bytes.TrimSpace(val)), 10, 64)
		if err != nil {
			return statusFields{}, fmt.Errorf("%w: %s %q", ErrProcFormat, key, val)
		}
		*dst = v
	}
	if !haveVol || !haveInvol {
		return statusFields{}, fmt.Errorf("%w: status without context switch counts", ErrProcFormat)
	}
	return s, nil
}

// readProc samples process pid. CPU time comes from /proc/<pid>/stat, which
// covers every thread the process ever had; context switches from each live
// thread's status, because /proc/<pid>/status counts only the main thread;
// VmHWM and VmRSS from /proc/<pid>/status.
func readProc(pid int) (procSample, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	b, err := os.ReadFile(filepath.Join(dir, "stat"))
	if err != nil {
		return procSample{}, err
	}
	ut, st, err := parseStat(b)
	if err != nil {
		return procSample{}, err
	}
	b, err = os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return procSample{}, err
	}
	main, err := parseStatus(b)
	if err != nil {
		return procSample{}, err
	}
	s := procSample{ticks: ut + st, hwmKiB: main.hwmKiB, rssKiB: main.rssKiB}
	tasks, err := os.ReadDir(filepath.Join(dir, "task"))
	if err != nil {
		return procSample{}, err
	}
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, "task", t.Name(), "status"))
		if err != nil {
			continue // the thread exited meanwhile
		}
		ts, err := parseStatus(b)
		if err != nil {
			return procSample{}, err
		}
		s.vol += ts.vol
		s.invol += ts.invol
		s.threads++
	}
	return s, nil
}

// atClkTck is the auxiliary vector key of the clock tick rate.
const atClkTck = 17

// clockTicks returns the kernel's USER_HZ, the unit of utime and stime: the
// AT_CLKTCK entry of /proc/self/auxv (what sysconf(_SC_CLK_TCK) returns),
// or 100, its value on every mainstream Linux, if that cannot be read.
func clockTicks() uint64 {
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 100
	}
	if v, ok := parseAuxv(b, atClkTck); ok && v > 0 {
		return v
	}
	return 100
}

// parseAuxv returns the value of key in an auxiliary vector of native-endian
// 64-bit (key, value) pairs.
func parseAuxv(b []byte, key uint64) (uint64, bool) {
	for ; len(b) >= 16; b = b[16:] {
		k := binary.NativeEndian.Uint64(b)
		if k == key {
			return binary.NativeEndian.Uint64(b[8:]), true
		}
		if k == 0 {
			break
		}
	}
	return 0, false
}
