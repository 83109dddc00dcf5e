package main

import (
	"bytes"
	"net/url"
	"strconv"
	"testing"

	"github.com/dubbomesh/dubbomesh/internal/alloctest"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestCallerMistakesNeverSideline: an agent that answers every call with a
// caller's mistake (400, 404, 500), or with a result no agent can render
// (502, BadResult), keeps its share of the calls: it is not sidelined, and
// the calls are not retried elsewhere. The round robin of two agents of
// weight 1 alternates exactly on one connection.
func TestCallerMistakesNeverSideline(t *testing.T) {
	for _, s := range []protocol.Status{protocol.StatusBadRequest, protocol.StatusNotFound, protocol.StatusException, protocol.StatusBadResult} {
		t.Run(s.String(), func(t *testing.T) {
			msg := "provider says " + s.String()
			a, bad, good := retryAgents(t, Config{}, failPlan(s, msg), echoPlan, 1, 1)
			c := dial(t, a)
			const n = 40
			failed := 0
			for i := range n {
				c.send(post(echoForm(strconv.Itoa(i))))
				resp, body := c.read()
				switch {
				case resp.StatusCode == s.HTTPStatus() && body == "error: "+msg+"\n":
					failed++
				case resp.StatusCode == 200 && body == strconv.Itoa(i):
				default:
					t.Fatalf("call %d: %d %q", i, resp.StatusCode, body)
				}
			}
			check(t, "calls answered with the mistake", failed, n/2)
			check(t, "calls to the agent answering mistakes", bad.calls.Load(), int64(n/2))
			check(t, "calls to the other", good.calls.Load(), int64(n/2))
			expectMetric(t, a, "consumer_agent_sidelined_total", 0)
			expectMetric(t, a, "consumer_agent_retries_total", 0)
			expectMetric(t, a, "consumer_agent_ejections_total", 0)
		})
	}
}

// TestPathFaultsSideline: the statuses that say something about the path
// still sideline the agent that gave them, which so gets fewer calls.
func TestPathFaultsSideline(t *testing.T) {
	for _, s := range []protocol.Status{protocol.StatusTimeout, protocol.StatusBadResponse, protocol.StatusServiceNotFound,
		protocol.StatusLost, protocol.Status(42)} {
		t.Run(s.String(), func(t *testing.T) {
			a, bad, good := retryAgents(t, Config{}, failPlan(s, "path"), echoPlan, 1, 1)
			c := dial(t, a)
			const n = 40
			for i := range n {
				c.send(post(echoForm(strconv.Itoa(i))))
				c.read()
			}
			if metric(t, a, "consumer_agent_sidelined_total") == 0 {
				t.Fatal("no agent sidelined")
			}
			if b, g := bad.calls.Load(), good.calls.Load(); b >= g {
				t.Fatalf("the failing agent got %d calls, the other %d", b, g)
			}
		})
	}
}

// TestNotFoundAnswer: a NotFound error frame is answered 404 and counted;
// the message shows its first line only, without control characters.
func TestNotFoundAnswer(t *testing.T) {
	const msg = "org.apache.dubbo.remoting.RemotingException: Not found exported service: x.Echo:9.9.9:20880\tin [x.Echo:20880]\x01\r\n" +
		"\tat org.apache.dubbo.rpc.protocol.dubbo.DubboProtocol.getInvoker(DubboProtocol.java:236)\n"
	a, _ := echoAgent(t, Config{}, failPlan(protocol.StatusNotFound, msg))
	c := dial(t, a)
	c.send(post(echoForm("x") + "&version=9.9.9"))
	c.expect(404, "error: org.apache.dubbo.remoting.RemotingException: Not found exported service: x.Echo:9.9.9:20880in [x.Echo:20880]\n")
	expectMetric(t, a, "consumer_agent_responses_404_total", 1)
	for _, in := range []string{"", "\n", "\x00\x1f\x7f", "plain"} {
		var b bytes.Buffer
		b.WriteString(errPrefix)
		for _, ch := range []byte(in) {
			if ch == '\n' {
				break
			}
			if !isControl(ch) {
				b.WriteByte(ch)
			}
		}
		b.WriteByte('\n')
		check(t, "errorBodySize("+strconv.Quote(in)+")", errorBodySize([]byte(in)), b.Len())
	}
}

// TestAttachmentsReachProviderAgent: group= (form and query) and the
// attachment headers travel as the request's attachments, in order, the
// group last; attachments the agent sets itself are refused with 400.
func TestAttachmentsReachProviderAgent(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	c.send(post(echoForm("x")+"&group=g1", "traceparent: "+tp, "TraceState: congo=t61rcWkgMzE", "Dubbo-Attachment-Tenant: acme"))
	c.expect(200, "x")
	check(t, "attachments", f.lastReq().attachments, "traceparent="+tp+"&tracestate=congo=t61rcWkgMzE&tenant=acme&group=g1")

	c.send("GET /?" + echoForm("y") + "&group=" + url.QueryEscape("g/2") + " HTTP/1.1\r\nHost: agent\r\n\r\n")
	c.expect(200, "y")
	check(t, "attachments of a GET", f.lastReq().attachments, "group=g/2")

	c.send(post(echoForm("z")))
	c.expect(200, "z")
	check(t, "attachments of a plain call", f.lastReq().attachments, "")

	calls := f.calls.Load()
	c.send(post(echoForm("w"), "Dubbo-Attachment-path: x.Other"))
	c.expectError(400, "set by the agent")
	c.send(post(echoForm("w"), "Dubbo-Attachment-k: \xff"))
	c.expectError(400, "UTF-8")
	check(t, "refused calls sent", f.calls.Load(), calls)
	expectMetric(t, a, "consumer_agent_sidelined_total", 0)
}

// TestHandleAllocsAttachments: a call with a group and attachment headers,
// answered 404, allocates nothing in steady state either.
func TestHandleAllocsAttachments(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	const msg = "Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:x.Echo, echo\n\tat x"
	p := newHandlePath(t, "hello")
	p.req = []byte(post(echoForm("hello")+"&group=g", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"Dubbo-Attachment-Tenant: acme"))
	p.frame = make([]byte, protocol.ErrorSize(msg))
	p.want = []byte("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
		strconv.Itoa(len("error: \n")+len("Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:x.Echo, echo")) +
		"\r\n\r\nerror: Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:x.Echo, echo\n")
	call := func() {
		used, need := p.a.handleRequests(p.hc, p.req)
		p.hc.set.Flush()
		if used != len(p.req) || need != 0 {
			t.Fatalf("handleRequests used %d, need %d; want %d, 0", used, need, len(p.req))
		}
		id := <-p.ids
		protocol.PutError(p.frame, id, protocol.StatusNotFound, msg)
		if used, need, err := p.l.handleAnswers(&p.set, nil, p.frame); used != len(p.frame) || need != 0 || err != nil {
			t.Fatalf("handleAnswers used %d, need %d, %v", used, need, err)
		}
		p.set.Flush()
		got, err := p.out.Next(p.out.Len())
		if err != nil || !bytes.Equal(got, p.want) {
			t.Fatalf("response %q (%v), want %q", got, err, p.want)
		}
		p.out.Release()
	}
	for range 100 {
		call()
	}
	if n, _ := alloctest.PerRun(1000, call); n != 0 {
		t.Fatalf("%v allocations per call, want 0", n)
	}
	expectMetric(t, p.a, "consumer_agent_sidelined_total", 0)
}
