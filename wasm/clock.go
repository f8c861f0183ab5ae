//go:build js && wasm

package main

import _ "unsafe" // for go:linkname

// The clock of the module's lock table (the ages in query()). The
// runtime's clock is performance.now(), which costs more in Chromium than a
// whole uncontended acquire and release (about 0.12 µs a call), so it is
// read at most once per JavaScript task: the first lock operation of a task
// reads it, and every later one in that task uses the same reading. The
// bridge expires the reading at the start of the next task (a
// MessageChannel message, which background tabs do not throttle). An age
// in query() can therefore be overstated by the time between its task's
// first lock operation and the request: the length of one task at most.
var (
	clockNs    int64
	clockValid bool
)

func init() { mgr.Clock = taskClock }

func taskClock() int64 {
	if !clockValid {
		clockNs, clockValid = nanotime(), true
		jsClockRead()
	}
	return clockNs
}

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// jsClockRead tells the bridge to call weblock_clock_expire at the next
// task.
//
//go:wasmimport weblock clockRead
func jsClockRead()

// weblock_clock_expire makes the next lock operation read the clock.
//
//go:wasmexport weblock_clock_expire
func weblockClockExpire() { clockValid = false }
