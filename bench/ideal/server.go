package main

import (
	"log"
	"net"
	"time"
)

// Buffer sizes: a connection starts with initialBuffer and grows, for a
// large request, up to the parser's limits.
const (
	initialBuffer = 8 << 10
	maxBuffer     = 8<<10 + 1<<20 + 1
)

// serve accepts connections on ln until it fails, serving each on its own
// goroutine.
func serve(ln net.Listener, latency time.Duration) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveConn(c, latency)
	}
}

// serveConn reads requests from c and answers each latency after it
// arrived, until the client closes or a request asks to.
func serveConn(c net.Conn, latency time.Duration) {
	defer c.Close()
	var s session
	buf := make([]byte, initialBuffer)
	n := 0
	for {
		m, err := c.Read(buf[n:])
		if m == 0 {
			if err != nil {
				return
			}
			continue
		}
		arrived := time.Now()
		n += m
		used, closeAfter := s.process(buf[:n])
		if len(s.out) > 0 {
			if latency > 0 {
				time.Sleep(time.Until(arrived.Add(latency)))
			}
			if _, err := c.Write(s.out); err != nil {
				return
			}
		}
		if closeAfter {
			return
		}
		n = copy(buf, buf[used:n])
		if n == len(buf) {
			if len(buf) >= maxBuffer {
				log.Printf("%v: request larger than %d bytes", c.RemoteAddr(), maxBuffer)
				return
			}
			buf = append(buf, make([]byte, min(len(buf), maxBuffer-len(buf)))...)
		}
	}
}
