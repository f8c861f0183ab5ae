package lockmgr

import "sync"

// Release gives up a lock. It is idempotent: calls after the first are
// no-ops and can never free a later holder of the same key.
type Release func()

// Manager is a table of keyed FIFO locks. The zero value is ready to use. A
// Manager must not be copied after first use. All methods are safe for
// concurrent use.
type Manager struct {
	mu    sync.Mutex
	keys  map[string]*entry // busy keys only
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
// WebAssembly module use it, so Go code in the module shares their locks.
var Default = &Manager{}

// TryAcquire takes the lock on key only if nobody holds it or waits for it;
// it never blocks and never queues. It returns the Release and true on
// success, nil and false otherwise, leaving the queue unchanged.
func (m *Manager) TryAcquire(key string) (Release, bool) {
	now := nanotime()
	m.mu.Lock()
	if m.keys[key] != nil {
		m.mu.Unlock()
		return nil, false
	}
	e := m.holdLocked(key, now)
	gen := e.gen
	m.mu.Unlock()
	return m.releaser(e, gen), true
}

// IsLocked reports whether key has a holder. It never blocks on the key.
func (m *Manager) IsLocked(key string) bool {
	return m.QueueLength(key) > 0
}

// QueueLength returns the holder plus the waiters of key: 0 when free.
func (m *Manager) QueueLength(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e := m.keys[key]; e != nil {
		return 1 + e.waiting
	}
	return 0
}

// holdLocked makes a fresh entry for a free key, held from now.
func (m *Manager) holdLocked(key string, now int64) *entry {
	if m.keys == nil {
		m.keys = make(map[string]*entry)
	}
	var e *entry
	if n := len(m.spare); n > 0 {
		e = m.spare[n-1]
		m.spare[n-1] = nil
		m.spare = m.spare[:n-1]
	} else {
		e = new(entry)
	}
	e.key = key
	e.gen++
	e.heldSince = now
	m.keys[key] = e
	m.peak = max(m.peak, len(m.keys))
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
	e.heldSince = nanotime()
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
// gen makes every outstanding Release of the entry stale.
func (m *Manager) idleLocked(e *entry) {
	delete(m.keys, e.key)
	if len(m.keys) == 0 && m.peak > shrinkAfter {
		m.keys, m.peak = nil, 0
	}
	e.gen++
	// A dispatch loop still running an old granted call only compares
	// e.running with its own frame, so recycling now is safe.
	m.recycleLocked(e)
}

func (m *Manager) recycleLocked(e *entry) {
	gen := e.gen // kept across reuse so that stale Releases stay stale
	*e = entry{gen: gen}
	if len(m.spare) < maxSpare {
		m.spare = append(m.spare, e)
	}
}
