package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// WriteText writes every metric g gathers to w in the Prometheus text
// format, as /metrics serves it.
func WriteText(w io.Writer, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	return writeFamilies(w, mfs)
}

func writeFamilies(w io.Writer, mfs []*dto.MetricFamily) error {
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(w, mf); err != nil {
			return err
		}
	}
	return nil
}

// ErrMalformed is returned by Parse for text that is not the Prometheus
// text format.
var ErrMalformed = errors.New("metrics: malformed exposition")

// Parse reads an exposition in the Prometheus text format with
// Prometheus's own parser and returns its families by name. A family the
// text gives no # TYPE comes back untyped.
func Parse(r io.Reader) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return mfs, nil
}

// Value returns the sum over g's series of family name whose labels
// include every pair of labels (name, value, name, value, ...), and
// whether the family exists. A histogram's value is its count of
// observations. It reads the registry's current state; meant for tests
// and tools, not the request path.
func Value(g prometheus.Gatherer, name string, labels ...string) (float64, bool) {
	mfs, err := g.Gather()
	if err != nil {
		return 0, false
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return Sum(mf, labels...), true
		}
	}
	return 0, false
}

// Sum returns the sum of mf's samples whose labels include every pair of
// labels (name, value, ...). A histogram's or summary's sample is its
// count of observations.
func Sum(mf *dto.MetricFamily, labels ...string) float64 {
	var sum float64
	for _, m := range mf.GetMetric() {
		if !hasLabels(m, labels) {
			continue
		}
		sum += sample(m)
	}
	return sum
}

// sample returns m's value, whatever its type.
func sample(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	case m.Summary != nil:
		return float64(m.Summary.GetSampleCount())
	}
	return 0
}

// hasLabels reports whether m carries every pair of labels.
func hasLabels(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, lp := range m.GetLabel() {
			if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Label returns the value of m's label name, or "".
func Label(m *dto.Metric, name string) string {
	for _, lp := range m.GetLabel() {
		if lp.GetName() == name {
			return lp.GetValue()
		}
	}
	return ""
}

// Quantile estimates the q-quantile (0 <= q <= 1) of the observations in
// h as Prometheus's histogram_quantile does: it finds the bucket holding
// the rank and interpolates linearly within it, assuming the lowest
// bucket starts at 0. It returns NaN for an empty histogram and the
// highest finite bound when the rank falls in the +Inf bucket.
func Quantile(q float64, h *dto.Histogram) float64 {
	bs := append([]*dto.Bucket(nil), h.GetBucket()...)
	sort.Slice(bs, func(i, j int) bool { return bs[i].GetUpperBound() < bs[j].GetUpperBound() })
	total := float64(h.GetSampleCount())
	if total == 0 || len(bs) == 0 {
		return math.NaN()
	}
	rank := q * total
	lower, below := 0.0, 0.0
	for _, b := range bs {
		n := float64(b.GetCumulativeCount())
		if n >= rank && n > below {
			upper := b.GetUpperBound()
			if math.IsInf(upper, 1) {
				return lower
			}
			return lower + (upper-lower)*(rank-below)/(n-below)
		}
		lower, below = b.GetUpperBound(), n
	}
	return lower
}

// Merge returns the sum of histograms hs: their counts, sums and buckets
// added bound by bound. Histograms with other bounds than the first are
// added on the bounds they share.
func Merge(hs ...*dto.Histogram) *dto.Histogram {
	var out dto.Histogram
	var count uint64
	var sum float64
	var bounds []float64
	cum := map[float64]uint64{}
	for _, h := range hs {
		count += h.GetSampleCount()
		sum += h.GetSampleSum()
		for _, b := range h.GetBucket() {
			ub := b.GetUpperBound()
			if _, ok := cum[ub]; !ok {
				bounds = append(bounds, ub)
			}
			cum[ub] += b.GetCumulativeCount()
		}
	}
	sort.Float64s(bounds)
	for _, ub := range bounds {
		n := cum[ub]
		out.Bucket = append(out.Bucket, &dto.Bucket{UpperBound: &ub, CumulativeCount: &n})
	}
	out.SampleCount, out.SampleSum = &count, &sum
	return &out
}

// Check parses an exposition with Parse and returns an error unless every
// family in it has a # HELP and a # TYPE other than untyped, and every
// histogram's series has its buckets, up to +Inf. It is the contract the
// admin endpoints keep, for tests to hold them to.
func Check(text []byte) (map[string]*dto.MetricFamily, error) {
	mfs, err := Parse(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	var errs []error
	for name, mf := range mfs {
		if mf.GetType() == dto.MetricType_UNTYPED {
			errs = append(errs, fmt.Errorf("%s has no # TYPE", name))
		}
		if mf.GetHelp() == "" {
			errs = append(errs, fmt.Errorf("%s has no # HELP", name))
		}
		if mf.GetType() != dto.MetricType_HISTOGRAM {
			continue
		}
		for _, m := range mf.GetMetric() {
			bs := m.GetHistogram().GetBucket()
			// The parser keeps the +Inf bucket's count as the sample
			// count; the finite bounds must be there.
			if len(bs) == 0 || !bytes.Contains(text, []byte(name+`_bucket{`)) || !bytes.Contains(text, []byte(`le="+Inf"`)) {
				errs = append(errs, fmt.Errorf("%s has no buckets", name))
				break
			}
		}
	}
	return mfs, errors.Join(errs...)
}
