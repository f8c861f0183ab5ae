//go:build js && wasm

package main

import (
	"runtime"
	"syscall/js"
	"unsafe"

	"example.com/weblock/lockmgr"
)

// keyBuf is where bridge.js writes the UTF-8 key of a call (TextEncoder's
// encodeInto); longer keys are refused with a RangeError by the bridge.
var keyBuf [64 << 10]byte

func keyBufAddr() int { return int(uintptr(unsafe.Pointer(&keyBuf[0]))) }

func key(n int32) string { return string(keyBuf[:n]) }

// failed is what an export returns after a panic; bridge.js then throws
// the message it was given through bridge.panicked.
const failed = -1

// guard turns a panic in an export into a message for the bridge and the
// failed result: a panic must never end the Go program.
func guard(result *float64) {
	if p := recover(); p != nil {
		bridge.Call("panicked", panicMessage(p))
		*result = failed
	}
}

// acquiring is the ticket of the weblock_acquire call in progress: a grant
// made inside that very call is reported by its result, not by a callback.
var (
	acquiring     float64
	grantedAtCall bool
)

// weblock_acquire requests the lock on the key in keyBuf[:n]. With queue
// 0 it only tries: it returns a ticket id (> 0) or 0 when busy. With
// queue 1 it returns id when granted at once, -id when queued; the grant of
// a queued ticket is announced later by bridge.grant(id).
//
//go:wasmexport weblock_acquire
func weblockAcquire(n, queue int32) (result float64) {
	defer guard(&result)
	k := key(n)
	id, t := tickets.alloc()
	if release, ok := mgr.TryAcquire(k); ok {
		t.release = release
		return id
	}
	if queue == 0 {
		tickets.free(id, t)
		return 0
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

// granted runs inside lockmgr when a queued ticket gets the lock.
func granted(id float64, release lockmgr.Release) {
	t := tickets.get(id)
	t.release, t.stop = release, nil
	if id == acquiring {
		grantedAtCall = true
		return
	}
	bridge.Call("grant", id)
}

// weblock_release frees ticket id; a stale id is a no-op. Returns 0.
//
//go:wasmexport weblock_release
func weblockRelease(id float64) (result float64) {
	defer guard(&result)
	t := tickets.get(id)
	if t == nil || t.release == nil {
		return 0
	}
	release := t.release
	tickets.free(id, t)
	release() // may grant the next tickets, synchronously
	return 0
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
// 2 Go heap bytes, 3 JS values held by Go.
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
		return float64(jsRefs())
	}
	panic("weblock_stat: no such figure")
}

func float64Bytes(nums []float64) any {
	buf := global.Get("Uint8Array").New(len(nums) * 8)
	if len(nums) > 0 {
		js.CopyBytesToJS(buf, unsafe.Slice((*byte)(unsafe.Pointer(&nums[0])), len(nums)*8))
	}
	return buf
}
