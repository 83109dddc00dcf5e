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
// skipping comments, labelled samples and lines that do not parse.
func parseMetrics(b []byte) map[string]float64 {
	m := map[string]float64{}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		f := bytes.Fields(s.Bytes())
		if len(f) < 2 || len(f) > 3 || f[0][0] == '#' || bytes.ContainsAny(f[0], "{}") {
			continue
		}
		v, err := strconv.ParseFloat(string(f[1]), 64)
		if err != nil {
			continue
		}
		m[string(f[0])] = v
	}
	return m
}
