package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
)

// ports remembers the ports freeAddr has handed out in this process.
var ports struct {
	sync.Mutex
	given map[int]bool
}

// lowestPort is the bottom of the range freeAddr picks from.
const lowestPort = 10000

// freeAddr returns a loopback address whose port nobody listened on a
// moment ago and that no earlier call returned. The port is picked below
// the kernel's ephemeral range (ip_local_port_range), where the kernel
// never puts the source port of an outgoing connection: a port taken from
// inside it (listen on :0, close) could go to one of the cluster's own
// dials before the child process binds it ("address already in use", seen
// in CI). Without room below the range, it falls back to port 0.
func freeAddr() (string, error) {
	ports.Lock()
	defer ports.Unlock()
	if ports.given == nil {
		ports.given = map[int]bool{}
	}
	if hi := ephemeralLow(); hi > lowestPort {
		for range 256 {
			p := lowestPort + rand.IntN(hi-lowestPort)
			if ports.given[p] {
				continue
			}
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				continue
			}
			ln.Close()
			ports.given[p] = true
			return ln.Addr().String(), nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	ports.given[ln.Addr().(*net.TCPAddr).Port] = true
	return ln.Addr().String(), nil
}

// ephemeralLow returns the first port of the kernel's ephemeral range, or 0
// where it cannot tell.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	var lo, hi int
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil {
		return 0
	}
	return lo
}
