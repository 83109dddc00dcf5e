package hessianjson

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// wantDate formats ms as appendDate should, with the time package.
func wantDate(ms int64) string {
	t := time.UnixMilli(ms).UTC()
	y := t.Year()
	var year string
	switch {
	case y >= 0 && y <= 9999:
		year = fmt.Sprintf("%04d", y)
	case y < 0:
		year = fmt.Sprintf("-%06d", -y)
	default:
		year = fmt.Sprintf("+%06d", y)
	}
	return fmt.Sprintf(`"%s-%02d-%02dT%02d:%02d:%02d.%03dZ"`, year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6)
}

func TestAppendDateMatchesTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := []int64{0, -1, 1, 86399999, 86400000, -86400000, -86400001, 951782400000, 951868800000, // 2000-02-29, 03-01
		-62135596800000, -62135596800001, 253402300799999, 253402300800000, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for range 20000 {
		values = append(values, rng.Int64N(2*253402300800000)-253402300800000, int64(rng.Uint64()))
	}
	for _, ms := range values {
		if got, want := string(appendDate(nil, ms)), wantDate(ms); got != want {
			t.Fatalf("%d: got %s, want %s", ms, got, want)
		}
	}
	// Within RFC 3339's years, the time package parses it back.
	for _, ms := range values[:200] {
		s := string(appendDate(nil, ms))
		if tm, err := time.Parse(time.RFC3339Nano, s[1:len(s)-1]); err == nil && tm.UnixMilli() != ms {
			t.Fatalf("%d: %s parses back as %d", ms, s, tm.UnixMilli())
		}
	}
}
