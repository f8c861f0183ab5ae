//go:build js && wasm

package main

import "example.com/weblock/lockmgr"

// A ticket is one acquire or withLock request, from the call until its
// release. JS refers to it by id: slot index plus a generation, so that a
// stale id can never reach a later request that reuses the slot. Ids are
// > 0. The one exception is on purpose: a released lease ticket whose
// lock passes straight on to the next request (weblock_acquire) keeps its
// id, and bridge.js calls each release function once, so no stale call
// can reach the new holder.
type ticket struct {
	gen     uint32
	inUse   bool
	lease   lockmgr.Lease   // granted at once: no allocation on the fast path
	release lockmgr.Release // granted after waiting in the queue
	stop    func() bool     // set while queued
}

const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
	genMask  = 1<<28 - 1 // ids stay below 2^52: exact as JS numbers
)

// tickets is touched only from exports and lockmgr grants made inside
// them, which the single JS thread runs one at a time: no lock needed.
var tickets ticketTable

type ticketTable struct {
	slots []ticket
	spare []uint32
	live  int
}

// maxTickets is how many tickets can be in use at once: ids have room
// for 2^24 slots. (A variable so that a test can reach the limit.)
var maxTickets = slotMask + 1

// alloc returns a new ticket and its id, or nil when maxTickets are in use.
func (tt *ticketTable) alloc() (float64, *ticket) {
	var slot uint32
	if n := len(tt.spare); n > 0 {
		slot = tt.spare[n-1]
		tt.spare = tt.spare[:n-1]
	} else if len(tt.slots) < maxTickets {
		slot = uint32(len(tt.slots))
		tt.slots = append(tt.slots, ticket{gen: 1})
	} else {
		return 0, nil
	}
	t := &tt.slots[slot]
	t.inUse = true
	tt.live++
	return float64(uint64(t.gen)<<slotBits | uint64(slot)), t
}

// get returns the live ticket with this id, or nil for a stale id.
func (tt *ticketTable) get(id float64) *ticket {
	if !(id >= 1 && id < 1<<52) {
		return nil
	}
	n := uint64(id)
	slot := n & slotMask
	if slot >= uint64(len(tt.slots)) {
		return nil
	}
	t := &tt.slots[slot]
	if !t.inUse || uint64(t.gen) != n>>slotBits {
		return nil
	}
	return t
}

// free ends a ticket; its id goes stale at once. A slot whose generation
// would wrap is retired rather than reused (one slot per 2^28 uses), so no
// old id can ever match a later ticket.
func (tt *ticketTable) free(id float64, t *ticket) {
	t.lease, t.release, t.stop, t.inUse = lockmgr.Lease{}, nil, nil, false
	tt.live--
	if t.gen == genMask {
		t.gen = 0 // ids have a generation >= 1: nothing matches a retired slot
		return
	}
	t.gen++
	tt.spare = append(tt.spare, uint32(uint64(id)&slotMask))
}
