package lockmgr

// waiter is one pending request in a key's queue. Exactly one of ready
// (Acquire) and granted (AcquireFunc) is set.
type waiter struct {
	since      int64         // nanotime() of the request
	ready      chan struct{} // closed on handoff
	granted    func(Release)
	gen        uint64 // the holder generation handed to this waiter
	prev, next *waiter
	queued     bool // still in the queue: neither granted nor removed
}

// entry is the state of one busy key. It exists in Manager.keys only while
// the key has a holder; waiters exist only behind a holder.
type entry struct {
	key       string
	gen       uint64  // bumped on every grant; a Release only acts on its own generation
	heldSince int64   // nanotime() of the current grant
	head      *waiter // oldest waiter
	tail      *waiter
	waiting   int

	// dispatching is true while a goroutine runs granted callbacks for this
	// key; deferred holds the next callback grant made meanwhile, so that a
	// Release called from inside granted does not recurse.
	dispatching bool
	deferred    *waiter
	detached    bool // removed from Manager.keys while dispatching
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
