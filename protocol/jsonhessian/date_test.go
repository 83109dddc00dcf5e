package jsonhessian

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	good := []string{
		"1970-01-01T00:00:00Z", "2026-12-05T08:00:00.123Z", "2026-12-05T08:00:00.1Z", "2026-12-05T08:00:00.123456789Z",
		"2026-12-05T08:00:00.9999999999999Z", "2026-12-05T16:00:00+08:00", "2026-12-05T02:30:00-05:30",
		"2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "1600-03-01T00:00:00Z", "0001-01-01T00:00:00Z",
		"0000-03-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.9991Z",
		"2026-01-01t00:00:00z", "2026-01-01 00:00:00Z", "2026-06-30T12:00:00+23:59",
	}
	for _, s := range good {
		got, ok := parseDate([]byte(s))
		want := expectDate(s)
		if !ok || dateMs(got) != want {
			t.Errorf("parseDate(%q) = %d, %v; want %v", s, got, ok, want)
		}
	}
	for _, ms := range []string{"0", "-1", "1796457600123", "-9223372036854775808", "9223372036854775807"} {
		got, ok := parseDate([]byte(ms))
		if !ok || dateMs(got) != expectDate(ms) {
			t.Errorf("parseDate(%q) = %d, %v", ms, got, ok)
		}
	}
	bad := []string{
		"", "x", "+1", "1.5", "9223372036854775808", "2026-12-05", "2026-12-05T08:00:00", "2026-12-05T08:00Z",
		"2026-13-05T08:00:00Z", "2026-00-05T08:00:00Z", "2026-12-32T08:00:00Z", "2026-02-29T08:00:00Z", "1900-02-29T00:00:00Z",
		"2026-12-05T24:00:00Z", "2026-12-05T08:60:00Z", "2026-12-05T08:00:60Z", "2026-12-05T08:00:00.Z",
		"2026-12-05T08:00:00+0800", "2026-12-05T08:00:00+24:00", "2026-12-05T08:00:00+08:60", "2026-12-05X08:00:00Z",
		"2026-12-05T08:00:00ZZ", "20a6-12-05T08:00:00Z", "2026-12-05T08:00:00.12a3Z", "-026-12-05T08:00:00Z",
	}
	for _, s := range bad {
		if ms, ok := parseDate([]byte(s)); ok {
			t.Errorf("parseDate(%q) = %d, want an error", s, ms)
		}
	}
}

func TestDaysFromCivil(t *testing.T) {
	for y := -400; y <= 2400; y += 7 {
		for m := 1; m <= 12; m++ {
			want := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
			if got := daysFromCivil(y, m, 1); got != want {
				t.Fatalf("daysFromCivil(%d, %d, 1) = %d, want %d", y, m, got, want)
			}
		}
	}
}
