package lockmgr

// The acceptance cases of the original specification, in Go.

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireIdle fails unless m keeps nothing: no entry for any key.
func requireIdle(t testing.TB, m *Manager) {
	t.Helper()
	m.mu.Lock()
	n := m.busyLocked()
	m.mu.Unlock()
	require.Zero(t, n, "an idle manager must hold no key entries")
	require.Empty(t, m.Snapshot())
}

func TestSpecBasicAcquireRelease(t *testing.T) {
	m := &Manager{}
	assert.False(t, m.IsLocked("story:1"))
	release, err := m.Acquire(context.Background(), "story:1")
	require.NoError(t, err)
	assert.True(t, m.IsLocked("story:1"))
	release()
	assert.False(t, m.IsLocked("story:1"))
	requireIdle(t, m)
}

func TestSpecWithLockRunsWithLockHeld(t *testing.T) {
	m := &Manager{}
	var heldInside bool
	err := m.WithLock(context.Background(), "k", func() error {
		heldInside = m.IsLocked("k")
		return nil
	})
	require.NoError(t, err)
	assert.True(t, heldInside, "fn must run with the lock held")
	assert.False(t, m.IsLocked("k"), "released after completion")
	requireIdle(t, m)
}

func TestSpecWithLockReleasesOnError(t *testing.T) {
	m := &Manager{}
	boom := errors.New("boom")
	err := m.WithLock(context.Background(), "k", func() error { return boom })
	assert.Same(t, boom, err, "fn's error is returned as it is")
	assert.False(t, m.IsLocked("k"))
	requireIdle(t, m)
}

func TestSpecWithLockReleasesOnPanic(t *testing.T) {
	m := &Manager{}
	assert.PanicsWithValue(t, "kaboom", func() {
		_ = m.WithLock(context.Background(), "k", func() error { panic("kaboom") })
	})
	assert.False(t, m.IsLocked("k"))
	requireIdle(t, m)
}

func TestSpecWithLockPropagatesResult(t *testing.T) {
	m := &Manager{}
	var result int
	require.NoError(t, m.WithLock(context.Background(), "k", func() error {
		result = 42
		return nil
	}))
	assert.Equal(t, 42, result)
}

func TestSpecConcurrentWithLockRunInOrder(t *testing.T) {
	m := &Manager{}
	var mu sync.Mutex
	var order []int
	push := func(v int) { mu.Lock(); order = append(order, v); mu.Unlock() }

	firstIn := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = m.WithLock(context.Background(), "shared-key", func() error {
			close(firstIn)
			push(1)
			time.Sleep(50 * time.Millisecond)
			push(2)
			return nil
		})
	}()
	<-firstIn
	go func() {
		defer wg.Done()
		_ = m.WithLock(context.Background(), "shared-key", func() error {
			push(3)
			push(4)
			return nil
		})
	}()
	wg.Wait()
	assert.Equal(t, []int{1, 2, 3, 4}, order)
	requireIdle(t, m)
}

// Without a lock the same two functions interleave: the check above can fail.
func TestSpecWithoutLockInterleaves(t *testing.T) {
	var mu sync.Mutex
	var order []int
	push := func(v int) { mu.Lock(); order = append(order, v); mu.Unlock() }
	firstIn := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		push(1)
		close(firstIn)
		time.Sleep(50 * time.Millisecond)
		push(2)
	}()
	go func() { defer wg.Done(); <-firstIn; push(3); push(4) }()
	wg.Wait()
	assert.Equal(t, []int{1, 3, 4, 2}, order)
}

func TestSpecDifferentKeysRunInParallel(t *testing.T) {
	m := &Manager{}
	// Each fn waits for the other to be inside: this only finishes if both
	// hold their locks at the same time.
	aIn, bIn := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		assert.NoError(t, m.WithLock(context.Background(), "a", func() error { close(aIn); <-bIn; return nil }))
	}()
	go func() {
		defer wg.Done()
		assert.NoError(t, m.WithLock(context.Background(), "b", func() error { close(bIn); <-aIn; return nil }))
	}()
	wg.Wait()
	requireIdle(t, m)
}

func TestSpecQueueLength(t *testing.T) {
	m := &Manager{}
	ctx := context.Background()
	assert.Zero(t, m.QueueLength("k"))
	r1, err := m.Acquire(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, 1, m.QueueLength("k"))

	got := make(chan Release, 2)
	for i := 2; i <= 3; i++ {
		go func() { r, _ := m.Acquire(ctx, "k"); got <- r }()
		require.Eventually(t, func() bool { return m.QueueLength("k") == i }, time.Second, time.Millisecond)
	}
	assert.Equal(t, 3, m.QueueLength("k"))
	assert.Equal(t, 3, m.QueueLength("k"), "queries change nothing")

	r1()
	r2 := <-got
	assert.Equal(t, 2, m.QueueLength("k"), "handoff keeps the key locked")
	r2()
	r3 := <-got
	assert.Equal(t, 1, m.QueueLength("k"))
	r3()
	assert.Zero(t, m.QueueLength("k"))
	assert.False(t, m.IsLocked("k"))
	requireIdle(t, m)
}

func TestSpecMultipleWaitersQueueInOrder(t *testing.T) {
	m := &Manager{}
	ctx := context.Background()
	r0, _ := m.Acquire(ctx, "k")
	const n = 5
	order := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := m.Acquire(ctx, "k")
			assert.NoError(t, err)
			order <- i
			r()
		}()
		// Queue them one at a time so that request order is known.
		require.Eventually(t, func() bool { return m.QueueLength("k") == i+2 }, time.Second, time.Millisecond)
	}
	r0()
	wg.Wait()
	close(order)
	var got []int
	for i := range order {
		got = append(got, i)
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4}, got)
	requireIdle(t, m)
}
