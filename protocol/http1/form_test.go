package http1

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"unsafe"
)

// formView is a Form in comparable form; absent fields read as "".
type formView struct {
	Interface, Method, ParameterTypes, Version string
	Params                                     string // joined with "|"
}

func viewForm(f *Form) formView {
	ps := make([]string, len(f.Params))
	for i, p := range f.Params {
		ps[i] = string(p)
	}
	return formView{string(f.Interface), string(f.Method), string(f.ParameterTypes), string(f.Version), strings.Join(ps, "|")}
}

func TestFormParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want formView
	}{
		{"race", raceBody(5), formView{"com.alibaba.dubbo.performance.demo.provider.IHelloService", "hash", "Ljava/lang/String;", "", raceParam(5)}},
		{"empty", "", formView{}},
		{"only separators", "&&&", formView{}},
		{"empty pairs skipped", "&&method=m&&&interface=i&", formView{Interface: "i", Method: "m"}},
		{"plus is space", "parameter=a+b++c", formView{Params: "a b  c"}},
		{"encoded plus", "parameter=a%2Bb", formView{Params: "a+b"}},
		{"escapes both cases", "parameter=%2f%2F%3b%3B%41%7e", formView{Params: "//;;A~"}},
		{"percent itself", "parameter=100%25", formView{Params: "100%"}},
		{"encoded amp and equals", "parameter=a%26b%3Dc", formView{Params: "a&b=c"}},
		{"equals in value", "parameter=a=b", formView{Params: "a=b"}},
		{"utf-8", "parameter=%E4%BD%A0%E5%A5%BD", formView{Params: "你好"}},
		{"raw utf-8", "parameter=你好", formView{Params: "你好"}},
		{"nul byte", "parameter=%00", formView{Params: "\x00"}},
		{"repeated parameter", "parameter=1&parameter=2&parameter=&parameter=4", formView{Params: "1|2||4"}},
		{"key without equals", "interface&method=m", formView{Method: "m"}},
		{"encoded key", "inter%66ace=i&param%65ter=p", formView{Interface: "i", Params: "p"}},
		{"plus in key", "para+meter=x&parameter=y", formView{Params: "y"}},
		{"unknown keys ignored", "foo=bar&Interface=X&method=m&METHOD=n", formView{Method: "m"}},
		{"first wins", "interface=a&interface=b&version=1&version=2", formView{Interface: "a", Version: "1"}},
		{"first wins even if empty", "method=&method=m", formView{}},
		{"version", "version=1.0.0&interface=i", formView{Interface: "i", Version: "1.0.0"}},
		{"semicolon is data", "parameter=a;b", formView{Params: "a;b"}},
	}
	var f Form
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.Parse([]byte(tt.in))
			equal(t, "err", err, nil)
			equal(t, "form", viewForm(&f), tt.want)
		})
	}
}

func TestFormBadEncoding(t *testing.T) {
	var f Form
	for _, in := range []string{
		"parameter=%zz", "parameter=%4", "parameter=%", "parameter=a%", "parameter=%g1",
		"parameter=%1g", "inter%zzface=x", "unknown=%zz", "%=x", "parameter=ok&method=%E4%BD%A",
	} {
		err := f.Parse([]byte(in))
		isErr(t, in, err, ErrBadEncoding)
		isErr(t, in, err, ErrBadForm)
		equal(t, in+" message", err.Error(), "http1: bad percent-encoding in form")
	}
}

func TestFormTooManyParams(t *testing.T) {
	var f Form
	in := strings.Repeat("parameter=x&", maxParams)
	equal(t, "255 params", f.Parse([]byte(in)), nil)
	equal(t, "len", len(f.Params), maxParams)
	isErr(t, "256 params", f.Parse([]byte(in+"parameter=y")), ErrTooManyParams)
}

func TestFormAliasing(t *testing.T) {
	body := []byte("interface=plain&method=a%20b&parameter=c+d&parameter=e")
	var f Form
	equal(t, "err", f.Parse(body), nil)
	// Values that need no decoding alias the body; the others do not.
	equal(t, "interface aliases", inside(f.Interface, body), true)
	equal(t, "plain param aliases", inside(f.Params[1], body), true)
	equal(t, "decoded method", inside(f.Method, body), false)
	equal(t, "decoded param", inside(f.Params[0], body), false)
	// Every value's capacity ends at its length.
	for i, v := range [][]byte{f.Interface, f.Method, f.Params[0], f.Params[1]} {
		equal(t, "cap of value "+string(rune('0'+i)), cap(v), len(v))
	}
}

// TestFormScratchReuse decodes many values in one call (earlier ones must
// survive the later ones) and then reuses the buffer in a second call.
func TestFormScratchReuse(t *testing.T) {
	var f Form
	var sb strings.Builder
	var want []string
	for i := range 100 {
		v := strings.Repeat(string(rune('a'+i%26)), i)
		want = append(want, v+" /"+v)
		sb.WriteString("parameter=" + v + "+%2F" + v + "&")
	}
	equal(t, "err", f.Parse([]byte(sb.String())), nil)
	equal(t, "params", viewForm(&f).Params, strings.Join(want, "|"))

	scratch := unsafe.SliceData(f.scratch)
	equal(t, "err", f.Parse([]byte("method=x%20y&parameter=%41")), nil)
	equal(t, "second call", viewForm(&f), formView{Method: "x y", Params: "A"})
	equal(t, "buffer reused", unsafe.SliceData(f.scratch), scratch)

	// A bigger input with its first escape late must not move earlier
	// results: scratch is sized for the whole input up front.
	big := "interface=%41&parameter=" + strings.Repeat("b", 1000) + "&method=%42" + strings.Repeat("+", 900)
	var g Form
	equal(t, "err", g.Parse([]byte(big)), nil)
	equal(t, "interface", string(g.Interface), "A")
	equal(t, "method", string(g.Method), "B"+strings.Repeat(" ", 900))
}

