package dubbo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Outputs of Java's Double.toString (JDK 19+).
var decJavaDoubles = []struct {
	f    float64
	want string
}{
	{1.0, "1.0"},
	{0.1, "0.1"},
	{100.0, "100.0"},
	{1.0e7, "1.0E7"},
	{1.2345678e7, "1.2345678E7"},
	{1.0e-3, "0.001"},
	{1.0e-4, "1.0E-4"},
	{1.0e-5, "1.0E-5"},
	{math.Copysign(0, -1), "-0.0"},
	{0, "0.0"},
	{math.NaN(), "NaN"},
	{math.Inf(1), "Infinity"},
	{math.Inf(-1), "-Infinity"},
	{4.9e-324, "4.9E-324"},
	{math.MaxFloat64, "1.7976931348623157E308"},
	{2.2250738585072014e-308, "2.2250738585072014E-308"},
	{1.5e10, "1.5E10"},
	{-1.5, "-1.5"},
	{1234567.0, "1234567.0"},
	{9999999.0, "9999999.0"},
	{123.456, "123.456"},
	{0.3, "0.3"},
	{1.0 / 3, "0.3333333333333333"},
	{2.0 / 3, "0.6666666666666666"},
	{1e23, "1.0E23"},
	{2e23, "2.0E23"},
	{9.223372036854776e18, "9.223372036854776E18"},
	{0.00123, "0.00123"},
	{-0.000999, "-9.99E-4"},
	{100.5, "100.5"},
	{1e21, "1.0E21"},
	{12345678.9, "1.23456789E7"},
}

func TestJavaDouble(t *testing.T) {
	for _, c := range decJavaDoubles {
		if got := string(decAppendJavaDouble(nil, c.f)); got != c.want {
			t.Errorf("decAppendJavaDouble(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// TestJavaDoubleRoundTrip checks, over random bit patterns and subnormals,
// that every rendering parses back to the same double and has Java's shape.
func TestJavaDoubleRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50000; i++ {
		var f float64
		if i%4 == 0 {
			f = math.Float64frombits(r.Uint64N(1 << 20)) // subnormals: few digits
		} else {
			f = math.Float64frombits(r.Uint64())
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		s := string(decAppendJavaDouble(nil, f))
		g, err := strconv.ParseFloat(s, 64)
		if err != nil || g != f {
			t.Fatalf("%v rendered %q, parses back as %v (%v)", f, s, g, err)
		}
		if !strings.Contains(s, ".") {
			t.Fatalf("%v rendered %q, without a point", f, s)
		}
		if i := strings.IndexByte(s, 'E'); i >= 0 && (s[i-1] == '.' || strings.HasPrefix(s[i+1:], "+")) {
			t.Fatalf("%v rendered %q, not Java's form", f, s)
		}
	}
}
