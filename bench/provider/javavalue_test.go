package main

import (
	"fmt"
	"math"
	"math/big"
	"testing"
)

// TestDecimals checks new BigDecimal(text), add and toString against what
// Java 17 prints.
func TestDecimals(t *testing.T) {
	for _, tc := range []struct{ a, b, sum string }{
		{"1.10", "2.205", "3.305"},
		{"1E+3", "1", "1001"},
		{"-0.000123", "0.0000001", "-0.0001229"},
		{"0.00000012", "0", "1.2E-7"},
		{"1E-10", "0E-10", "1E-10"},
		{"1.23E+5", "0E+3", "1.23E+5"},
		{"+5", "-5", "0"},
		{".5", "1.", "1.5"},
		{"0.00", "0", "0.00"},
		{"123456789012345678901234567890", "0.1", "123456789012345678901234567890.1"},
		{"-1e2", "0e2", "-1E+2"},
	} {
		got, err := addDecimals(tc.a, tc.b)
		if err != nil || got != tc.sum {
			t.Errorf("%s + %s = %s, %v; want %s", tc.a, tc.b, got, err, tc.sum)
		}
	}
	for _, bad := range []string{"", ".", "1.2.3", "1e", "e5", "1e+", "abc", "1,0", "Infinity", "NaN", "1e9999999999", "--1"} {
		if _, _, err := parseDecimal(bad); err == nil {
			t.Errorf("parseDecimal(%q) accepted", bad)
		}
	}
	if got := formatDecimal(big.NewInt(-5), 8); got != "-5E-8" {
		t.Errorf("formatDecimal(-5, 8) = %s", got)
	}
}

// TestHashMapOrder checks Java's HashMap iteration order: by bucket of the
// spread hash, colliding keys in insertion order, the table doubled past
// three quarters full.
func TestHashMapOrder(t *testing.T) {
	m := &hmap{}
	for _, k := range []int32{17, 1, 33, 2, -1} {
		m.put(k, k)
	}
	m.put(int32(1), "again") // keeps its place
	sortHashMap(m)
	// Java prints [-1, 17, 1, 33, 2]: -1 spreads to 0xffff0000, bucket 0.
	want := []any{int32(-1), int32(17), int32(1), int32(33), int32(2)}
	for i := range want {
		if m.keys[i] != want[i] {
			t.Fatalf("order %v, want %v", m.keys, want)
		}
	}
	if m.get(int32(1)) != "again" || m.get(int64(1)) != nil {
		t.Fatal("put or get compares keys wrongly")
	}
	// Thirteen keys need a table of 32, where 17 no longer shares bucket 1
	// with 1: Java prints [0, 2, 4, 6, 8, 10, 12, 17, 19, 21, 23, 25, 27].
	m = &hmap{}
	for k := int32(0); k < 13; k++ {
		m.put(k+16*(k%2), nil)
	}
	sortHashMap(m)
	if m.keys[0] != int32(0) || m.keys[7] != int32(17) || m.keys[len(m.keys)-1] != int32(27) {
		t.Fatalf("order %v", m.keys)
	}
}

// TestHashMapIndex: past indexFrom keys an index finds them, with the same
// equality as the search below it, through sortHashMap's reordering.
func TestHashMapIndex(t *testing.T) {
	m := &hmap{}
	b1, b2 := []byte{1}, []byte{1}
	nan := math.NaN()
	keys := []any{b1, nan, date(5), int64(5), "5", nil, true, int32(5), 0.5}
	for i := range 3 * indexFrom {
		keys = append(keys, fmt.Sprint("k", i))
	}
	for i, k := range keys {
		m.put(k, i)
	}
	for i, k := range keys { // again: each keeps its place
		m.put(k, -i)
	}
	m.put(b2, "other bytes") // equal only to itself
	sortHashMap(m)
	if len(m.keys) != len(keys)+1 {
		t.Fatalf("%d keys, want %d", len(m.keys), len(keys)+1)
	}
	for i, k := range keys {
		if got := m.get(k); got != -i {
			t.Errorf("get(%#v) = %v, want %d", k, got, -i)
		}
	}
	if m.get(b2) != "other bytes" || m.get(int64(0)) != nil || m.get(math.Float64frombits(math.Float64bits(nan))) != -1 {
		t.Error("get compares keys wrongly past the index")
	}
}

// BenchmarkHashMapPut reads a map of 20,000 keys, as a caller's large map
// argument makes the provider read one.
func BenchmarkHashMapPut(b *testing.B) {
	keys := make([]any, 20000)
	for i := range keys {
		keys[i] = fmt.Sprint("k", i)
	}
	for b.Loop() {
		m := &hmap{}
		for _, k := range keys {
			m.put(k, k)
		}
	}
}

func TestJavaHashCode(t *testing.T) {
	for _, tc := range []struct {
		k    any
		want int32
	}{
		{"math", 3344136}, {"", 0}, {int32(-7), -7}, {int64(1) << 32, 1}, {int64(-1), 0},
		{true, 1231}, {false, 1237}, {nil, 0}, {date(1_700_000_000_000), -807048821},
		{1.5, 1073217536},
	} {
		if got := javaHashCode(tc.k); got != tc.want {
			t.Errorf("hashCode(%T %v) = %d, want %d", tc.k, tc.k, got, tc.want)
		}
	}
}
