package main

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Chart geometry: two panels side by side, and the added latency panel
// below the first.
const (
	svgW, svgH    = 1080, 800
	addedTop      = 440
	panelW        = 440
	panelH        = 300
	panelTop      = 60
	leftX, rightX = 80, 600
)

// levelColors tells connection counts apart in the latency panel.
var levelColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}

// writeSVGFile writes the chart of r to path.
func writeSVGFile(path string, r *results) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeSVG(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeSVG draws two views of r: qps against connections for the mesh and
// the ideal, and each level's latency percentile curve (mesh solid, ideal
// dashed) on a log scale of 1/(1-percentile).
func writeSVG(w io.Writer, r *results) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">
<rect width="100%%" height="100%%" fill="white"/>
`, svgW, svgH, svgW, svgH)
	s := r.Settings
	fmt.Fprintf(b, `<text x="%d" y="24" font-size="15">%s</text>
`, leftX, esc(fmt.Sprintf("dubbomesh bench: %s, %d cores; latency %gms, weights %d:%d:%d",
		r.Machine.CPUModel, r.Machine.Cores, s.LatencyMs, s.Weights[0], s.Weights[1], s.Weights[2])))
	qpsPanel(b, r)
	latencyPanel(b, r)
	addedPanel(b, r)
	fmt.Fprintln(b, "</svg>")
	return b.Flush()
}

func qpsPanel(b *bufio.Writer, r *results) {
	x0, y0 := float64(leftX), float64(panelTop+panelH)
	maxConns, maxQPS := 1.0, 1.0
	for _, lv := range r.Levels {
		maxConns = math.Max(maxConns, float64(lv.Conns))
		maxQPS = math.Max(maxQPS, math.Max(lv.Mesh.QPS, lv.Ideal.QPS))
	}
	maxConns, maxQPS = niceCeil(maxConns*1.05), niceCeil(maxQPS*1.05)
	px := func(c float64) float64 { return x0 + c/maxConns*panelW }
	py := func(q float64) float64 { return y0 - q/maxQPS*panelH }
	axes(b, x0, y0, panelTop, "connections", "qps (correct answers/s)", "throughput")
	for i := 0; i <= 4; i++ {
		c, q := maxConns*float64(i)/4, maxQPS*float64(i)/4
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%g</text>
<text x="%.1f" y="%.1f" text-anchor="end">%g</text>
<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>
`, px(c), y0+16, c, x0-6, py(q)+4, q, x0, py(q), x0+panelW, py(q))
	}
	series := []struct {
		name, color, dash string
		qps               func(level) float64
	}{
		{"ideal", "#7f7f7f", "6,4", func(l level) float64 { return l.Ideal.QPS }},
		{"mesh", "#1f77b4", "", func(l level) float64 { return l.Mesh.QPS }},
	}
	for k, sr := range series {
		pts := ""
		for _, lv := range r.Levels {
			pts += fmt.Sprintf("%.1f,%.1f ", px(float64(lv.Conns)), py(sr.qps(lv)))
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s"/>
`, pts, sr.color, sr.dash)
		for _, lv := range r.Levels {
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>
`, px(float64(lv.Conns)), py(sr.qps(lv)), sr.color, esc(fmt.Sprintf("%s, %d conns: %.1f qps", sr.name, lv.Conns, sr.qps(lv))))
		}
		legend(b, x0+12, float64(panelTop+14+18*k), sr.color, sr.dash, sr.name)
	}
}

