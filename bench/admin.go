package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// probe makes one race call with a fixed parameter on a fresh connection.
func probe(addr string) (int, string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return 0, "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(load.AppendRequest(nil, addr, []byte("probe"))); err != nil {
		return 0, "", err
	}
	r, err := load.NewResponseReader(c, 4096).Read()
	if err != nil {
		return 0, "", err
	}
	if load.Check(r.Status, r.Body, []byte("probe"), make([]byte, 0, 16)) == load.Wrong {
		return 0, "", fmt.Errorf("bench: probe answered %q, want String.hashCode", r.Body)
	}
	return r.Status, string(r.Body), nil
}

var adminClient = &http.Client{Timeout: 2 * time.Second}

// scrape reads the counters of an admin endpoint's /metrics.
func scrape(admin string) (map[string]float64, error) {
	resp, err := adminClient.Get("http://" + admin + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	return parseMetrics(b), nil
}

// parseMetrics reads "name value" samples from Prometheus text format,
// skipping comments and lines that do not parse. A labelled sample,
// name{k="v",...} value, is added to name and to name{k="v"} for each of
// its label pairs: consumer_agent_responses_total{code="503"} sums that
// code over the services.
func parseMetrics(b []byte) map[string]float64 {
	m := map[string]float64{}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		line := s.Bytes()
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, labels := line, []byte(nil)
		if i := bytes.IndexByte(line, '{'); i > 0 {
			j := bytes.LastIndexByte(line, '}')
			if j < i {
				continue
			}
			name, labels, line = line[:i], line[i+1:j], line[j+1:]
		}
		f := bytes.Fields(line)
		if labels != nil {
			f = append([][]byte{name}, f...)
		}
		if len(f) < 2 || len(f) > 3 || bytes.ContainsAny(f[0], "{}") {
			continue
		}
		v, err := strconv.ParseFloat(string(f[1]), 64)
		if err != nil {
			continue
		}
		if labels == nil {
			m[string(f[0])] = v
			continue
		}
		m[string(name)] += v
		for _, pair := range bytes.Split(labels, []byte(`",`)) {
			pair = bytes.TrimSuffix(pair, []byte(`"`))
			if k, val, ok := bytes.Cut(pair, []byte(`="`)); ok {
				m[string(name)+"{"+string(k)+`="`+string(val)+`"}`] += v
			}
		}
	}
	return m
}
