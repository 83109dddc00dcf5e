package main

import (
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

func TestAnswerRendered(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) { c.Serialization = s })
		c := dial(t, a)
		long := strings.Repeat("0123456789", 300)
		cases := []struct {
			name string
			r    *protocol.Request
			want string
		}{
			{"int", req("hash", "hello"), "99162322"},
			{"negative int", req("hash", long), strconv.Itoa(int(javahash.String([]byte(long))))},
			{"int of empty string", req("hash", ""), "0"},
			{"int of non-ASCII", req("hash", "emoji 😀 and 𝄞"), strconv.Itoa(int(javahash.String([]byte("emoji 😀 and 𝄞"))))},
			{"string", req("echo", "héllo wörld"), "héllo wörld"},
			{"string with JSON escapes", req("echo", "a \"quoted\"\n\\ line"), "a \"quoted\"\n\\ line"},
			{"long string", req("echo", long), long},
			{"empty string", req("echo", ""), ""},
			{"null", req("nil", "x"), ""},
		}
		if javahash.String([]byte(long)) >= 0 {
			t.Fatal("test input: want a negative hash")
		}
		for i, tc := range cases {
			got := c.roundTrip(uint32(i+1), tc.r)
			t.Logf("%s: %q", tc.name, got.body)
			expectOK(t, got, tc.want)
		}
		if n := metric(t, a, "provider_agent_ok_total"); n != float64(len(cases)) {
			t.Fatalf("ok_total = %v, want %d", n, len(cases))
		}
	})
}

func TestPipelined200(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 200
	args := make(map[uint32]string, n)
	for i := range n {
		b := make([]byte, rng.IntN(300))
		for j := range b {
			b[j] = byte('a' + rng.IntN(26))
		}
		id := uint32(1000 + 7*i) // ids need not be dense
		args[id] = string(b)
		c.send(id, req("hash", string(b)))
	}
	c.flush() // all 200 in one write
	got := c.collect(n)
	for id, arg := range args {
		a, ok := got[id]
		if !ok {
			t.Fatalf("no answer for id %d", id)
		}
		expectOK(t, a, strconv.Itoa(int(javahash.String([]byte(arg)))))
	}
	if calls := f.calls.Load(); calls != n {
		t.Fatalf("the provider got %d calls, want %d", calls, n)
	}
}

func TestDubboFrameCarriesCall(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) {
			c.Serialization = s
			c.DefaultTimeout = 2500 * time.Millisecond
		})
		c := dial(t, a)

		r := req("hash", "abc")
		r.ParameterTypes = []byte(strType + "I")
		r.Args = append(r.Args, []byte("-42"))
		r.Timeout = 1500
		c.roundTrip(1, r)

		r2 := req("hash", "xyz")
		r2.Version = []byte("1.2.3")
		expectOK(t, c.roundTrip(2, r2), strconv.Itoa(int(javahash.String([]byte("xyz")))))

		reqs := f.requests()
		if len(reqs) != 2 {
			t.Fatalf("the provider got %d requests, want 2", len(reqs))
		}
		defaultVersion := "0.0.0"
		if s == dubbo.FastJSON {
			defaultVersion = "" // fastjson requests send null
		}
		want := []gotRequest{
			{Interface: iface, Version: defaultVersion, Method: "hash", Types: strType + "I", Args: []string{"abc", "-42"}, Timeout: 1500},
			{Interface: iface, Version: "1.2.3", Method: "hash", Types: strType, Args: []string{"xyz"}, Timeout: 2500},
		}
		for i, got := range reqs {
			w := want[i]
			if wantFlag := dubbo.FlagRequest | dubbo.FlagTwoWay | byte(s); got.Flag != wantFlag {
				t.Errorf("request %d: flag %#x, want %#x", i, got.Flag, wantFlag)
			}
			if got.ID == 0 {
				t.Errorf("request %d: id 0", i)
			}
			if got.Interface != w.Interface || got.Version != w.Version || got.Method != w.Method ||
				got.Types != w.Types || got.Timeout != w.Timeout || strings.Join(got.Args, "|") != strings.Join(w.Args, "|") {
				t.Errorf("request %d:\n got %+v\nwant %+v", i, got, w)
			}
		}
		if reqs[0].ID == reqs[1].ID {
			t.Errorf("two calls went out with the same Dubbo id %d", reqs[0].ID)
		}
	})
}

