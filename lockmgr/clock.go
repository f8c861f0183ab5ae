package lockmgr

import _ "unsafe" // for go:linkname

// nanotime is the runtime's monotonic clock in nanoseconds. lockmgr uses it
// rather than package time so that the WebAssembly module does not link
// package time (see context.go).
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64
