//go:build !(js && wasm) || lockmgr_context

package lockmgr

// The context-based API. On js/wasm it is left out unless the build has the
// tag lockmgr_context: package context imports package time, whose
// initialization (internal/godebug) adds about 210 KB to the WebAssembly
// module. Event-loop code there uses AcquireFunc and TryAcquire instead.

import "context"

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
	now := m.now()
	m.mu.Lock()
	e := m.lookupLocked(key)
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
