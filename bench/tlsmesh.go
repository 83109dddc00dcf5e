package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/internal/freeport"
)

// The mutual TLS mesh (--tls): a second consumer agent and three more
// provider agents, in front of the same providers and registered in the
// same etcd, whose links are mutual TLS 1.3 with a CA and certificates the
// bench makes for the run. Each mode's consumer agent dials only the
// provider agents registered in its mode ("tls":true or not), so the two
// meshes share etcd without mixing. At each level the TLS mesh is measured
// right after the plaintext one, so the two tables come from the same run
// on the same machine state.

// tlsTarget names the TLS mesh's phase in the tables.
const tlsTarget = "mesh-tls"

// tlsMesh is the TLS mesh's processes and addresses.
type tlsMesh struct {
	agents     [3]*proc
	agentAddrs [3]string
	agentAdm   [3]string
	consumer   *proc
	httpAddr   string
	consAdm    string
}

// makeCerts makes a CA and one certificate per agent, for 127.0.0.1, in
// dir, and returns the --tls-* flags of each: the provider agents' by
// index, then the consumer agent's.
func makeCerts(dir string) (agents [3][]string, consumer []string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return agents, nil, err
	}
	ca, err := certgen.NewCA("dubbomesh bench CA")
	if err != nil {
		return agents, nil, err
	}
	issue := func(name string) ([]string, error) {
		p, err := ca.IssueFiles(dir, name, certgen.Leaf{Name: name, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, DNS: []string{"localhost"}})
		if err != nil {
			return nil, err
		}
		return []string{"--tls-cert", p.Cert, "--tls-key", p.Key, "--tls-ca", p.CA}, nil
	}
	for i, pv := range providers {
		if agents[i], err = issue("provider-agent-" + pv.name); err != nil {
			return agents, nil, err
		}
	}
	consumer, err = issue("consumer-agent")
	return agents, consumer, err
}

// startTLSMesh starts the TLS mesh over c's providers and etcd and waits
// until it answers through all three of its provider agents.
func (c *cluster) startTLSMesh(ctx context.Context, cfg config, exe func(string) string, etcd, dataDir string, wait time.Duration) (*tlsMesh, error) {
	agentTLS, consTLS, err := makeCerts(filepath.Join(dataDir, "tls"))
	if err != nil {
		return nil, fmt.Errorf("bench: certificates: %w", err)
	}
	m := &tlsMesh{}
	for i, pv := range providers {
		if m.agentAddrs[i], err = freeport.Addr(); err != nil {
			return nil, err
		}
		if m.agentAdm[i], err = freeport.Addr(); err != nil {
			return nil, err
		}
		args := append([]string{"--listen", m.agentAddrs[i], "--advertise", m.agentAddrs[i],
			"--admin", m.agentAdm[i], "--provider", c.provAddrs[i], "--etcd", etcd, "--weight", strconv.Itoa(cfg.weights[i]),
			"--drain-timeout", "1s"}, serviceArgs(cfg.workload)...)
		args = append(append(append(args, agentTLS[i]...), cfg.agentArgs...), cfg.tlsArgs...)
		if m.agents[i], err = c.sup.startEnv(cfg.agentEnv, "provider-agent-tls-"+pv.name, exe("provider-agent"), args...); err != nil {
			return nil, err
		}
	}
	if m.httpAddr, err = freeport.Addr(); err != nil {
		return nil, err
	}
	if m.consAdm, err = freeport.Addr(); err != nil {
		return nil, err
	}
	args := append([]string{"--listen", m.httpAddr, "--admin", m.consAdm, "--etcd", etcd}, consTLS...)
	args = append(append(args, cfg.consumerArgs...), cfg.tlsArgs...)
	if m.consumer, err = c.sup.startEnv(cfg.consumerEnv, "consumer-agent-tls", exe("consumer-agent"), args...); err != nil {
		return nil, err
	}
	for i, p := range m.agents {
		if err := waitListening(m.agentAdm[i], p, wait); err != nil {
			return nil, err
		}
	}
	if err := waitListening(m.httpAddr, m.consumer, wait); err != nil {
		return nil, err
	}
	return m, c.waitRoutableAt(ctx, m.httpAddr, m.agentAdm, wait)
}

// accounted returns the TLS mesh's processes in table order (its agents,
// then the shared providers and etcd) and its provider agents' admin
// endpoints by provider name.
func (m *tlsMesh) accounted(c *cluster) ([]accounted, map[string]string) {
	procs := []accounted{{name: m.consumer.name, pid: m.consumer.pid(), admin: m.consAdm}}
	admins := map[string]string{}
	for i, pv := range providers {
		procs = append(procs, accounted{name: m.agents[i].name, pid: m.agents[i].pid(), admin: m.agentAdm[i]})
		admins[pv.name] = m.agentAdm[i]
	}
	for _, p := range append(c.providers[:], c.etcdProcs...) {
		procs = append(procs, accounted{name: p.name, pid: p.pid()})
	}
	return procs, admins
}

// viewSpec returns the TLS mesh's agents for the agent view.
func (m *tlsMesh) viewSpec() *viewSpec {
	v := &viewSpec{consumer: m.consAdm, agentAdmin: map[string]string{}, agentAddr: map[string]string{}}
	for i, pv := range providers {
		v.agentAdmin[pv.name], v.agentAddr[pv.name] = m.agentAdm[i], m.agentAddrs[i]
	}
	return v
}

// tlsRatios fills the level's TLS ratios from its phases.
func (lv *level) tlsRatios() {
	if lv.TLS == nil {
		return
	}
	if lv.Ideal.QPS > 0 {
		lv.TLSRatio = lv.TLS.QPS / lv.Ideal.QPS
	}
	if plain := agentsCPU(lv.Mesh); plain > 0 {
		lv.TLSCPURatio = agentsCPU(*lv.TLS) / plain
	}
}

// writeTLSSummary prints, for each level with a TLS phase, the TLS mesh
// against its targets: qps at least 0.95 of the ideal with no error, and
// the agents' CPU per call at most 1.15 times the plaintext mesh's.
func writeTLSSummary(w io.Writer, levels []level) {
	first := true
	for _, lv := range levels {
		if lv.TLS == nil {
			continue
		}
		if first {
			fmt.Fprintf(w, "\nMutual TLS mesh against the plaintext one (targets: qps/ideal >= 0.95 with 0 errors; agents' CPU per call <= 1.15x):\n")
			first = false
		}
		fmt.Fprintf(w, "%7d conns  qps/ideal %.3f (plaintext %.3f), errors %d; agents' CPU %.1f µs/req vs %.1f plaintext: %.2fx\n",
			lv.Conns, lv.TLSRatio, lv.QPSRatio, lv.TLS.Errors+lv.TLS.Wrong, agentsCPU(*lv.TLS), agentsCPU(lv.Mesh), lv.TLSCPURatio)
	}
}
