package main

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// sampleResults is a two-level run with curves, as phase builds them.
func sampleResults() *results {
	curve := func(base int64) []curvePoint {
		var c []curvePoint
		for i, p := range curvePercentiles {
			c = append(c, curvePoint{Percentile: p, Us: base + int64(i)*500})
		}
		return c
	}
	r := &results{Machine: machine{CPUModel: `AMD <EPYC> & "friends"`, Cores: 2},
		Settings: settings{LatencyMs: 50, Weights: [3]int{3, 5, 5}}}
	for _, n := range []int{256, 512} {
		r.Levels = append(r.Levels, level{Conns: n,
			Mesh: runStats{Target: "mesh", QPS: float64(n) * 18, Curve: curve(51000),
				LatencyUs: latencyUs{P50: 51000, P90: 51500, P99: 53000}},
			Ideal: runStats{Target: "ideal", QPS: float64(n) * 19.5, Curve: curve(50000),
				LatencyUs: latencyUs{P50: 50000, P90: 50200, P99: 52000}}})
	}
	return r
}

// decodeAll checks that s is well-formed XML and counts its elements by name.
func decodeAll(t *testing.T, s string) map[string]int {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	names := map[string]int{}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			names[se.Name.Local]++
		}
	}
}

func TestWriteSVGIsValidXML(t *testing.T) {
	var b strings.Builder
	noErr(t, writeSVG(&b, sampleResults()))
	names := decodeAll(t, b.String())
	eq(t, "svg roots", names["svg"], 1)
	// Two qps series, a latency curve per level and target, and the
	// three added-latency series.
	eq(t, "polylines", names["polyline"], 2+4+3)
	eq(t, "points", names["circle"], 4+3*2)
	if !strings.Contains(b.String(), "added p99, 512 conns: +1.00ms") {
		t.Fatal("added latency point missing")
	}
	if !strings.Contains(b.String(), "AMD &lt;EPYC&gt; &amp; &#34;friends&#34;") {
		t.Fatal("machine name not escaped")
	}
}

func TestWriteSVGWithoutData(t *testing.T) {
	var b strings.Builder
	noErr(t, writeSVG(&b, &results{}))
	decodeAll(t, b.String())
	var c strings.Builder
	r := sampleResults()
	r.Levels = r.Levels[:1]
	r.Levels[0].Mesh = runStats{Target: "mesh"} // nothing answered
	noErr(t, writeSVG(&c, r))
	decodeAll(t, c.String())
}

func TestNiceCeil(t *testing.T) {
	for _, c := range [][2]float64{{0, 1}, {1, 1}, {1.1, 1.2}, {3, 3}, {7, 8}, {9800, 10000}, {537.6, 600}, {0.25, 0.3}, {10353, 12000}} {
		eq(t, "niceCeil", niceCeil(c[0]), c[1])
	}
}
