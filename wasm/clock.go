//go:build js && wasm

package main

import (
	"runtime"
	_ "unsafe" // for go:linkname
)

// The clock of the module's lock table (the ages in query()). The
// runtime's clock is performance.now(), which costs more in Chromium than a
// whole uncontended acquire and release (about 0.12 µs a call), so lock
// operations share readings: a reading serves at most clockReuse
// operations, and never past the end of the JavaScript task that took it
// (a task here includes its microtasks). query() always takes a fresh
// one. Ages can therefore be overstated, never understated, by the time
// from a reading to the operation stamped with it.
const clockReuse = 64

var (
	clockNs   int64
	clockUses int  // operations stamped with clockNs; 0: read the clock
	tickSent  bool // the bridge will call weblock_tick at the next task
)

func init() { mgr.Clock = taskClock }

func taskClock() int64 {
	if clockUses == 0 || clockUses >= clockReuse {
		clockNs, clockUses = nanotime(), 0
		if !tickSent {
			tickSent = true
			jsTickNextTask()
		}
	}
	clockUses++
	return clockNs
}

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// jsTickNextTask asks the bridge to call weblock_tick at the start of the
// next task (a MessageChannel message, which background tabs do not
// throttle).
//
//go:wasmimport weblock tickNextTask
func jsTickNextTask()

// weblock_tick runs once after each task that used the lock manager: the
// next operation reads the clock again, and Go's scheduler gets a turn.
// Exports never yield to it, so without this the garbage collector's
// background marking and goroutines woken by an export (Go code in the
// module waiting for a lock JS released) would wait for an event that may
// never come, and the heap would outgrow its target many times over.
//
//go:wasmexport weblock_tick
func weblockTick() {
	tickSent, clockUses = false, 0
	runtime.Gosched()
}
