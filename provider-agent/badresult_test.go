package main

import (
	"testing"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// TestUnrenderableResult: a well-formed result that cannot be rendered as
// JSON (a reference cycle, nesting past 64 levels) answers BadResult, HTTP
// 502 but not a path fault: the provider ran the call and any agent would
// fail alike, so no consumer agent sidelines this one for it. The
// connection carries on.
func TestUnrenderableResult(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Serialization = dubbo.Hessian2 })
	c := dial(t, a)
	expectError(t, c.roundTrip(1, req("cycle", "x")), protocol.StatusBadResult, "reference cycle")
	expectError(t, c.roundTrip(2, req("deep", "x")), protocol.StatusBadResult, "deeper than 64")
	expectOK(t, c.roundTrip(3, req("hash", "a")), "97")
	if protocol.StatusBadResult.PathFault() || protocol.StatusBadResult.HTTPStatus() != 502 {
		t.Fatalf("BadResult: PathFault %v, HTTP %d; want false, 502",
			protocol.StatusBadResult.PathFault(), protocol.StatusBadResult.HTTPStatus())
	}
	for name, want := range map[string]float64{
		"provider_agent_bad_responses_total": 2,
		"provider_agent_ok_total":            1,
	} {
		if got := metric(t, a, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}
