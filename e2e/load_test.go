package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFiftyThousandWaitersDrainInFIFOOrder(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	res := eval[map[string]int](tb, `(async () => {
		const k = 'load:burst', n = 50000;
		const first = await lockManager.acquire(k);
		const order = new Int32Array(n);
		let next = 0;
		const all = [];
		for (let i = 0; i < n; i++) all.push(lockManager.acquire(k).then((release) => { order[next++] = i; release(); }));
		const queued = lockManager.getQueueLength(k);
		first();
		await Promise.all(all);
		let outOfOrder = 0;
		for (let i = 0; i < n; i++) if (order[i] !== i) outOfOrder++;
		return { queued, granted: next, outOfOrder, after: lockManager.getQueueLength(k) };
	})()`)
	assert.Equal(t, 50001, res["queued"])
	assert.Equal(t, 50000, res["granted"])
	assert.Zero(t, res["outOfOrder"], "grants out of request order")
	assert.Zero(t, res["after"])
}

func TestManyKeysLeaveNothingBehind(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	res := eval[map[string]int](tb, `(async () => {
		const before = lockManager.stats();
		const cycles = 100000, keys = 10000, all = [];
		for (let i = 0; i < cycles; i++) {
			const key = 'load:key:' + (i % keys);
			if (i % 3 === 0) all.push(lockManager.withLock(key, () => i));
			else if (i % 3 === 1) all.push(lockManager.acquire(key, { timeout: 60000 }).then((r) => r()));
			else { const r = lockManager.tryAcquire(key); if (r) r(); }
		}
		const busy = lockManager.stats();
		await Promise.all(all);
		const q = lockManager.query(), after = lockManager.stats();
		return { busyKeys: busy.keys, held: q.held.length, pending: q.pending.length,
			keys: after.keys, waiters: after.waiters, refs: after.jsRefs, baseRefs: before.jsRefs };
	})()`)
	require.Positive(t, res["busyKeys"], "the keys were busy at once")
	assert.Zero(t, res["held"], "query().held empty")
	assert.Zero(t, res["pending"], "query().pending empty")
	assert.Zero(t, res["keys"])
	assert.Zero(t, res["waiters"])
	assert.Equal(t, res["baseRefs"], res["refs"], "stats().jsRefs back at its baseline")
}

// Exports never yield to Go's scheduler, so the garbage collector's
// background marking only runs when the module gives it a turn (after each
// task that used it). Without that, rounds of queued requests left the
// heap to grow round after round (60 of these rounds: 123 MB).
func TestRepeatedBurstsKeepWasmMemoryBounded(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	mb := eval[float64](tb, `(async () => {
		for (let round = 0; round < 40; round++) {
			const first = await lockManager.acquire('load:rounds');
			const all = [];
			for (let i = 0; i < 20000; i++) all.push(lockManager.acquire('load:rounds').then((r) => r()));
			first();
			await Promise.all(all);
			await new Promise((r) => setTimeout(r, 0)); // a new task
		}
		return __weblockBridge.wasmMemoryBytes / 1048576;
	})()`)
	assert.Less(t, mb, 32.0, "wasm memory after 40 rounds of 20,000 waiters, MB")
}
