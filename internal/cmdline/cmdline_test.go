package cmdline

import (
	"errors"
	"flag"
	"strings"
	"testing"
	"time"
)

func newSet(out *strings.Builder) *flag.FlagSet {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Int("loops", 2, "event loops")
	fs.Uint64("seed", 1, "seed")
	fs.Duration("timeout", time.Second, "deadline")
	fs.Float64("ratio", 5, "ratio")
	fs.Bool("spread", true, "spread")
	fs.String("listen", ":1", "address")
	fs.Func("flush", "policy", func(s string) error {
		if s != "idle" {
			return errors.New("want idle")
		}
		return nil
	})
	return fs
}

func TestParseNamesTheFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--loops", "x"}, `--loops: "x": not an integer`},
		{[]string{"--loops=99999999999999999999"}, `--loops: "99999999999999999999": out of range`},
		{[]string{"--seed", "-1"}, `--seed: "-1": not a non-negative integer`},
		{[]string{"--timeout", "3"}, `--timeout: "3": not a duration such as 3s or 100ms`},
		{[]string{"--ratio", "abc"}, `--ratio: "abc": not a number`},
		{[]string{"--spread=maybe"}, `--spread: "maybe": not true or false`},
		{[]string{"--flush", "often"}, `--flush: "often": want idle`},
		{[]string{"--nope"}, `--nope: no such flag (--help lists them)`},
		{[]string{"--loops"}, `--loops: needs a value`},
		{[]string{"--loops", "1", "extra"}, `unexpected argument "extra" (flags start with --)`},
		{[]string{"---x"}, `bad flag syntax: ---x`},
	} {
		var out strings.Builder
		err := Parse(newSet(&out), c.args)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v, want an *Error", c.args, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%q: %q, want %q", c.args, err, c.want)
		}
		if out.Len() != 0 {
			t.Errorf("%q: printed %q", c.args, out.String())
		}
	}
}

func TestParseGood(t *testing.T) {
	var out strings.Builder
	fs := newSet(&out)
	if err := Parse(fs, []string{"--loops", "3", "--spread=false", "--flush", "idle"}); err != nil {
		t.Fatal(err)
	}
	if got := fs.Lookup("loops").Value.String(); got != "3" {
		t.Fatalf("loops = %s", got)
	}
	// The values are the flag set's own again, not Parse's wrappers.
	if _, ok := fs.Lookup("loops").Value.(*watched); ok {
		t.Fatal("value still wrapped after Parse")
	}
	if out.Len() != 0 {
		t.Fatalf("printed %q", out.String())
	}
}

func TestParseHelp(t *testing.T) {
	var out strings.Builder
	fs := newSet(&out)
	if err := Parse(fs, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error %v, want flag.ErrHelp", err)
	}
	for _, f := range []string{"-loops", "-timeout", "-spread", "(default 1s)"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("usage lacks %q:\n%s", f, out.String())
		}
	}
	if strings.Contains(out.String(), "panic") {
		t.Errorf("usage:\n%s", out.String())
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		check func(*Check)
		want  string // "" for no failure
	}{
		{func(c *Check) { c.Int("loops", 0, 1, 256) }, "--loops: must be in 1..256 (got 0)"},
		{func(c *Check) { c.Int("loops", 256, 1, 256) }, ""},
		{func(c *Check) { c.Duration("timeout", -time.Second, time.Millisecond, time.Hour) }, "--timeout: must be in 1ms..1h (got -1s)"},
		{func(c *Check) { c.Duration("timeout", time.Hour, time.Millisecond, time.Hour) }, ""},
		{func(c *Check) { c.Float("ratio", 0.5, 1, 1000) }, "--ratio: must be in 1..1000 (got 0.5)"},
		{func(c *Check) { c.Float("ratio", nanValue(), 1, 1000) }, "--ratio: must be in 1..1000 (got NaN)"},
		{func(c *Check) { c.ListenAddr("listen", ":20000") }, ""},
		{func(c *Check) { c.ListenAddr("listen", "127.0.0.1:0") }, ""},
		{func(c *Check) { c.ListenAddr("listen", "[::1]:80") }, ""},
		{func(c *Check) { c.ListenAddr("listen", "20000") }, `--listen: "20000" is not host:port`},
		{func(c *Check) { c.ListenAddr("listen", "") }, `--listen: "" is not host:port`},
		{func(c *Check) { c.ListenAddr("listen", "h:http") }, `--listen: "h:http": the port must be a number in 0..65535`},
		{func(c *Check) { c.ListenAddr("listen", "h:65536") }, `--listen: "h:65536": the port must be a number in 0..65535`},
		{func(c *Check) { c.DialAddr("provider", "h:0") }, `--provider: "h:0": the port must be a number in 1..65535`},
		{func(c *Check) { c.DialAddr("provider", "a b:1") }, `--provider: "a b:1": bad host "a b"`},
		{func(c *Check) { c.Int("a", 0, 1, 2); c.Int("b", 0, 1, 2) }, "--a: must be in 1..2 (got 0)"},
		{func(c *Check) { c.Add("x", nil) }, ""},
	} {
		var ck Check
		c.check(&ck)
		got := ""
		if ck.Err() != nil {
			got = ck.Err().Error()
		}
		if got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func nanValue() float64 {
	var zero float64
	return zero / zero
}

func TestListenInUse(t *testing.T) {
	ln, err := Listen("admin", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, err = Listen("admin", addr)
	var e *Error
	if !errors.As(err, &e) || e.Flag != "admin" {
		t.Fatalf("error %v, want an *Error about --admin", err)
	}
	if want := "--admin: cannot listen on " + addr + ": bind: address already in use"; err.Error() != want {
		t.Fatalf("%q, want %q", err, want)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 5 * time.Minute: "5m", 90 * time.Second: "1m30s",
		time.Millisecond: "1ms", 0: "0s", 25 * time.Hour: "25h", -time.Second: "-1s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestErrorWithoutFlag(t *testing.T) {
	if got := (&Error{Why: "x"}).Error(); got != "x" {
		t.Fatal(got)
	}
}
