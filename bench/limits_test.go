package main

import (
	"errors"
	"math"
	"os"
	"testing"
)

const sampleLimits = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max processes             63536                63536                processes 
Max open files            20000                40000                files     
Max locked memory         8388608              8388608              bytes     
`

func TestParseOpenFilesLimit(t *testing.T) {
	n, err := parseOpenFilesLimit([]byte(sampleLimits))
	noErr(t, err)
	eq(t, "soft", n, uint64(20000))
	n, err = parseOpenFilesLimit([]byte("Max open files            unlimited            unlimited            files\n"))
	noErr(t, err)
	eq(t, "unlimited", n, uint64(math.MaxUint64))
	for _, bad := range []string{"", "Max processes 1 1 processes\n", "Max open files\n", "Max open files  x  1  files\n"} {
		if _, err := parseOpenFilesLimit([]byte(bad)); !errors.Is(err, ErrProcFormat) {
			t.Errorf("%q: error %v, want ErrProcFormat", bad, err)
		}
	}
}

func TestRaiseNoFile(t *testing.T) {
	n, err := raiseNoFile()
	noErr(t, err)
	got, err := openFilesLimit(os.Getpid())
	noErr(t, err)
	eq(t, "soft limit after raising", got, n)
}

func FuzzParseOpenFilesLimit(f *testing.F) {
	f.Add([]byte(sampleLimits))
	f.Add([]byte("Max open files unlimited unlimited files\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseOpenFilesLimit(b)
		if err != nil && n != 0 {
			t.Fatalf("%d with %v", n, err)
		}
	})
}
