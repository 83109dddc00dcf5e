package main

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
)

// A real /proc/<pid>/stat line, with a command name holding ") (" to show
// that fields are counted from the last parenthesis.
const sampleStat = "4242 (consumer) (x) S 1 4242 4242 0 -1 4194560 1523 0 0 0 731 266 0 0 20 0 7 0 123456 1270534144 7954 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"

const sampleStatus = `Name:	consumer-agent
Umask:	0022
State:	S (sleeping)
Tgid:	4242
Pid:	4242
VmPeak:	 1240756 kB
VmSize:	 1240756 kB
VmHWM:	   33512 kB
VmRSS:	   31816 kB
Threads:	7
voluntary_ctxt_switches:	1520
nonvoluntary_ctxt_switches:	37
`

func TestParseStat(t *testing.T) {
	ut, st, err := parseStat([]byte(sampleStat))
	noErr(t, err)
	eq(t, "utime", ut, uint64(731))
	eq(t, "stime", st, uint64(266))
	for _, bad := range []string{"", "4242 consumer S 1", "1 (x) S 1 2 3", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 266 0"} {
		if _, _, err := parseStat([]byte(bad)); !errors.Is(err, ErrProcFormat) {
			t.Errorf("%q: error %v, want ErrProcFormat", bad, err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	s, err := parseStatus([]byte(sampleStatus))
	noErr(t, err)
	eq(t, "fields", s, statusFields{vol: 1520, invol: 37, hwmKiB: 33512, rssKiB: 31816, threads: 7})
	// A thread's status has no VmHWM.
	s, err = parseStatus([]byte("Name:\tx\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\n"))
	noErr(t, err)
	eq(t, "thread", s, statusFields{vol: 5, invol: 6})
	for _, bad := range []string{"", "Name:\tx\n", "voluntary_ctxt_switches:\tx\nnonvoluntary_ctxt_switches:\t1\n",
		"voluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t1\nVmHWM:\t12 MB\n"} {
		if _, err := parseStatus([]byte(bad)); !errors.Is(err, ErrProcFormat) {
			t.Errorf("%q: error %v, want ErrProcFormat", bad, err)
		}
	}
}

func TestReadProcSelf(t *testing.T) {
	// Burn some CPU so the tick counter moves.
	before, err := readProc(os.Getpid())
	noErr(t, err)
	x := 0
	for i := 0; i < 200_000_000; i++ {
		x += i ^ x
	}
	after, err := readProc(os.Getpid())
	noErr(t, err)
	if after.ticks <= before.ticks || after.hwmKiB == 0 || after.threads < 1 || after.vol < before.vol {
		t.Fatalf("before %+v after %+v (%d)", before, after, x)
	}
}

func TestParseAuxv(t *testing.T) {
	b := make([]byte, 0, 64)
	for _, kv := range [][2]uint64{{6, 4096}, {atClkTck, 250}, {0, 0}, {atClkTck, 1}} {
		b = binary.NativeEndian.AppendUint64(b, kv[0])
		b = binary.NativeEndian.AppendUint64(b, kv[1])
	}
	v, ok := parseAuxv(b, atClkTck)
	eq(t, "found", ok, true)
	eq(t, "value", v, uint64(250))
	_, ok = parseAuxv(b[:16], atClkTck)
	eq(t, "absent", ok, false)
	if ct := clockTicks(); ct < 1 || ct > 10000 {
		t.Fatalf("clockTicks = %d", ct)
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte(sampleStat))
	f.Add([]byte("1 ()) R 0 0 0 0 0 0 0 0 0 0 1 2"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseStat(b)
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(sampleStatus))
	f.Add([]byte("voluntary_ctxt_switches:\t1\nnonvoluntary_ctxt_switches:\t2\nVmHWM: 3 kB"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseStatus(b)
		if err != nil && s != (statusFields{}) {
			t.Fatalf("error %v with fields %+v", err, s)
		}
	})
}
