//go:build js && wasm

// Command wasm is the browser module: it exports lockmgr.Default to
// JavaScript as globalThis.lockManager and globalThis.withLock.
//
// It needs the JavaScript half of the bridge, web/bridge.js, loaded first
// (web/lockmgr.js does that); syscall/js handlers cannot throw or track
// promises on their own.
package main

func main() {
	done := make(chan struct{})
	if !install(func() { close(done) }) {
		println("lockmgr:", errNoBridge)
		return
	}
	<-done
}
