package lockmgr

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLeaseIsAReleaseWithoutAllocation(t *testing.T) {
	m := &Manager{}
	l, ok := m.TryLease("k")
	require.True(t, ok)
	assert.True(t, m.IsLocked("k"))
	_, ok = m.TryLease("k")
	assert.False(t, ok, "held")
	_, ok = m.TryAcquire("k")
	assert.False(t, ok, "held, for TryAcquire too")

	l.Release()
	assert.False(t, m.IsLocked("k"))
	l2, ok := m.TryLease("k") // reuses the same entry
	require.True(t, ok)
	l.Release() // stale: must not free l2's hold
	assert.True(t, m.IsLocked("k"), "a stale Lease released a later holder")
	l2.Release()
	l2.Release()
	Lease{}.Release() // the zero Lease holds nothing
	requireIdle(t, m)

	allocs := testing.AllocsPerRun(1000, func() {
		l, _ := m.TryLease("k")
		l.Release()
	})
	assert.Zero(t, allocs, "an uncontended TryLease and Release")
}

func TestLeaseHandsOverToTheOldestWaiter(t *testing.T) {
	m := &Manager{}
	l, _ := m.TryLease("k")
	w := queueAcquire(t, m, context.Background(), "k")
	var order []string
	m.AcquireFunc("k", func(r Release) { order = append(order, "func"); r() })
	l.Release()
	got := <-w
	require.NoError(t, got.err)
	assert.Empty(t, order, "FIFO: the Acquire came first")
	got.release()
	assert.Equal(t, []string{"func"}, order)
	requireIdle(t, m)
}

// The hot entry stays out of the map; keys taken while it is busy go
// through the map. Every mix must keep lookups, queues and idleness right.
func TestHotEntryAndTableTogether(t *testing.T) {
	m := &Manager{}
	a, _ := m.TryAcquire("a") // the hot entry
	b, _ := m.TryAcquire("b") // the map
	c, _ := m.TryAcquire("c")
	for _, k := range []string{"a", "b", "c"} {
		assert.True(t, m.IsLocked(k), k)
		_, ok := m.TryAcquire(k)
		assert.False(t, ok, k)
	}
	assert.Len(t, m.Snapshot(), 3)

	a() // the hot entry goes idle, keeping its key
	assert.False(t, m.IsLocked("a"))
	assert.Len(t, m.Snapshot(), 2)
	b() // a map entry goes idle: it takes the hot place
	assert.False(t, m.IsLocked("b"))
	b2, ok := m.TryAcquire("b")
	require.True(t, ok)
	a2, ok := m.TryAcquire("a")
	require.True(t, ok)
	assert.Equal(t, 2, m.QueueLength("c")+m.QueueLength("a"))
	c()
	b2()
	a2()
	requireIdle(t, m)
}

func TestClockMeasuresSnapshotAges(t *testing.T) {
	now := int64(1000)
	m := &Manager{Clock: func() int64 { return now }}
	r, _ := m.TryAcquire("k")
	now += 50
	stop := m.AcquireFunc("k", func(Release) { t.Error("granted after stop") })
	now += 20
	s := m.Snapshot()
	require.Len(t, s, 1)
	assert.Equal(t, int64(70), s[0].HeldNs)
	assert.Equal(t, []int64{20}, s[0].WaitedNs)
	assert.True(t, stop())
	r()
	requireIdle(t, m)
}

func TestTryLeaseAfterPassesTheLockStraightOn(t *testing.T) {
	m := &Manager{}
	l, _ := m.TryLease("k")
	l2, ok := m.TryLeaseAfter(l, "k")
	require.True(t, ok)
	assert.Equal(t, 1, m.QueueLength("k"))
	l.Release() // stale: released by TryLeaseAfter
	assert.True(t, m.IsLocked("k"), "the earlier Lease freed the later one")
	_, ok = m.TryLeaseAfter(l, "k") // a stale prev is ignored
	assert.False(t, ok, "k is held by l2")

	l3, ok := m.TryLeaseAfter(l2, "other") // another key: k is freed
	require.True(t, ok)
	assert.False(t, m.IsLocked("k"))
	assert.True(t, m.IsLocked("other"))
	l4, ok := m.TryLeaseAfter(Lease{}, "k") // the zero Lease holds nothing
	require.True(t, ok)
	l3.Release()
	l4.Release()
	requireIdle(t, m)

	allocs := testing.AllocsPerRun(1000, func() {
		l, _ = m.TryLeaseAfter(l, "k")
	})
	assert.Zero(t, allocs, "passing an uncontended lock on")
	l.Release()
	requireIdle(t, m)
}

// A waiter for the key comes first: TryLeaseAfter releases to it and
// fails, as a Release then a TryLease would.
func TestTryLeaseAfterLetsTheWaiterGoFirst(t *testing.T) {
	m := &Manager{}
	l, _ := m.TryLease("k")
	w := queueAcquire(t, m, context.Background(), "k")
	_, ok := m.TryLeaseAfter(l, "k")
	assert.False(t, ok)
	got := <-w
	require.NoError(t, got.err)
	assert.Equal(t, 1, m.QueueLength("k"))
	got.release()
	requireIdle(t, m)
}

// The held age restarts with the new Lease.
func TestTryLeaseAfterStampsTheNewHolder(t *testing.T) {
	now := int64(0)
	m := &Manager{Clock: func() int64 { return now }}
	l, _ := m.TryLease("k")
	now = 5e6
	l, _ = m.TryLeaseAfter(l, "k")
	now = 7e6
	snap := m.Snapshot()
	require.Len(t, snap, 1)
	assert.Equal(t, int64(2e6), snap[0].HeldNs)
	l.Release()
	requireIdle(t, m)
}
