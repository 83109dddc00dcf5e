package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/dubbomesh/dubbomesh/internal/freeport"
	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/registry"
)

// binDir holds the binaries built once by TestMain.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dubbomesh-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	cmd := exec.Command("go", "build", "-o", dir+"/", "github.com/dubbomesh/dubbomesh/consumer-agent",
		"github.com/dubbomesh/dubbomesh/provider-agent", "github.com/dubbomesh/dubbomesh/bench/provider")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freeAddr returns a loopback address with a port nobody listens on, out
// of the range that outgoing connections take theirs from (freeport).
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := freeport.Addr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// proc is one child process of the cluster.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// start runs a binary from binDir, logging to a file in the test's temp
// dir; the process is killed when the test ends.
func start(t *testing.T, name, bin string, args ...string) *proc {
	t.Helper()
	return startArgv(t, name, append([]string{filepath.Join(binDir, bin)}, args...)...)
}

// startArgv is start for any command line (argv[0] a path), such as a
// binary run in a network namespace by ip netns exec.
func startArgv(t *testing.T, name string, argv ...string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- %s log ---\n%s", name, b)
		}
	})
	return p
}

// stop sends sig and waits for the process to exit.
func (p *proc) stop(t *testing.T, sig syscall.Signal, wait time.Duration) error {
	t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
		return p.err
	case <-time.After(wait):
		t.Fatalf("%s did not exit within %v of %v", p.name, wait, sig)
		return nil
	}
}

// waitListening waits until addr accepts connections.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cluster is a running mesh.
type cluster struct {
	t         *testing.T
	etcd      *registry.Embedded // nil when the etcd is a cluster (leaderMesh)
	endpoints string             // etcd's client URLs, comma-separated, for --etcd
	providers []*proc
	provAddrs []string
	agents    []*agentProc
	consumer  *proc
	httpAddr  string
	adminAddr string
	ser       string
}

type agentProc struct {
	*proc
	addr, admin string
	weight      int
}

// newCluster starts etcd, one reference provider per weight, one provider
// agent per provider with that weight, and a consumer agent.
func newCluster(t *testing.T, ser string, latency time.Duration, weights ...int) *cluster {
	t.Helper()
	c, _ := newMesh(t, meshSpec{latency: latency, threads: 200, weights: weights, ser: ser})
	return c
}

// startMesh starts, against c's etcd, one reference provider and one
// provider agent per weight of spec, and a consumer agent.
func (c *cluster) startMesh(spec meshSpec) {
	t := c.t
	t.Helper()
	for i := range spec.weights {
		pa := freeAddr(t)
		c.providers = append(c.providers, startProvider(t, fmt.Sprintf("provider%d", i), pa, spec.latency, spec.threads))
		c.provAddrs = append(c.provAddrs, pa)
	}
	for i, w := range spec.weights {
		c.addAgent(i, w, spec.agentArgs...)
	}
	c.httpAddr, c.adminAddr = freeAddr(t), freeAddr(t)
	c.consumer = start(t, "consumer-agent", "consumer-agent", "--listen", c.httpAddr, "--admin", c.adminAddr,
		"--etcd", c.endpoints, "--loops", "2")
	waitListening(t, c.httpAddr)
	waitListening(t, c.adminAddr)
}

// addAgent starts a provider agent in front of provider i, with extra
// flags after the usual ones.
func (c *cluster) addAgent(i, weight int, extra ...string) *agentProc {
	t := c.t
	addr, admin := freeAddr(t), freeAddr(t)
	args := append([]string{"--listen", addr, "--advertise", addr, "--admin", admin, "--provider", c.provAddrs[i],
		"--etcd", c.endpoints, "--weight", strconv.Itoa(weight),
		"--serialization", c.ser, "--loops", "2"}, extra...)
	p := start(t, fmt.Sprintf("provider-agent%d-%d", i, len(c.agents)), "provider-agent", args...)
	a := &agentProc{proc: p, addr: addr, admin: admin, weight: weight}
	c.agents = append(c.agents, a)
	waitListening(t, admin)
	return a
}

