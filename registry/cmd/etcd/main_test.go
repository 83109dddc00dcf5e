package main

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/dubbomesh/dubbomesh/internal/freeport"
)

// runEnv, when set, makes the test binary run main instead of the tests,
// so that the tests can start the command as processes of its own.
const runEnv = "DUBBOMESH_ETCD_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runEnv) != "" {
		main()
		return
	}
	os.Exit(m.Run())
}

// member is one running etcd command.
type member struct {
	cmd      *exec.Cmd
	endpoint chan string // its first line of stdout
	done     chan error
}

// startCmd runs the command with args; it is killed when the test ends.
func startCmd(t *testing.T, args ...string) *member {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runEnv+"=1")
	logPath := t.TempDir() + "/stderr"
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m := &member{cmd: cmd, endpoint: make(chan string, 1), done: make(chan error, 1)}
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			m.endpoint <- s.Text()
		}
		for s.Scan() {
		}
		m.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("etcd %q stderr:\n%s", args, b)
		}
	})
	return m
}

// ready returns the endpoint the member printed, failing after 20 s.
func (m *member) ready(t *testing.T) string {
	t.Helper()
	select {
	case ep := <-m.endpoint:
		return ep
	case err := <-m.done:
		t.Fatalf("exited before serving: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("no endpoint printed within 20 s")
	}
	return ""
}

// stop sends SIGTERM and expects a clean exit.
func (m *member) stop(t *testing.T) {
	t.Helper()
	m.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-m.done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("no exit within 10 s of SIGTERM")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := freeport.Addr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

func client(t *testing.T, eps ...string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: eps, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func ctx5(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSingleMemberDefault(t *testing.T) {
	addr := freeAddr(t)
	m := startCmd(t, "--listen-client", addr)
	ep := m.ready(t)
	if ep != "http://"+addr {
		t.Fatalf("printed %q, want http://%s", ep, addr)
	}
	if _, err := client(t, ep).Put(ctx5(t), "k", "v"); err != nil {
		t.Fatalf("Put: %v", err)
	}
	m.stop(t)
}

// Three processes given the same --initial-cluster form one cluster: a key
// written through one member is read through another.
func TestStaticCluster(t *testing.T) {
	names := []string{"a", "b", "c"}
	var peers []string
	for _, n := range names {
		peers = append(peers, n+"=http://"+freeAddr(t))
	}
	cluster := strings.Join(peers, ",")
	members := make([]*member, len(names))
	for i, n := range names {
		args := []string{"--name", n, "--initial-cluster", cluster, "--dir", t.TempDir()}
		if i == 0 { // --listen-peer given explicitly for one member
			args = append(args, "--listen-peer", strings.TrimPrefix(peers[0], "a=http://"))
		}
		members[i] = startCmd(t, args...)
	}
	eps := make([]string, len(members))
	for i, m := range members {
		eps[i] = m.ready(t)
	}
	if _, err := client(t, eps[0]).Put(ctx5(t), "k", "shared"); err != nil {
		t.Fatalf("Put via a: %v", err)
	}
	resp, err := client(t, eps[2]).Get(ctx5(t), "k")
	if err != nil {
		t.Fatalf("Get via c: %v", err)
	}
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "shared" {
		t.Fatalf("Get via c = %v", resp.Kvs)
	}
	mresp, err := client(t, eps[1]).MemberList(ctx5(t))
	if err != nil {
		t.Fatalf("MemberList: %v", err)
	}
	if len(mresp.Members) != 3 {
		t.Fatalf("%d members, want 3", len(mresp.Members))
	}
	for _, m := range members {
		m.stop(t)
	}
}

// TestBadFlags is the table of bad values: each ends the command at once
// with one line naming the flag, and status 2.
func TestBadFlags(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	in := busy.Addr().String()
	file := t.TempDir() + "/file"
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "x", "--initial-cluster", "a=http://127.0.0.1:1"}, `--initial-cluster: no member named "x" (--name)`},
		{[]string{"--initial-cluster", "garbage"}, `--initial-cluster: "garbage" is not name=http://host:port,...`},
		{[]string{"--name", "a", "--initial-cluster", "a=https://127.0.0.1:1"}, `--initial-cluster: member a: "https://127.0.0.1:1" is not http://host:port`},
		{[]string{"--name", "a", "--initial-cluster", "a=http://127.0.0.1:1,a=http://127.0.0.1:2"}, `--initial-cluster: 2 peer URLs for "a"; give one, or --listen-peer`},
		{[]string{"--listen-client", "no-port"}, `--listen-client: "no-port" is not host:port`},
		{[]string{"--listen-client", "127.0.0.1:0"}, `--listen-client: "127.0.0.1:0": the port must be a number in 1..65535`},
		{[]string{"--listen-client", in}, "--listen-client: cannot listen on " + in + ": bind: address already in use"},
		{[]string{"--listen-peer", in}, "--listen-peer: cannot listen on " + in + ": bind: address already in use"},
		{[]string{"--name", ""}, `--name: "" is not a member name (not empty, no ',', '=' or spaces)`},
		{[]string{"--name", "a=b"}, `--name: "a=b" is not a member name (not empty, no ',', '=' or spaces)`},
		{[]string{"--ready-timeout", "0"}, "--ready-timeout: must be in 1ms..1h (got 0s)"},
		{[]string{"--ready-timeout", "soon"}, `--ready-timeout: "soon": not a duration such as 3s or 100ms`},
		{[]string{"--dir", file}, "--dir: " + file + " is not a directory"},
		{[]string{"--dir", file + "/sub"}, "--dir: cannot make " + file + "/sub: not a directory"},
		{[]string{"--nope"}, "--nope: no such flag (--help lists them)"},
		{[]string{"stray-argument"}, `unexpected argument "stray-argument" (flags start with --)`},
	} {
		cmd := exec.Command(os.Args[0], c.args...)
		cmd.Env = append(os.Environ(), runEnv+"=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || stderr.String() != "etcd: "+c.want+"\n" {
			t.Errorf("%q: %v, stderr %q; want status 2 and %q", c.args, err, stderr.String(), "etcd: "+c.want)
		}
	}
}
