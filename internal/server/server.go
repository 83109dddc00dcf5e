package server

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/cloudwego/netpoll"
)

// Server is a listening netpoll event loop. Its methods are safe for
// concurrent use.
type Server struct {
	ln netpoll.Listener
	el netpoll.EventLoop
}

var configure sync.Once

// Configure sets netpoll's poller count to loops and its handler runner to
// one that reuses goroutines (see workers), once per process: later calls do
// nothing. Call it before any netpoll connection is dialed or
// accepted; netpoll re-initialises its pollers when configured, which races
// with connections being set up.
func Configure(loops int) {
	configure.Do(func() {
		if loops < 1 {
			loops = 1
		}
		netpoll.Configure(netpoll.Config{PollerNum: loops, Runner: newWorkers().run})
	})
}

// Listen listens on addr (TCP) and serves each connection with onRequest
// (wrapped in Guard) and opts, in the background. Call Configure first.
func Listen(addr string, onRequest netpoll.OnRequest, opts ...netpoll.Option) (*Server, error) {
	ln, err := netpoll.CreateListener("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	el, err := netpoll.NewEventLoop(Guard(onRequest), opts...)
	if err != nil {
		ln.Close()
		return nil, err
	}
	go el.Serve(ln)
	return &Server{ln: ln, el: el}, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Port returns the TCP port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Shutdown stops accepting and closes the connections, waiting at most
// timeout for their handlers to finish.
func (s *Server) Shutdown(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s.el.Shutdown(ctx)
}
