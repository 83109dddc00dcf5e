// Package pending maps request ids to the calls waiting for their answers.
//
// A Table is a fixed-size slot array. An id carries the slot index in its low
// bits and a generation in its high bits, so a late answer for a slot that was
// freed and reused is recognised as stale and dropped. The table is bounded:
// when every slot is busy, Add fails and the caller answers "overloaded" rather
// than queueing without limit. Deadlines are enforced by Expire, which a
// sweeper calls on a short tick.
package pending
