package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
)

// given remembers the ports Addr has handed out in this process.
var given struct {
	sync.Mutex
	ports map[int]bool
}

// lowest is the bottom of the range Addr picks from.
const lowest = 10000

// Addr returns a loopback address whose port nobody listened on a moment
// ago and that no earlier call in this process returned. The port is
// picked below the kernel's ephemeral range (ip_local_port_range), where
// the kernel never puts the source port of an outgoing connection: a port
// taken from inside it (listen on :0, close) can go to one of the
// process's own dials before the child process binds it ("address already
// in use", seen in CI). Without room below the range, it falls back to
// port 0. Addr is safe for concurrent use.
func Addr() (string, error) {
	given.Lock()
	defer given.Unlock()
	if given.ports == nil {
		given.ports = map[int]bool{}
	}
	if hi := ephemeralLow(); hi > lowest {
		for range 256 {
			p := lowest + rand.IntN(hi-lowest)
			if given.ports[p] {
				continue
			}
			ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
			if err != nil {
				continue
			}
			ln.Close()
			given.ports[p] = true
			return ln.Addr().String(), nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	given.ports[ln.Addr().(*net.TCPAddr).Port] = true
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
