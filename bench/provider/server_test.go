package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hessian "github.com/apache/dubbo-go-hessian2"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

func TestHashPipelined(t *testing.T) {
	cfg := testConfig()
	cfg.threads = 1000 // all 300 calls in flight at once
	_, addr, _ := startServer(t, cfg)
	for _, ser := range serializations {
		t.Run(ser.String(), func(t *testing.T) {
			c := dial(t, addr)
			strs := randomStrings(300, uint64(ser))
			want := make(map[int64]string)
			var frames []byte
			for _, s := range strs {
				r := c.request(ser, helloService, "hash", "Ljava/lang/String;", s)
				want[r.ID] = strconv.Itoa(int(refJavaHash(s)))
				frames = append(frames, c.encode(r)...)
			}
			c.write(frames) // all pipelined in one write
			for range strs {
				res := c.decode(c.read(5 * time.Second))
				w, ok := want[res.id]
				if !ok {
					t.Fatalf("answer with unknown or repeated id %d", res.id)
				}
				delete(want, res.id)
				equal(t, "status", res.status, dubbo.StatusOK)
				equal(t, "outcome", res.out, dubbo.OutcomeValue)
				equal(t, "hash", res.text, w)
			}
		})
	}
}

// TestHashHessianBytes checks the answer with the hessian2 library, apart
// from our own decoder.
func TestHashHessianBytes(t *testing.T) {
	for _, attach := range []bool{false, true} {
		cfg := testConfig()
		cfg.attachments = attach
		_, addr, _ := startServer(t, cfg)
		c := dial(t, addr)
		c.write(c.encode(c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "hello")))
		f := c.read(5 * time.Second)
		equal(t, "flag", f.h.Flag, byte(dubbo.Hessian2))
		d := hessian.NewDecoder(f.body)
		flag, err := d.Decode()
		if err != nil {
			t.Fatal(err)
		}
		v, err := d.Decode()
		if err != nil {
			t.Fatal(err)
		}
		wantFlag := int32(1)
		if attach {
			wantFlag = 4
			if m, err := d.Decode(); err != nil {
				t.Fatalf("attachments: %v", err)
			} else if _, ok := m.(map[any]any); !ok {
				t.Fatalf("attachments decode as %T, want a map", m)
			}
		}
		equal(t, "response flag", flag, any(wantFlag))
		equal(t, "hash", v, any(int32(99162322)))
	}
}

func TestEchoService(t *testing.T) {
	for _, attach := range []bool{false, true} {
		cfg := testConfig()
		cfg.attachments = attach
		_, addr, _ := startServer(t, cfg)
		for _, ser := range serializations {
			c := dial(t, addr)
			for _, tc := range []struct {
				method, types string
				args          []string
				status        dubbo.Status
				out           dubbo.Outcome
				text          string
			}{
				{"echo", "Ljava/lang/String;", []string{"héllo, 😀 \"world\""}, 20, dubbo.OutcomeValue, "héllo, 😀 \"world\""},
				{"echo", "Ljava/lang/String;", []string{""}, 20, dubbo.OutcomeValue, ""},
				{"echo", "I", []string{"-2147483648"}, 20, dubbo.OutcomeValue, "-2147483648"},
				{"echo", "Ljava/lang/Integer;", []string{"42"}, 20, dubbo.OutcomeValue, "42"},
				{"echo", "J", []string{"9223372036854775807"}, 20, dubbo.OutcomeValue, "9223372036854775807"},
				{"echo", "Ljava/lang/Long;", []string{"-7"}, 20, dubbo.OutcomeValue, "-7"},
				{"echo", "Z", []string{"true"}, 20, dubbo.OutcomeValue, "true"},
				{"echo", "Ljava/lang/Boolean;", []string{"false"}, 20, dubbo.OutcomeValue, "false"},
				{"echo", "D", []string{"1.5"}, 20, dubbo.OutcomeValue, "1.5"},
				{"echo", "Ljava/lang/Double;", []string{"100"}, 20, dubbo.OutcomeValue, "100.0"},
				{"nothing", "", nil, 20, dubbo.OutcomeNull, ""},
				{"concat", "Ljava/lang/String;IJ", []string{"a b", "-1", "12345678901"}, 20, dubbo.OutcomeValue, "a b,-1,12345678901"},
				{"sleep", "J", []string{"30"}, 20, dubbo.OutcomeValue, "30"},
				{"fail", "Ljava/lang/String;", []string{"boom"}, 20, dubbo.OutcomeException, "java.lang.IllegalStateException: boom"},
				{"nosuch", "", nil, 40, dubbo.OutcomeError, noSuchMethod + echoService + ", nosuch"},
				{"echo", "Ljava/lang/String;I", []string{"x", "1"}, 40, dubbo.OutcomeError, noSuchMethod + echoService + ", echo"},
			} {
				res := c.call(ser, echoService, tc.method, tc.types, tc.args...)
				what := ser.String() + " " + tc.method + "(" + tc.types + ")"
				equal(t, what+" status", res.status, tc.status)
				equal(t, what+" outcome", res.out, tc.out)
				equal(t, what+" text", res.text, tc.text)
			}
		}
	}
}

