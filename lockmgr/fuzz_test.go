package lockmgr

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// model is the reference: per key, the queue of request ids, holder first.
type model struct {
	queues map[string][]int
	flash  map[int]bool // requests that release inside granted
}

// grantChain advances the model after the front of key's queue was freed:
// flash requests release as soon as they are granted.
func (md *model) pop(key string, grants *[]int) {
	q := md.queues[key][1:]
	for len(q) > 0 && md.flash[q[0]] {
		*grants = append(*grants, q[0])
		q = q[1:]
	}
	if len(q) > 0 {
		*grants = append(*grants, q[0])
	}
	md.setQueue(key, q)
}

func (md *model) setQueue(key string, q []int) {
	if len(q) == 0 {
		delete(md.queues, key)
		return
	}
	md.queues[key] = q
}

const maxOps = 512

// FuzzOperations runs random operation sequences on three keys against the
// model, checking grant order, counts and cleanup after every step.
func FuzzOperations(f *testing.F) {
	f.Add([]byte{0, 4, 4, 8, 8, 12, 16, 20, 24})
	f.Add([]byte{4, 5, 6, 4, 5, 6, 8, 9, 10, 16, 17, 20, 24, 25})
	f.Add([]byte{4, 20, 20, 20, 16, 8, 8, 12, 8, 8})
	f.Add([]byte{0x80, 0x81, 0x82, 12, 0x80, 13, 14, 0x81, 16, 12})
	f.Add([]byte{0x8c, 0x98, 0x9a, 4, 0x8d, 0x99, 0x9b, 0x9b}) // TryLeaseAfter: another key, a busy one, the same
	f.Fuzz(runOps)
}

func runOps(t *testing.T, ops []byte) {
	keys := []string{"a", "b", "c"}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	{
		if len(ops) > maxOps {
			ops = ops[:maxOps] // checks are O(steps × keys): keep inputs fast
		}
		m := &Manager{}
		md := &model{queues: map[string][]int{}, flash: map[int]bool{}}
		var got, want []int
		checked := 0 // grants already compared
		releases := map[int]Release{}
		leases := map[int]Lease{} // the holders that TryLease made
		stops := map[int]func() bool{}
		var stale []Release
		next := 0

		request := func(key string, flash bool) {
			id := next
			next++
			md.flash[id] = flash
			wasFree := len(md.queues[key]) == 0
			md.queues[key] = append(md.queues[key], id)
			if wasFree {
				want = append(want, id)
				if flash {
					md.pop(key, &want)
				}
			}
			stops[id] = m.AcquireFunc(key, func(r Release) {
				got = append(got, id)
				if flash {
					r()
					stale = append(stale, r)
					return
				}
				releases[id] = r
			})
		}

		// grantedAtOnce records a holder that a call made without queueing
		// (TryAcquire, TryLease, TryLeaseAfter) and returns its id.
		grantedAtOnce := func(key string, r Release) int {
			id := next
			next++
			md.queues[key] = []int{id}
			want = append(want, id)
			got = append(got, id)
			releases[id] = r
			return id
		}

		for _, op := range ops {
			key := keys[int(op)%len(keys)]
			q := md.queues[key]
			switch (op / 4) % 7 {
			case 0: // TryAcquire, or TryLease when the high bit is set
				var r Release
				var l Lease
				var ok bool
				if op&0x80 != 0 {
					l, ok = m.TryLease(key)
					r = l.Release
				} else {
					r, ok = m.TryAcquire(key)
				}
				require.Equal(t, len(q) == 0, ok, "TryAcquire on %q", key)
				if ok {
					if id := grantedAtOnce(key, r); l != (Lease{}) {
						leases[id] = l
					}
				}
			case 1:
				request(key, false)
			case 2:
				request(key, true)
			case 3: // release the holder; a Lease by TryLeaseAfter when the high bit is set
				if len(q) == 0 {
					continue
				}
				r := releases[q[0]]
				l, isLease := leases[q[0]]
				delete(releases, q[0])
				delete(leases, q[0])
				md.pop(key, &want)
				stale = append(stale, r)
				if !isLease || op&0x80 == 0 {
					r()
					continue
				}
				to := keys[int(op/2)%len(keys)]
				nl, ok := m.TryLeaseAfter(l, to)
				require.Equal(t, len(md.queues[to]) == 0, ok, "TryLeaseAfter on %q", to)
				if ok {
					leases[grantedAtOnce(to, nl.Release)] = nl
				}
			case 4: // a stale release changes nothing
				if len(stale) > 0 {
					stale[int(op)%len(stale)]()
				}
			case 5: // stop the newest request of key
				if len(q) == 0 {
					continue
				}
				id := q[len(q)-1]
				stop := stops[id]
				if stop == nil {
					continue // TryAcquire holder
				}
				removed := stop()
				require.Equal(t, len(q) > 1, removed, "stop of request %d", id)
				if removed {
					md.setQueue(key, q[:len(q)-1])
				}
			case 6: // a done context never queues, even on a free key
				_, err := m.Acquire(canceled, key)
				require.Equal(t, context.Canceled, err)
			}
			if !slices.Equal(want[checked:], got[checked:]) {
				t.Fatalf("grant order: got %v, want %v", got, want)
			}
			checked = len(want)
			check(t, m, md, keys)
		}

		// Drain everything: the manager must end idle.
		for _, key := range keys {
			for len(md.queues[key]) > 0 {
				q := md.queues[key]
				md.pop(key, &want)
				releases[q[0]]()
			}
		}
		require.Equal(t, want, got)
		requireIdle(t, m)
	}
}

func check(t *testing.T, m *Manager, md *model, keys []string) {
	busy := 0
	for _, key := range keys {
		n := len(md.queues[key])
		if got := m.QueueLength(key); got != n {
			t.Fatalf("QueueLength(%q) = %d, want %d", key, got, n)
		}
		if got := m.IsLocked(key); got != (n > 0) {
			t.Fatalf("IsLocked(%q) = %v, want %v", key, got, n > 0)
		}
		if n > 0 {
			busy++
		}
	}
	snap := m.Snapshot()
	if len(snap) != busy {
		t.Fatalf("snapshot has %d keys, want %d", len(snap), busy)
	}
	for _, ks := range snap {
		if want := len(md.queues[ks.Key]) - 1; len(ks.WaitedNs) != want {
			t.Fatalf("snapshot of %q has %d waiters, want %d", ks.Key, len(ks.WaitedNs), want)
		}
	}
	m.mu.Lock()
	kept := m.busyLocked()
	for _, e := range m.keys {
		if !e.busy {
			t.Fatalf("idle entry of %q kept in the table", e.key)
		}
	}
	m.mu.Unlock()
	if kept != busy {
		t.Fatalf("%d entries kept for %d busy keys", kept, busy)
	}
}
