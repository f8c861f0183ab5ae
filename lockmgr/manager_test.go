package lockmgr

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queueAcquire starts an Acquire on key in a goroutine and returns once the
// request is in the queue, so that callers control request order.
func queueAcquire(t *testing.T, m *Manager, ctx context.Context, key string) <-chan acquired {
	t.Helper()
	before := m.QueueLength(key)
	ch := make(chan acquired, 1)
	go func() {
		r, err := m.Acquire(ctx, key)
		ch <- acquired{r, err}
	}()
	require.Eventually(t, func() bool { return m.QueueLength(key) == before+1 }, 2*time.Second, 100*time.Microsecond)
	return ch
}

type acquired struct {
	release Release
	err     error
}

func TestFIFOUnderContention(t *testing.T) {
	m := &Manager{}
	const goroutines, rounds = 16, 200
	var (
		orderMu   sync.Mutex // makes "request order" observable
		requested []int
		granted   []int
		next      int
		holders   int // must never exceed one
		wg        sync.WaitGroup
	)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				done := make(chan struct{})
				orderMu.Lock()
				id := next
				next++
				requested = append(requested, id)
				m.AcquireFunc("hot", func(release Release) {
					holders++
					assert.Equal(t, 1, holders, "two holders at once")
					granted = append(granted, id)
					holders--
					// Release on another goroutine half of the time, so
					// grants are made both inline and by other goroutines.
					if id%2 == 0 {
						go func() { release(); close(done) }()
						return
					}
					release()
					close(done)
				})
				orderMu.Unlock()
				<-done
			}
		}()
	}
	wg.Wait()
	require.Len(t, granted, goroutines*rounds)
	assert.Equal(t, requested, granted, "grants must follow request order")
	requireIdle(t, m)
}

func TestMutualExclusionUnderContention(t *testing.T) {
	m := &Manager{}
	counter := 0 // unsynchronized on purpose: only the lock protects it; -race checks
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 300 {
				require.NoError(t, m.WithLock(context.Background(), "counter", func() error {
					v := counter
					runtime.Gosched()
					counter = v + 1
					return nil
				}))
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 32*300, counter)
	requireIdle(t, m)
}

func TestAcquireWithDoneContextFailsEvenWhenFree(t *testing.T) {
	m := &Manager{}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := m.Acquire(ctx, "free")
	assert.Nil(t, r)
	assert.Equal(t, context.Canceled, err, "ctx.Err() unwrapped")
	assert.False(t, m.IsLocked("free"))

	ran := false
	err = m.WithLock(ctx, "free", func() error { ran = true; return nil })
	assert.Equal(t, context.Canceled, err)
	assert.False(t, ran)
	requireIdle(t, m)
}

func TestCancelWhileWaiting(t *testing.T) {
	for _, pos := range []int{0, 1, 2} {
		t.Run("position "+strconv.Itoa(pos), func(t *testing.T) {
			m := &Manager{}
			holder, _ := m.Acquire(context.Background(), "k")
			var waiters []<-chan acquired
			var cancels []context.CancelFunc
			for range 3 {
				ctx, cancel := context.WithCancel(context.Background())
				cancels = append(cancels, cancel)
				waiters = append(waiters, queueAcquire(t, m, ctx, "k"))
			}
			require.Equal(t, 4, m.QueueLength("k"))

			cancels[pos]()
			got := <-waiters[pos]
			assert.Nil(t, got.release)
			assert.Equal(t, context.Canceled, got.err)
			assert.Equal(t, 3, m.QueueLength("k"), "the canceled waiter leaves at once")

			holder()
			for i, w := range waiters {
				if i == pos {
					continue
				}
				got := <-w
				require.NoError(t, got.err, "waiter %d", i)
				for j := i + 1; j < len(waiters); j++ {
					select {
					case <-waiters[j]:
						t.Fatalf("waiter %d granted while %d holds", j, i)
					default:
					}
				}
				got.release()
			}
			for _, c := range cancels {
				c()
			}
			requireIdle(t, m)
		})
	}
}

func TestDeadlineWhileWaiting(t *testing.T) {
	m := &Manager{}
	holder, _ := m.Acquire(context.Background(), "k")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r, err := m.Acquire(ctx, "k")
	assert.Nil(t, r)
	assert.Equal(t, context.DeadlineExceeded, err)
	assert.Equal(t, 1, m.QueueLength("k"))
	holder()
	requireIdle(t, m)
}