// noSuchMethod starts Dubbo 2.7's status 40 message for an interface or
// method it does not know (the first line, as DecodeResponse gives it).
const noSuchMethod = "Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:"

func TestHelloWrongDescriptorIs40(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	res := c.call(dubbo.Hessian2, helloService, "hash", "I", "3")
	equal(t, "status", res.status, dubbo.StatusBadRequest)
	equal(t, "text", res.text, noSuchMethod+helloService+", hash")
}

func TestUnknownInterfaceIs40(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	for _, ser := range serializations {
		res := c.call(ser, "com.example.Nope", "hash", "Ljava/lang/String;", "x")
		equal(t, "status", res.status, dubbo.StatusBadRequest)
		equal(t, "outcome", res.out, dubbo.OutcomeError)
		equal(t, "text", res.text, noSuchMethod+"com.example.Nope, hash")
		equal(t, "NotFound", dubbo.NotFound([]byte(res.text)), true)
	}
	// A version the provider does not export finds no service: status 70.
	r := c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "x")
	r.Version = []byte("2.0.0")
	c.write(c.encode(r))
	res := c.decode(c.read(5 * time.Second))
	equal(t, "status with version 2.0.0", res.status, dubbo.StatusServiceError)
	if !strings.Contains(res.text, "Not found exported service: "+helloService+":2.0.0:") {
		t.Fatalf("error %q does not name the service key", res.text)
	}
}

func TestPipelinedOutOfOrder(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	var frames []byte
	ids := map[int64]string{}
	for _, ms := range []string{"300", "200", "100", "0"} {
		r := c.request(dubbo.Hessian2, echoService, "sleep", "J", ms)
		ids[r.ID] = ms
		frames = append(frames, c.encode(r)...)
	}
	c.write(frames)
	var order []string
	for range ids {
		res := c.decode(c.read(5 * time.Second))
		equal(t, "echoed ms of id "+strconv.Itoa(int(res.id)), res.text, ids[res.id])
		order = append(order, res.text)
	}
	equal(t, "completion order", strings.Join(order, " "), "0 100 200 300")
}

