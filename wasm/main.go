//go:build js && wasm

// Command wasm is the browser module: it exports lockmgr.Default to
// JavaScript as globalThis.lockManager and globalThis.withLock.
//
// The hot paths are //go:wasmexport functions that take and return numbers
// (a call costs tens of nanoseconds, where a js.FuncOf call costs about ten
// microseconds); web/bridge.js, the JavaScript half, checks arguments,
// writes keys into keyBuf and builds the promises. Go calls back into JS
// once per queued request, when it is granted.
package main

func main() {
	done := make(chan struct{})
	if err := install(func() { close(done) }); err != "" {
		println("lockmgr:", err)
		return
	}
	<-done
}
