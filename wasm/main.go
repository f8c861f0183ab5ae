//go:build js && wasm

// Command wasm is the browser module: it exports lockmgr.Default to
// JavaScript as globalThis.lockManager and globalThis.withLock.
//
// The two halves talk in numbers only. Go exports its operations as
// //go:wasmexport functions (a call costs tens of nanoseconds, where a
// syscall/js callback costs about ten microseconds), and calls the few
// functions of web/bridge.js it needs through //go:wasmimport, passing
// addresses in its memory for keys and text. web/bridge.js checks
// arguments, writes keys into keyBuf and builds the promises. The module
// links no syscall/js (about 100 KB of it) and Go holds no JS value.
package main

import "example.com/weblock/lockmgr"

var mgr = lockmgr.Default

// done is closed by weblock_shutdown: main returns and the program exits.
var done = make(chan struct{})

func main() {
	install()
	<-done
}
