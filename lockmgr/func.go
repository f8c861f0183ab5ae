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
	now := nanotime()
	m.mu.Lock()
	e := m.keys[key]
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
// entry and released on return. If a dispatch loop already runs for e, the
// grant is left to that loop instead of recursing.
func (m *Manager) dispatchLocked(e *entry, w *waiter) {
	if e.dispatching {
		e.deferred = w
		m.mu.Unlock()
		return
	}
	e.dispatching = true
	m.mu.Unlock()
	m.runGrants(e, w)
}

// runGrants calls granted for w, then for every grant that was deferred to
// it meanwhile, iteratively.
func (m *Manager) runGrants(e *entry, w *waiter) {
	finished := false
	defer func() {
		if !finished {
			m.abandonDispatch(e)
		}
	}()
	for w != nil {
		granted := w.granted
		w.granted = nil
		granted(m.releaser(e, w.gen))
		m.mu.Lock()
		w = e.deferred
		e.deferred = nil
		if w == nil {
			m.endDispatchLocked(e)
		}
		m.mu.Unlock()
	}
	finished = true
}

// abandonDispatch runs when granted panicked: a grant deferred to this loop
// is not lost but dispatched on a new goroutine while the panic unwinds.
func (m *Manager) abandonDispatch(e *entry) {
	m.mu.Lock()
	w := e.deferred
	e.deferred = nil
	if w == nil {
		m.endDispatchLocked(e)
	}
	m.mu.Unlock()
	if w != nil {
		go m.runGrants(e, w)
	}
}

func (m *Manager) endDispatchLocked(e *entry) {
	e.dispatching = false
	if e.detached {
		m.recycleLocked(e)
	}
}
