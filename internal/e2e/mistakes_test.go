package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// callHeaders POSTs a form body with extra header lines and returns the
// status and body.
func (c *client) callHeaders(form string, headers ...string) (int, string, error) {
	c.buf.Reset()
	fmt.Fprintf(&c.buf, "POST / HTTP/1.1\r\nHost: mesh\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n", len(form))
	for _, h := range headers {
		c.buf.WriteString(h + "\r\n")
	}
	c.buf.WriteString("\r\n" + form)
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

// badCall is a caller's mistake and the first words of the 404 it earns.
type badCall struct {
	form, want string
}

// badCalls are the mistakes of issue 9: a version the provider does not
// export (Dubbo status 70) and a method its service does not have (40).
var badCalls = []badCall{
	{hashForm("x") + "&version=9.9.9", "error: org.apache.dubbo.remoting.RemotingException: Not found exported service: " + helloService + ":9.9.9:"},
	{"interface=" + helloService + "&method=nosuch&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=x",
		"error: Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:" + helloService + ", nosuch\n"},
}

// TestCallerMistakesKeepAgentsInRotation is issue 9's test: a steady stream
// of wrong-version and unknown-method calls runs beside valid load at 64
// connections through a real mesh. The valid load sees no error, every bad
// call gets 404 with the provider's message (its first line), and no
// provider agent is sidelined, ejected or retried around: the counters
// stay at 0, and both agents keep serving.
func TestCallerMistakesKeepAgentsInRotation(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c, _ := newMesh(t, meshSpec{latency: 20 * time.Millisecond, threads: 200, weights: []int{1, 1}})
	c.waitRoutable() // may see 503s while the consumer agent learns the routes
	counters := []string{"consumer_agent_sidelined_total", "consumer_agent_ejections_total",
		"consumer_agent_retries_total", "consumer_agent_responses_503_total", "consumer_agent_responses_502_total",
		"consumer_agent_responses_404_total"}
	before := map[string]float64{}
	for _, name := range counters {
		before[name] = metric(t, c.adminAddr, name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	valid := make(chan loadResult)
	go func() { valid <- runLoad(ctx, t, c.httpAddr, 64, 0, param(9)) }()
	c.waitAllServe()

	// Four callers make mistakes, one call every 5 ms each, for as long
	// as the valid load runs.
	var mu sync.Mutex
	bad, wrong := 0, 0
	firstWrong := ""
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := dialClient(t, c.httpAddr)
			defer func() { cl.close() }()
			for i := 0; ctx.Err() == nil; i++ {
				b := badCalls[(w+i)%len(badCalls)]
				status, body, err := cl.call(b.form)
				mu.Lock()
				bad++
				if err != nil || status != 404 || !strings.HasPrefix(body, b.want) || strings.Count(body, "\n") != 1 {
					wrong++
					if firstWrong == "" {
						firstWrong = fmt.Sprintf("%d %q (%v)", status, body, err)
					}
				}
				mu.Unlock()
				if err != nil {
					cl.close()
					cl = dialClient(t, c.httpAddr)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	res := <-valid
	t.Logf("valid load: %d calls, %d failed; mistakes: %d calls, %d not answered 404 as expected", res.ok, res.failed, bad, wrong)
	if res.failed != 0 || res.wrong != 0 || res.ok == 0 {
		t.Errorf("valid load: ok %d, wrong %d, failed %d (%v), first: %s", res.ok, res.wrong, res.failed, res.statuses, res.firstErr)
	}
	if wrong != 0 || bad < 100 {
		t.Errorf("%d of %d mistakes not answered 404 as expected, first: %s", wrong, bad, firstWrong)
	}
	for _, name := range counters {
		want := 0.0
		if name == "consumer_agent_responses_404_total" {
			want = float64(bad)
		}
		if v := metric(t, c.adminAddr, name) - before[name]; v != want {
			t.Errorf("%s rose by %v under load, want %v", name, v, want)
		}
	}
	// Both agents took a fair share of the valid calls to the end.
	var served [2]float64
	for i, a := range c.agents {
		served[i] = metric(t, a.admin, "provider_agent_ok_total")
	}
	if min(served[0], served[1]) < 0.4*(served[0]+served[1]) {
		t.Errorf("provider agents served %v valid calls: one was taken out of rotation", served)
	}
}

func TestGroupReachesProviderHessian2(t *testing.T) { testGroup(t, "hessian2") }

func TestGroupReachesProviderFastjson(t *testing.T) { testGroup(t, "fastjson") }

// testGroup: a reference provider exporting the race's service under group
// g only answers a call with group=g (or the header Dubbo-Attachment-group:
// g); without a group, or with another, the call is answered 404.
func testGroup(t *testing.T, ser string) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c, _ := newMesh(t, meshSpec{ser: ser}) // etcd and the consumer agent
	pa := freeAddr(t)
	c.providers = append(c.providers, start(t, "provider0", "provider", "--listen", pa, "--latency", "1ms",
		"--service", helloService+"::g", "--name", "provider0"))
	waitListening(t, pa)
	c.provAddrs = append(c.provAddrs, pa)
	c.addAgent(0, 1)

	cl := dialClient(t, c.httpAddr)
	defer func() { cl.close() }()
	call := func(form string, headers ...string) (int, string) {
		t.Helper()
		status, body, err := cl.callHeaders(form, headers...)
		if err != nil {
			t.Fatal(err)
		}
		return status, body
	}
	want := strconv.Itoa(int(javaHash("x")))
	for deadline := time.Now().Add(10 * time.Second); ; {
		status, body := call(hashForm("x") + "&group=g")
		if status == 200 && body == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("group g not routable: %d %q", status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, body := call(hashForm("x"), "Dubbo-Attachment-group: g", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"); status != 200 || body != want {
		t.Errorf("group g as a header: %d %q", status, body)
	}
	_, port, _ := strings.Cut(pa, ":")
	for form, key := range map[string]string{
		hashForm("x"):              helloService + ":" + port,
		hashForm("x") + "&group=h": "h/" + helloService + ":" + port,
	} {
		status, body := call(form)
		prefix := "error: org.apache.dubbo.remoting.RemotingException: Not found exported service: " + key + " in [g/" + helloService + ":" + port + "]"
		if status != 404 || !strings.HasPrefix(body, prefix) || !bytes.HasSuffix([]byte(body), []byte("]\n")) {
			t.Errorf("%s: %d %q, want 404 %q...", form, status, body, prefix)
		}
	}
	if v := metric(t, c.adminAddr, "consumer_agent_sidelined_total"); v != 0 {
		t.Errorf("consumer_agent_sidelined_total = %v, want 0", v)
	}
}
