//go:build js && wasm

package main

import (
	"runtime"
	"unsafe"

	"example.com/weblock/lockmgr"
)

// keyBuf is where bridge.js writes the UTF-8 key of a call (TextEncoder's
// encodeInto); longer keys are refused with a RangeError by the bridge.
var keyBuf [64 << 10]byte

// key returns the key in keyBuf[:n]. The last key made is reused when the
// bytes match (the comparison does not allocate): a page mostly locks the
// same few keys, and a fresh string per call costs more than the lock. It
// stays referenced until another key comes: one key, 64 KiB at most.
func key(n int32) string {
	b := keyBuf[:n]
	if string(b) != lastKey {
		lastKey = string(b)
	}
	return lastKey
}

var lastKey string

// failed is what an export returns after a panic; bridge.js then throws
// the message it was given through jsPanicked.
const failed = -1

// guard turns a panic in an export into a message for the bridge and the
// failed result: a panic must never end the Go program.
func guard(result *float64) {
	if p := recover(); p != nil {
		if passing.t != nil { // its lease is released: end the ticket too
			tickets.free(passing.id, passing.t)
			passing.t = nil
		}
		msg := panicMessage(p)
		jsPanicked(stringAddr(msg), int32(len(msg)))
		*result = failed
	}
}

const tooMany = "too many requests in flight: 16,777,216 at most"

// passing is the ticket whose lease weblock_acquire is passing on. The
// release may run Go code (a waiter's callback) that panics: guard then
// frees the ticket.
var passing struct {
	id float64
	t  *ticket
}

// acquiring is the ticket of the weblock_acquire call in progress: a grant
// made inside that very call is reported by its result, not by a callback.
var (
	acquiring     float64
	grantedAtCall bool
	acquires      uint // calls of weblock_acquire, to yield every 1024
)

// weblock_acquire first releases ticket releaseFirst, when not 0 (a
// release the bridge held back: see bridge.js), then requests the lock on
// the key in keyBuf[:n]. With queue 0 it only tries: it returns a ticket
// id (> 0) or 0 when busy. With queue 1 it returns id when granted at
// once, -id when queued; the grant of a queued ticket is announced later
// by bridge.grant(id).
//
//go:wasmexport weblock_acquire
func weblockAcquire(n, queue int32, releaseFirst float64) (result float64) {
	defer guard(&result)
	if acquires++; acquires%1024 == 0 {
		// A long chain of awaits is one task, without weblock_tick: let
		// the garbage collector's background marking keep up with it.
		runtime.Gosched()
	}
	k := key(n)
	if t := tickets.get(releaseFirst); t != nil && t.release == nil && t.stop == nil {
		// The usual case, a key locked and freed over and over: the lock
		// of the release passes straight on to this request when nobody
		// waits, and its ticket too, id and all. (The id stays a small
		// integer, which V8 passes without allocating; bridge.js calls
		// each release function once, so no stale call can reach the new
		// holder.)
		passing.id, passing.t = releaseFirst, t
		lease, ok := mgr.TryLeaseAfter(t.lease, k)
		passing.t = nil
		if ok {
			t.lease = lease
			return releaseFirst
		}
		tickets.free(releaseFirst, t)
	} else {
		releaseTicket(releaseFirst) // a no-op for 0
		if lease, ok := mgr.TryLease(k); ok {
			return leaseTicket(lease)
		}
	}
	if queue == 0 {
		return 0
	}
	id, t := tickets.alloc()
	if t == nil {
		panic(tooMany)
	}
	acquiring, grantedAtCall = id, false
	stop := mgr.AcquireFunc(k, func(release lockmgr.Release) { granted(id, release) })
	acquiring = 0
	if grantedAtCall { // the key came free in between (Go code elsewhere released it)
		return id
	}
	tickets.get(id).stop = stop
	return -id
}

