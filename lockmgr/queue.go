package lockmgr

// waiter is one pending request in a key's queue. Exactly one of ready
// (Acquire) and granted (AcquireFunc) is set.
type waiter struct {
	since      int64         // Manager.now() of the request
	ready      chan struct{} // closed on handoff
	granted    func(Release)
	gen        uint64 // the holder generation handed to this waiter
	prev, next *waiter
	queued     bool // still in the queue: neither granted nor removed
}

// entry is the state of one busy key. It exists in Manager.keys only while
// the key has a holder (Manager.hot may also keep one idle); waiters exist
// only behind a holder.
type entry struct {
	key       string
	busy      bool    // has a holder
	gen       uint64  // bumped on every grant; a Release only acts on its own generation
	heldSince int64   // Manager.now() of the current grant
	head      *waiter // oldest waiter
	tail      *waiter
	waiting   int

	// running is the dispatch loop whose granted call is for the current
	// holder, while that call runs: a Release of that holder defers the
	// next grant to the loop instead of recursing.
	running *frame
}

// frame is one dispatch loop: the holder generation whose granted call it
// runs, and the grant that holder's Release deferred to it.
type frame struct {
	gen      uint64
	deferred *waiter
}

func (e *entry) push(w *waiter) {
	w.queued = true
	w.prev = e.tail
	if e.tail == nil {
		e.head = w
	} else {
		e.tail.next = w
	}
	e.tail = w
	e.waiting++
}

func (e *entry) remove(w *waiter) {
	if w.prev == nil {
		e.head = w.next
	} else {
		w.prev.next = w.next
	}
	if w.next == nil {
		e.tail = w.prev
	} else {
		w.next.prev = w.prev
	}
	w.prev, w.next, w.queued = nil, nil, false
	e.waiting--
}

func (e *entry) popFront() *waiter {
	w := e.head
	if w != nil {
		e.remove(w)
	}
	return w
}