func TestProviderFailures(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) { c.Serialization = s })
		c := dial(t, a)

		expectError(t, c.roundTrip(1, req("boom", "now")), protocol.StatusException, "")
		got := c.roundTrip(2, req("boom", "again"))
		if want := "java.lang.IllegalStateException: boom again"; got.body != want {
			t.Fatalf("exception text %q, want %q", got.body, want)
		}
		expectError(t, c.roundTrip(3, req("busy", "x")), protocol.StatusOverloaded, "threadpool is exhausted")
		expectError(t, c.roundTrip(4, req("missing", "x")), protocol.StatusNotFound, "Not found exported service: "+iface)
		expectError(t, c.roundTrip(5, req("unknown", "x")), protocol.StatusBadRequest, "unknown method")
		expectError(t, c.roundTrip(6, req("refused", "x")), protocol.StatusServiceNotFound, "service refused")
		// Dubbo's messages for a missing version and method: 404, with the
		// first line of the message only.
		for id, m := range map[uint32]string{7: "noversion", 8: "nomethod"} {
			got := c.roundTrip(id, req(m, "x"))
			expectError(t, got, protocol.StatusNotFound, "ot found")
			if strings.ContainsAny(got.body, "\r\n") || !strings.Contains(got.body, iface) {
				t.Errorf("%s: message %q, want the first line, naming the service", m, got.body)
			}
		}
		// The connection carries on after failures.
		expectOK(t, c.roundTrip(9, req("hash", "a")), "97")

		for name, want := range map[string]float64{
			"provider_agent_exceptions_total":           2,
			"provider_agent_threadpool_exhausted_total": 1,
			"provider_agent_provider_errors_total":      5,
			"provider_agent_ok_total":                   1,
			"provider_agent_requests_total":             9,
			"provider_agent_bad_responses_total":        0,
		} {
			if got := metric(t, a, name); got != want {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
	})
}

func TestStatusOf(t *testing.T) {
	// The message decides whether 40, 60 and 70 are the caller's mistake.
	for _, c := range []struct {
		s    dubbo.Status
		msg  string
		want protocol.Status
	}{
		{dubbo.StatusBadRequest, "Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:a.B, m", protocol.StatusNotFound},
		{dubbo.StatusBadRequest, "Fail to decode request due to: java.io.IOException: Service a.B:9 not found, invocation rejected.", protocol.StatusNotFound},
		{dubbo.StatusBadRequest, "Fail to decode request due to: java.lang.ClassNotFoundException: x", protocol.StatusBadRequest},
		{dubbo.StatusServiceError, "org.apache.dubbo.remoting.RemotingException: Not found exported service: a.B:9:20880 in [], may be version or group mismatch", protocol.StatusNotFound},
		{dubbo.StatusServiceError, "java.lang.NoSuchMethodException: Not found method \"m\" in class a.BImpl.", protocol.StatusNotFound},
		{dubbo.StatusServiceError, "java.lang.OutOfMemoryError", protocol.StatusBadResponse},
		{dubbo.StatusServiceNotFound, "Not found exported service: a.B", protocol.StatusNotFound},
		{dubbo.StatusServiceNotFound, "", protocol.StatusServiceNotFound},
		{dubbo.StatusServerError, "Not found exported service: a.B", protocol.StatusBadResponse},
		{dubbo.StatusThreadpoolExhausted, "Service not found", protocol.StatusOverloaded},
	} {
		if got := statusOf(c.s, []byte(c.msg)); got != c.want {
			t.Errorf("statusOf(%d, %.40q) = %v, want %v", c.s, c.msg, got, c.want)
		}
	}
	for s, want := range map[dubbo.Status]protocol.Status{
		dubbo.StatusThreadpoolExhausted: protocol.StatusOverloaded,
		dubbo.StatusServiceNotFound:     protocol.StatusServiceNotFound,
		dubbo.StatusClientTimeout:       protocol.StatusTimeout,
		dubbo.StatusServerTimeout:       protocol.StatusTimeout,
		dubbo.StatusBadRequest:          protocol.StatusBadRequest,
		dubbo.StatusBadResponse:         protocol.StatusBadResult,
		dubbo.StatusServiceError:        protocol.StatusBadResponse,
		dubbo.StatusServerError:         protocol.StatusBadResponse,
		dubbo.StatusClientError:         protocol.StatusBadResponse,
		dubbo.Status(99):                protocol.StatusBadResponse,
	} {
		if got := statusOf(s, []byte("boom")); got != want {
			t.Errorf("statusOf(%d) = %v, want %v", s, got, want)
		}
	}
}

