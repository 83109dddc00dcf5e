package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/demo"
)

// TestHinReadsLibraryValues reads what dubbo-go-hessian2 writes, under
// Object, and writes it back the way Java would.
func TestHinReadsLibraryValues(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string // hout's bytes for what hin read
	}{
		{int32(-5), "\x8b"},
		{int64(1) << 40, "L\x00\x00\x01\x00\x00\x00\x00\x00"},
		{1.5, "\x5f\x00\x00\x05\xdc"},
		{"a\U0001F600", "\x03a\xed\xa0\xbd\xed\xb8\x80"},
		{time.UnixMilli(1_700_000_000_123), "\x4a\x00\x00\x01\x8b\xcf\xe5\x68\x7b"},
		{[]any{"x", int32(1)}, "\x7a\x01x\x91"},
		{[]int32{1, 2}, "\x72\x04[int\x91\x92"},
		{[]string{"a"}, "\x71\x07[string\x01a"},
		{map[string]any{"k": "v"}, "H\x01k\x01vZ"},
		{[]byte{7}, "\x21\x07"},
	} {
		b := hessianArgs(t, tc.v)
		d := hin{b: b}
		v, err := d.read(kObject)
		if err != nil || d.pos != len(b) {
			t.Fatalf("%T %v: %v at %d of %d", tc.v, tc.v, err, d.pos, len(b))
		}
		if got := encodeJava(v); string(got) != tc.want {
			t.Errorf("%T %v: read back as % x, want % x", tc.v, tc.v, got, []byte(tc.want))
		}
	}
}

// TestHinReadsDeclaredTypes covers readObject(declared class): POJOs from
// maps or objects of any class, enums and decimals from {name} and {value},
// dates only from dates, numbers converted.
func TestHinReadsDeclaredTypes(t *testing.T) {
	read := func(k kind, v any) (any, error) {
		b := hessianArgs(t, v)
		d := hin{b: b}
		return d.read(k)
	}
	u, err := read(kUser, map[string]any{"id": int32(3), "name": "n", "role": map[string]any{"name": "GUEST"},
		"address": map[string]any{"city": "c", "floor": int32(2)}, "extra": []any{1}})
	if err != nil {
		t.Fatal(err)
	}
	o := u.(*object)
	if o.fields[0] != int64(3) || o.fields[1] != "n" || o.fields[2] != roles[demo.Guest] ||
		o.fields[3].(*object).fields[1] != "c" || o.fields[3].(*object).fields[0] != nil || o.fields[4] != nil {
		t.Fatalf("read %v", o.fields)
	}
	if v, err := read(kLong, int32(7)); err != nil || v != int64(7) {
		t.Fatalf("an int as a long: %v, %v", v, err)
	}
	if v, err := read(kLong, nil); err != nil || v != int64(0) {
		t.Fatalf("null as a long: %v, %v", v, err)
	}
	if v, err := read(kString, int64(12)); err != nil || v != "12" {
		t.Fatalf("a long as a String: %v, %v", v, err)
	}
	if v, err := read(kIntArray, []any{int64(1), int32(2)}); err != nil || len(v.(*list).elems) != 2 || v.(*list).typ != "[int" {
		t.Fatalf("a list as an int[]: %v, %v", v, err)
	}
	if v, err := read(kDecimal, map[string]any{"value": "-1.50"}); err != nil || v.(*object).fields[0] != "-1.50" {
		t.Fatalf("a decimal: %v, %v", v, err)
	}
	if v, err := read(kList, []string{"a"}); err != nil || v.(*list).typ != "" {
		t.Fatalf("a String[] as a List is an ArrayList: %v, %v", v, err)
	}
	for _, bad := range []struct {
		k    kind
		v    any
		want string
	}{
		{kRole, "ADMIN", "expected com.dubbomesh.demo.Role"},
		{kRole, map[string]any{"name": "X"}, "no enum constant com.dubbomesh.demo.Role.X"},
		{kRole, map[string]any{}, "no enum constant"},
		{kDate, int64(1), "expected date"},
		{kDate, "2026-12-05T08:00:00Z", "expected date"},
		{kDecimal, "1.10", "expected java.math.BigDecimal"},
		{kDecimal, map[string]any{"value": 1.1}, "expected string"},
		{kDecimal, map[string]any{"value": "1e"}, "is not a number"},
		{kUser, []any{1}, "expected com.dubbomesh.demo.User"},
		{kMap, []any{1}, "expected map"},
		{kList, map[string]any{}, "expected list"},
		{kLong, "1", "expected long"},
		{kString, 1.5, "expected string"},
	} {
		if _, err := read(bad.k, bad.v); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("kind %d, %#v: error %v, want %q", bad.k, bad.v, err, bad.want)
		}
	}
}

