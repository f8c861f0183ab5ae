package lockmgr

import "sync"

// Release gives up a lock. It is idempotent: calls after the first are
// no-ops and can never free a later holder of the same key.
type Release func()

// Manager is a table of keyed FIFO locks. The zero value is ready to use. A
// Manager must not be copied after first use. All methods are safe for
// concurrent use.
type Manager struct {
	// Clock, when set, is the monotonic clock, in nanoseconds, that the
	// ages in a Snapshot are measured with; the default is the runtime's.
	// Set it before the Manager is first used. It may be called with the
	// Manager's lock held: it must not call the Manager.
	Clock func() int64

	mu sync.Mutex
	// hot is the entry of the key taken most recently while no other
	// entry was out of the map, kept outside keys: locking and freeing one
	// key over and over (the usual pattern) then costs no map insert and
	// delete. Busy or idle; when idle it stands for no lock and keeps only
	// its key string, to be reused as is when that key is locked again.
	hot   *entry
	keys  map[string]*entry // busy keys, except hot
	peak  int               // most keys busy at once since keys was made
	spare []*entry          // idle entries kept for reuse, at most maxSpare
}

// maxSpare bounds the idle entries a Manager keeps: enough that locking
// and freeing keys costs no allocation for the entry, few enough to be
// nothing when idle. (A sync.Pool would add ~10 KB to the wasm module.)
const maxSpare = 16

// shrinkAfter is the peak table size past which an idle Manager drops its
// table: Go maps never shrink, and a burst of distinct keys must not pin
// memory once they are all free.
const shrinkAfter = 1024

// Default is the process-wide Manager. The JavaScript globals of the
// WebAssembly module use it, so Go code in the module shares their locks
// (a release made in JavaScript while no JavaScript request is queued
// reaches it with the module's next call, or at the next task).
var Default = &Manager{}

// TryAcquire takes the lock on key only if nobody holds it or waits for it;
// it never blocks and never queues. It returns the Release and true on
// success, nil and false otherwise, leaving the queue unchanged.
func (m *Manager) TryAcquire(key string) (Release, bool) {
	l, ok := m.TryLease(key)
	if !ok {
		return nil, false
	}
	return m.releaser(l.e, l.gen), true
}

// A Lease is one holder of a key, as a value: the form of Release that
// costs no allocation, for callers that keep holders in their own tables
// (the WebAssembly bridge keeps one per JS request). The zero Lease holds
// nothing.
type Lease struct {
	m   *Manager
	e   *entry
	gen uint64
}

// TryLease is TryAcquire returning a Lease.
func (m *Manager) TryLease(key string) (Lease, bool) {
	now := m.now()
	m.mu.Lock()
	if m.lookupLocked(key) != nil {
		m.mu.Unlock()
		return Lease{}, false
	}
	e := m.holdLocked(key, now)
	gen := e.gen
	m.mu.Unlock()
	return Lease{m, e, gen}, true
}

// TryLeaseAfter is prev.Release() followed by TryLease(key), with nothing
// in between: under one hold of the Manager's lock. When prev holds key and
// nobody waits for it, the lock passes straight from prev to the new
// Lease, as one release and one grant would, without the work of idling
// the key and taking it again. A waiter for key, if any, gets the lock
// first, as after any release, and TryLeaseAfter returns false. prev is
// released in every case; a stale or zero prev is ignored.
func (m *Manager) TryLeaseAfter(prev Lease, key string) (Lease, bool) {
	if prev.m == m {
		now := m.now()
		m.mu.Lock()
		if e := prev.e; e.gen == prev.gen && e.key == key && e.head == nil {
			e.gen++ // prev's Release goes stale, as on any release
			e.heldSince = now
			e.running = nil
			l := Lease{m, e, e.gen}
			m.mu.Unlock()
			return l, true
		}
		m.mu.Unlock()
	}
	prev.Release()
	return m.TryLease(key)
}

// Release gives up the lock like a Release: idempotent, and a no-op for
// the zero Lease.
func (l Lease) Release() {
	if l.m != nil {
		l.m.release(l.e, l.gen)
	}
}

