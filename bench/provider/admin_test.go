package main

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// startAdmin serves s's control endpoint on a loopback socket and returns
// its base URL.
func startAdmin(t *testing.T, s *server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.serveAdmin(ln)
	t.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String() + "/control"
}

// control sends method to the endpoint with query q and decodes the answer.
func control(t *testing.T, base, method, q string) (int, controlState, string) {
	t.Helper()
	u := base
	if q != "" {
		u += "?" + q
	}
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var st controlState
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatalf("%s %s: %v in %q", method, u, err, body)
		}
	}
	return resp.StatusCode, st, string(body)
}

func TestControlGet(t *testing.T) {
	cfg := testConfig()
	cfg.threads = 7
	s, _, _ := startServer(t, cfg)
	base := startAdmin(t, s)
	code, st, _ := control(t, base, "GET", "")
	equal(t, "status", code, 200)
	equal(t, "latency", st.Latency, "10ms")
	equal(t, "latency_ns", st.LatencyNs, int64(10*time.Millisecond))
	equal(t, "threads", st.Threads, 7)
}

// TestControlLatency slows a real provider down at run time: a call that
// arrived before the change keeps the old latency, calls after take the new.
func TestControlLatency(t *testing.T) {
	cfg := testConfig()
	cfg.latency = 300 * time.Millisecond
	s, addr, _ := startServer(t, cfg)
	base := startAdmin(t, s)

	slow := dial(t, addr)
	start := time.Now()
	slow.write(slow.encode(slow.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc")))
	// Wait until the provider holds the call, then speed it up.
	for s.lim.inFlight() == 0 {
		if time.Since(start) > 2*time.Second {
			t.Fatal("call never arrived")
		}
		time.Sleep(time.Millisecond)
	}
	code, st, body := control(t, base, "POST", "latency=20ms")
	if code != 200 || st.LatencyNs != int64(20*time.Millisecond) {
		t.Fatalf("POST latency=20ms: %d %q", code, body)
	}
	c := dial(t, addr)
	t0 := time.Now()
	equal(t, "fast call", c.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc").text, "96354")
	if d := time.Since(t0); d < 20*time.Millisecond || d > 250*time.Millisecond {
		t.Errorf("call after latency=20ms took %v", d)
	}
	res := slow.decode(slow.read(5 * time.Second))
	equal(t, "slow call", res.text, "96354")
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("call in flight across the change took %v, want its 300ms", d)
	}

	code, _, body = control(t, base, "POST", "latency=400ms")
	if code != 200 {
		t.Fatalf("POST latency=400ms: %d %q", code, body)
	}
	t0 = time.Now()
	equal(t, "slowed call", c.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc").text, "96354")
	if d := time.Since(t0); d < 400*time.Millisecond {
		t.Errorf("call after latency=400ms took %v", d)
	}
}

// TestControlThreads lowers a real provider's thread count: calls past it
// are refused with status 100 naming the new pool size; raising it again
// admits them.
func TestControlThreads(t *testing.T) {
	cfg := testConfig()
	cfg.latency = 200 * time.Millisecond
	s, addr, _ := startServer(t, cfg)
	base := startAdmin(t, s)
	code, st, body := control(t, base, "POST", "threads=2")
	if code != 200 || st.Threads != 2 {
		t.Fatalf("POST threads=2: %d %q", code, body)
	}
	c := dial(t, addr)
	send := func(n int) (ok, refused int) {
		var frames []byte
		for range n {
			frames = append(frames, c.encode(c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc"))...)
		}
		c.write(frames)
		for range n {
			res := c.decode(c.read(5 * time.Second))
			switch res.status {
			case dubbo.StatusOK:
				ok++
			case dubbo.StatusThreadpoolExhausted:
				refused++
				if !strings.Contains(res.text, "Pool Size: 2 ") {
					t.Errorf("refusal text %q does not name the new pool size", res.text)
				}
			default:
				t.Fatalf("status %v", res.status)
			}
		}
		return ok, refused
	}
	ok, refused := send(5)
	equal(t, "answered with 2 threads", ok, 2)
	equal(t, "refused with 2 threads", refused, 3)

	if code, st, body = control(t, base, "POST", "threads=200&latency=1ms"); code != 200 || st.Threads != 200 || st.Latency != "1ms" {
		t.Fatalf("POST threads=200&latency=1ms: %d %q", code, body)
	}
	ok, refused = send(5)
	equal(t, "answered with 200 threads", ok, 5)
	equal(t, "refused with 200 threads", refused, 0)
}

func TestControlRejects(t *testing.T) {
	s, _, _ := startServer(t, testConfig())
	base := startAdmin(t, s)
	for _, q := range []string{"", "latency=fast", "latency=-1s", "latency=25h", "threads=0", "threads=x",
		"threads=-3", "threads=20&latency=nope", "other=1"} {
		code, _, body := control(t, base, "POST", q)
		if code != 400 || !strings.HasPrefix(body, "error: ") || strings.Count(strings.TrimSpace(body), "\n") > 0 {
			t.Errorf("POST ?%s: %d %q, want 400 and one error line", q, code, body)
		}
	}
	// Nothing changed.
	_, st, _ := control(t, base, "GET", "")
	equal(t, "latency", st.Latency, "10ms")
	equal(t, "threads", st.Threads, 200)
	code, _, _ := control(t, base, "DELETE", "")
	equal(t, "DELETE", code, 405)
}

func TestParseControl(t *testing.T) {
	q, _ := url.ParseQuery("latency=500ms&threads=20")
	l, n, err := parseControl(q)
	if err != nil || *l != 500*time.Millisecond || *n != 20 {
		t.Fatalf("got %v %v %v", l, n, err)
	}
	q, _ = url.ParseQuery("threads=3")
	if l, n, err = parseControl(q); err != nil || l != nil || *n != 3 {
		t.Fatalf("threads only: %v %v %v", l, n, err)
	}
	q, _ = url.ParseQuery("latency=0s")
	if l, n, err = parseControl(q); err != nil || *l != 0 || n != nil {
		t.Fatalf("latency only: %v %v %v", l, n, err)
	}
	if _, _, err = parseControl(url.Values{}); !errors.Is(err, errNoSetting) {
		t.Fatalf("empty: %v", err)
	}
	q, _ = url.ParseQuery("threads=1&latency=x")
	if _, _, err = parseControl(q); !errors.Is(err, errBadLatency) {
		t.Fatalf("bad latency: %v", err)
	}
}

// FuzzParseControl feeds arbitrary query strings to the control endpoint's
// parser: it must never panic, must return either an error or at least one
// setting, and every setting it returns must be within bounds.
func FuzzParseControl(f *testing.F) {
	for _, q := range []string{"latency=500ms", "threads=20", "latency=1s&threads=1", "latency=-1s", "threads=0", "x=y"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		l, n, err := parseControl(q)
		if err != nil {
			if l != nil || n != nil {
				t.Fatalf("%q: error %v with settings", raw, err)
			}
			return
		}
		if l == nil && n == nil {
			t.Fatalf("%q: no error and no setting", raw)
		}
		if l != nil && (*l < 0 || *l > maxControlLatency) {
			t.Fatalf("%q: latency %v", raw, *l)
		}
		if n != nil && *n < 1 {
			t.Fatalf("%q: threads %d", raw, *n)
		}
	})
}
