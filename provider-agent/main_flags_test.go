package main

import "testing"

func TestAdvertiseHost(t *testing.T) {
	primary := primaryIP()
	for listen, want := range map[string]string{
		"127.0.0.1:30000": "127.0.0.1",
		"localhost:30000": "localhost",
		":30000":          primary,
		"0.0.0.0:30000":   primary,
		"[::]:30000":      primary,
	} {
		if got := advertiseHost(listen); got != want {
			t.Errorf("advertiseHost(%q) = %q, want %q", listen, got, want)
		}
	}
}
