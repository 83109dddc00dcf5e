package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
	"github.com/dubbomesh/dubbomesh/registry"
)

// TestBadForm: requests that are well framed but cannot be called are
// answered 400, and the connection carries on.
func TestBadForm(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	for _, tc := range []struct{ name, body, part string }{
		{"missing interface", "method=echo&parameterTypesString=" + stringType + "&parameter=x", `"interface"`},
		{"missing method", "interface=" + echoIface + "&parameterTypesString=" + stringType + "&parameter=x", `"method"`},
		{"bad percent-encoding", "interface=" + echoIface + "&method=echo&parameterTypesString=" + stringType + "&parameter=%zz", "percent-encoding"},
		{"truncated percent-encoding", echoForm("x") + "%4", "percent-encoding"},
		{"bad descriptor", form(echoIface, "echo", "Ljava/util/List", "[]"), "Ljava/util/List"},
		{"not JSON for a List", form(echoIface, "echo", "Ljava/util/List;", "[1,"), "parameter 1"},
		{"too deep", form(echoIface, "echo", "Ljava/lang/Object;", strings.Repeat("[", 70)+strings.Repeat("]", 70)), "parameter 1"},
		{"not an int", form(echoIface, "echo", "I", "abc"), "abc"},
		{"int overflow", form(echoIface, "echo", "I", "2147483648"), "2147483648"},
		{"too few arguments", form(echoIface, "echo", stringType+"I", "x"), "parameter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.send(post(tc.body))
			c.expectError(400, tc.part)
		})
	}
	check(t, "calls", f.calls.Load(), int64(0))
	expectMetric(t, a, "consumer_agent_responses_400_total", 10)
	c.send(post(echoForm("still open")))
	c.expect(200, "still open")
}

// TestRefusedFraming: requests whose framing the agent refuses are answered
// with their status, and the connection is closed.
func TestRefusedFraming(t *testing.T) {
	const maxBody = 200
	a, f := echoAgent(t, Config{Limits: http1.Limits{MaxHeaderBytes: 256, MaxBodyBytes: maxBody}}, echoPlan)
	long := strings.Repeat("x", 300)
	for _, tc := range []struct {
		name, req string
		status    int
		metric    string
	}{
		{"malformed request line", "garbage\r\n\r\n", 400, "400"},
		{"PUT", "PUT / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, "405"},
		{"no length", "POST / HTTP/1.1\r\nHost: agent\r\n\r\n" + echoForm("x"), 411, "41x"},
		{"chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411, "41x"},
		{"body too large", post(echoForm(strings.Repeat("y", maxBody))), 413, "41x"},
		{"headers too large", "GET / HTTP/1.1\r\nX-Long: " + long + "\r\n\r\n", 431, "41x"},
		{"HTTP/2.0", "POST / HTTP/2.0\r\nContent-Length: 0\r\n\r\n", 505, "505"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "consumer_agent_responses_" + tc.metric + "_total"
			before := metric(t, a, name)
			c := dial(t, a)
			// A good request pipelined behind is never served.
			c.send(tc.req + post(echoForm("behind")))
			resp := c.expectError(tc.status, "http1: ")
			check(t, "close", resp.Close, true)
			if tc.status == 405 {
				check(t, "Allow", resp.Header.Get("Allow"), "GET, POST")
			}
			c.expectClosed()
			expectMetric(t, a, name, before+1)
		})
	}
	check(t, "calls", f.calls.Load(), int64(0))

	// Right at the limits is fine.
	c := dial(t, a)
	z := strings.Repeat("z", maxBody-len(echoForm("")))
	check(t, "body length", len(echoForm(z)), maxBody)
	c.send(post(echoForm(z)))
	c.expect(200, z)
}

func TestProviderException(t *testing.T) {
	const msg = "java.lang.IllegalStateException: boom"
	a, _ := echoAgent(t, Config{}, func(*protocol.Request) reply {
		return reply{act: actFail, status: protocol.StatusException, msg: msg}
	})
	c := dial(t, a)
	c.send(post(echoForm("x")))
	resp := c.expect(500, "error: "+msg+"\n")
	check(t, "Content-Type", resp.Header.Get("Content-Type"), "text/plain; charset=utf-8")
	expectMetric(t, a, "consumer_agent_responses_500_total", 1)
	expectMetric(t, a, "consumer_agent_responses_200_total", 0)
}

// TestErrorFrameStatuses: every status of an error frame maps to its HTTP
// status, unknown ones to 502.
func TestErrorFrameStatuses(t *testing.T) {
	for _, tc := range []struct {
		s      protocol.Status
		status int
		metric string
	}{
		{protocol.StatusBadRequest, 400, "400"},
		{protocol.StatusNotFound, 404, "404"},
		{protocol.StatusException, 500, "500"},
		{protocol.StatusUnavailable, 502, "502"},
		{protocol.StatusBadResponse, 502, "502"},
		{protocol.StatusOverloaded, 503, "503"},
		{protocol.StatusServiceNotFound, 503, "503"},
		{protocol.StatusTimeout, 504, "504"},
		{protocol.Status(42), 502, "502"},
	} {
		t.Run(tc.s.String(), func(t *testing.T) {
			msg := "provider says " + tc.s.String()
			a, _ := echoAgent(t, Config{}, func(*protocol.Request) reply {
				return reply{act: actFail, status: tc.s, msg: msg}
			})
			c := dial(t, a)
			c.send(post(echoForm("x")) + post(echoForm("y")))
			c.expect(tc.status, "error: "+msg+"\n")
			c.expect(tc.status, "error: "+msg+"\n")
			expectMetric(t, a, "consumer_agent_responses_"+tc.metric+"_total", 2)
		})
	}
}

// TestProviderAgentLost: a provider agent that drops the connection mid-call
// gets its calls answered 502; the agent redials and calls flow again.
func TestProviderAgentLost(t *testing.T) {
	a, f := echoAgent(t, Config{}, func(*protocol.Request) reply { return reply{act: actHangUp} })
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expectError(502, "lost")
	expectMetric(t, a, "consumer_agent_responses_502_total", 1)

	f.setPlan(echoPlan)
	route(t, a, snapshot(echoIface, f.endpoint(echoIface, 1)))
	c.send(post(echoForm("back")))
	c.expect(200, "back")
	waitFor(t, "a redial", func() bool { return f.accepts.Load() == 3 })
}

func TestProviderAgentUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	a := startAgent(t, Config{})
	a.Update(snapshot(echoIface, registry.Endpoint{Interface: echoIface, Addr: addr, Weight: 1}))
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expectError(502, "reachable")
	expectMetric(t, a, "consumer_agent_responses_502_total", 1)
	waitFor(t, "dial errors", func() bool { return metric(t, a, "consumer_agent_dial_errors_total") >= 2 })
}

