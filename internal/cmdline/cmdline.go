package cmdline

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Error is a bad command line: the flag it is about, without dashes (empty
// for stray arguments), and why the value is bad.
type Error struct {
	Flag string
	Why  string
}

// Error returns "--flag: why", or why alone when no flag is named.
func (e *Error) Error() string {
	if e.Flag == "" {
		return e.Why
	}
	return "--" + e.Flag + ": " + e.Why
}

// Errorf returns an *Error about flag, its reason formatted as by
// fmt.Sprintf.
func Errorf(flag, format string, args ...any) error {
	return &Error{Flag: flag, Why: fmt.Sprintf(format, args...)}
}

// Parse parses args into fs and reports the first failure as an *Error
// naming its flag: a value the flag's type refuses, an unknown flag, a flag
// without its value, or an argument that is not a flag. The flag package's
// own messages and usage dump are not printed. -h or --help (unless fs
// defines them) prints fs's usage to fs.Output() and returns flag.ErrHelp.
//
// fs should be created with flag.ContinueOnError. Parse swaps fs's values,
// output and usage for the length of the call and restores them; fs must
// not be used concurrently meanwhile.
func Parse(fs *flag.FlagSet, args []string) error {
	var bad *Error
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.VisitAll(func(f *flag.Flag) { f.Value = &watched{Value: f.Value, name: f.Name, bad: &bad} })
	err := fs.Parse(args)
	fs.VisitAll(func(f *flag.Flag) { f.Value = f.Value.(*watched).Value })
	fs.SetOutput(out)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		if fs.Usage != nil {
			fs.Usage()
		} else {
			fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
			fs.PrintDefaults()
		}
		return flag.ErrHelp
	case bad != nil:
		return bad
	case err != nil:
		return fromFlagError(err)
	case fs.NArg() > 0:
		return &Error{Why: fmt.Sprintf("unexpected argument %q (flags start with --)", fs.Arg(0))}
	}
	return nil
}

// watched wraps a flag's value during Parse to learn which flag refused its
// value, and why, in words of its type.
type watched struct {
	flag.Value
	name string
	bad  **Error
}

func (w *watched) Set(s string) error {
	err := w.Value.Set(s)
	if err != nil && *w.bad == nil {
		*w.bad = &Error{Flag: w.name, Why: fmt.Sprintf("%q: %s", s, why(w.Value, err))}
	}
	return err
}

// IsBoolFlag keeps a boolean flag usable without a value.
func (w *watched) IsBoolFlag() bool {
	b, ok := w.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// why says why v refused a value: the flag package's own types say only
// "parse error" or "value out of range"; others say their own.
func why(v flag.Value, err error) string {
	msg := err.Error()
	switch msg {
	case "value out of range":
		return "out of range"
	case "parse error":
	default:
		return msg
	}
	g, ok := v.(flag.Getter)
	if !ok {
		return "does not parse"
	}
	switch g.Get().(type) {
	case bool:
		return "not true or false"
	case int, int64:
		return "not an integer"
	case uint, uint64:
		return "not a non-negative integer"
	case float64:
		return "not a number"
	case time.Duration:
		return "not a duration such as 3s or 100ms"
	default:
		return "does not parse"
	}
}

// fromFlagError names the flag in the flag package's remaining failures,
// which it reports as text only: "flag provided but not defined: -x",
// "flag needs an argument: -x" and "bad flag syntax: ---x".
func fromFlagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return &Error{Flag: name, Why: "no such flag (--help lists them)"}
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return &Error{Flag: name, Why: "needs a value"}
	}
	return &Error{Why: msg}
}

// Exit ends the process for a command line that failed Parse or a check:
// for flag.ErrHelp (the usage is already printed) with status 0, else with
// the one line "<binary>: <err>" on stderr and status 2.
func Exit(binary string, err error) {
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	fmt.Fprintf(os.Stderr, "%s: %s\n", binary, oneLine(err.Error()))
	os.Exit(2)
}

// oneLine keeps s on one line, whatever an underlying error put in it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
