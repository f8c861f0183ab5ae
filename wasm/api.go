//go:build js && wasm

package main

import (
	"runtime"
	"syscall/js"
	"unsafe"

	"example.com/weblock/lockmgr"
)

var mgr = lockmgr.Default

// exportedFuncs is the number of js.Funcs install keeps for the program's
// lifetime.
const exportedFuncs = 11

// install puts globalThis.lockManager and globalThis.withLock in place and
// tells the bridge they are ready. shutdown stops the program.
func install(shutdown func()) bool {
	bridge = global.Get("__weblockBridge")
	if bridge.IsUndefined() {
		return false
	}
	internal := objectCtor.New()
	internal.Set("release", safeCallback(releaseHandler))
	internal.Set("shutdown", safeCallback(func([]js.Value) { shutdown() }))
	bridge.Call("init", internal)

	lm := objectCtor.New()
	async := func(name string, fn func([]js.Value) js.Value) {
		lm.Set(name, bridge.Call("async", safeAsync(fn)))
	}
	sync := func(name string, fn func([]js.Value) any) {
		lm.Set(name, bridge.Call("sync", safeSync(fn)))
	}
	async("acquire", acquire)
	async("withLock", withLock)
	sync("tryAcquire", tryAcquire)
	sync("isLocked", isLocked)
	sync("getQueueLength", getQueueLength)
	sync("query", query)
	sync("stats", stats)
	global.Set("lockManager", lm)
	global.Set("withLock", lm.Get("withLock"))
	bridge.Call("ready", lm)
	return true
}

// acquire(key, options?) → Promise<release>.
func acquire(args []js.Value) js.Value {
	key, err := keyArg(args)
	if !err.IsUndefined() {
		return rejected(err)
	}
	opts, err := optionsArg(args, 1)
	if !err.IsUndefined() {
		return rejected(err)
	}
	return request(key, opts, js.Value{})
}

// withLock(key, fn, options?) → Promise<fn's result>.
func withLock(args []js.Value) js.Value {
	key, err := keyArg(args)
	if !err.IsUndefined() {
		return rejected(err)
	}
	fn := arg(args, 1)
	if fn.Type() != js.TypeFunction {
		return rejected(typeError("fn must be a function, got " + typeName(fn)))
	}
	opts, err := optionsArg(args, 2)
	if !err.IsUndefined() {
		return rejected(err)
	}
	return request(key, opts, fn)
}

// request queues a request for key. With fn it is a withLock: the result
// is fn's; without, an acquire: the result is the release function.
func request(key string, opts options, fn js.Value) js.Value {
	if !opts.signal.IsUndefined() && opts.signal.Get("aborted").Bool() {
		return rejected(opts.signal.Get("reason"))
	}
	id, t := tickets.alloc()
	if release, ok := mgr.TryAcquire(key); ok {
		t.release = release
		if fn.IsUndefined() {
			return bridge.Call("granted", id)
		}
		return bridge.Call("run", nil, fn, id)
	}

	waiter := bridge.Call("pending")
	tickets.hold(t, &t.waiter, waiter)
	withFn := !fn.IsUndefined()
	t.stop = mgr.AcquireFunc(key, func(release lockmgr.Release) { granted(id, release, withFn) })
	if !opts.signal.IsUndefined() {
		onAbort := abortFunc.Call("bind", nil, id)
		opts.signal.Call("addEventListener", "abort", onAbort)
		tickets.hold(t, &t.signal, opts.signal)
		tickets.hold(t, &t.onAbort, onAbort)
	}
	if opts.hasTimeout {
		timer := global.Call("setTimeout", timeoutFunc.Call("bind", nil, id, opts.timeout), opts.timeout)
		tickets.hold(t, &t.timer, timer)
	}
	promise := waiter.Get("promise")
	if withFn {
		return bridge.Call("run", promise, fn, id)
	}
	return promise
}

