package lockmgr

// KeyState describes one busy key at the moment of a Snapshot. Ages are in
// nanoseconds on a monotonic clock (convert with time.Duration).
type KeyState struct {
	Key      string
	HeldNs   int64   // how long the current holder has held the lock
	WaitedNs []int64 // how long each waiter has waited, in FIFO order (oldest first)
}

// Snapshot lists every busy key, in no particular order (sorting would add
// about 20 KB to the WebAssembly module). An idle Manager has an empty
// Snapshot.
type Snapshot []KeyState

// Snapshot copies the state of every busy key. It holds the Manager's lock
// for the copy, so it is consistent, and it changes nothing.
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	now := m.now()
	s := make(Snapshot, 0, m.busyLocked())
	if h := m.busyHotLocked(); h != nil {
		s = append(s, h.state(now))
	}
	for _, e := range m.keys {
		s = append(s, e.state(now))
	}
	m.mu.Unlock()
	return s
}

func (e *entry) state(now int64) KeyState {
	ks := KeyState{Key: e.key, HeldNs: now - e.heldSince}
	if e.waiting > 0 {
		ks.WaitedNs = make([]int64, 0, e.waiting)
		for w := e.head; w != nil; w = w.next {
			ks.WaitedNs = append(ks.WaitedNs, now-w.since)
		}
	}
	return ks
}

// Waiters returns the total number of waiters over all keys in s.
func (s Snapshot) Waiters() int {
	n := 0
	for _, k := range s {
		n += len(k.WaitedNs)
	}
	return n
}
