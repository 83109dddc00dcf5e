package dubbo

import (
	"errors"
	"testing"
)

func TestResultDecoder(t *testing.T) {
	ok := decHdr(Hessian2, StatusOK, 0)
	// One key: the library writes a Go map's keys in Go's random order.
	user := map[any]any{"tags": []any{"a"}}
	var rd ResultDecoder
	for _, c := range []struct {
		body   []byte
		asJSON bool
		text   string
		out    Outcome
	}{
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