// granted runs inside lockmgr when a queued request gets the lock.
func granted(id float64, release lockmgr.Release, withFn bool) {
	t := tickets.get(id)
	if t == nil { // cannot happen: a ticket lives until its release
		release()
		return
	}
	t.release, t.stop = release, nil
	waiter := t.waiter
	tickets.dropJS(t)
	defer func() {
		if p := recover(); p != nil {
			println("lockmgr: granting:", recovered(p).Get("message").String())
		}
	}()
	if withFn {
		waiter.Call("resolve")
		return
	}
	bridge.Call("grant", waiter, id)
}

// abandon removes a queued request and rejects it with reason. A request
// already granted is left alone: abort or timeout after the grant is ignored.
func abandon(id float64, reason func(*ticket) js.Value) {
	t := tickets.get(id)
	if t == nil || t.stop == nil || !t.stop() {
		return
	}
	waiter, err := t.waiter, reason(t)
	tickets.freeTicket(id, t)
	waiter.Call("reject", err)
}

var (
	abortFunc = safeCallback(func(args []js.Value) {
		abandon(arg(args, 0).Float(), func(t *ticket) js.Value { return t.signal.Get("reason") })
	})
	timeoutFunc = safeCallback(func(args []js.Value) {
		ms := arg(args, 1)
		abandon(arg(args, 0).Float(), func(*ticket) js.Value {
			return timeoutError("timed out after " + numberString(ms) + " ms waiting for the lock")
		})
	})
)

// releaseHandler is the one Go function behind every release function: JS
// binds it to a ticket id. A stale id is a no-op.
func releaseHandler(args []js.Value) {
	id := arg(args, 0).Float()
	t := tickets.get(id)
	if t == nil || t.release == nil {
		return
	}
	release := t.release
	tickets.freeTicket(id, t)
	release() // may grant the next request, synchronously
}

// tryAcquire(key) → release | null.
func tryAcquire(args []js.Value) any {
	key, err := keyArg(args)
	if !err.IsUndefined() {
		return thrown(err)
	}
	release, ok := mgr.TryAcquire(key)
	if !ok {
		return nil
	}
	id, t := tickets.alloc()
	t.release = release
	return bridge.Call("holder", id)
}

func isLocked(args []js.Value) any {
	key, err := keyArg(args)
	if !err.IsUndefined() {
		return thrown(err)
	}
	return mgr.IsLocked(key)
}

func getQueueLength(args []js.Value) any {
	key, err := keyArg(args)
	if !err.IsUndefined() {
		return thrown(err)
	}
	return mgr.QueueLength(key)
}

// query() → {held: [{key, ms}], pending: [{key, ms}]}. Go sends the keys
// and one Float64Array of numbers; bridge.js builds the objects, so a
// query costs one crossing per key rather than three per entry.
func query([]js.Value) any {
	snap := mgr.Snapshot()
	keys := arrayCtor.New(len(snap))
	nums := make([]float64, 0, 2*len(snap)+snap.Waiters())
	for i, k := range snap {
		keys.SetIndex(i, k.Key)
		nums = append(nums, float64(k.HeldNs)/1e6, float64(len(k.WaitedNs)))
		for _, ns := range k.WaitedNs {
			nums = append(nums, float64(ns)/1e6)
		}
	}
	buf := uint8ArrayCtor.New(len(nums) * 8)
	if len(nums) > 0 {
		js.CopyBytesToJS(buf, unsafe.Slice((*byte)(unsafe.Pointer(&nums[0])), len(nums)*8))
	}
	return bridge.Call("query", keys, buf)
}

// stats() → {keys, waiters, goHeapBytes, jsRefs}.
func stats([]js.Value) any {
	snap := mgr.Snapshot()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	o := objectCtor.New()
	o.Set("keys", len(snap))
	o.Set("waiters", snap.Waiters())
	o.Set("goHeapBytes", ms.HeapAlloc)
	o.Set("jsRefs", staticRefs+tickets.refs)
	return o
}
