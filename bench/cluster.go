package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/bench/load"
	"github.com/dubbomesh/dubbomesh/internal/freeport"
)

// moduleRoot returns the directory of the go.mod of the working directory.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("bench: not inside the dubbomesh module; run it from the repository")
	}
	return filepath.Dir(mod), nil
}

// The packages built for every run; etcdPkg only when no --etcd is given.
var (
	meshPkgs = []string{"./consumer-agent", "./provider-agent", "./bench/provider", "./bench/ideal"}
	etcdPkg  = "./registry/cmd/etcd"
)

// build compiles the components once into dir with one go build.
func build(root, dir string, withEtcd bool) error {
	pkgs := meshPkgs
	if withEtcd {
		pkgs = append(pkgs[:len(pkgs):len(pkgs)], etcdPkg)
	}
	cmd := exec.Command("go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, stderr.String())
	}
	return nil
}

// cluster is the running topology.
type cluster struct {
	sup        *supervisor
	bin        string
	etcd       []string // client endpoints, one per member
	etcdProcs  []*proc  // the members, in etcd's order; nil for an external etcd
	providers  [3]*proc
	provAddrs  [3]string
	provAdm    [3]string // the providers' control endpoints
	agents     [3]*proc
	agentAddrs [3]string
	agentAdm   [3]string
	consumer   *proc // the first consumer agent, the only one unless --consumers
	httpAddr   string
	consAdm    string
	// consumers, httpAddrs and consAdms hold every consumer agent
	// (--consumers), the first one included, in order.
	consumers []*proc
	httpAddrs []string
	consAdms  []string
	ideal     *proc
	idealAddr string
	etcdCut   *etcdCut // the provider agents' way to etcd with --faults; else nil
	tls       *tlsMesh // the mutual TLS mesh with --tls; else nil
}