// TestHinRefusesBadBytes feeds malformed and hostile values: each is an
// error, never a panic or a large allocation.
func TestHinRefusesBadBytes(t *testing.T) {
	deep := strings.Repeat("\x79", maxDepth+1) + "N"
	for _, tc := range []struct {
		what, b, want string
	}{
		{"empty", "", "truncated"},
		{"truncated string", "\x05ab", "truncated"},
		{"truncated long", "L\x00\x01", "truncated"},
		{"four-byte utf-8", "\x02\xf0\x9f\x98\x80", "bad utf-8 encoding 0xf0"},
		{"continuation as lead", "\x01\x80", "bad utf-8 encoding 0x80"},
		{"huge list", "X\x49\x7f\xff\xff\xff", "exceeds the bytes left"},
		{"huge class", "C\x01a\x49\x7f\xff\xff\xffZ", "exceeds the bytes left"},
		{"negative count", "X\x8f", "exceeds the bytes left"},
		{"object without class", "\x60", "class reference 0 out of range"},
		{"ref out of range", "Q\x90", "reference 0 out of range"},
		{"type ref out of range", "\x71\x95N", "type reference 5 out of range"},
		{"unterminated map", "H\x01a\x01b", "truncated"},
		{"reserved tag", "\x40", "unexpected tag 0x40"},
		{"too deep", deep, "nested more than 64 deep"},
		{"chunk then no string", "R\x00\x01aN", "expected string"},
	} {
		d := hin{b: []byte(tc.b)}
		if _, err := d.read(kObject); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.what, err, tc.want)
		}
	}
}

// TestHinStrings joins chunks and surrogate pairs, and replaces a lone
// surrogate; Java's two-byte NUL reads as NUL.
func TestHinStrings(t *testing.T) {
	for _, tc := range []struct{ b, want string }{
		{"R\x00\x02ab\x01c", "abc"},
		{"R\x00\x01\xed\xa0\xbd\x01\xed\xb8\x80", "\U0001F600"}, // a pair split across chunks
		{"\x01\xed\xa0\xbd", "\uFFFD"},
		{"\x02\xed\xb8\x80a", "\uFFFDa"},
		{"\x02\xed\xa0\xbda", "\uFFFDa"},
		{"\x01\xc0\x80", "\x00"},
		{"\x30\x20" + strings.Repeat("x", 32), strings.Repeat("x", 32)},
		{"S\x00\x01\xe4\xb8\x96", "\u4e16"},
	} {
		d := hin{b: []byte(tc.b)}
		got, err := d.str()
		if err != nil || got != tc.want || d.pos != len(tc.b) {
			t.Errorf("% x: %q, %v; want %q", tc.b, got, err, tc.want)
		}
	}
}

// TestHinRawStringAllocatesNothing reads a request's header names.
func TestHinRawStringAllocatesNothing(t *testing.T) {
	b := hessianArgs(t, "2.0.2", demo.Interface, "getUser", "J")
	if n := testing.AllocsPerRun(100, func() {
		d := hin{b: b}
		for range 4 {
			if _, err := d.rawString(); err != nil {
				t.Fatal(err)
			}
		}
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
