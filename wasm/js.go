//go:build js && wasm

package main

import "syscall/js"

// JavaScript values looked up once: every Get is a crossing.
var (
	global          = js.Global()
	promiseCtor     = global.Get("Promise")
	typeErrorCtor   = global.Get("TypeError")
	rangeErrorCtor  = global.Get("RangeError")
	errorCtor       = global.Get("Error")
	domExceptionCtr = global.Get("DOMException")
	abortSignalCtor = global.Get("AbortSignal")
	objectCtor      = global.Get("Object")
	arrayCtor       = global.Get("Array")
	uint8ArrayCtor  = global.Get("Uint8Array")
	stringFunc      = global.Get("String")

	bridge js.Value // globalThis.__weblockBridge, from web/bridge.js
)

// staticRefs counts the JS values above plus the exported functions: the
// idle baseline of stats().jsRefs.
const staticRefs = 12 + exportedFuncs

func typeError(msg string) js.Value  { return typeErrorCtor.New("lockmgr: " + msg) }
func rangeError(msg string) js.Value { return rangeErrorCtor.New("lockmgr: " + msg) }

func timeoutError(msg string) js.Value {
	return domExceptionCtr.New("lockmgr: "+msg, "TimeoutError")
}

// numberString formats a JS number as JS does (no strconv in the module).
func numberString(v js.Value) string { return stringFunc.Invoke(v).String() }

// rejected is a promise already rejected with reason.
func rejected(reason js.Value) js.Value { return promiseCtor.Call("reject", reason) }

// thrown makes a sync handler throw err in its caller (see web/bridge.js).
func thrown(err js.Value) js.Value { return bridge.Call("thrown", err) }

// recovered turns a panic into a JS Error, so that a bug or a JS exception
// met by Go never ends the Go program.
func recovered(p any) js.Value {
	msg := "internal error"
	switch v := p.(type) {
	case error:
		msg = v.Error()
	case string:
		msg = v
	}
	return errorCtor.New("lockmgr: " + msg)
}

// safeAsync wraps a Promise-returning handler: a panic becomes a rejected
// promise, never the end of the Go program.
func safeAsync(fn func(args []js.Value) js.Value) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if p := recover(); p != nil {
				result = rejected(recovered(p))
			}
		}()
		return fn(args)
	})
}

// safeSync wraps a synchronous handler: a panic becomes a thrown Error.
func safeSync(fn func(args []js.Value) any) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer func() {
			if p := recover(); p != nil {
				result = thrown(recovered(p))
			}
		}()
		return fn(args)
	})
}

// safeCallback wraps a function JS calls for its effect only: a panic is
// logged, since nobody waits for a result.
func safeCallback(fn func(args []js.Value)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		defer func() {
			if p := recover(); p != nil {
				println(recovered(p).Get("message").String())
			}
		}()
		fn(args)
		return nil
	})
}

const errNoBridge = "globalThis.__weblockBridge is missing: load web/bridge.js (web/lockmgr.js does) before the module"
