package main

import (
	"net"
	"strings"
	"sync"
)

// etcdCut stands between the provider agents and etcd in --faults runs, so
// that the etcd-cut row can partition them from etcd while the consumer
// agent still reaches it: one TCP forwarder per etcd endpoint, in the
// bench's own process. Cut closes every forwarded connection and refuses
// new ones until Heal. Its methods are safe for concurrent use.
type etcdCut struct {
	mu    sync.Mutex
	down  bool
	lns   []net.Listener
	conns map[net.Conn]struct{}
	urls  []string // the forwarders' endpoints, in etcd's order
}

// newEtcdCut starts a forwarder on a free loopback port for each of the
// endpoints (http://host:port).
func newEtcdCut(endpoints []string) (*etcdCut, error) {
	x := &etcdCut{conns: map[net.Conn]struct{}{}}
	for _, ep := range endpoints {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			x.Close()
			return nil, err
		}
		x.lns = append(x.lns, ln)
		x.urls = append(x.urls, "http://"+ln.Addr().String())
		go x.accept(ln, strings.TrimPrefix(strings.TrimPrefix(ep, "http://"), "https://"))
	}
	return x, nil
}

// Endpoints returns the forwarders' endpoints, comma-separated, for --etcd.
func (x *etcdCut) Endpoints() string { return strings.Join(x.urls, ",") }

func (x *etcdCut) accept(ln net.Listener, to string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go x.forward(c, to)
	}
}

func (x *etcdCut) forward(c net.Conn, to string) {
	up, err := net.Dial("tcp", to)
	if err != nil {
		c.Close()
		return
	}
	x.mu.Lock()
	if x.down {
		x.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	x.conns[c], x.conns[up] = struct{}{}, struct{}{}
	x.mu.Unlock()
	go x.copy(up, c)
	x.copy(c, up)
}

func (x *etcdCut) copy(dst, src net.Conn) {
	b := make([]byte, 32<<10)
	for {
		n, err := src.Read(b)
		if n > 0 {
			if _, werr := dst.Write(b[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
	x.mu.Lock()
	delete(x.conns, dst)
	delete(x.conns, src)
	x.mu.Unlock()
}

// Cut partitions the provider agents from etcd.
func (x *etcdCut) Cut() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.down = true
	for c := range x.conns {
		c.Close()
	}
}

// Heal ends the partition.
func (x *etcdCut) Heal() {
	x.mu.Lock()
	x.down = false
	x.mu.Unlock()
}

// Close stops forwarding for good.
func (x *etcdCut) Close() {
	for _, ln := range x.lns {
		ln.Close()
	}
	x.Cut()
}
