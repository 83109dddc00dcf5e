package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"

	dto "github.com/prometheus/client_model/go"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
)

// The agents' own view of a mesh phase: at the edges of the measured
// window the bench reads the consumer agent's and the provider agents'
// /metrics, and reports, beside its own figures, the calls the consumer
// agent sent each provider agent and the p99 of its latency histogram per
// provider agent, and each provider agent's p99 of the provider's time. A
// cross-check: the split should match the provider agents' own counts, and
// the consumer agent's p99 should sit near the load generator's, short of
// the client's side of the network.

// viewSpec says where a mesh phase's agents are: the consumer agent's admin
// endpoint, and each provider agent's admin endpoint and address by
// provider name.
type viewSpec struct {
	consumer   string
	agentAdmin map[string]string
	agentAddr  map[string]string
}

// meshViewSpec returns the viewSpec of c's mesh.
func (c *cluster) meshViewSpec() *viewSpec {
	v := &viewSpec{consumer: c.consAdm, agentAdmin: map[string]string{}, agentAddr: map[string]string{}}
	for i, pv := range providers {
		v.agentAdmin[pv.name], v.agentAddr[pv.name] = c.agentAdm[i], c.agentAddrs[i]
	}
	return v
}

// viewReading is one reading of every agent's metrics: the consumer
// agent's by family name, and each provider agent's by provider name. A
// reading that failed is missing.
type viewReading struct {
	consumer map[string]*dto.MetricFamily
	agents   map[string]map[string]*dto.MetricFamily
}