// A cancellation that races with the grant must never leave the key locked
// by nobody: whatever wins, the waiter behind still gets the lock.
func TestCancelRacingGrant(t *testing.T) {
	m := &Manager{}
	outcomes := map[bool]int{}
	for range 2000 {
		holder, _ := m.Acquire(context.Background(), "k")
		ctx, cancel := context.WithCancel(context.Background())
		racer := queueAcquire(t, m, ctx, "k")
		behind := queueAcquire(t, m, context.Background(), "k")

		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); cancel() }()
		go func() { defer wg.Done(); holder() }()
		wg.Wait()

		got := <-racer
		outcomes[got.err == nil]++
		if got.err == nil {
			got.release()
		} else {
			require.Equal(t, context.Canceled, got.err)
		}
		last := <-behind
		require.NoError(t, last.err)
		last.release()
		requireIdle(t, m)
	}
	t.Logf("racer won the grant %d times, canceled %d times", outcomes[true], outcomes[false])
}

func TestReleaseIsIdempotent(t *testing.T) {
	m := &Manager{}
	r1, _ := m.Acquire(context.Background(), "k")
	next := queueAcquire(t, m, context.Background(), "k")
	r1()
	r2 := <-next
	require.NoError(t, r2.err)
	r1() // stale: must not free the second holder
	assert.True(t, m.IsLocked("k"))
	assert.Equal(t, 1, m.QueueLength("k"))
	r2.release()
	r2.release()
	requireIdle(t, m)
}

// Entries are recycled; a stale Release must not free whatever key reuses
// the entry next.
func TestStaleReleaseAfterRecycling(t *testing.T) {
	m := &Manager{}
	var stale []Release
	for i := range 100 {
		r, ok := m.TryAcquire("a" + strconv.Itoa(i))
		require.True(t, ok)
		r()
		stale = append(stale, r)
	}
	held, ok := m.TryAcquire("b")
	require.True(t, ok)
	for _, r := range stale {
		r()
	}
	assert.True(t, m.IsLocked("b"))
	held()
	requireIdle(t, m)
}

func TestTryAcquireNeverBarges(t *testing.T) {
	m := &Manager{}
	r, ok := m.TryAcquire("k")
	require.True(t, ok)
	_, ok = m.TryAcquire("k")
	assert.False(t, ok, "held")

	waiter := queueAcquire(t, m, context.Background(), "k")
	_, ok = m.TryAcquire("k")
	assert.False(t, ok, "held with a waiter")
	assert.Equal(t, 2, m.QueueLength("k"), "TryAcquire never queues")

	r()
	got := <-waiter
	require.NoError(t, got.err)
	_, ok = m.TryAcquire("k")
	assert.False(t, ok, "the handoff keeps the key locked")
	got.release()

	r, ok = m.TryAcquire("k")
	assert.True(t, ok, "free again")
	r()
	requireIdle(t, m)
}

func TestWithLockErrorIsReturnedAsIs(t *testing.T) {
	m := &Manager{}
	sentinel := errors.New("sentinel")
	err := m.WithLock(context.Background(), "k", func() error { return sentinel })
	assert.ErrorIs(t, err, sentinel)
	assert.Same(t, sentinel, err)
}

func TestIdleManagerHoldsNothingAfterManyKeys(t *testing.T) {
	m := &Manager{}
	// One at a time.
	for i := range 1_000_000 {
		r, err := m.Acquire(context.Background(), "story:"+strconv.Itoa(i))
		require.NoError(t, err)
		r()
	}
	requireIdle(t, m)

	// All at once: the table grows, then must give its memory back.
	before := heapInUse()
	releases := make([]Release, 0, 200_000)
	for i := range 200_000 {
		r, _ := m.TryAcquire("burst:" + strconv.Itoa(i))
		releases = append(releases, r)
	}
	for _, r := range releases {
		r()
	}
	releases = nil
	requireIdle(t, m)
	after := heapInUse()
	assert.Less(t, after, before+2<<20, "idle manager kept %d bytes", after-before)
	runtime.KeepAlive(m)
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}

func TestSnapshot(t *testing.T) {
	m := &Manager{}
	start := time.Now()
	rb, _ := m.Acquire(context.Background(), "b")
	ra, _ := m.Acquire(context.Background(), "a")
	w1 := queueAcquire(t, m, context.Background(), "b")
	w2 := queueAcquire(t, m, context.Background(), "b")

	s := m.Snapshot()
	require.Len(t, s, 2)
	slices.SortFunc(s, func(a, b KeyState) int { return strings.Compare(a.Key, b.Key) })
	assert.Equal(t, "a", s[0].Key)
	assert.Equal(t, "b", s[1].Key)
	assert.Empty(t, s[0].WaitedNs)
	require.Len(t, s[1].WaitedNs, 2)
	assert.LessOrEqual(t, time.Duration(s[1].HeldNs), time.Since(start))
	assert.Positive(t, s[1].HeldNs)
	assert.GreaterOrEqual(t, s[1].WaitedNs[0], s[1].WaitedNs[1], "FIFO order: oldest first")
	assert.Equal(t, 2, s.Waiters())

	ra()
	rb()
	(<-w1).release()
	(<-w2).release()
	requireIdle(t, m)
}
