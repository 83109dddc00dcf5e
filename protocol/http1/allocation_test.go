package http1

import "testing"

func TestAllocsParse(t *testing.T) {
	b := []byte(raceRequest(1023))
	var req Request
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Parse(b, &req, &DefaultLimits); err != nil {
			t.Fatal(err)
		}
	})
	equal(t, "Parse allocs", allocs, 0.0)
}

// TestAllocsParseAndForm is the agent's per-request decode: the race's
// request with a 500-character parameter, then its form.
func TestAllocsParseAndForm(t *testing.T) {
	b := []byte(raceRequest(500))
	var req Request
	var f Form
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Parse(b, &req, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.Parse(req.Body); err != nil {
			t.Fatal(err)
		}
		if err := f.Check(); err != nil {
			t.Fatal(err)
		}
	})
	equal(t, "Parse+Form.Parse allocs", allocs, 0.0)
	equal(t, "parameter types", string(f.ParameterTypes), "Ljava/lang/String;")
	equal(t, "parameter", string(f.Params[0]), raceParam(500))
}

func TestAllocsFormParseQuery(t *testing.T) {
	q := []byte("interface=I&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=a+b&parameter=c")
	var f Form
	allocs := testing.AllocsPerRun(100, func() {
		if err := f.ParseQuery(q); err != nil {
			t.Fatal(err)
		}
	})
	equal(t, "ParseQuery allocs", allocs, 0.0)
}

func TestAllocsPutResponse(t *testing.T) {
	body := []byte("-1094917604")
	b := make([]byte, 256)
	allocs := testing.AllocsPerRun(100, func() {
		n := PutResponse(b[:ResponseSize(200, len(body), KeepAlive)], 200, body, KeepAlive)
		n += PutError(b[n:], 503, ErrBadEncoding.Msg, Close)
		if n == 0 {
			t.Fatal("nothing written")
		}
	})
	equal(t, "PutResponse+PutError allocs", allocs, 0.0)
}
