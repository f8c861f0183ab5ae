//go:build js && wasm

package main

import "unsafe"

// The functions of web/bridge.js that Go calls: the import module
// "weblock", which the loader (web/lockmgr.js) adds to the import object.
// Addresses are offsets in the module's memory.

// jsInstall puts the globals in place; keys are written at keyBuf.
//
//go:wasmimport weblock install
func jsInstall(keyBuf, keyCap int32)

// jsGrant resolves queued ticket id: it has the lock. It returns 0 when
// the bridge has no such request (a bug), and then the lock is passed on.
//
//go:wasmimport weblock grant
func jsGrant(id float64) int32

// jsPanicked hands over the UTF-8 message of a panic, before the export
// that recovered it returns failed.
//
//go:wasmimport weblock panicked
func jsPanicked(msg, n int32)

// jsQueried hands over a query() result: numbers (see weblockQuery) and
// the UTF-8 keys back to back.
//
//go:wasmimport weblock queried
func jsQueried(nums, numsLen, keys, keysLen int32)

func install() { jsInstall(addr(unsafe.Pointer(&keyBuf[0])), int32(len(keyBuf))) }

// addr is the offset of p in linear memory. Memory is at most 4 GiB, so it
// fits 32 bits; JS reads it back unsigned.
func addr(p unsafe.Pointer) int32 { return int32(uintptr(p)) }

func stringAddr(s string) int32 { return addr(unsafe.Pointer(unsafe.StringData(s))) }

func panicMessage(p any) string {
	switch v := p.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "internal error"
}