func TestUnknownInterface(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	c.send(post(form("com.example.Nobody", "echo", stringType, "x")))
	c.expectError(503, "no provider agent is registered for com.example.Nobody")
	expectMetric(t, a, "consumer_agent_responses_503_total", 1)
	check(t, "calls", f.calls.Load(), int64(0))
}

func TestProviderOverloaded(t *testing.T) {
	a, _ := echoAgent(t, Config{}, func(*protocol.Request) reply {
		return reply{act: actFail, status: protocol.StatusOverloaded, msg: "thread pool is exhausted"}
	})
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expect(503, "error: thread pool is exhausted\n")
	expectMetric(t, a, "consumer_agent_responses_503_total", 1)
}

// TestInFlightFull: past MaxInFlight calls per loop the agent answers 503
// itself, in order behind the calls before.
func TestInFlightFull(t *testing.T) {
	a, f := echoAgent(t, Config{MaxInFlight: 2}, func(*protocol.Request) reply { return reply{act: actHold} })
	c := dial(t, a)
	c.send(post(echoForm("1")) + post(echoForm("2")) + post(echoForm("3")))
	f.waitHeld(2)
	expectMetric(t, a, "consumer_agent_responses_503_total", 1)
	f.releaseReverse()
	c.expect(200, "1")
	c.expect(200, "2")
	c.expectError(503, "too many calls in flight")
}

// TestDeadline: a call the provider agent never answers is answered 504
// after Timeout; the answer that comes later is dropped and counted.
func TestDeadline(t *testing.T) {
	const timeout = 200 * time.Millisecond
	a, f := echoAgent(t, Config{Timeout: timeout}, func(*protocol.Request) reply { return reply{act: actHold} })
	c := dial(t, a)
	start := time.Now()
	c.send(post(echoForm("late")))
	c.expectError(504, "deadline")
	if d := time.Since(start); d < timeout || d > timeout+2*time.Second {
		t.Fatalf("504 after %v, want about %v", d, timeout)
	}
	expectMetric(t, a, "consumer_agent_responses_504_total", 1)
	expectMetric(t, a, "consumer_agent_inflight", 0)

	f.releaseReverse()
	expectMetric(t, a, "consumer_agent_late_answers_total", 1)
	// The connection carries on; the late answer went nowhere.
	f.setPlan(echoPlan)
	c.send(post(echoForm("next")))
	c.expect(200, "next")
	expectMetric(t, a, "consumer_agent_responses_200_total", 1)
}

// TestNeverAnswered: dropped calls in a pipeline are all answered 504, in
// order.
func TestNeverAnswered(t *testing.T) {
	a, _ := echoAgent(t, Config{Timeout: 100 * time.Millisecond}, func(*protocol.Request) reply { return reply{act: actDrop} })
	c := dial(t, a)
	c.send(post(echoForm("1")) + post(echoForm("2")) + post(echoForm("3")))
	for range 3 {
		c.expectError(504, "deadline")
	}
	expectMetric(t, a, "consumer_agent_responses_504_total", 3)
}