// metric reads one metric from an admin endpoint: the sum of the series
// of family name. consumer_agent_responses_<code>_total reads the series of
// consumer_agent_responses_total with that code (41x: 411, 413 and 431).
func metric(t *testing.T, admin, name string) float64 {
	t.Helper()
	codes := []string{""}
	if code, ok := strings.CutPrefix(name, "consumer_agent_responses_"); ok && code != "total" {
		name, codes = "consumer_agent_responses_total", []string{strings.TrimSuffix(code, "_total")}
		if codes[0] == "41x" {
			codes = []string{"411", "413", "431"}
		}
	}
	mf := scrape(t, admin)[name]
	if mf == nil {
		t.Fatalf("metric %s not found at %s", name, admin)
	}
	sum := 0.0
	for _, code := range codes {
		if code == "" {
			sum += metrics.Sum(mf)
		} else {
			sum += metrics.Sum(mf, "code", code)
		}
	}
	return sum
}

// scrape reads an admin endpoint's /metrics with Prometheus's parser.
func scrape(t *testing.T, admin string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatalf("metrics %s: %v", admin, err)
	}
	defer resp.Body.Close()
	mfs, err := metrics.Parse(resp.Body)
	if err != nil {
		t.Fatalf("metrics %s: %v", admin, err)
	}
	return mfs
}

// waitRoutable waits until a call to the race's service succeeds.
func (c *cluster) waitRoutable() {
	t := c.t
	cl := dialClient(t, c.httpAddr)
	defer cl.close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _, err := cl.call(hashForm("warm"))
		if err == nil && status == 200 {
			return
		}
		if err != nil {
			cl.close()
			cl = dialClient(t, c.httpAddr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("mesh not routable: status %d err %v", status, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitConnected waits until the consumer agent holds an open connection
// from each of its loops to every provider agent started, so that a load
// run spreads over all of them from its first call (waitRoutable returns
// at the first agent that answers).
func (c *cluster) waitConnected(loops int) {
	t := c.t
	t.Helper()
	want := float64(loops * len(c.agents))
	deadline := time.Now().Add(10 * time.Second)
	for {
		mf := scrape(t, c.adminAddr)["consumer_agent_upstream_connections"]
		up, down := 0.0, 0.0
		if mf != nil {
			up, down = metrics.Sum(mf, "state", "up"), metrics.Sum(mf, "state", "down")
		}
		if up == want && down == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer agent holds %v connections up and %v down to provider agents, want %v up", up, down, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// client is one keep-alive HTTP/1.1 connection carrying one call at a time,
// as wrk and the race's consumer do.
type client struct {
	conn net.Conn
	r    *bufio.Reader
	buf  bytes.Buffer
}

func dialClient(t *testing.T, addr string) *client {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return &client{conn: conn, r: bufio.NewReader(conn)}
}

func (c *client) close() { c.conn.Close() }

// call POSTs a form body and returns the status and body.
func (c *client) call(form string) (int, string, error) {
	c.buf.Reset()
	fmt.Fprintf(&c.buf, "POST / HTTP/1.1\r\nHost: mesh\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(form), form)
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.conn.Write(c.buf.Bytes()); err != nil {
		return 0, "", err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b), err
}

const helloService = "com.alibaba.dubbo.performance.demo.provider.IHelloService"

// hashForm is the race's request body for parameter p.
func hashForm(p string) string {
	return "interface=" + helloService + "&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=" + urlEncode(p)
}

func urlEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// load runs conns closed-loop connections, each making calls until stop is
// closed or calls run out, checking every answer. It returns the counts.
type loadResult struct {
	ok, wrong, failed int
	statuses          map[int]int
	firstErr          string
}

func runLoad(ctx context.Context, t *testing.T, addr string, conns, calls int, params func(i int) string) loadResult {
	t.Helper()
	var mu sync.Mutex
	res := loadResult{statuses: map[int]int{}}
	var wg sync.WaitGroup
	next := make(chan int, conns)
	go func() {
		defer close(next)
		for i := 0; calls <= 0 || i < calls; i++ {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := dialClient(t, addr)
			defer func() { cl.close() }()
			for i := range next {
				p := params(i)
				status, body, err := cl.call(hashForm(p))
				mu.Lock()
				switch {
				case err != nil:
					res.failed++
					if res.firstErr == "" {
						res.firstErr = err.Error()
					}
				case status != 200:
					res.failed++
					res.statuses[status]++
					if res.firstErr == "" {
						res.firstErr = fmt.Sprintf("%d %s", status, body)
					}
				case body != strconv.Itoa(int(javaHash(p))):
					res.wrong++
					if res.firstErr == "" {
						res.firstErr = fmt.Sprintf("hash(%q) = %s, want %d", p, body, javaHash(p))
					}
				default:
					res.ok++
				}
				mu.Unlock()
				if err != nil {
					cl.close()
					cl = dialClient(t, addr)
				}
			}
		}()
	}
	wg.Wait()
	return res
}
