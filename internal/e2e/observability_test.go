package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
)

// readyz returns an admin endpoint's /readyz status and body.
func readyz(t *testing.T, admin string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + admin + "/readyz")
	if err != nil {
		t.Fatalf("readyz %s: %v", admin, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitReady waits up to within for admin's /readyz to answer want, and
// returns the last body.
func waitReady(t *testing.T, what, admin string, want int, within time.Duration) string {
	t.Helper()
	start := time.Now()
	for {
		code, body := readyz(t, admin)
		if code == want {
			t.Logf("%s: /readyz %d after %v: %q", what, code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(body))
			return body
		}
		if time.Since(start) > within {
			t.Fatalf("%s: /readyz still %d %q after %v, want %d", what, code, body, within, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReadyzFollowsProviderAndEtcd: a provider agent's /readyz answers 503
// with the reason while its provider is gone, and 200 again once it is
// back; its log says when the provider went and came back. While etcd is
// away (past the lease's TTL) it stays ready, its metrics saying that etcd
// is unreachable and the agent unregistered. The consumer agent stays ready throughout:
// its provider agent stays connected.
func TestReadyzFollowsProviderAndEtcd(t *testing.T) {
	skipFaultInShort(t)
	c, etcdDir := newMesh(t, meshSpec{latency: 5 * time.Millisecond, threads: 200, weights: []int{1}, agentArgs: []string{"--ttl", "2"}})
	c.waitRoutable()
	a := c.agents[0]
	waitReady(t, "provider agent", a.admin, 200, 5*time.Second)
	waitReady(t, "consumer agent", c.adminAddr, 200, 5*time.Second)

	c.providers[0].stop(t, syscall.SIGKILL, 5*time.Second)
	body := waitReady(t, "provider agent, provider killed", a.admin, 503, 5*time.Second)
	if !strings.Contains(body, "provider "+c.provAddrs[0]+" unreachable") {
		t.Errorf("reason %q", body)
	}
	if code, body := readyz(t, c.adminAddr); code != 200 {
		t.Errorf("consumer agent with its provider agent still up: %d %q", code, body)
	}
	c.providers[0] = startProvider(t, "provider0-again", c.provAddrs[0], 5*time.Millisecond, 200)
	waitReady(t, "provider agent, provider back", a.admin, 200, 5*time.Second)
	log, _ := os.ReadFile(a.log)
	for _, want := range []string{`msg="provider unreachable" provider=` + c.provAddrs[0], `msg="provider reachable again" provider=` + c.provAddrs[0]} {
		if n := strings.Count(string(log), want); n != 1 {
			t.Errorf("provider agent's log has %d lines with %q:\n%s", n, want, log)
		}
	}

	c.etcd.Close() // returns once etcd has cut the streams
	for admin, name := range map[string]string{a.admin: "provider_agent_etcd_reachable", c.adminAddr: "consumer_agent_etcd_reachable"} {
		start := time.Now()
		for metric(t, admin, name) != 0 {
			if time.Since(start) > 5*time.Second {
				t.Fatalf("%s still 1 5 s after etcd stopped", name)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Past the lease's TTL the registration is gone, as the metric says;
	// but consumer agents route by what they last saw, and the agent
	// serves them: it stays ready, so that an etcd outage does not take
	// every provider agent out of its load balancer at once.
	start := time.Now()
	for metric(t, a.admin, "provider_agent_registered") != 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("provider_agent_registered still 1 5 s after etcd stopped (TTL 2 s)")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := readyz(t, a.admin); code != 200 {
		t.Errorf("provider agent with etcd away: /readyz %d %q, want 200", code, body)
	}
	c.restartEtcd(etcdDir)
	waitReady(t, "provider agent, etcd back", a.admin, 200, 15*time.Second)
	waitReady(t, "consumer agent", c.adminAddr, 200, time.Second)
	waitCounter(t, a.admin, "provider_agent_etcd_reachable", 0, 5*time.Second)
	log, _ = os.ReadFile(a.log)
	for _, want := range []string{`msg="etcd unreachable"`, `msg="etcd reachable again"`} {
		if !strings.Contains(string(log), want) {
			t.Errorf("provider agent's log lacks %q:\n%s", want, log)
		}
	}
}

// metricName finds the metric names in a PromQL expression.
var metricName = regexp.MustCompile(`\b(consumer_agent_[a-z0-9_]+|provider_agent_[a-z0-9_]+|go_[a-z0-9_]+|process_[a-z0-9_]+)\b`)

// TestDashboardMetricsExist: every metric docs/grafana-dashboard.json
// queries is in the agents' /metrics, and each admin endpoint's exposition
// passes Prometheus's parser with every family typed.
func TestDashboardMetricsExist(t *testing.T) {
	b, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	c := newCluster(t, "hessian2", 5*time.Millisecond, 1)
	c.waitRoutable()
	families := map[string]*dto.MetricFamily{}
	for _, admin := range []string{c.adminAddr, c.agents[0].admin} {
		resp, err := http.Get("http://" + admin + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		mfs, err := metrics.Check(text)
		if err != nil {
			t.Errorf("%s: %v", admin, err)
		}
		for name, mf := range mfs {
			families[name] = mf
		}
	}
	queried := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, tg := range p.Targets {
			for _, name := range metricName.FindAllString(tg.Expr, -1) {
				queried++
				family := name
				if base, ok := strings.CutSuffix(name, "_bucket"); ok && families[base].GetType() == dto.MetricType_HISTOGRAM {
					family = base
				}
				if families[family] == nil {
					t.Errorf("panel %q queries %s, which /metrics lacks", p.Title, name)
				}
			}
		}
	}
	if queried < 10 {
		t.Fatalf("only %d metrics queried: the dashboard did not parse as expected", queried)
	}
}