func latencyPanel(b *bufio.Writer, r *results) {
	x0, y0 := float64(rightX), float64(panelTop+panelH)
	const maxNines = 5 // 99.999%
	maxUs := 1.0
	for _, lv := range r.Levels {
		for _, rn := range []runStats{lv.Mesh, lv.Ideal} {
			for _, p := range rn.Curve {
				if p.Percentile <= 99.999 {
					maxUs = math.Max(maxUs, float64(p.Us))
				}
			}
		}
	}
	maxMs := niceCeil(maxUs / 1e3 * 1.05)
	px := func(pct float64) float64 {
		n := -math.Log10(math.Max(1-pct/100, math.Pow(10, -maxNines)))
		return x0 + n/maxNines*panelW
	}
	py := func(us int64) float64 { return y0 - float64(us)/1e3/maxMs*panelH }
	axes(b, x0, y0, panelTop, "percentile", "latency (ms)", "latency distribution")
	for i, label := range []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"} {
		x := x0 + float64(i)/maxNines*panelW
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>
<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>
`, x, y0+16, label, x, y0, x, float64(panelTop))
	}
	for i := 0; i <= 4; i++ {
		ms := maxMs * float64(i) / 4
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%g</text>
`, x0-6, y0-float64(i)/4*panelH+4, ms)
	}
	k := 0
	for i, lv := range r.Levels {
		color := levelColors[i%len(levelColors)]
		for _, rn := range []runStats{lv.Mesh, lv.Ideal} {
			dash := ""
			if rn.Target == "ideal" {
				dash = "6,4"
			}
			pts := ""
			for _, p := range rn.Curve {
				if p.Percentile <= 99.999 {
					pts += fmt.Sprintf("%.1f,%.1f ", px(p.Percentile), py(p.Us))
				}
			}
			if pts == "" {
				continue
			}
			fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s"/>
`, pts, color, dash)
			legend(b, x0+12, float64(panelTop+14+18*k), color, dash, fmt.Sprintf("%s, %d conns", rn.Target, lv.Conns))
			k++
		}
	}
}

// addedPanel draws the mesh's added latency (mesh minus ideal) at p50, p90
// and p99 against connections, with a zero line; the y axis spans the
// smallest and largest difference.
func addedPanel(b *bufio.Writer, r *results) {
	top := float64(addedTop)
	x0, y0 := float64(leftX), top+panelH
	maxConns, lo, hi := 1.0, 0.0, 0.1
	for _, lv := range r.Levels {
		maxConns = math.Max(maxConns, float64(lv.Conns))
		a := added(lv)
		for _, v := range []int64{a.P50, a.P90, a.P99} {
			lo, hi = math.Min(lo, float64(v)/1e3), math.Max(hi, float64(v)/1e3)
		}
	}
	maxConns, hi = niceCeil(maxConns*1.05), niceCeil(hi*1.05)
	if lo < 0 {
		lo = -niceCeil(-lo * 1.05)
	}
	px := func(c float64) float64 { return x0 + c/maxConns*panelW }
	py := func(ms float64) float64 { return y0 - (ms-lo)/(hi-lo)*panelH }
	axes(b, x0, y0, addedTop, "connections", "added latency (ms)", "added latency: mesh minus ideal")
	for i := 0; i <= 4; i++ {
		c, ms := maxConns*float64(i)/4, lo+(hi-lo)*float64(i)/4
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%g</text>
<text x="%.1f" y="%.1f" text-anchor="end">%.3g</text>
<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>
`, px(c), y0+16, c, x0-6, py(ms)+4, ms, x0, py(ms), x0+panelW, py(ms))
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333" stroke-dasharray="2,2"/>
`, x0, py(0), x0+panelW, py(0))
	series := []struct {
		name, color string
		us          func(latencyUs) int64
	}{
		{"p50", "#1f77b4", func(l latencyUs) int64 { return l.P50 }},
		{"p90", "#ff7f0e", func(l latencyUs) int64 { return l.P90 }},
		{"p99", "#d62728", func(l latencyUs) int64 { return l.P99 }},
	}
	for k, sr := range series {
		if len(r.Levels) == 0 {
			break
		}
		pts := ""
		for _, lv := range r.Levels {
			pts += fmt.Sprintf("%.1f,%.1f ", px(float64(lv.Conns)), py(float64(sr.us(added(lv)))/1e3))
		}
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>
`, pts, sr.color)
		for _, lv := range r.Levels {
			v := sr.us(added(lv))
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>
`, px(float64(lv.Conns)), py(float64(v)/1e3), sr.color, esc(fmt.Sprintf("added %s, %d conns: %s", sr.name, lv.Conns, signedUs(v))))
		}
		legend(b, x0+12, top+14+18*float64(k), sr.color, "", "added "+sr.name)
	}
}

// axes draws a panel's frame, axis labels and title; top is the frame's
// top edge.
func axes(b *bufio.Writer, x0, y0, top float64, xlabel, ylabel, title string) {
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="none" stroke="#333"/>
<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>
<text x="%.1f" y="%.1f" text-anchor="middle" transform="rotate(-90 %.1f %.1f)">%s</text>
<text x="%.1f" y="%.1f" text-anchor="middle" font-size="13">%s</text>
`, x0, top, panelW, panelH, x0+panelW/2, y0+36, esc(xlabel),
		x0-48, y0-panelH/2, x0-48, y0-panelH/2, esc(ylabel), x0+panelW/2, top-8, esc(title))
}

func legend(b *bufio.Writer, x, y float64, color, dash, label string) {
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="%s"/>
<text x="%.1f" y="%.1f">%s</text>
`, x, y, x+24, y, color, dash, x+30, y+4, esc(label))
}

// niceCeil rounds v up to a round axis maximum: 1, 1.2, 1.6, 2, 2.4, 3, 4,
// 5, 6 or 8 times a power of ten, each of which divides into four ticks
// with few digits.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	e := math.Floor(math.Log10(v))
	// Scale by dividing for negative exponents so that 0.3 comes out as
	// the literal 0.3, not 3*0.1.
	scale := func(m float64) float64 {
		if e < 0 {
			return m / math.Pow(10, -e)
		}
		return m * math.Pow(10, e)
	}
	for _, m := range []float64{1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10} {
		if v <= scale(m) {
			return scale(m)
		}
	}
	return scale(10)
}

func esc(s string) string { return html.EscapeString(s) }
