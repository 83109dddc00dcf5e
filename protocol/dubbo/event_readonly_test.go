package dubbo

import (
	"bytes"
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"
)

func TestReadOnlyEvent(t *testing.T) {
	for _, s := range []Serialization{Hessian2, FastJSON} {
		b := make([]byte, ReadOnlySize(s))
		if n := PutReadOnly(b, 7, s); n != len(b) {
			t.Fatalf("%v: wrote %d of %d bytes", s, n, len(b))
		}
		h, body, n, err := Next(b)
		if err != nil || n != len(b) {
			t.Fatalf("%v: Next: %v (%d bytes)", s, err, n)
		}
		if !h.IsRequest() || !h.IsEvent() || h.IsTwoWay() || h.Serialization() != s || h.ID != 7 {
			t.Fatalf("%v: header %+v, want a one-way event request", s, h)
		}
		if !IsReadOnly(h, body) {
			t.Fatalf("%v: its own read-only event is not one: %q", s, body)
		}
	}
}

// Dubbo writes the event's data with Hessian2Output.writeObject("R").
func TestReadOnlyMatchesHessian(t *testing.T) {
	e := hessian.NewEncoder()
	if err := e.Encode(ReadOnlyData); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, ReadOnlySize(Hessian2))
	PutReadOnly(b, 1, Hessian2)
	if !bytes.Equal(b[HeaderSize:], e.Buffer()) {
		t.Fatalf("body %x, hessian2 writes %x", b[HeaderSize:], e.Buffer())
	}
}

func TestIsReadOnly(t *testing.T) {
	ev := Header{Flag: FlagRequest | FlagEvent | byte(Hessian2)}
	for _, tc := range []struct {
		name string
		h    Header
		body string
		want bool
	}{
		{"hessian2 compact", ev, "\x01R", true},
		{"hessian2 S string", ev, "S\x00\x01R", true},
		{"fastjson", ev, "\"R\"\n", true},
		{"fastjson without newline", ev, "\"R\"", true},
		{"heartbeat (null)", ev, "N", false},
		{"fastjson heartbeat", ev, "null\n", false},
		{"another string", ev, "\x01W", false},
		{"fastjson longer", ev, "\"RO\"\n", false},
		{"fastjson trailing junk", ev, "\"R\"x", false},
		{"empty", ev, "", false},
		{"not an event", Header{Flag: FlagRequest | byte(Hessian2)}, "\x01R", false},
		{"an event response", Header{Flag: FlagEvent | byte(Hessian2)}, "\x01R", false},
	} {
		if got := IsReadOnly(tc.h, []byte(tc.body)); got != tc.want {
			t.Errorf("%s: IsReadOnly = %v, want %v", tc.name, got, tc.want)
		}
	}
	b := []byte("\x01R")
	if n := testing.AllocsPerRun(100, func() { IsReadOnly(ev, b) }); n != 0 {
		t.Fatalf("IsReadOnly allocates %v times", n)
	}
}

// FuzzIsReadOnly: any body is judged without a panic, and every body
// judged a read-only event carries the string "R" and nothing else.
func FuzzIsReadOnly(f *testing.F) {
	for _, s := range []string{"\x01R", "S\x00\x01R", "\"R\"\n", "N", "null\n", "\"R\" x"} {
		f.Add([]byte(s))
	}
	ev := Header{Flag: FlagRequest | FlagEvent | byte(Hessian2)}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !IsReadOnly(ev, body) {
			return
		}
		trimmed := bytes.TrimRight(body, " \t\r\n")
		switch string(trimmed) {
		case "\x01R", "S\x00\x01R", "\"R\"":
		default:
			t.Fatalf("%q judged a read-only event", body)
		}
	})
}
