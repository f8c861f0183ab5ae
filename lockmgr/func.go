package lockmgr

// AcquireFunc requests the lock on key without blocking and without a
// goroutine per waiter: the form an event loop uses.
//
// granted is called exactly once with the Release when the lock is granted,
// unless stop returned true first. It runs synchronously on the goroutine
// that makes the grant: inside AcquireFunc when the key is free, otherwise
// inside the Release call that hands the lock over, and never with internal
// locks held. A Release called while the granted call that received it is
// still running hands over after that call returns, on its goroutine: that
// is what keeps a chain of releases from inside granted flat on the stack.
// granted must not block; if it panics, the panic propagates to the caller
// that made the grant and later grants still happen.
//
// stop removes a pending request and reports whether it did; it returns
// false once the lock was granted (or stop was already called), and then
// the holder must still release. AcquireFunc panics if granted is nil.
func (m *Manager) AcquireFunc(key string, granted func(Release)) (stop func() bool) {
	if granted == nil {
		panic("lockmgr: AcquireFunc with nil granted")
	}
	now := m.now()
	m.mu.Lock()
	e := m.lookupLocked(key)
	if e == nil {
		e = m.holdLocked(key, now)
		m.dispatchLocked(e, &waiter{granted: granted, gen: e.gen}) // unlocks
		return alreadyGranted
	}
	w := &waiter{since: now, granted: granted}
	e.push(w)
	m.mu.Unlock()
	return func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		if !w.queued {
			return false
		}
		e.remove(w)
		return true
	}
}

func alreadyGranted() bool { return false }

// dispatchLocked calls w.granted for a grant just made, with m.mu held on
// entry and released on return, in a new dispatch loop on this goroutine.
func (m *Manager) dispatchLocked(e *entry, w *waiter) {
	f := &frame{gen: w.gen}
	e.running = f
	m.mu.Unlock()
	m.runGrants(e, f, w)
}

// runGrants calls granted for w, then for every grant deferred to frame f
// meanwhile, iteratively.
func (m *Manager) runGrants(e *entry, f *frame, w *waiter) {
	finished := false
	defer func() {
		if !finished {
			m.abandonDispatch(e, f)
		}
	}()
	for w != nil {
		granted := w.granted
		w.granted = nil
		granted(m.releaser(e, w.gen))
		m.mu.Lock()
		if e.running == f {
			e.running = nil
		}
		w, f.deferred = f.deferred, nil
		if w != nil {
			f.gen = w.gen
			e.running = f
		}
		m.mu.Unlock()
	}
	finished = true
}

// abandonDispatch runs when granted panicked: a grant deferred to the loop
// is not lost but dispatched on a new goroutine while the panic unwinds.
func (m *Manager) abandonDispatch(e *entry, f *frame) {
	m.mu.Lock()
	if e.running == f {
		e.running = nil
	}
	w := f.deferred
	f.deferred = nil
	var next *frame
	if w != nil {
		next = &frame{gen: w.gen}
		e.running = next
	}
	m.mu.Unlock()
	if w != nil {
		go m.runGrants(e, next, w)
	}
}
