package protocol

// GOAWAY: a provider agent that is about to leave (SIGTERM) tells each
// consumer agent, on each connection, to send it no new call, before it
// deregisters from etcd and drains. The consumer agent stops choosing that
// connection at once, lets the calls in flight on it finish, and does not
// send on it again; a later connection to the same address (a restarted
// agent) is used as usual once it answers a ping. Calls do not wait for
// the control plane to notice the exit.
//
// Only consumer agents that say they understand it get one: a consumer
// agent that does sets FlagGoAwayOK in its pings (PutPing). A peer of the
// first edition of this protocol would refuse kind 5 as an unknown kind and
// close the connection, failing its calls; such a peer only sees the
// deregistration.

// KindGoAway is the kind of a GOAWAY frame: status 0, id 0, and a body that
// is an optional UTF-8 reason, for logs.
const KindGoAway Kind = 5

// FlagGoAwayOK in a ping (a heartbeat without FlagReply) says that its
// sender understands GOAWAY frames.
const FlagGoAwayOK uint8 = 0x02

// GoAwaySize returns the size of the GOAWAY frame with reason.
func GoAwaySize(reason string) int { return HeaderSize + len(reason) }

// PutGoAway writes a GOAWAY frame with reason into the front of b and
// returns its size. It does not allocate, and it panics if b is shorter
// than GoAwaySize(reason) or reason longer than MaxBodySize.
func PutGoAway(b []byte, reason string) int {
	n := GoAwaySize(reason)
	if len(reason) > MaxBodySize || len(b) < n {
		panic("protocol: PutGoAway buffer shorter than GoAwaySize")
	}
	PutHeader(b, Header{Kind: KindGoAway, Length: uint32(len(reason))})
	copy(b[HeaderSize:], reason)
	return n
}

// PutPing writes a ping with the given id that announces FlagGoAwayOK into
// the front of b and returns HeaderSize. It does not allocate, and it
// panics if len(b) < HeaderSize.
func PutPing(b []byte, id uint32) int {
	PutHeader(b, Header{Kind: KindHeartbeat, Flags: FlagGoAwayOK, ID: id})
	return HeaderSize
}

// GoAwayOK reports whether h is a ping whose sender understands GOAWAY.
func (h Header) GoAwayOK() bool {
	return h.Kind == KindHeartbeat && h.Flags&(FlagReply|FlagGoAwayOK) == FlagGoAwayOK
}