func TestFormRetainedScratch(t *testing.T) {
	var f Form
	equal(t, "err", f.Parse([]byte("parameter=%41"+strings.Repeat("x", maxRetainedScratch))), nil)
	f.Reset()
	equal(t, "large buffer dropped", cap(f.scratch), 0)
	equal(t, "err", f.Parse([]byte("parameter=%41")), nil)
	f.Reset()
	equal(t, "small buffer kept", cap(f.scratch) > 0, true)
}

func TestFormResetClears(t *testing.T) {
	var f Form
	equal(t, "err", f.Parse([]byte(raceBody(3))), nil)
	f.Reset()
	equal(t, "after Reset", viewForm(&f), formView{})
	equal(t, "Check after Reset", f.Check(), error(ErrMissingInterface))
	equal(t, "err", f.Parse([]byte("interface=j")), nil)
	equal(t, "first-wins state cleared", string(f.Interface), "j")
}

func TestFormParseQuery(t *testing.T) {
	var req Request
	_, err := Parse([]byte("GET /?interface=I&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=a+b HTTP/1.1\r\n\r\n"), &req, nil)
	equal(t, "Parse", err, nil)
	var f Form
	equal(t, "ParseQuery", f.ParseQuery(req.Query), nil)
	equal(t, "form", viewForm(&f), formView{"I", "hash", "Ljava/lang/String;", "", "a b"})
	equal(t, "Check", f.Check(), nil)
}

func TestFormCheck(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{raceBody(1), nil},
		{"interface=i&method=m", nil},
		{"interface=i&method=m&parameterTypesString=", nil},
		{"method=m", ErrMissingInterface},
		{"interface=&method=m", ErrMissingInterface},
		{"interface=i", ErrMissingMethod},
		{"interface=i&method=m&parameter=x", ErrMissingParameterTypes},
		{"interface=i&method=m&parameterTypesString=&parameter=x", ErrMissingParameterTypes},
	}
	var f Form
	for _, tt := range tests {
		equal(t, "Parse "+tt.in, f.Parse([]byte(tt.in)), nil)
		err := f.Check()
		equal(t, "Check "+tt.in, err, tt.want)
		if err != nil {
			isErr(t, tt.in, err, ErrBadForm)
			equal(t, "status", err.(*Error).Status, 400)
		}
	}
	equal(t, "message", ErrMissingInterface.Error(), `http1: missing field "interface"`)
}

// TestFormMatchesNetURL compares Form with url.ParseQuery on random valid
// forms built from the keys Form knows, keys it does not, and values drawn
// from characters that need every kind of encoding.
func TestFormMatchesNetURL(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []string{"interface", "method", "parameterTypesString", "parameter", "version", "other", "parameter"}
	alphabet := []rune("aZ09-._~ +&=%/;?#你\x00\xff")
	var f Form
	for range 5000 {
		q := url.Values{}
		var parts []string
		for range rng.IntN(12) {
			k := keys[rng.IntN(len(keys))]
			rs := make([]rune, rng.IntN(20))
			for i := range rs {
				rs[i] = alphabet[rng.IntN(len(alphabet))]
			}
			v := string(rs)
			q.Add(k, v)
			// Encode with either QueryEscape (space as '+') or
			// PathEscape-like %20, and sometimes encode the key.
			ev := url.QueryEscape(v)
			if rng.IntN(2) == 0 {
				ev = strings.ReplaceAll(ev, "+", "%20")
			}
			ek := k
			if rng.IntN(4) == 0 {
				ek = "%" + strings.ToUpper(string("0123456789abcdef"[k[0]>>4])+string("0123456789abcdef"[k[0]&15])) + k[1:]
			}
			switch rng.IntN(8) {
			case 0:
				parts = append(parts, "") // empty pair
			case 1:
				if v == "" {
					parts = append(parts, ek) // key without '='
					continue
				}
			}
			parts = append(parts, ek+"="+ev)
		}
		body := strings.Join(parts, "&")
		compareWithNetURL(t, &f, body)
	}
}

// compareWithNetURL checks Form against url.ParseQuery on body. Inputs that
// url.ParseQuery refuses (it also refuses ';') are only checked not to crash.
func compareWithNetURL(t testing.TB, f *Form, body string) {
	t.Helper()
	err := f.Parse([]byte(body))
	want, uerr := url.ParseQuery(body)
	if uerr != nil || len(want["parameter"]) > maxParams {
		return
	}
	if err != nil {
		t.Fatalf("%q: Form.Parse: %v, url.ParseQuery accepts it", body, err)
	}
	got := viewForm(f)
	exp := formView{want.Get("interface"), want.Get("method"), want.Get("parameterTypesString"), want.Get("version"), strings.Join(want["parameter"], "|")}
	if got != exp {
		t.Fatalf("%q:\n got %+v\nwant %+v", body, got, exp)
	}
}

// inside reports whether v lies within b's memory.
func inside(v, b []byte) bool {
	if len(v) == 0 {
		return true
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.SliceData(v))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return p >= lo && p+uintptr(len(v)) <= lo+uintptr(len(b))
}
