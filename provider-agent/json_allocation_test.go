package main

import (
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"

	"github.com/dubbomesh/dubbomesh/internal/alloctest"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// userJSON is a User-shaped argument of about 1 KB.
const userJSON = `{"id":7,"name":"Ann Example","role":{"name":"ADMIN"},
 "address":{"street":"1 Long Street Name","city":"Oslo","zip":"0150"},
 "tags":["alpha","beta","gamma","delta","epsilon","zeta","eta","theta"],
 "scores":{"math":91,"physics":87,"chemistry":78,"biology":88,"history":65},
 "created":{"class":"java.util.Date","value":"2026-12-05T08:00:00.123Z"},
 "balance":{"class":"java.math.BigDecimal","value":"12345.67"},
 "lucky":[3,7,11,13,17,19,23,29,31,37,41,43,47,53,59,61,67,71,73,79],
 "previous":[{"street":"2 Old Road","city":"Bergen","zip":"5003"},
  {"street":"3 Older Lane","city":"Trondheim","zip":"7010"}],
 "note":"a longer text field that makes the object closer to a kilobyte in size, as real ones are"}`

// userRequest is a call with a POJO argument and a long.
func userRequest() *protocol.Request {
	return &protocol.Request{
		Interface:      []byte("com.dubbomesh.demo.UserService"),
		Method:         []byte("update"),
		ParameterTypes: []byte("Lcom/dubbomesh/demo/User;J"),
		Args:           [][]byte{[]byte(userJSON), []byte("42")},
	}
}

// userAnswerBody is a Dubbo response body holding a map-shaped user, as the
// library encodes it.
func userAnswerBody(tb testing.TB) []byte {
	e := hessian.NewEncoder()
	for _, v := range []any{int32(1), map[any]any{
		"id": int64(7), "name": "Ann Example", "tags": []any{"alpha", "beta", "gamma"},
		"address": map[any]any{"street": "1 Long Street Name", "city": "Oslo"},
	}} {
		if err := e.Encode(v); err != nil {
			tb.Fatal(err)
		}
	}
	return e.Buffer()
}

// Forwarding calls with a POJO argument (JSON transcoded into the Dubbo
// frame) allocates nothing. Not under the race detector: it empties the
// sync.Pool of dubbo's argument checker at random, which then allocates.
func TestForwardJSONAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool items: dubbo.CheckArgs's encoders are made again")
	}
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		a, run := forwardFixtureOf(t, s, userRequest())
		run()
		if n, _ := alloctest.PerRun(100, run); n != 0 {
			t.Fatalf("%v allocations per batch of %d requests, want 0", n, batchSize)
		}
		if got := metric(t, a, "provider_agent_bad_requests_total"); got != 0 {
			t.Fatalf("%v requests refused", got)
		}
	})
}

// Answering with a POJO result (rendered as JSON) allocates nothing.
func TestAnswerJSONAllocs(t *testing.T) {
	body := userAnswerBody(t)
	a, run := answerFixtureOf(t, dubbo.Hessian2, func(frames []byte, id uint32, _ int) []byte {
		n := len(frames)
		frames = append(frames, make([]byte, dubbo.HeaderSize)...)
		dubbo.PutHeader(frames[n:], dubbo.Header{Flag: byte(dubbo.Hessian2), Status: dubbo.StatusOK, ID: int64(id), Length: len(body)})
		return append(frames, body...)
	})
	run()
	n, calls := alloctest.PerRun(100, run)
	if n > raceSlack {
		t.Fatalf("%v allocations per batch of %d answers, want 0", n, batchSize)
	}
	if got := metric(t, a, "provider_agent_ok_total"); got != float64((1+calls)*batchSize) {
		t.Fatalf("ok_total = %v, want %d", got, (1+calls)*batchSize)
	}
}
