package main

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/bench/load"
)

// userPost returns a UserService call of method with the given descriptor
// and parameter, as the load generator sends it.
func userPost(method, types, param string) string {
	return post("interface="+demo.Interface+"&method="+method+"&parameterTypesString="+url.QueryEscape(types)+
		"&parameter="+url.QueryEscape(param), "")
}

func TestSessionAnswersUsers(t *testing.T) {
	u := demo.GetUser(12)
	var s session
	in := string(load.AppendUserRequest(nil, "x", 12)) + string(load.AppendEchoRequest(nil, "x", 12)) +
		"GET /?interface=" + demo.Interface + "&method=getUser&parameterTypesString=J&parameter=12 HTTP/1.1\r\n\r\n"
	s.process([]byte(in))
	rs := responses(t, s.out)
	eq(t, "responses", len(rs), 3)
	for _, r := range rs {
		eq(t, "status", r.StatusCode, 200)
		eq(t, "content type", r.Header.Get("Content-Type"), "application/json")
		eq(t, "body", r.Header.Get("X-Body"), string(u.AppendJSON(nil)))
		eq(t, "checked", load.CheckUser(200, []byte(r.Header.Get("Content-Type")), []byte(r.Header.Get("X-Body")), 12), load.Correct)
	}
}

func TestSessionRefusesOtherUserCalls(t *testing.T) {
	u := demo.GetUser(3)
	arg := string(u.AppendArgJSON(nil))
	for _, in := range []string{
		userPost("getUser", "J", "x"),
		userPost("getUser", "J", "99999999999999999999"),
		userPost("getUser", "I", "3"),
		userPost("find", "Ljava/util/Map;", "{}"),
		userPost("echo", demo.UserDescriptor, strings.Replace(arg, "user-3", "user-4", 1)),
		userPost("echo", demo.UserDescriptor, `{"name":"x"}`),
		userPost("echo", demo.UserDescriptor, `{"id":3}`),
		post("interface="+demo.Interface+"&method=getUser&parameterTypesString=J&parameter=1&parameter=2", ""),
	} {
		var s session
		s.process([]byte(in))
		rs := responses(t, s.out)
		eq(t, in+" status", rs[0].StatusCode, 400)
		eq(t, in+" content type", rs[0].Header.Get("Content-Type"), "text/plain; charset=utf-8")
	}
}

func TestSessionAnswersUsersWithoutAllocating(t *testing.T) {
	var s session
	in := append(load.AppendUserRequest(nil, "x", 500), load.AppendEchoRequest(nil, "x", 7)...)
	s.process(in)
	if n := testing.AllocsPerRun(1000, func() { s.process(in) }); n != 0 {
		t.Fatalf("process allocates %v times", n)
	}
}

// TestServeUserWorkloads drives the ideal with the load generator's user
// workloads: every answer must check.
func TestServeUserWorkloads(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serve(ln, 5*time.Millisecond)
	for _, w := range []load.Workload{load.User, load.UserMixed} {
		g, err := load.Start(load.Config{Addr: ln.Addr().String(), Conns: 8, Workload: w, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		res := g.Stop()
		g.Close()
		if res.Correct < 50 || res.Wrong != 0 || res.Failed != 0 {
			t.Fatalf("%v: correct %d, wrong %d, failed %d", w, res.Correct, res.Wrong, res.Failed)
		}
		if p := res.Percentiles(); p.P50 < 5*time.Millisecond {
			t.Fatalf("%v: p50 %v, under the latency", w, p.P50)
		}
	}
}

func TestParseID(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "-1": -1, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63} {
		if got, ok := parseID([]byte(in)); !ok || got != want {
			t.Errorf("parseID(%s) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "-", "9223372036854775808", "1x", "+1", "12345678901234567890"} {
		if _, ok := parseID([]byte(in)); ok {
			t.Errorf("parseID(%q) accepted", in)
		}
	}
}
