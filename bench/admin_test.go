package main

import "testing"

func TestParseMetrics(t *testing.T) {
	m := parseMetrics([]byte(`# HELP provider_agent_requests_total calls received
# TYPE provider_agent_requests_total counter
provider_agent_requests_total 1234
consumer_agent_inflight 3.5
labelled{a="b"} 7
garbage
bad_value x
`))
	eq(t, "requests", m["provider_agent_requests_total"], 1234.0)
	eq(t, "gauge", m["consumer_agent_inflight"], 3.5)
	eq(t, "labelled", m[`labelled{a="b"}`], 7.0)
	eq(t, "labelled sum", m["labelled"], 7.0)
	eq(t, "entries", len(m), 4)
	m = parseMetrics([]byte(`consumer_agent_responses_total{code="503",service="a"} 2
consumer_agent_responses_total{code="503",service="b"} 3
consumer_agent_responses_total{code="200",service="a"} 10
`))
	eq(t, "503s", m[`consumer_agent_responses_total{code="503"}`], 5.0)
	eq(t, "service a", m[`consumer_agent_responses_total{service="a"}`], 12.0)
}

func FuzzParseMetrics(f *testing.F) {
	f.Add([]byte("a 1\n# c\nb{x=\"y\"} 2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseMetrics(b)
	})
}