// IsLocked reports whether key has a holder. It never blocks on the key.
func (m *Manager) IsLocked(key string) bool {
	return m.QueueLength(key) > 0
}

// QueueLength returns the holder plus the waiters of key: 0 when free.
func (m *Manager) QueueLength(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.lookupLocked(key); e != nil {
		return 1 + e.waiting
	}
	return 0
}

func (m *Manager) now() int64 {
	c := m.Clock
	if c == nil {
		c = nanotime
	}
	return c() // one call, so that now is inlined
}

// lookupLocked returns the entry of key, or nil when the key is free.
func (m *Manager) lookupLocked(key string) *entry {
	if h := m.hot; h != nil && h.busy && h.key == key {
		return h
	}
	if len(m.keys) == 0 { // spares a map access, not free on js/wasm
		return nil
	}
	return m.keys[key]
}

// busyHotLocked returns the hot entry when it has a holder, else nil.
func (m *Manager) busyHotLocked() *entry {
	if m.hot != nil && m.hot.busy {
		return m.hot
	}
	return nil
}

// busyLocked returns the number of busy keys.
func (m *Manager) busyLocked() int {
	n := len(m.keys)
	if m.busyHotLocked() != nil {
		n++
	}
	return n
}

// holdLocked makes the entry of a free key, held from now: the hot entry
// when it is idle, else one from the map.
func (m *Manager) holdLocked(key string, now int64) *entry {
	e := m.hot
	switch {
	case e == nil:
		e = m.newEntryLocked()
		m.hot = e
	case e.busy:
		e = m.newEntryLocked()
		if m.keys == nil {
			m.keys = make(map[string]*entry)
		}
		m.keys[key] = e
		m.peak = max(m.peak, len(m.keys))
	}
	if e.key != key { // keep the string already there when equal
		e.key = key
	}
	e.busy = true
	e.gen++
	e.heldSince = now
	return e
}

func (m *Manager) newEntryLocked() *entry {
	n := len(m.spare)
	if n == 0 {
		return new(entry)
	}
	e := m.spare[n-1]
	m.spare[n-1] = nil
	m.spare = m.spare[:n-1]
	return e
}

// releaser returns the idempotent Release of holder generation gen of e.
func (m *Manager) releaser(e *entry, gen uint64) Release {
	return func() { m.release(e, gen) }
}

// release frees holder generation gen of e, handing the lock to the oldest
// waiter. A stale generation (already released) is a no-op.
func (m *Manager) release(e *entry, gen uint64) {
	m.mu.Lock()
	if e.gen != gen {
		m.mu.Unlock()
		return
	}
	w := e.popFront()
	if w == nil {
		m.idleLocked(e)
		m.mu.Unlock()
		return
	}
	e.gen++
	e.heldSince = m.now()
	w.gen = e.gen
	if w.ready != nil {
		close(w.ready)
		m.mu.Unlock()
		return
	}
	if f := e.running; f != nil && f.gen == gen {
		// Released while its own granted call runs: that call's loop makes
		// this grant when the call returns, so a chain of releases from
		// inside granted stays flat on the stack.
		f.deferred = w
		e.running = nil
		m.mu.Unlock()
		return
	}
	m.dispatchLocked(e, w) // unlocks
}

// idleLocked forgets a key that has neither holder nor waiters. Bumping
// gen makes every outstanding Release of the entry stale. A dispatch loop
// still running an old granted call only compares e.running with its own
// frame, so reusing the entry at once is safe.
func (m *Manager) idleLocked(e *entry) {
	e.gen++
	e.busy = false
	e.running = nil
	if e == m.hot {
		return
	}
	delete(m.keys, e.key)
	if len(m.keys) == 0 && m.peak > shrinkAfter {
		m.keys, m.peak = nil, 0
	}
	if h := m.hot; !h.busy {
		// The key freed last is the likeliest to come back: e takes the
		// hot place with its key, and the entry there goes to spare.
		m.hot, e = e, h
	}
	m.recycleLocked(e)
}

func (m *Manager) recycleLocked(e *entry) {
	gen := e.gen // kept across reuse so that stale Releases stay stale
	*e = entry{gen: gen}
	if len(m.spare) < maxSpare {
		m.spare = append(m.spare, e)
	}
}