// startCluster starts etcd (unless cfg.etcd names one), the providers, the
// ideal, the provider agents and the consumer agent, and waits until the
// mesh answers through all three provider agents.
func startCluster(ctx context.Context, cfg config, sup *supervisor, bin, dataDir string) (*cluster, error) {
	c := &cluster{sup: sup, bin: bin}
	exe := func(name string) string { return filepath.Join(bin, name) }
	const startWait = 15 * time.Second

	if cfg.etcd != "" {
		c.etcd = strings.Split(cfg.etcd, ",")
	} else {
		var err error
		if c.etcdProcs, c.etcd, err = startEtcd(ctx, sup, exe("etcd"), dataDir, max(cfg.etcdMembers, 1), startWait); err != nil {
			return nil, err
		}
	}
	etcd := strings.Join(c.etcd, ",")
	// With --faults the provider agents reach etcd through forwarders the
	// etcd-cut row can cut (etcdcut.go); the consumer agent directly.
	agentEtcd := etcd
	if cfg.faults {
		x, err := newEtcdCut(c.etcd)
		if err != nil {
			return nil, err
		}
		c.etcdCut, agentEtcd = x, x.Endpoints()
	}

	for i, pv := range providers {
		addr, err := freeport.Addr()
		if err != nil {
			return nil, err
		}
		adm, err := freeport.Addr()
		if err != nil {
			return nil, err
		}
		p, err := sup.start("provider-"+pv.name, exe("provider"), "--listen", addr, "--latency", cfg.latency.String(),
			"--threads", strconv.Itoa(cfg.threads()), "--capacity", strconv.Itoa(cfg.capacity(i)), "--name", pv.name,
			"--admin", adm)
		if err != nil {
			return nil, err
		}
		c.providers[i], c.provAddrs[i], c.provAdm[i] = p, addr, adm
	}
	var err error
	if c.idealAddr, err = freeport.Addr(); err != nil {
		return nil, err
	}
	if c.ideal, err = sup.start("ideal", exe("ideal"), "--listen", c.idealAddr, "--latency", cfg.latency.String()); err != nil {
		return nil, err
	}
	for i, p := range c.providers {
		if err := waitListening(c.provAddrs[i], p, startWait); err != nil {
			return nil, err
		}
	}
	if err := waitListening(c.idealAddr, c.ideal, startWait); err != nil {
		return nil, err
	}
	for i, pv := range providers {
		addr, err := freeport.Addr()
		if err != nil {
			return nil, err
		}
		adm, err := freeport.Addr()
		if err != nil {
			return nil, err
		}
		args := append([]string{"--listen", addr, "--advertise", addr,
			"--admin", adm, "--provider", c.provAddrs[i], "--etcd", agentEtcd, "--weight", strconv.Itoa(cfg.weights[i]),
			"--drain-timeout", "1s"}, serviceArgs(cfg.workload)...)
		args = append(args, cfg.agentArgs...)
		p, err := sup.startEnv(cfg.agentEnv, "provider-agent-"+pv.name, exe("provider-agent"), args...)
		if err != nil {
			return nil, err
		}
		c.agents[i], c.agentAddrs[i], c.agentAdm[i] = p, addr, adm
	}
	for i := range max(cfg.consumers, 1) {
		httpAddr, err := freeport.Addr()
		if err != nil {
			return nil, err
		}
		adm, err := freeport.Addr()
		if err != nil {
			return nil, err
		}
		name := "consumer-agent"
		if i > 0 {
			name += "-" + strconv.Itoa(i+1)
		}
		consArgs := append([]string{"--listen", httpAddr, "--admin", adm, "--etcd", etcd}, cfg.consumerArgs...)
		p, err := sup.startEnv(cfg.consumerEnv, name, exe("consumer-agent"), consArgs...)
		if err != nil {
			return nil, err
		}
		c.consumers, c.httpAddrs, c.consAdms = append(c.consumers, p), append(c.httpAddrs, httpAddr), append(c.consAdms, adm)
	}
	c.consumer, c.httpAddr, c.consAdm = c.consumers[0], c.httpAddrs[0], c.consAdms[0]
	for i, p := range c.agents {
		if err := waitListening(c.agentAdm[i], p, startWait); err != nil {
			return nil, err
		}
	}
	for i, p := range c.consumers {
		if err := waitListening(c.httpAddrs[i], p, startWait); err != nil {
			return nil, err
		}
	}
	for _, addr := range c.httpAddrs {
		if err := c.waitRoutable(ctx, addr, startWait); err != nil {
			return nil, err
		}
	}
	if cfg.tls && !cfg.faults && !cfg.overload {
		if c.tls, err = c.startTLSMesh(ctx, cfg, exe, etcd, dataDir, startWait); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// serviceArgs returns the provider agents' --service flags for a workload:
// none (the race's service, their default) for hash; the race's, which
// waitRoutable probes, and the UserService for the user workloads.
func serviceArgs(w load.Workload) []string {
	if w == load.Hash {
		return nil
	}
	return []string{"--service", load.Service, "--service", demo.Interface}
}

// waitRoutable calls the mesh through the consumer agent at httpAddr until
// every provider agent has served a call, which shows that consumer agent
// has discovered all three: each call goes to the next in the round robin,
// so a consumer agent that knows fewer sends all of them to those.
func (c *cluster) waitRoutable(ctx context.Context, httpAddr string, timeout time.Duration) error {
	return c.waitRoutableAt(ctx, httpAddr, c.agentAdm, timeout)
}

// waitRoutableAt is waitRoutable for a mesh whose provider agents' admin
// endpoints are agentAdm (the TLS mesh's, with --tls).
func (c *cluster) waitRoutableAt(ctx context.Context, httpAddr string, agentAdm [3]string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	// The calls each provider agent had served before: other consumer
	// agents' probes, made one consumer agent at a time, count there too.
	base := make([]float64, len(agentAdm))
	for i, adm := range agentAdm {
		if m, err := scrape(adm); err == nil {
			base[i] = m["provider_agent_requests_total"]
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.sup.check(); err != nil {
			return err
		}
		status, body, err := probe(httpAddr)
		switch {
		case err != nil:
			last = err.Error()
		case status != 200:
			last = fmt.Sprintf("status %d: %s", status, body)
		default:
			served := 0
			for i, adm := range agentAdm {
				if m, err := scrape(adm); err == nil && m["provider_agent_requests_total"] > base[i] {
					served++
				}
			}
			if served == len(agentAdm) {
				return nil
			}
			last = fmt.Sprintf("%d of %d provider agents served a call", served, len(agentAdm))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("bench: mesh not routable after %v: %s", timeout, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// meshProcs returns the mesh's processes in table order.
func (c *cluster) meshProcs() []*proc {
	ps := append([]*proc(nil), c.consumers...)
	ps = append(ps, c.agents[0], c.agents[1], c.agents[2], c.providers[0], c.providers[1], c.providers[2])
	ps = append(ps, c.etcdProcs...)
	return ps
}

// accountedMesh returns the mesh's processes in table order, each agent
// with its admin endpoint, and the provider agents' admin endpoints by
// provider name.
func (c *cluster) accountedMesh() ([]accounted, map[string]string) {
	adminOf := map[*proc]string{}
	for i, p := range c.consumers {
		adminOf[p] = c.consAdms[i]
	}
	admins := map[string]string{}
	for i, pv := range providers {
		adminOf[c.agents[i]] = c.agentAdm[i]
		admins[pv.name] = c.agentAdm[i]
	}
	var procs []accounted
	for _, p := range c.meshProcs() {
		procs = append(procs, accounted{name: p.name, pid: p.pid(), admin: adminOf[p]})
	}
	return procs, admins
}