// read scrapes every agent at once; nil spec reads nothing.
func (v *viewSpec) read() *viewReading {
	if v == nil {
		return nil
	}
	r := &viewReading{agents: map[string]map[string]*dto.MetricFamily{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	get := func(admin string, put func(map[string]*dto.MetricFamily)) {
		defer wg.Done()
		resp, err := adminClient.Get("http://" + admin + "/metrics")
		if err != nil {
			return
		}
		defer resp.Body.Close()
		mfs, err := metrics.Parse(io.LimitReader(resp.Body, 8<<20))
		if err != nil {
			return
		}
		mu.Lock()
		put(mfs)
		mu.Unlock()
	}
	wg.Add(1 + len(v.agentAdmin))
	go get(v.consumer, func(m map[string]*dto.MetricFamily) { r.consumer = m })
	for name, adm := range v.agentAdmin {
		go get(adm, func(m map[string]*dto.MetricFamily) { r.agents[name] = m })
	}
	wg.Wait()
	return r
}

// agentView is the agents' own figures for one mesh phase, in the JSON.
type agentView struct {
	// Calls is what the consumer agent counted as sent to each provider
	// agent (consumer_agent_upstream_requests_total), by provider name.
	Calls map[string]int64 `json:"consumer_calls"`
	// P99Us is the p99 of consumer_agent_request_duration_seconds per
	// provider agent, and "all" over them, in microseconds (from the
	// histogram's buckets: within a bucket's width).
	P99Us map[string]int64 `json:"consumer_p99_us"`
	// ProviderP99Us is each provider agent's p99 of the provider's time
	// (provider_agent_provider_duration_seconds), in microseconds.
	ProviderP99Us map[string]int64 `json:"provider_p99_us,omitempty"`
}

// since returns the view of the window from before to after; nil when
// either reading of the consumer agent is missing.
func (v *viewSpec) since(before, after *viewReading) *agentView {
	if v == nil || before == nil || after == nil || before.consumer == nil || after.consumer == nil {
		return nil
	}
	av := &agentView{Calls: map[string]int64{}, P99Us: map[string]int64{}, ProviderP99Us: map[string]int64{}}
	var all []*dto.Histogram
	for name, addr := range v.agentAddr {
		calls := counterAt(after.consumer["consumer_agent_upstream_requests_total"], "agent", addr) -
			counterAt(before.consumer["consumer_agent_upstream_requests_total"], "agent", addr)
		av.Calls[name] = int64(calls)
		h := histogramDelta(histogramAt(before.consumer["consumer_agent_request_duration_seconds"], "agent", addr),
			histogramAt(after.consumer["consumer_agent_request_duration_seconds"], "agent", addr))
		if h != nil {
			all = append(all, h)
			av.P99Us[name] = p99Us(h)
		}
		if b, a := before.agents[name], after.agents[name]; b != nil && a != nil {
			if h := histogramDelta(histogramAt(b["provider_agent_provider_duration_seconds"]),
				histogramAt(a["provider_agent_provider_duration_seconds"])); h != nil {
				av.ProviderP99Us[name] = p99Us(h)
			}
		}
	}
	if len(all) > 0 {
		av.P99Us["all"] = p99Us(metrics.Merge(all...))
	}
	return av
}

// p99Us returns h's p99 in microseconds, -1 when h is empty.
func p99Us(h *dto.Histogram) int64 {
	q := metrics.Quantile(0.99, h)
	if math.IsNaN(q) {
		return -1
	}
	return int64(q * 1e6)
}

// counterAt returns the sum of mf's series with the label pair.
func counterAt(mf *dto.MetricFamily, labels ...string) float64 {
	if mf == nil {
		return 0
	}
	return metrics.Sum(mf, labels...)
}

// histogramAt returns the histogram of mf's first series with the label
// pairs, or nil.
func histogramAt(mf *dto.MetricFamily, labels ...string) *dto.Histogram {
	for _, m := range mf.GetMetric() {
		ok := true
		for i := 0; i+1 < len(labels); i += 2 {
			ok = ok && metrics.Label(m, labels[i]) == labels[i+1]
		}
		if ok && m.Histogram != nil {
			return m.Histogram
		}
	}
	return nil
}

// histogramDelta returns after less before, bucket by bucket (before may
// be nil: the series appeared in the window); nil without after.
func histogramDelta(before, after *dto.Histogram) *dto.Histogram {
	if after == nil {
		return nil
	}
	if before == nil {
		return after
	}
	was := map[float64]uint64{}
	for _, b := range before.GetBucket() {
		was[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	var out dto.Histogram
	for _, b := range after.GetBucket() {
		ub, n := b.GetUpperBound(), b.GetCumulativeCount()-was[b.GetUpperBound()]
		out.Bucket = append(out.Bucket, &dto.Bucket{UpperBound: &ub, CumulativeCount: &n})
	}
	count := after.GetSampleCount() - before.GetSampleCount()
	sum := after.GetSampleSum() - before.GetSampleSum()
	out.SampleCount, out.SampleSum = &count, &sum
	return &out
}

// writeAgentViews prints, per mesh phase, the agents' own split of the
// calls and their p99s beside the load generator's p99.
func writeAgentViews(w io.Writer, levels []level) {
	header := false
	for _, lv := range levels {
		av := lv.Mesh.AgentView
		if av == nil {
			continue
		}
		if !header {
			fmt.Fprintf(w, "\nThe agents' own /metrics in each mesh phase (calls the consumer agent sent each provider agent; p99 from the histograms, within a bucket):\n")
			header = true
		}
		var total int64
		for _, n := range av.Calls {
			total += n
		}
		names := make([]string, 0, len(av.Calls))
		for name := range av.Calls {
			names = append(names, name)
		}
		sort.Slice(names, func(i, j int) bool { return providerOrder(names[i]) < providerOrder(names[j]) })
		var parts []string
		for _, name := range names {
			n := av.Calls[name]
			part := fmt.Sprintf("%s %d (%.0f%%) p99 %s", name, n, 100*float64(n)/float64(max(total, 1)), usOrDash(av.P99Us[name]))
			if p, ok := av.ProviderP99Us[name]; ok {
				part += ", provider " + usOrDash(p)
			}
			parts = append(parts, part)
		}
		fmt.Fprintf(w, "%7d conns: consumer agent p99 %s (load generator %s); %s\n", lv.Conns,
			usOrDash(av.P99Us["all"]), us(lv.Mesh.LatencyUs.P99), strings.Join(parts, "; "))
	}
}

// providerOrder orders provider names as the providers table does.
func providerOrder(name string) int {
	for i, pv := range providers {
		if pv.name == name {
			return i
		}
	}
	return len(providers)
}

func usOrDash(v int64) string {
	if v < 0 {
		return "-"
	}
	return us(v)
}
