package freeport

import (
	"net"
	"testing"
)

// TestAddr: every address is a free loopback port, below the kernel's
// ephemeral range where it has one, and never handed out twice.
func TestAddr(t *testing.T) {
	seen := map[string]bool{}
	low := ephemeralLow()
	for range 200 {
		addr, err := Addr()
		if err != nil {
			t.Fatal(err)
		}
		if seen[addr] {
			t.Fatalf("%s handed out twice", addr)
		}
		seen[addr] = true
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("%s not free: %v", addr, err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if low > lowest && (port < lowest || port >= low) {
			t.Fatalf("port %d outside %d..%d", port, lowest, low-1)
		}
	}
}
