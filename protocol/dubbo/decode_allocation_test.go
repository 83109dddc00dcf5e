package dubbo

import (
	"strings"
	"testing"
)

// decRaceRequest builds the race's call, as a Java consumer sends it.
func decRaceRequest(t testing.TB, s Serialization) (Header, []byte) {
	t.Helper()
	arg := strings.Repeat("aZ09", 64)
	if s == FastJSON {
		body := "\"2.0.1\"\n\"" + decIface + "\"\nnull\n\"hash\"\n\"Ljava/lang/String;\"\n\"" + arg +
			"\"\n{\"path\":\"" + decIface + "\",\"interface\":\"" + decIface + "\",\"timeout\":\"3000\"}\n"
		return Header{Flag: FlagRequest | FlagTwoWay | byte(FastJSON)}, []byte(body)
	}
	body := decLibEncode(t, "2.0.2", decIface, "0.0.0", "hash", "Ljava/lang/String;", arg,
		map[any]any{"path": decIface, "interface": decIface, "version": "0.0.0", "timeout": "3000"})
	return Header{Flag: FlagRequest | FlagTwoWay | byte(Hessian2)}, body
}

// decResponseBodies are the result forms the race sees, by name.
func decResponseBodies(t testing.TB) map[string]struct {
	h    Header
	body []byte
} {
	ok := decHdr(Hessian2, StatusOK, 0)
	okj := decHdr(FastJSON, StatusOK, 0)
	type hb = struct {
		h    Header
		body []byte
	}
	return map[string]hb{
		"HessianInt":    {ok, decLibEncode(t, int32(1), int32(-1094917604))},
		"HessianLong":   {ok, decLibEncode(t, int32(1), int64(1)<<40)},
		"HessianBool":   {ok, decLibEncode(t, int32(1), true)},
		"HessianDouble": {ok, decLibEncode(t, int32(1), 0.1)},
		"HessianString": {ok, decLibEncode(t, int32(4), strings.Repeat("aZ09", 64), map[any]any{"dubbo": "2.0.2"})},
		"HessianNull":   {ok, decLibEncode(t, int32(2))},
		"JSONInt":       {okj, []byte("1\n-1094917604\n")},
		"JSONDouble":    {okj, []byte("1\n0.1\n")},
		"JSONString":    {okj, []byte("1\n\"" + strings.Repeat("aZ09", 64) + "\"\n")},
		"JSONNull":      {okj, []byte("2\n")},
	}
}

func TestDecodeResponseAllocs(t *testing.T) {
	dst := make([]byte, 0, 64)
	for name, c := range decResponseBodies(t) {
		allocs := testing.AllocsPerRun(100, func() {
			if _, _, err := DecodeResponse(c.h, c.body, dst); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("DecodeResponse %s: %v allocs, want 0", name, allocs)
		}
	}
}

func TestParseRequestAllocs(t *testing.T) {
	for _, s := range []Serialization{Hessian2, FastJSON} {
		h, body := decRaceRequest(t, s)
		var r Request
		allocs := testing.AllocsPerRun(100, func() {
			if err := ParseRequest(h, body, &r); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("ParseRequest %v: %v allocs, want 0", s, allocs)
		}
		if r.Timeout != 3000 || len(r.Args) != 1 {
			t.Errorf("ParseRequest %v: timeout %d, %d args", s, r.Timeout, len(r.Args))
		}
	}
	// Numbers are rendered into r's scratch, which is reused.
	var r Request
	h := Header{Flag: FlagRequest | FlagTwoWay | byte(Hessian2)}
	body := decLibEncode(t, "2.0.2", decIface, "0.0.0", "m", "IJZD", int32(-5), int64(1)<<40, true, 0.25, map[any]any{})
	allocs := testing.AllocsPerRun(100, func() {
		if err := ParseRequest(h, body, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseRequest with numbers: %v allocs, want 0", allocs)
	}
}

func TestNextAllocs(t *testing.T) {
	frame := AppendResponse(nil, &Response{Status: StatusOK, Value: Value{Type: TypeInt, Int: 1}})
	if allocs := testing.AllocsPerRun(100, func() { _, _, _, _ = Next(frame) }); allocs != 0 {
		t.Errorf("Next: %v allocs, want 0", allocs)
	}
}
