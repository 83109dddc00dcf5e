package cmdlinetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"
)

// argsEnv carries the child's command line, as JSON, from Run to Child.
const argsEnv = "CMDLINETEST_ARGS"

// Timeout bounds a child's run: a command that has not exited by then is
// killed and reported as still running (Result.Code -1).
const Timeout = 20 * time.Second

// Child runs main with the command line Run gave, as the whole process,
// when the test binary was started by Run, and skips the test otherwise.
// If main returns, the process exits 0.
func Child(t *testing.T, main func()) {
	v, ok := os.LookupEnv(argsEnv)
	if !ok {
		t.Skip("the command's own process, started by cmdlinetest.Run")
	}
	var args []string
	if err := json.Unmarshal([]byte(v), &args); err != nil {
		t.Fatal(err)
	}
	os.Args = append([]string{os.Args[0]}, args...)
	main()
	os.Exit(0)
}

// Result is how a child ended.
type Result struct {
	Code           int // exit status; -1 if it was killed after Timeout
	Stdout, Stderr string
}

// Run runs the test named child (which calls Child) in a new process of
// the test binary, with args as main's command line, and waits at most
// Timeout for it to exit.
func Run(t *testing.T, child string, args ...string) Result {
	t.Helper()
	if args == nil {
		args = []string{}
	}
	enc, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), argsEnv+"="+string(enc))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Code = -1
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}
