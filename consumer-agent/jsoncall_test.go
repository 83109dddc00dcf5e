package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// echoJSON echoes the first argument, marked as JSON when the call asked
// for JSON.
func echoJSON(req *protocol.Request) reply { return reply{act: actEcho, json: req.JSON} }

func jsonPost(body string) string {
	return "POST / HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// A call in the JSON form: text parameters arrive as their text, others as
// JSON; the answer is JSON, and so is an error.
func TestJSONCall(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoJSON)
	c := dial(t, a)

	c.send(jsonPost(`{"interface":"` + echoIface + `","method":"echo","parameterTypes":["Ljava/lang/String;","J","Lcom/x/User;"],"args":["h\u00e9 \"x\"",7,{"name":"ann"}],"group":"g","attachments":{"k":"v"}}`))
	resp := c.expect(200, `hé "x"`)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	f.mu.Lock()
	last := f.last
	f.mu.Unlock()
	check(t, "types", last.types, "Ljava/lang/String;JLcom/x/User;")
	check(t, "attachments", last.attachments, "k=v&group=g")

	// Refused before any call: a JSON error.
	c.send(jsonPost(`{"interface":"` + echoIface + `","method":"echo","parameterTypes":["I"],"args":[{"a":1}]}`))
	resp, body := c.read()
	var e struct{ Error string }
	if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "parameter 1") {
		t.Errorf("got %d %q %q, want 400 with a JSON error naming parameter 1", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	for arg, want := range map[string]string{
		`null`:    `parameter 1: null where Ljava/lang/String; is declared: only a box, a decimal or a Date may be null`,
		`["x"]`:   `parameter 1: a JSON object or array where Ljava/lang/String; is declared: give it as a JSON string, number or boolean`,
		`{"a":1}`: `parameter 1: a JSON object or array where Ljava/lang/String; is declared`,
	} {
		c.send(jsonPost(`{"interface":"` + echoIface + `","method":"echo","parameterTypes":["Ljava/lang/String;"],"args":[` + arg + `]}`))
		resp, body = c.read()
		if resp.StatusCode != 400 || json.Unmarshal([]byte(body), &e) != nil || !strings.HasPrefix(e.Error, want) {
			t.Errorf("argument %s: %d %q, want 400 %q", arg, resp.StatusCode, body, want)
		}
	}
	// Unset fields written as null, as encoders do: left out.
	c.send(jsonPost(`{"interface":"` + echoIface + `","method":"echo","parameterTypes":null,"args":null,"version":null,"group":null,"attachments":null}`))
	c.expect(200, ``)
	c.send(jsonPost(`{"interface":`))
	resp, body = c.read()
	if resp.StatusCode != 400 || json.Unmarshal([]byte(body), &e) != nil {
		t.Errorf("malformed JSON: %d %q", resp.StatusCode, body)
	}

	// A provider's error: the same status, as JSON.
	f.setPlan(func(*protocol.Request) reply {
		return reply{act: actFail, status: protocol.StatusException, msg: "java.lang.IllegalStateException: boom\n\tat x"}
	})
	c.send(jsonPost(`{"interface":"` + echoIface + `","method":"echo"}`))
	resp, body = c.read()
	if resp.StatusCode != http.StatusInternalServerError || json.Unmarshal([]byte(body), &e) != nil || e.Error != "java.lang.IllegalStateException: boom" {
		t.Errorf("exception: %d %q", resp.StatusCode, body)
	}
}

// A form call whose result the provider agent rendered as JSON is served as
// application/json; a text result stays text/plain.
func TestFormCallJSONResult(t *testing.T) {
	a, f := echoAgent(t, Config{}, func(*protocol.Request) reply { return reply{act: actEcho, json: true} })
	c := dial(t, a)
	c.send(post(form(echoIface, "echo", "Lcom/x/User;", `{"name":"ann"}`)))
	resp := c.expect(200, `{"name":"ann"}`)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	f.setPlan(echoPlan)
	c.send(post(echoForm("x")))
	resp = c.expect(200, "x")
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestJSONCallAnsweredAsText: a provider agent that predates the JSON form
// ignores the flag asking for JSON and answers as for the race's form. Its
// answer to a JSON-form call is a 502 that says so, not a 200 the caller
// would misread; the agent is not sidelined, and its form calls still work.
func TestJSONCallAnsweredAsText(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan) // never sets FlagJSON
	c := dial(t, a)
	c.send(jsonPost(`{"interface":"` + echoIface + `","method":"echo","parameterTypes":["Ljava/lang/String;"],"args":["x"]}`))
	resp, body := c.read()
	var e struct{ Error string }
	if resp.StatusCode != 502 || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, "predates the JSON form") {
		t.Fatalf("got %d %q, want 502 saying the agent predates the JSON form", resp.StatusCode, body)
	}
	check(t, "sidelined", metric(t, a, "consumer_agent_sidelined_total"), 0.0)
	c.send(post(echoForm("y")))
	c.expect(200, "y")
}