// leaseTicket returns the id of a new ticket holding lease.
func leaseTicket(lease lockmgr.Lease) float64 {
	id, t := tickets.alloc()
	if t == nil {
		lease.Release()
		panic(tooMany)
	}
	t.lease = lease
	return id
}

// granted runs inside lockmgr when a queued ticket gets the lock.
func granted(id float64, release lockmgr.Release) {
	t := tickets.get(id)
	t.release, t.stop = release, nil
	if id == acquiring {
		grantedAtCall = true
		return
	}
	if jsGrant(id) == 0 { // nobody to give it to: never leave the key held
		tickets.free(id, t)
		release()
	}
}

// weblock_release frees ticket id; a stale id is a no-op. Returns 0.
//
//go:wasmexport weblock_release
func weblockRelease(id float64) (result float64) {
	defer guard(&result)
	releaseTicket(id)
	return 0
}

// releaseTicket frees ticket id and releases its lock; a stale or still
// queued id is ignored.
func releaseTicket(id float64) {
	t := tickets.get(id)
	if t == nil || t.stop != nil { // stale, or still queued
		return
	}
	lease, release := t.lease, t.release
	tickets.free(id, t)
	// Either may grant the next tickets, synchronously.
	if release != nil {
		release()
	} else {
		lease.Release()
	}
}

// weblock_cancel removes queued ticket id (abort or timeout): 1 when it
// was still queued, 0 when already granted or gone.
//
//go:wasmexport weblock_cancel
func weblockCancel(id float64) (result float64) {
	defer guard(&result)
	t := tickets.get(id)
	if t == nil || t.stop == nil || !t.stop() {
		return 0
	}
	tickets.free(id, t)
	return 1
}

// weblock_length returns the holder plus waiters of the key in keyBuf[:n].
//
//go:wasmexport weblock_length
func weblockLength(n int32) (result float64) {
	defer guard(&result)
	return float64(mgr.QueueLength(key(n)))
}

// weblock_stat returns one figure of stats(): 0 keys, 1 waiters,
// 2 Go heap bytes, 3 JS values held by Go (none: the module has no
// syscall/js).
//
//go:wasmexport weblock_stat
func weblockStat(which int32) (result float64) {
	defer guard(&result)
	switch which {
	case 0, 1:
		snap := mgr.Snapshot()
		if which == 0 {
			return float64(len(snap))
		}
		return float64(snap.Waiters())
	case 2:
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	case 3:
		return 0
	}
	panic("weblock_stat: no such figure")
}

// weblock_query hands query()'s result to jsQueried and returns 0. For
// each busy key, nums holds its UTF-8 length, the holder's age in ms and
// the number of waiters, then each waiter's age in ms, oldest first; the
// keys follow each other in keys.
//
//go:wasmexport weblock_query
func weblockQuery() (result float64) {
	defer guard(&result)
	clockUses = 0 // ages against a fresh reading
	snap := mgr.Snapshot()
	nums := make([]float64, 0, 3*len(snap)+snap.Waiters())
	var keys []byte
	for _, k := range snap {
		keys = append(keys, k.Key...)
		nums = append(nums, float64(len(k.Key)), ms(k.HeldNs), float64(len(k.WaitedNs)))
		for _, ns := range k.WaitedNs {
			nums = append(nums, ms(ns))
		}
	}
	jsQueried(sliceAddr(nums), int32(len(nums)), sliceAddr(keys), int32(len(keys)))
	return 0
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

func sliceAddr[T any](s []T) int32 {
	if len(s) == 0 {
		return 0
	}
	return addr(unsafe.Pointer(&s[0]))
}

// weblock_shutdown ends the Go program (lockmgr.js's shutdown()): main
// returns, and the runtime reports the exit to the loader. Later calls
// are refused by bridge.js.
//
//go:wasmexport weblock_shutdown
func weblockShutdown() {
	select {
	case <-done:
	default:
		close(done)
		runtime.Gosched() // let main run now, not at the next event
	}
}
