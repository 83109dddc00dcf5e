package cmdline

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"testing"
)

// exitEnv, when set, makes TestExitHelper call Exit with an error that
// spans lines, or with flag.ErrHelp when it is "help".
const exitEnv = "CMDLINE_TEST_EXIT"

func TestExitHelper(t *testing.T) {
	switch os.Getenv(exitEnv) {
	case "":
		t.Skip("run by TestExit")
	case "help":
		Exit("x", flag.ErrHelp)
	default:
		Exit("x", Errorf("loops", "must be\nin 1..256"))
	}
}

func TestExit(t *testing.T) {
	for _, c := range []struct {
		env, stderr string
		code        int
	}{
		{"bad", "x: --loops: must be in 1..256\n", 2},
		{"help", "", 0},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestExitHelper$")
		cmd.Env = append(os.Environ(), exitEnv+"="+c.env)
		var stderr, stdout []byte
		out, err := cmd.Output()
		stdout = out
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code, stderr = ee.ExitCode(), ee.Stderr
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || string(stderr) != c.stderr {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q (stdout %q)", c.env, code, stderr, c.code, c.stderr, stdout)
		}
	}
}
