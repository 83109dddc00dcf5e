package main

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

func TestParseExport(t *testing.T) {
	for in, want := range map[string]export{
		helloService:                  {iface: helloService},
		helloService + ":1.0.0":       {iface: helloService, version: "1.0.0"},
		helloService + ":0.0.0":       {iface: helloService},
		helloService + "::g":          {iface: helloService, group: "g"},
		echoService + ":2.1:blue-1.x": {iface: echoService, version: "2.1", group: "blue-1.x"},
		helloService + ":":            {iface: helloService},
	} {
		got, err := parseExport(in)
		if err != nil || got != want {
			t.Errorf("parseExport(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "com.example.Nope", helloService + ":1:g:x", helloService + ":1 0", helloService + "::a/b", helloService + "::\t"} {
		if _, err := parseExport(in); err == nil {
			t.Errorf("parseExport(%q) accepted", in)
		}
	}
}

func TestServiceFlag(t *testing.T) {
	cfg, err := parseFlags([]string{"--service", helloService + "::g", "--service", helloService + ":1.0.0", "--service", echoService}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := exports{{iface: helloService, group: "g"}, {iface: helloService, version: "1.0.0"}, {iface: echoService}}
	if cfg.services == nil || len(*cfg.services) != len(want) {
		t.Fatalf("services %v, want %v", cfg.services, want)
	}
	for i := range want {
		equal(t, "service "+strconv.Itoa(i), (*cfg.services)[i], want[i])
	}
	equal(t, "String", cfg.services.String(), helloService+"::g,"+helloService+":1.0.0,"+echoService)
	if cfg, err := parseFlags(nil, io.Discard); err != nil || cfg.services != nil {
		t.Fatalf("without --service: %v, %v", cfg.services, err)
	}
	for _, args := range [][]string{
		{"--service", "com.example.Nope"},
		{"--service", helloService + ":1:g:x"},
		{"--service", helloService, "--service", helloService + ":0.0.0"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

// callWith sends a request with a version and a group attachment and
// returns its answer.
func (c *client) callWith(ser dubbo.Serialization, version, group, iface, method, types string, args ...string) result {
	c.t.Helper()
	r := c.request(ser, iface, method, types, args...)
	r.Version = []byte(version)
	if group != "" {
		r.Attachments = []dubbo.Attachment{{Key: []byte("group"), Value: []byte(group)}}
	}
	c.write(c.encode(r))
	res := c.decode(c.read(5 * time.Second))
	if res.id != r.ID {
		c.t.Fatalf("answer has id %d, want %d", res.id, r.ID)
	}
	return res
}

// TestExportsVersionAndGroup: a call reaches a service only under a
// version and group it is exported with; any other is refused with status
// 70 and Dubbo's message, and an interface or method not exported at all
// with status 40. Both messages are what dubbo.NotFound recognises.
func TestExportsVersionAndGroup(t *testing.T) {
	cfg := testConfig()
	cfg.services = &exports{{iface: helloService, group: "g"}, {iface: helloService, version: "1.0.0"}}
	_, addr, _ := startServer(t, cfg)
	_, port, _ := net.SplitHostPort(addr)
	hash := strconv.Itoa(int(refJavaHash("x")))
	keys := "[g/" + helloService + ":" + port + ", " + helloService + ":1.0.0:" + port + "]"
	for _, ser := range serializations {
		c := dial(t, addr)
		for _, tc := range []struct {
			version, group string
			status         dubbo.Status
			key            string // the service key a 70 names
		}{
			{"", "g", 20, ""},
			{"0.0.0", "g", 20, ""},
			{"1.0.0", "", 20, ""},
			{"", "", 70, helloService + ":" + port},
			{"0.0.0", "", 70, helloService + ":" + port},
			{"", "h", 70, "h/" + helloService + ":" + port},
			{"1.0.0", "g", 70, "g/" + helloService + ":1.0.0:" + port},
			{"9.9.9", "", 70, helloService + ":9.9.9:" + port},
		} {
			what := ser.String() + " version " + tc.version + " group " + tc.group
			res := c.callWith(ser, tc.version, tc.group, helloService, "hash", "Ljava/lang/String;", "x")
			equal(t, what+" status", res.status, tc.status)
			if tc.status == 20 {
				equal(t, what+" hash", res.text, hash)
				continue
			}
			want := "org.apache.dubbo.remoting.RemotingException: Not found exported service: " + tc.key + " in " + keys +
				", may be version or group mismatch , channel: consumer: /"
			if !strings.HasPrefix(res.text, want) || !strings.HasSuffix(res.text, "--> provider: /"+addr+", message:RpcInvocation [methodName=hash]") {
				t.Fatalf("%s: message\n%q\nwant it to start\n%q", what, res.text, want)
			}
			equal(t, what+" NotFound", dubbo.NotFound([]byte(res.text)), true)
		}
		// The method is checked before the service key, as Dubbo decodes
		// the call before it looks for its exporter.
		res := c.callWith(ser, "9.9.9", "", helloService, "nosuch", "")
		equal(t, "unknown method status", res.status, dubbo.StatusBadRequest)
		equal(t, "unknown method text", res.text, noSuchMethod+helloService+", nosuch")
		// EchoService is implemented but not exported.
		res = c.callWith(ser, "", "", echoService, "echo", "Ljava/lang/String;", "x")
		equal(t, "unexported interface status", res.status, dubbo.StatusBadRequest)
		equal(t, "unexported interface NotFound", dubbo.NotFound([]byte(res.text)), true)
	}
}

// TestRefusalsAllocateNothing: the 40 and 70 answers are built in the
// call's own buffer.
func TestRefusalsAllocateNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p := newCallPath(t)
	p.s.cfg.services = &exports{{iface: helloService, version: "1.0.0", group: "g"}}
	for name, mod := range map[string]func(r *dubbo.Request){
		"70": func(r *dubbo.Request) { r.Version = []byte("9.9.9") },
		"40": func(r *dubbo.Request) { r.Method = []byte("nosuch") },
	} {
		r := &dubbo.Request{ID: 1, Serialization: dubbo.Hessian2, Interface: []byte(helloService), Method: []byte("hash"),
			ParameterTypes: []byte("Ljava/lang/String;"), Args: [][]byte{[]byte("x")}, Timeout: 3000,
			Attachments: []dubbo.Attachment{{Key: []byte("group"), Value: []byte("g")}}}
		mod(r)
		n, err := dubbo.RequestSize(r)
		if err != nil {
			t.Fatal(err)
		}
		frame := make([]byte, n)
		dubbo.PutRequest(frame, r)
		out := p.run(t, frame)
		h, _, _, err := dubbo.Next(out)
		if err != nil || (name == "70") != (h.Status == dubbo.StatusServiceError) {
			t.Fatalf("%s: answer status %d, %v", name, h.Status, err)
		}
		if n := testing.AllocsPerRun(100, func() { p.run(t, frame) }); n != 0 {
			t.Errorf("%s: %v allocs per call, want 0", name, n)
		}
	}
}
