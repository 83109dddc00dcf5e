package load

import (
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"testing"
)

func TestCheck(t *testing.T) {
	scratch := make([]byte, 0, 16)
	param := []byte("hello")
	for _, c := range []struct {
		status int
		body   string
		want   Outcome
	}{
		{200, "99162322", Correct},
		{200, "99162323", Wrong},
		{200, "99162322\n", Wrong},
		{200, "", Wrong},
		{200, "+99162322", Wrong},
		{502, "99162322", Failed},
		{503, "error: no provider", Failed},
		{0, "", Failed},
	} {
		eq(t, c.body, Check(c.status, []byte(c.body), param, scratch), c.want)
	}
	// Negative hashes render with a sign.
	neg := []byte("The quick brown fox jumps over the lazy dog!")
	h := javahash.String(neg)
	if h >= 0 {
		t.Fatalf("want a negative sample hash, got %d", h)
	}
	eq(t, "negative", Check(200, []byte(itoa(h)), neg, scratch), Correct)
}

func itoa(v int32) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

func BenchmarkCheck(b *testing.B) {
	param := NewParams(1).Append(nil)
	body := []byte(itoa(javahash.String(param)))
	scratch := make([]byte, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		if Check(200, body, param, scratch) != Correct {
			b.Fatal("not correct")
		}
	}
}
