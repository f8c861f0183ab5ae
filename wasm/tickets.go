//go:build js && wasm

package main

import (
	"syscall/js"

	"example.com/weblock/lockmgr"
)

// A ticket is one acquire or withLock request, from the call until its
// release. JS refers to it by id: slot index plus a generation, so that a
// stale id (a second release call) can never reach a later request that
// reuses the slot.
type ticket struct {
	gen     uint32
	inUse   bool
	release lockmgr.Release // set once granted
	stop    func() bool     // set while queued

	// JS values kept only while queued; each is pinned in the JS heap
	// while Go holds it, so they are dropped as soon as they are not needed.
	waiter  js.Value // the pending resolvers from bridge.pending()
	signal  js.Value
	onAbort js.Value
	timer   js.Value
	refs    int // how many of the four are set
}

const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
	genMask  = 1<<28 - 1 // id stays below 2^52: exact as a JS number
)

// tickets is only touched from JS event handlers, which syscall/js runs one
// at a time, and from lockmgr grants made inside them: no lock needed.
var tickets ticketTable

type ticketTable struct {
	slots []ticket
	free  []uint32
	refs  int // JS values held by all tickets
	live  int
}

func (tt *ticketTable) alloc() (float64, *ticket) {
	var slot uint32
	if n := len(tt.free); n > 0 {
		slot = tt.free[n-1]
		tt.free = tt.free[:n-1]
	} else {
		slot = uint32(len(tt.slots))
		tt.slots = append(tt.slots, ticket{})
	}
	t := &tt.slots[slot]
	t.inUse = true
	tt.live++
	return float64(uint64(t.gen)<<slotBits | uint64(slot)), t
}

// get returns the live ticket with this id, or nil for a stale id.
func (tt *ticketTable) get(id float64) *ticket {
	if !(id >= 0 && id < 1<<52) {
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

// hold stores a JS value in the ticket, counted in stats().jsRefs.
func (tt *ticketTable) hold(t *ticket, dst *js.Value, v js.Value) {
	*dst = v
	t.refs++
	tt.refs++
}

// dropJS forgets the ticket's JS values and cancels its timer and listener.
func (tt *ticketTable) dropJS(t *ticket) {
	if !t.onAbort.IsUndefined() {
		t.signal.Call("removeEventListener", "abort", t.onAbort)
	}
	if !t.timer.IsUndefined() {
		global.Call("clearTimeout", t.timer)
	}
	tt.refs -= t.refs
	t.waiter, t.signal, t.onAbort, t.timer, t.refs = js.Value{}, js.Value{}, js.Value{}, js.Value{}, 0
}

// freeTicket ends a ticket; its id goes stale at once.
func (tt *ticketTable) freeTicket(id float64, t *ticket) {
	tt.dropJS(t)
	t.release, t.stop, t.inUse = nil, nil, false
	t.gen = (t.gen + 1) & genMask
	tt.live--
	tt.free = append(tt.free, uint32(uint64(id)&slotMask))
}
