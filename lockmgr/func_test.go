package lockmgr

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAcquireFuncFreeKeyGrantsInsideCall(t *testing.T) {
	m := &Manager{}
	var release Release
	stop := m.AcquireFunc("k", func(r Release) { release = r })
	require.NotNil(t, release, "granted runs inside AcquireFunc on a free key")
	assert.False(t, stop(), "nothing pending to stop")
	assert.True(t, m.IsLocked("k"))
	release()
	requireIdle(t, m)
}

func TestAcquireFuncGrantRunsInsideRelease(t *testing.T) {
	m := &Manager{}
	holder, _ := m.TryAcquire("k")
	calls := 0
	var second Release
	stop := m.AcquireFunc("k", func(r Release) { calls++; second = r })
	assert.Zero(t, calls, "not granted while held")
	assert.Equal(t, 2, m.QueueLength("k"))

	holder()
	assert.Equal(t, 1, calls, "granted inside the Release that hands over")
	assert.False(t, stop(), "stop after the grant removes nothing")
	holder()
	assert.Equal(t, 1, calls, "exactly once")
	second()
	requireIdle(t, m)
}

func TestAcquireFuncStopBeforeGrant(t *testing.T) {
	m := &Manager{}
	holder, _ := m.TryAcquire("k")
	called := false
	stop := m.AcquireFunc("k", func(Release) { called = true })
	after := make(chan Release, 1)
	m.AcquireFunc("k", func(r Release) { after <- r })

	assert.True(t, stop(), "removes the pending request")
	assert.Equal(t, 2, m.QueueLength("k"), "drops at once")
	assert.False(t, stop(), "only once")
	holder()
	assert.False(t, called, "a stopped request is never granted")
	(<-after)()
	requireIdle(t, m)
}

func TestAcquireFuncNilPanics(t *testing.T) {
	m := &Manager{}
	assert.Panics(t, func() { m.AcquireFunc("k", nil) })
	requireIdle(t, m)
}

// Releasing from inside granted for a long queue must neither overflow the
// stack nor take quadratic time; a quadratic queue would not finish here.
func TestAcquireFuncReleaseChainIsFlat(t *testing.T) {
	m := &Manager{}
	holder, _ := m.TryAcquire("k")
	const n = 100_000
	order := make([]int, 0, n)
	for i := range n {
		m.AcquireFunc("k", func(r Release) {
			order = append(order, i)
			r()
		})
	}
	require.Equal(t, n+1, m.QueueLength("k"))
	holder()
	require.Len(t, order, n)
	for i, v := range order {
		if v != i {
			t.Fatalf("grant %d went to request %d", i, v)
		}
	}
	requireIdle(t, m)
}

// A chain that mixes blocking waiters with callbacks still drains in order.
func TestAcquireFuncMixedWithAcquire(t *testing.T) {
	m := &Manager{}
	holder, _ := m.TryAcquire("k")
	var log []string
	m.AcquireFunc("k", func(r Release) { log = append(log, "f1"); r() })
	blocking := queueAcquire(t, m, context.Background(), "k")
	m.AcquireFunc("k", func(r Release) { log = append(log, "f2"); r() })
	holder()
	got := <-blocking
	require.NoError(t, got.err)
	log = append(log, "acquire")
	assert.Equal(t, 2, m.QueueLength("k"))
	got.release()
	assert.Equal(t, []string{"f1", "acquire", "f2"}, log)
	requireIdle(t, m)
}

func TestAcquireFuncPanicDoesNotLoseLaterGrants(t *testing.T) {
	m := &Manager{}
	holder, _ := m.TryAcquire("k")
	var panicking Release
	m.AcquireFunc("k", func(r Release) {
		panicking = r
		r() // hands over to the next request, deferred to this dispatch
		panic("granted failed")
	})
	next := make(chan Release, 1)
	m.AcquireFunc("k", func(r Release) { next <- r })
	assert.PanicsWithValue(t, "granted failed", func() { holder() })
	(<-next)()
	panicking()
	requireIdle(t, m)

	// The key keeps working afterwards.
	r, ok := m.TryAcquire("k")
	require.True(t, ok)
	r()
	requireIdle(t, m)
}

func TestAcquireFuncManyKeysInsideGranted(t *testing.T) {
	m := &Manager{}
	// A granted callback that takes and frees other keys: no deadlock, no
	// internal lock held during the callback.
	m.AcquireFunc("outer", func(outer Release) {
		for i := range 10 {
			m.AcquireFunc("inner"+strconv.Itoa(i), func(r Release) {
				assert.True(t, m.IsLocked("outer"))
				r()
			})
		}
		outer()
	})
	requireIdle(t, m)
}

// A grant is deferred only to the granted call of the holder that releases:
// another goroutine's release hands over at once, on that goroutine, even
// while an older granted call is still running elsewhere.
func TestAcquireFuncGrantRunsOnTheReleasingGoroutine(t *testing.T) {
	m := &Manager{}
	holder, _ := m.TryAcquire("k")
	aMayReturn := make(chan struct{})
	aDone := make(chan struct{})
	m.AcquireFunc("k", func(r Release) { // A: hands over, then keeps running
		r()
		<-aMayReturn
		close(aDone)
	})
	b := queueAcquire(t, m, context.Background(), "k") // B: a blocking waiter
	cGranted := make(chan Release, 1)
	m.AcquireFunc("k", func(r Release) { cGranted <- r }) // C

	go holder() // grants A on this new goroutine; A blocks inside granted
	got := <-b
	require.NoError(t, got.err, "A's release handed the lock to B")
	got.release() // B's release must grant C here and now
	select {
	case r := <-cGranted:
		r()
	default:
		t.Fatal("C was not granted inside B's Release: the grant waited for A's granted call")
	}
	close(aMayReturn)
	<-aDone
	requireIdle(t, m)
}
