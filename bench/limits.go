package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// raiseNoFile raises this process's soft RLIMIT_NOFILE to its hard limit
// and returns the new soft limit. Setting it explicitly also makes the
// children inherit it: Go restores the original soft limit in children
// only while the program has not set it itself.
func raiseNoFile() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	return l.Cur, nil
}

// openFilesLimit reads the soft "Max open files" limit of process pid.
func openFilesLimit(pid int) (uint64, error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "limits"))
	if err != nil {
		return 0, err
	}
	return parseOpenFilesLimit(b)
}

// parseOpenFilesLimit returns the soft limit on the "Max open files" line
// of /proc/<pid>/limits text; "unlimited" is math.MaxUint64.
func parseOpenFilesLimit(b []byte) (uint64, error) {
	const key = "Max open files"
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		rest, ok := bytes.CutPrefix(line, []byte(key))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			break
		}
		if string(f[0]) == "unlimited" {
			return math.MaxUint64, nil
		}
		n, err := strconv.ParseUint(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: open files limit %q", ErrProcFormat, f[0])
		}
		return n, nil
	}
	return 0, fmt.Errorf("%w: no %q line in limits", ErrProcFormat, key)
}
