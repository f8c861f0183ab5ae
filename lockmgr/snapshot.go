package lockmgr

import (
	"slices"
	"strings"
	"time"
)

// KeyState describes one busy key at the moment of a Snapshot.
type KeyState struct {
	Key          string
	HeldSince    time.Time   // when the current holder was granted
	WaitingSince []time.Time // one per waiter, oldest first (FIFO order)
}

// Snapshot lists every busy key, sorted by key. An idle Manager has an
// empty Snapshot.
type Snapshot []KeyState

// Snapshot copies the state of every busy key. It holds the Manager's lock
// for the copy, so it is consistent, and it changes nothing.
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	s := make(Snapshot, 0, len(m.keys))
	for _, e := range m.keys {
		ks := KeyState{Key: e.key, HeldSince: e.heldSince}
		if e.waiting > 0 {
			ks.WaitingSince = make([]time.Time, 0, e.waiting)
			for w := e.head; w != nil; w = w.next {
				ks.WaitingSince = append(ks.WaitingSince, w.since)
			}
		}
		s = append(s, ks)
	}
	m.mu.Unlock()
	slices.SortFunc(s, func(a, b KeyState) int { return strings.Compare(a.Key, b.Key) })
	return s
}

// Waiters returns the total number of waiters over all keys in s.
func (s Snapshot) Waiters() int {
	n := 0
	for _, k := range s {
		n += len(k.WaitingSince)
	}
	return n
}
