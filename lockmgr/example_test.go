package lockmgr_test

import (
	"context"
	"fmt"

	"example.com/weblock/lockmgr"
)

func ExampleManager_WithLock() {
	var m lockmgr.Manager
	rev := 0
	save := func() error { rev++; return nil } // a read-modify-write
	if err := m.WithLock(context.Background(), "story:42", save); err != nil {
		fmt.Println(err)
	}
	fmt.Println("rev", rev, "locked after:", m.IsLocked("story:42"))
	// Output: rev 1 locked after: false
}

func ExampleManager_Acquire() {
	var m lockmgr.Manager
	release, err := m.Acquire(context.Background(), "story:42")
	if err != nil {
		return
	}
	fmt.Println(m.IsLocked("story:42"), m.QueueLength("story:42"))
	release()
	release() // idempotent
	fmt.Println(m.IsLocked("story:42"), m.QueueLength("story:42"))
	// Output:
	// true 1
	// false 0
}

func ExampleManager_TryAcquire() {
	var m lockmgr.Manager
	first, ok := m.TryAcquire("k")
	fmt.Println("first:", ok)
	_, ok = m.TryAcquire("k")
	fmt.Println("second:", ok)
	first()
	// Output:
	// first: true
	// second: false
}

// A Lease is a holder kept as a value: a table of them (one per request
// from JavaScript, in the WebAssembly bridge) costs no allocation per lock.
func ExampleManager_TryLease() {
	var m lockmgr.Manager
	leases := map[int]lockmgr.Lease{}
	for id, key := range []string{"story:1", "story:2", "story:1"} {
		if l, ok := m.TryLease(key); ok {
			leases[id] = l
		}
	}
	fmt.Println("held:", len(leases))
	for _, l := range leases {
		l.Release()
	}
	fmt.Println("busy keys:", len(m.Snapshot()))
	// Output:
	// held: 2
	// busy keys: 0
}

// TryLeaseAfter releases one Lease and tries a key in one step: with
// nobody waiting, the lock passes straight on. A waiter comes first.
func ExampleManager_TryLeaseAfter() {
	var m lockmgr.Manager
	l, _ := m.TryLease("story:1")
	l, ok := m.TryLeaseAfter(l, "story:1")
	fmt.Println("passed on:", ok)

	var waiter lockmgr.Release
	m.AcquireFunc("story:1", func(release lockmgr.Release) {
		fmt.Println("the waiter got it")
		waiter = release
	})
	_, ok = m.TryLeaseAfter(l, "story:1")
	fmt.Println("passed on past a waiter:", ok)
	waiter()
	fmt.Println("busy keys:", len(m.Snapshot()))
	// Output:
	// passed on: true
	// the waiter got it
	// passed on past a waiter: false
	// busy keys: 0
}

// A fake Clock makes Snapshot's ages exact.
func ExampleManager_Clock() {
	now := int64(0)
	m := lockmgr.Manager{Clock: func() int64 { return now }}
	release, _ := m.TryAcquire("story:1")
	now += 1500
	fmt.Println("held for", m.Snapshot()[0].HeldNs, "ns")
	release()
	// Output: held for 1500 ns
}

// AcquireFunc grants in request order without a goroutine per waiter; the
// Release hands the lock to the next request inside the call.
func ExampleManager_AcquireFunc() {
	var m lockmgr.Manager
	holder, _ := m.TryAcquire("k")
	for _, name := range []string{"first", "second"} {
		m.AcquireFunc("k", func(release lockmgr.Release) {
			fmt.Println("granted", name)
			release()
		})
	}
	stop := m.AcquireFunc("k", func(lockmgr.Release) { fmt.Println("never") })
	fmt.Println("stopped:", stop())
	holder()
	fmt.Println("queue:", m.QueueLength("k"))
	// Output:
	// stopped: true
	// granted first
	// granted second
	// queue: 0
}

func ExampleManager_Snapshot() {
	var m lockmgr.Manager
	r, _ := m.TryAcquire("story:1")
	m.AcquireFunc("story:1", func(r lockmgr.Release) { r() })
	for _, k := range m.Snapshot() {
		fmt.Println(k.Key, "waiters:", len(k.WaitedNs))
	}
	r()
	fmt.Println("busy keys:", len(m.Snapshot()))
	// Output:
	// story:1 waiters: 1
	// busy keys: 0
}
