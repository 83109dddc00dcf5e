package protocol

import "testing"

func TestGoAwayRoundTrip(t *testing.T) {
	for _, reason := range []string{"", "provider agent 10.0.0.3:30000 shutting down"} {
		b := make([]byte, GoAwaySize(reason))
		equal(t, "PutGoAway size", PutGoAway(b, reason), len(b))
		h, body, n, err := Next(b)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		equal(t, "kind", h.Kind, KindGoAway)
		equal(t, "id", h.ID, uint32(0))
		equal(t, "frame size", n, len(b))
		equal(t, "reason", string(body), reason)
	}
	mustPanic(t, "PutGoAway into a short buffer", func() { PutGoAway(make([]byte, HeaderSize), "x") })
	equal(t, "kind name", KindGoAway.String(), "goaway")
}

func TestPingAnnouncesGoAway(t *testing.T) {
	b := make([]byte, HeaderSize)
	equal(t, "PutPing size", PutPing(b, 9), HeaderSize)
	h, err := ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "kind", h.Kind, KindHeartbeat)
	equal(t, "a ping", h.IsReply(), false)
	equal(t, "GoAwayOK", h.GoAwayOK(), true)
	equal(t, "plain ping GoAwayOK", Header{Kind: KindHeartbeat}.GoAwayOK(), false)
	equal(t, "pong with the bit GoAwayOK", Header{Kind: KindHeartbeat, Flags: FlagReply | FlagGoAwayOK}.GoAwayOK(), false)
	equal(t, "request with the bit GoAwayOK", Header{Kind: KindRequest, Flags: FlagGoAwayOK}.GoAwayOK(), false)
}

func TestAllocsGoAway(t *testing.T) {
	const reason = "shutting down"
	b := make([]byte, GoAwaySize(reason))
	wantNoAllocs(t, "PutGoAway+Next", func() {
		PutGoAway(b, reason)
		if _, _, _, err := Next(b); err != nil {
			t.Fatal(err)
		}
	})
	wantNoAllocs(t, "PutPing", func() { PutPing(b, 3) })
}