func TestDeadline(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	r := req("hang", "x")
	r.Timeout = 200
	start := time.Now()
	c.send(7, r)
	c.send(8, req("hash", "b")) // answered while 7 waits
	c.flush()
	expectOK(t, c.next(), "98")
	got := c.next()
	took := time.Since(start)
	if got.h.ID != 7 {
		t.Fatalf("answer for id %d, want 7", got.h.ID)
	}
	expectError(t, got, protocol.StatusTimeout, "deadline")
	if took < 200*time.Millisecond || took > time.Second {
		t.Fatalf("timed out after %v, want 200ms (plus a sweep)", took)
	}
	if reqs := f.requests(); len(reqs) != 2 || reqs[0].Timeout != 200 {
		t.Fatalf("provider saw %+v, want the 200ms timeout attachment", reqs)
	}
	if n := metric(t, a, "provider_agent_timeouts_total"); n != 1 {
		t.Fatalf("timeouts_total = %v, want 1", n)
	}
	if n := a.InFlight(); n != 0 {
		t.Fatalf("%d calls still in flight", n)
	}
	// A timeout past a Java int is as good as none: sent as the largest.
	r = req("hash", "c")
	r.Timeout = math.MaxUint32
	expectOK(t, c.roundTrip(9, r), "99")
	if reqs := f.requests(); len(reqs) != 3 || reqs[2].Timeout != math.MaxInt32 {
		t.Fatalf("provider saw %+v, want the timeout attachment %d", reqs, math.MaxInt32)
	}
}

func TestLateAnswerDropped(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	r := req("slow", "x") // answered after 100 ms
	r.Timeout = 30
	expectError(t, c.roundTrip(1, r), protocol.StatusTimeout, "")
	waitFor(t, "the late answer", func() bool { return metric(t, a, "provider_agent_late_answers_total") == 1 })
	// Nothing else arrives for id 1, and the connection still works.
	expectOK(t, c.roundTrip(2, req("hash", "a")), "97")
}

func TestBadArguments(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)

	r := req("hash", "x")
	r.ParameterTypes = []byte("Ljava/util/List;")
	expectError(t, c.roundTrip(1, r), protocol.StatusBadRequest, "")

	r = req("hash", "x")
	r.ParameterTypes = []byte("I")
	expectError(t, c.roundTrip(2, r), protocol.StatusBadRequest, "")

	// A well-framed request whose body is not a request body.
	bad := make([]byte, protocol.HeaderSize+3)
	protocol.PutHeader(bad, protocol.Header{Kind: protocol.KindRequest, Length: 3, ID: 3})
	c.writeRaw(bad)
	expectError(t, c.next(), protocol.StatusBadRequest, "malformed")

	expectOK(t, c.roundTrip(4, req("hash", "a")), "97")
	if n := metric(t, a, "provider_agent_bad_requests_total"); n != 3 {
		t.Fatalf("bad_requests_total = %v, want 3", n)
	}
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("the provider got %d calls, want only the good one", n)
	}
}

func TestOverloadedWhenTableFull(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.MaxInFlight = 4; c.Loops = 1 })
	c := dial(t, a)
	for i := range 4 {
		c.send(uint32(i+1), req("hang", "x"))
	}
	c.send(5, req("hash", "x"))
	c.flush()
	expectError(t, c.next(), protocol.StatusOverloaded, "calls in flight")
	if n := a.InFlight(); n != 4 {
		t.Fatalf("InFlight = %d, want 4", n)
	}
}
