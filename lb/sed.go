package lb

// Shortest expected delay. Smooth weighted round robin sends each peer its
// weight's share of the calls whatever becomes of them; PickSED also looks
// at what each peer can take. A peer's expected delay for one more call is
// its time per call, stretched by the calls already waiting for one of its
// slots:
//
//	delay = latency × max(1, (inflight+1) / capacity)
//
// (a peer with no capacity bound is never stretched; one whose latency is
// not known yet is taken to be as quick as the quickest known). Peers whose
// delay is within the tie of the least are tied, and so are peers that are
// not busy (they hold fewer calls than Tie.Busy of their capacity, or than
// Tie.MinBusy when it is not known): a peer that holds few calls answers
// the next at its own pace, whatever its latency says of the calls it
// held before, and at light load a latency measured over a few calls is
// mostly noise. Among the tied the smooth round robin picks, so the weights
// act as the prior and the tie-breaker: while every peer has room and none
// is busy and slower than the others, every peer is tied and the order is
// exactly the round robin's. A peer at its capacity (inflight >= capacity) is never tied while
// another has room: it would make the call wait for a slot. When none has
// room, the least stretched are tied, so calls queue where they wait least.

// Load is what the caller knows of one peer at the moment of a pick.
type Load struct {
	// InFlight is the calls the peer holds, as best known: its last
	// report plus the calls sent to it since (see Report).
	InFlight int
	// Capacity is the calls the peer takes at once without making any
	// wait; 0 means no bound is known.
	Capacity int
	// Latency is the peer's recent time per call, in any unit as long as
	// all peers use the same; 0 means not known yet.
	Latency float64
}

// room reports whether the peer takes one more call without making it wait.
func (l Load) room() bool { return l.Capacity <= 0 || l.InFlight < l.Capacity }

// stretch is the factor by which waiting for a slot lengthens a call.
func (l Load) stretch() float64 {
	if l.Capacity <= 0 || l.InFlight < l.Capacity {
		return 1
	}
	return float64(l.InFlight+1) / float64(l.Capacity)
}

// Tie says how close to the least expected delay a peer's must be for the
// peer to be tied with the quickest: delay <= least × (1 + Ratio) + Slack,
// Slack in the unit of Load.Latency. It absorbs the noise of latency
// estimates, so that equal peers stay tied. A peer is judged by its delay
// only when it is busy: it holds at least Busy × its capacity calls, or
// MinBusy when its capacity is not known; otherwise it is tied.
type Tie struct {
	Ratio, Slack float64
	Busy         float64
	MinBusy      int
}

// busy reports whether the peer holds enough calls to be judged by its
// delay.
func (l Load) busy(t Tie) bool {
	if l.Capacity > 0 {
		return float64(l.InFlight) >= t.Busy*float64(l.Capacity)
	}
	return l.InFlight >= t.MinBusy
}

// PickSED returns the Value of the peer to send a call to, by shortest
// expected delay with the smooth round robin among the tied (see the
// comment at the top of sed.go), and whether that peer differs from the
// one Pick restricted to available peers (PickFunc) would have chosen:
// steered is true when load or latency moved the call. It returns false
// when no peer is available.
//
// available and load are called with the mutex held, once per peer each:
// they must be quick and must not call back into b. PickSED allocates
// nothing as long as they do not.
func (b *SWRR[T]) PickSED(available func(T) bool, load func(T) Load, tie Tie) (v T, steered, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	loads := b.scratch
	anyRoom, quickest := false, 0.0
	for i := range b.peers {
		p := &b.peers[i]
		loads[i].ok = available(p.value)
		if !loads[i].ok {
			continue
		}
		l := load(p.value)
		loads[i].Load = l
		anyRoom = anyRoom || l.room()
		if l.Latency > 0 && (quickest == 0 || l.Latency < quickest) {
			quickest = l.Latency
		}
	}
	if quickest == 0 {
		quickest = 1 // no latency known: delays compare by stretch alone
	}
	// The least expected delay, over the peers with room if any has.
	least, rr, best := -1.0, -1, -1
	for i := range b.peers {
		s := &loads[i]
		if !s.ok {
			continue
		}
		lat := s.Latency
		if lat <= 0 {
			lat = quickest
		}
		s.delay = lat * s.stretch()
		if (!anyRoom || s.room()) && (least < 0 || s.delay < least) {
			least = s.delay
		}
		// The round robin's own choice, for steered: the largest current
		// weight once every available peer's has grown.
		if rr < 0 || b.peers[i].current+b.peers[i].weight > b.peers[rr].current+b.peers[rr].weight {
			rr = i
		}
	}
	if rr < 0 {
		var zero T
		return zero, false, false
	}
	limit := least*(1+tie.Ratio) + tie.Slack
	total := 0
	for i := range b.peers {
		s := &loads[i]
		if !s.ok || (anyRoom && !s.room()) || (s.delay > limit && s.busy(tie)) {
			continue
		}
		p := &b.peers[i]
		p.current += p.weight
		total += p.weight
		if best < 0 || p.current > b.peers[best].current {
			best = i
		}
	}
	b.peers[best].current -= total
	return b.peers[best].value, best != rr, true
}

// sedScratch is one peer's state during a PickSED, kept in SWRR so that a
// pick allocates nothing.
type sedScratch struct {
	Load
	ok    bool // available
	delay float64
}