func TestThreadsLimitRefusesExcess(t *testing.T) {
	cfg := testConfig()
	cfg.threads = 2
	cfg.latency = 200 * time.Millisecond
	_, addr, _ := startServer(t, cfg)
	c := dial(t, addr)
	var frames []byte
	for range 5 {
		frames = append(frames, c.encode(c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc"))...)
	}
	c.write(frames)
	var ok, refused int
	for range 5 {
		res := c.decode(c.read(5 * time.Second))
		switch res.status {
		case dubbo.StatusOK:
			ok++
			equal(t, "hash", res.text, "96354")
		case dubbo.StatusThreadpoolExhausted:
			refused++
			if ok > 0 {
				t.Errorf("a refusal came after an answer, want refusals at once")
			}
			if !strings.Contains(res.text, "EXHAUSTED") {
				t.Errorf("refusal text %q", res.text)
			}
		default:
			t.Fatalf("status %v", res.status)
		}
	}
	equal(t, "answered", ok, 2)
	equal(t, "refused", refused, 3)
	// The threads are free again once the calls complete.
	equal(t, "status after completion", c.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc").status, dubbo.StatusOK)
}

func TestCapacityQueues(t *testing.T) {
	cfg := testConfig()
	cfg.capacity = 20 // one call per 50 ms
	cfg.latency = 10 * time.Millisecond
	_, addr, _ := startServer(t, cfg)
	c := dial(t, addr)
	var frames []byte
	for range 10 {
		frames = append(frames, c.encode(c.request(dubbo.FastJSON, helloService, "hash", "Ljava/lang/String;", "abc"))...)
	}
	start := time.Now()
	c.write(frames)
	var gaps []time.Duration
	last := start
	for range 10 {
		res := c.decode(c.read(5 * time.Second))
		equal(t, "status", res.status, dubbo.StatusOK)
		now := time.Now()
		gaps = append(gaps, now.Sub(last))
		last = now
	}
	total := time.Since(start)
	if total < 450*time.Millisecond || total > 2*time.Second {
		t.Fatalf("10 calls at 20/s took %v, want about 0.46s", total)
	}
	t.Logf("total %v, gaps %v", total, gaps)
}

func TestCapacityUnlimitedDoesNotQueue(t *testing.T) {
	cfg := testConfig()
	cfg.latency = 50 * time.Millisecond
	_, addr, _ := startServer(t, cfg)
	c := dial(t, addr)
	var frames []byte
	for range 100 {
		frames = append(frames, c.encode(c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc"))...)
	}
	start := time.Now()
	c.write(frames)
	for range 100 {
		c.read(5 * time.Second)
	}
	// Run one after another they would take 5 s; the bound leaves room for
	// a loaded machine.
	if d := time.Since(start); d < 50*time.Millisecond || d > 1500*time.Millisecond {
		t.Fatalf("100 concurrent 50ms calls took %v, want just over 50ms", d)
	}
}

func TestHeartbeatAnswered(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	for _, ser := range serializations {
		b := make([]byte, dubbo.HeartbeatSize(ser))
		dubbo.PutHeartbeat(b, 77, ser, false)
		c.write(b)
		f := c.read(5 * time.Second)
		equal(t, "id", f.h.ID, int64(77))
		equal(t, "flag", f.h.Flag, dubbo.FlagEvent|byte(ser))
		equal(t, "status", f.h.Status, dubbo.StatusOK)
		want := make([]byte, dubbo.HeartbeatSize(ser))
		dubbo.PutHeartbeat(want, 77, ser, true)
		if !bytes.Equal(f.body, want[dubbo.HeaderSize:]) {
			t.Fatalf("heartbeat body %q, want %q", f.body, want[dubbo.HeaderSize:])
		}
	}
}

func TestIdleHeartbeatSent(t *testing.T) {
	cfg := testConfig()
	cfg.heartbeat = 100 * time.Millisecond
	_, addr, _ := startServer(t, cfg)
	c := dial(t, addr)
	// A call in fastjson makes the heartbeats fastjson too.
	equal(t, "call", c.call(dubbo.FastJSON, helloService, "hash", "Ljava/lang/String;", "abc").text, "96354")
	start := time.Now()
	for i := range 2 {
		f := c.read(2 * time.Second)
		if !f.h.IsRequest() || !f.h.IsEvent() || !f.h.IsTwoWay() {
			t.Fatalf("frame %d: flag %#x, want a heartbeat request", i, f.h.Flag)
		}
		equal(t, "serialization", f.h.Serialization(), dubbo.FastJSON)
		b := make([]byte, dubbo.HeartbeatSize(dubbo.FastJSON))
		dubbo.PutHeartbeat(b, f.h.ID, dubbo.FastJSON, true)
		c.write(b) // our answer is a read for the server: it resets the idle time
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("two heartbeats within %v of a 100ms idle timer", d)
	}
	// The connection still serves calls.
	equal(t, "call after heartbeats", c.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "hello").text, "99162322")
}

func TestNoHeartbeatWhileBusy(t *testing.T) {
	cfg := testConfig()
	cfg.heartbeat = time.Second
	_, addr, _ := startServer(t, cfg)
	c := dial(t, addr)
	deadline := time.Now().Add(2500 * time.Millisecond)
	for time.Now().Before(deadline) {
		res := c.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc")
		equal(t, "hash", res.text, "96354") // c.call fails on a heartbeat frame
	}
}

func TestUnknownSerializationIs40(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	b := c.encode(c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc"))
	b[2] = dubbo.FlagRequest | dubbo.FlagTwoWay | 7
	c.write(b)
	res := c.decode(c.read(5 * time.Second))
	equal(t, "status", res.status, dubbo.StatusBadRequest)
	if !strings.Contains(res.text, "7") {
		t.Fatalf("error %q does not name the serialization", res.text)
	}
}

func TestUndecodableBodyIs40(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	for _, ser := range serializations {
		body := []byte("\x01\x02not a request body")
		b := make([]byte, dubbo.HeaderSize+len(body))
		dubbo.PutHeader(b, dubbo.Header{Flag: dubbo.FlagRequest | dubbo.FlagTwoWay | byte(ser), ID: 9, Length: len(body)})
		copy(b[dubbo.HeaderSize:], body)
		c.write(b)
		res := c.decode(c.read(5 * time.Second))
		equal(t, "id", res.id, int64(9))
		equal(t, "status", res.status, dubbo.StatusBadRequest)
	}
	// The connection is still in sync.
	equal(t, "call", c.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc").text, "96354")
}

func TestOneWayGetsNoAnswer(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	b := c.encode(c.request(dubbo.Hessian2, "com.example.Nope", "x", ""))
	b[2] &^= dubbo.FlagTwoWay
	b2 := c.encode(c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "hello"))
	b2[2] &^= dubbo.FlagTwoWay
	c.write(append(b, b2...))
	res := c.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc")
	equal(t, "the only answer", res.text, "96354")
	if f, err := c.tryRead(100 * time.Millisecond); err == nil {
		t.Fatalf("one-way call answered: %+v", f.h)
	}
}

func TestMalformedFrameClosesOnlyThatConnection(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"garbage", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
		{"too large", func() []byte {
			b := make([]byte, dubbo.HeaderSize)
			dubbo.PutHeader(b, dubbo.Header{Flag: dubbo.FlagRequest | dubbo.FlagTwoWay | 2, ID: 1})
			binary.BigEndian.PutUint32(b[12:], dubbo.MaxBodySize+1)
			return b
		}()},
		{"negative length", func() []byte {
			b := make([]byte, dubbo.HeaderSize)
			dubbo.PutHeader(b, dubbo.Header{Flag: dubbo.FlagRequest | dubbo.FlagTwoWay | 2, ID: 1})
			binary.BigEndian.PutUint32(b[12:], 0xffffffff)
			return b
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, addr, logs := startServer(t, testConfig())
			good := dial(t, addr)
			bad := dial(t, addr)
			// A call before the broken frame is in flight when the
			// connection closes; its answer is dropped with it.
			frames := bad.encode(bad.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc"))
			bad.write(append(frames, tc.data...))
			if f, err := bad.tryRead(2 * time.Second); !errors.Is(err, io.EOF) {
				t.Fatalf("after %s: read %+v, error %v, want EOF", tc.name, f.h, err)
			}
			equal(t, "other connection", good.call(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "hello").text, "99162322")
			equal(t, "new connection", dial(t, addr).call(dubbo.FastJSON, helloService, "hash", "Ljava/lang/String;", "hello").text, "99162322")
			if n := strings.Count(logs.String(), "closed connection"); n != 1 {
				t.Fatalf("logged %d closes, want 1:\n%s", n, logs.String())
			}
		})
	}
}

func TestLargeFrameGrowsBuffer(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	big := strings.Repeat("0123456789abcdef", 20000) + "😀" // > readBufSize
	for _, ser := range serializations {
		res := c.call(ser, echoService, "echo", "Ljava/lang/String;", big)
		if res.text != big {
			t.Fatalf("%v: echo of %d bytes came back as %d bytes", ser, len(big), len(res.text))
		}
		equal(t, "hash after a large frame", c.call(ser, helloService, "hash", "Ljava/lang/String;", big).text, strconv.Itoa(int(refJavaHash(big))))
	}
}

func TestByteAtATime(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	c := dial(t, addr)
	b := c.encode(c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "hello"))
	for i := range b {
		c.write(b[i : i+1])
		time.Sleep(time.Millisecond)
	}
	equal(t, "hash", c.decode(c.read(5*time.Second)).text, "99162322")
}

func TestManyConnectionsConcurrently(t *testing.T) {
	_, addr, _ := startServer(t, testConfig())
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		strs := randomStrings(50, uint64(100+i))
		wg.Go(func() {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err
				return
			}
			defer nc.Close()
			c := &client{t: t, nc: nc, next: 1}
			for _, s := range strs {
				r := c.request(serializations[i%2], helloService, "hash", "Ljava/lang/String;", s)
				n, _ := dubbo.RequestSize(r)
				b := make([]byte, n)
				dubbo.PutRequest(b, r)
				nc.Write(b)
				f, err := c.tryRead(5 * time.Second)
				if err != nil {
					errs <- err
					return
				}
				text, _, err := dubbo.DecodeResponse(f.h, f.body, nil)
				if err != nil || string(text) != strconv.Itoa(int(refJavaHash(s))) || f.h.ID != r.ID {
					errs <- errors.New("wrong answer for " + strconv.Quote(s) + ": " + string(text))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestShutdownWaitsForCallsInFlight(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(testConfig(), &logWriter{t: t})
	served := make(chan error, 1)
	go func() { served <- s.serve(ln) }()
	c := dial(t, ln.Addr().String())
	slow := c.request(dubbo.Hessian2, echoService, "sleep", "J", "300")
	c.write(c.encode(slow))
	time.Sleep(50 * time.Millisecond) // the call is in flight
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- s.shutdown(5 * time.Second) }()
	// First the read-only event (readonly.go).
	if ev := c.read(5 * time.Second); !dubbo.IsReadOnly(ev.h, ev.body) {
		t.Fatalf("got flag %#x %q, want the read-only event", ev.h.Flag, ev.body)
	}
	// A call that crossed the event is served; once the connection has
	// been quiet, new calls are refused.
	crossed := c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc")
	c.write(c.encode(crossed))
	got := map[int64]result{}
	res := c.decode(c.read(5 * time.Second))
	got[res.id] = res
	time.Sleep(readOnlyQuiet + 50*time.Millisecond)
	late := c.request(dubbo.Hessian2, helloService, "hash", "Ljava/lang/String;", "abc")
	c.write(c.encode(late))
	for range 2 {
		res := c.decode(c.read(5 * time.Second))
		got[res.id] = res
	}
	equal(t, "call in flight", got[slow.ID].text, "300")
	equal(t, "call crossing the read-only event", got[crossed.ID].text, "96354")
	equal(t, "call once quiet", got[late.ID].status, dubbo.StatusServerError)
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("shutdown returned after %v, before the call completed", d)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Fatal("still accepting after shutdown")
	}
}

func TestShutdownTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(testConfig(), &logWriter{t: t})
	go s.serve(ln)
	c := dial(t, ln.Addr().String())
	c.write(c.encode(c.request(dubbo.Hessian2, echoService, "sleep", "J", "10000")))
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if err := s.shutdown(100 * time.Millisecond); !errors.Is(err, errShutdownTimeout) {
		t.Fatalf("shutdown = %v, want errShutdownTimeout", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("shutdown took %v with a 100ms bound", d)
	}
}
