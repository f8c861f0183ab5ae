package lockmgr

import (
	"context"
	"sync"
	"time"
)

// Release gives up a lock. It is idempotent: calls after the first are
// no-ops and can never free a later holder of the same key.
type Release func()

// Manager is a table of keyed FIFO locks. The zero value is ready to use. A
// Manager must not be copied after first use. All methods are safe for
// concurrent use.
type Manager struct {
	mu   sync.Mutex
	keys map[string]*entry // busy keys only
	peak int               // most keys busy at once since keys was made
}

// shrinkAfter is the peak table size past which an idle Manager drops its
// table: Go maps never shrink, and a burst of distinct keys must not pin
// memory once they are all free.
const shrinkAfter = 1024

// Default is the process-wide Manager. The JavaScript globals of the
// WebAssembly module use it, so Go code in the module shares their locks.
var Default = &Manager{}

// entryPool recycles idle entries: a key that is locked and freed over and
// over costs no allocation for its entry.
var entryPool = sync.Pool{New: func() any { return new(entry) }}

// Acquire blocks until it holds the lock on key or ctx is done.
//
// On success it returns the Release that frees the lock (or hands it to the
// oldest waiter). On failure it returns ctx.Err() unwrapped and leaves no
// trace in the queue. If ctx is already done, Acquire fails even when the
// key is free, like golang.org/x/sync/semaphore. A grant that races with
// cancellation is passed on to the next waiter, so the key is never left
// locked by nobody.
func (m *Manager) Acquire(ctx context.Context, key string) (Release, error) {
	done := ctx.Done()
	if done != nil {
		select {
		case <-done:
			return nil, ctx.Err()
		default:
		}
	}
	now := time.Now()
	m.mu.Lock()
	e := m.keys[key]
	if e == nil {
		e = m.holdLocked(key, now)
		gen := e.gen
		m.mu.Unlock()
		return m.releaser(e, gen), nil
	}
	w := &waiter{since: now, ready: make(chan struct{})}
	e.push(w)
	m.mu.Unlock()

	select {
	case <-w.ready:
		return m.releaser(e, w.gen), nil
	case <-done:
		m.mu.Lock()
		if w.queued {
			e.remove(w)
			m.mu.Unlock()
			return nil, ctx.Err()
		}
		gen := w.gen
		m.mu.Unlock()
		// Granted after the cancellation: pretend it never happened.
		m.release(e, gen)
		return nil, ctx.Err()
	}
}

// TryAcquire takes the lock on key only if nobody holds it or waits for it;
// it never blocks and never queues. It returns the Release and true on
// success, nil and false otherwise, leaving the queue unchanged.
func (m *Manager) TryAcquire(key string) (Release, bool) {
	now := time.Now()
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

// WithLock runs fn while holding the lock on key and returns fn's error.
// It blocks like Acquire and returns ctx.Err() without calling fn when ctx
// is done first. The lock is released when fn returns, fails or panics; a
// panic is re-raised after the release.
func (m *Manager) WithLock(ctx context.Context, key string, fn func() error) error {
	release, err := m.Acquire(ctx, key)
	if err != nil {
		return err
	}
	defer release()
	return fn()
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
func (m *Manager) holdLocked(key string, now time.Time) *entry {
	if m.keys == nil {
		m.keys = make(map[string]*entry)
	}
	e := entryPool.Get().(*entry)
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
	e.heldSince = time.Now()
	w.gen = e.gen
	if w.ready != nil {
		close(w.ready)
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
	if e.dispatching {
		e.detached = true // the dispatch loop recycles it when it is done
		return
	}
	recycle(e)
}

func recycle(e *entry) {
	gen := e.gen // kept across reuse so that stale Releases stay stale
	*e = entry{gen: gen}
	entryPool.Put(e)
}
