package load

import (
	"bytes"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// hashServer starts an HTTP server answering the race's call. answer may
// change the status or body for a parameter; nil answers correctly.
func hashServer(t testing.TB, answer func(param string) (int, string)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("interface") != Service {
			http.Error(w, "error: bad form", http.StatusBadRequest)
			return
		}
		p := r.Form.Get("parameter")
		status, body := 200, strconv.Itoa(int(javahash.String([]byte(p))))
		if answer != nil {
			status, body = answer(p)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// deadAddr returns a loopback address nobody listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// cheapServer starts a minimal server for the client benchmarks: a goroutine
// per connection that frames requests by Content-Length (as both candidate
// clients write it), hashes the bytes after "&parameter=" (alphanumeric, so
// nothing to decode) and answers in one write. It costs far less than
// net/http, so the clients' share of the process's CPU shows.
func cheapServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveCheap(c)
		}
	}()
	return ln.Addr().String()
}

func serveCheap(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 8192)
	out := make([]byte, 0, 256)
	n := 0
	for {
		m, err := c.Read(buf[n:])
		if err != nil {
			return
		}
		n += m
		for {
			h := bytes.Index(buf[:n], []byte("\r\n\r\n"))
			if h < 0 {
				break
			}
			i := bytes.Index(buf[:h], []byte("Content-Length: "))
			if i < 0 {
				return
			}
			j := i + len("Content-Length: ")
			cl := 0
			for ; buf[j] >= '0' && buf[j] <= '9'; j++ {
				cl = cl*10 + int(buf[j]-'0')
			}
			end := h + 4 + cl
			if end > n {
				break
			}
			body := buf[h+4 : end]
			p := bytes.Index(body, paramKey)
			var num [12]byte
			v := strconv.AppendInt(num[:0], int64(javahash.String(body[p+len(paramKey):])), 10)
			out = append(out[:0], "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
			out = strconv.AppendInt(out, int64(len(v)), 10)
			out = append(append(out, "\r\n\r\n"...), v...)
			if _, err := c.Write(out); err != nil {
				return
			}
			n = copy(buf, buf[end:n])
		}
	}
}
