//go:build js && wasm

package main

import (
	"syscall/js"

	"example.com/weblock/lockmgr"
)

var mgr = lockmgr.Default

// The JS values Go keeps for the program's lifetime, and nothing else: a
// request in flight holds no js.Value. stats().jsRefs reports this count.
var (
	global = js.Global()
	bridge js.Value // globalThis.__weblockBridge, from web/bridge.js
	funcs  []js.Func
)

func jsRefs() int { return 2 + len(funcs) }

// install hands the bridge what it needs and lets it put the globals in
// place. It returns a message when the bridge is missing or refuses.
func install(shutdown func()) (err string) {
	bridge = global.Get("__weblockBridge")
	if bridge.IsUndefined() {
		return "globalThis.__weblockBridge is missing: load web/bridge.js (web/lockmgr.js does) before the module"
	}
	defer func() {
		if p := recover(); p != nil {
			err = panicMessage(p)
		}
	}()
	internal := js.Global().Get("Object").New()
	internal.Set("keyBuf", keyBufAddr())
	internal.Set("keyCap", len(keyBuf))
	internal.Set("query", fn(query))
	internal.Set("shutdown", fn(func([]js.Value) any { shutdown(); return nil }))
	bridge.Call("install", internal)
	return ""
}

// fn makes a JS function of a Go one for the rare calls that carry JS
// values (query, shutdown); a panic comes back as an Error to throw.
func fn(f func(args []js.Value) any) js.Func {
	jf := js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if p := recover(); p != nil {
				result = bridge.Call("thrown", panicMessage(p))
			}
		}()
		return f(args)
	})
	funcs = append(funcs, jf)
	return jf
}

func panicMessage(p any) string {
	switch v := p.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "internal error"
}

// query() → {held: [{key, ms}], pending: [{key, ms}]}. Go sends the keys
// and one Float64Array of numbers; bridge.js builds the objects, so a
// query costs one crossing per key rather than three per entry.
func query([]js.Value) any {
	snap := mgr.Snapshot()
	keys := global.Get("Array").New(len(snap))
	nums := make([]float64, 0, 2*len(snap)+snap.Waiters())
	for i, k := range snap {
		keys.SetIndex(i, k.Key)
		nums = append(nums, float64(k.HeldNs)/1e6, float64(len(k.WaitedNs)))
		for _, ns := range k.WaitedNs {
			nums = append(nums, float64(ns)/1e6)
		}
	}
	return bridge.Call("queried", keys, float64Bytes(nums))
}
