package dubbo

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

// resultCase is a result body, whether JSON is asked for, and the text and
// outcome Decode should give.
type resultCase struct {
	body   []byte
	asJSON bool
	text   string
	out    Outcome
}

func TestResultDecoder(t *testing.T) {
	ok := decHdr(Hessian2, StatusOK, 0)
	// One key: the library writes a Go map's keys in Go's random order.
	user := map[any]any{"tags": []any{"a"}}
	var rd ResultDecoder
	for _, c := range []resultCase{
		{decLibEncode(t, int32(decFlagValue), user), false, `{"tags":["a"]}`, OutcomeJSON},
		{decLibEncode(t, int32(decFlagValue), int32(-1094917604)), false, `-1094917604`, OutcomeValue},
		{decLibEncode(t, int32(decFlagValue), "héllo"), false, `héllo`, OutcomeValue},
		{decLibEncode(t, int32(decFlagValue), "héllo"), true, `"héllo"`, OutcomeJSON},
		{decLibEncode(t, int32(decFlagNull)), true, `null`, OutcomeJSON},
		{decLibEncode(t, int32(decFlagNull)), false, ``, OutcomeNull},
		{decLibEncode(t, int32(decFlagValueAttachments), []any{int64(1)}, map[any]any{"k": "v"}), false, `[1]`, OutcomeJSON},
	} {
		text, out, err := rd.Decode(ok, c.body, nil, c.asJSON)
		if err != nil || string(text) != c.text || out != c.out {
			t.Errorf("% x (JSON %v): %q, %d, %v; want %q, %d", c.body, c.asJSON, text, out, err, c.text, c.out)
		}
	}
	fj := decHdr(FastJSON, StatusOK, 0)
	if text, out, err := rd.Decode(fj, []byte("1\n\"x\"\n"), nil, true); err != nil || string(text) != `"x"` || out != OutcomeJSON {
		t.Errorf("fastjson string as JSON: %q, %d, %v", text, out, err)
	}
}

// A list that holds itself cannot be written out: the decode fails.
func TestResultDecoderCycle(t *testing.T) {
	// 0x91 flag 1; 0x79 untyped list of 1; 0x51 0x90 a reference to ref 0.
	body := []byte{0x91, 0x79, 0x51, 0x90}
	var rd ResultDecoder
	if _, _, err := rd.Decode(decHdr(Hessian2, StatusOK, 0), body, nil, false); !errors.Is(err, ErrMalformed) {
		t.Fatalf("cycle: %v, want ErrMalformed", err)
	}
}

func TestResultDecoderAllocs(t *testing.T) {
	body := decLibEncode(t, int32(decFlagValue), map[any]any{"name": "ann", "tags": []any{"a", "b"}, "n": int64(3)})
	h := decHdr(Hessian2, StatusOK, 0)
	var rd ResultDecoder
	dst := make([]byte, 0, 256)
	n := testing.AllocsPerRun(100, func() {
		if _, _, err := rd.Decode(h, body, dst, false); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per Decode of a JSON result", n)
	}
}

// Caucho's Hessian writes a byte, short or float result (or its box) as an
// object of ByteHandle, ShortHandle or FloatHandle holding the number: the
// text of a primitive, as String.valueOf renders the number it carries (a
// float as the double it travels as), unless JSON is asked for.
func TestResultDecoderCauchoHandles(t *testing.T) {
	handle := func(class string, value []byte) []byte {
		str := func(s string) []byte { return append([]byte{0x30 + byte(len(s)>>8), byte(len(s))}, s...) }
		b := []byte{0x91, 'C'} // flag 1: a value; a class definition
		b = append(b, str("com.caucho.hessian.io."+class)...)
		b = append(b, 0x91) // one field
		b = append(b, str("_value")...)
		b = append(b, 0x60) // an instance of class 0
		return append(b, value...)
	}
	double := func(f float64) []byte {
		return binary.BigEndian.AppendUint64([]byte{'D'}, math.Float64bits(f))
	}
	ok := decHdr(Hessian2, StatusOK, 0)
	var rd ResultDecoder
	for _, c := range []resultCase{
		{handle("ShortHandle", []byte{0x93}), false, `3`, OutcomeValue},
		{handle("ByteHandle", []byte{0x8f}), false, `-1`, OutcomeValue},
		{handle("ByteHandle", []byte{0x8f}), true, `-1`, OutcomeJSON},
		{handle("FloatHandle", double(float64(float32(0.1)))), false, `0.10000000149011612`, OutcomeValue},
		{handle("FloatHandle", double(math.MaxFloat32)), false, `3.4028234663852886E38`, OutcomeValue},
		{handle("FloatHandle", double(math.MaxFloat32)), true, `3.4028234663852886e+38`, OutcomeJSON},
		{handle("FloatHandle", double(math.NaN())), false, `NaN`, OutcomeValue},
		{handle("FloatHandle", double(math.NaN())), true, `"NaN"`, OutcomeJSON},
		{handle("FloatHandle", double(math.Inf(-1))), false, `-Infinity`, OutcomeValue},
		{handle("FloatHandle", []byte{0x5c}), false, `1.0`, OutcomeValue},
		{handle("FloatHandle", []byte{'N'}), false, ``, OutcomeNull},
	} {
		text, out, err := rd.Decode(ok, c.body, nil, c.asJSON)
		if err != nil || string(text) != c.text || out != c.out {
			t.Errorf("% x (JSON %v): %q, %d, %v; want %q, %d", c.body, c.asJSON, text, out, err, c.text, c.out)
		}
	}
}
