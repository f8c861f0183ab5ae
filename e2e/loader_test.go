package e2e

import (
	"testing"

	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadSharesOneInstance(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	same := eval[bool](tb, `Promise.all([fixture.load(), fixture.load(), fixture.load('/lockmgr.wasm')])
		.then(([a, b, c]) => a === b && b === c && a === globalThis.lockManager)`)
	assert.True(t, same, "repeated and concurrent load() calls share one instance")
}

func TestLoadRejectsClearlyOnABadModule(t *testing.T) {
	tb := newTab(t)
	tb.allow("missing.wasm") // the 404 is logged as a failed load
	tb.open("/e2e/blank.html?wasm=/missing.wasm", `document.documentElement.dataset.ready === 'failed'`)
	msg := eval[string](tb, `String(fixture.loadError.message)`)
	assert.Equal(t, "lockmgr: could not fetch /missing.wasm: HTTP 404", msg)

	tb.open("/e2e/blank.html?wasm=/index.html", `document.documentElement.dataset.ready === 'failed'`)
	msg = eval[string](tb, `String(fixture.loadError.message)`)
	assert.Contains(t, msg, "lockmgr: could not compile /index.html")
}

// A global the bridge cannot define fails load() with a clear Error; the
// exception does not unwind through the Go program.
func TestLoadRejectsWhenTheGlobalsCannotBeInstalled(t *testing.T) {
	tb := newTab(t)
	tb.open("/e2e/blank.html?squat", `document.documentElement.dataset.ready === 'failed'`)
	msg := eval[string](tb, `String(fixture.loadError.message)`)
	assert.Contains(t, msg, "lockmgr: could not install the globals")
	assert.Equal(t, "taken", eval[string](tb, `String(globalThis.lockManager)`), "the page's global is left alone")
}

// If the Go runtime exits, nothing hangs: pending requests reject with an
// Error that says so, later calls fail fast.
func TestGoExitRejectsPendingAndFailsFast(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	res := eval[map[string]string](tb, `(async () => {
		const lm = lockManager;
		const release = await lm.acquire('exit');
		const pending = lm.acquire('exit');
		const pendingWith = lm.withLock('exit', () => 'never');
		fixture.shutdown();
		const why = (p) => p.then(() => 'resolved', (e) => e.message);
		let sync = 'no throw';
		try { lm.isLocked('exit'); } catch (e) { sync = e.message; }
		release(); // must not throw either
		return { pending: await why(pending), withLock: await why(pendingWith),
			later: await why(lm.acquire('other')), sync };
	})()`)
	for _, k := range []string{"pending", "withLock", "later", "sync"} {
		assert.Contains(t, res[k], "the Go runtime has exited", k)
	}
}

// After a million operations the page's JS heap has not grown by more
// than 32 MB, and the Go side holds no JS values beyond its baseline.
func TestMillionOperationsKeepTheHeapFlat(t *testing.T) {
	tb := newTab(t)
	tb.openFixture()
	heap := func() float64 {
		t.Helper()
		_, err := chromedp.Call(tb.ctx, heapprofiler.CollectGarbage, struct{}{})
		require.NoError(t, err)
		u, err := chromedp.Call(tb.ctx, runtime.GetHeapUsage, struct{}{})
		require.NoError(t, err)
		return u.UsedSize
	}
	base := eval[int](tb, `lockManager.stats().jsRefs`)
	before := heap()
	eval[bool](tb, `(async () => {
		const lm = lockManager;
		for (let i = 0; i < 250000; i++) {
			const key = 'heap:' + (i % 100);
			(await lm.acquire(key))();               // 1 acquire + 1 release
			await lm.withLock(key, () => i);          // 1 withLock
			const r = lm.tryAcquire(key); if (r) r(); // 1 tryAcquire
		}
		return true;
	})()`)
	after := heap()
	grown := (after - before) / (1 << 20)
	t.Logf("JS heap: %.1f MB before, %.1f MB after 1,000,000 operations (%+.1f MB)", before/(1<<20), after/(1<<20), grown)
	assert.LessOrEqual(t, grown, 32.0, "JS heap growth in MB")
	assert.Equal(t, base, eval[int](tb, `lockManager.stats().jsRefs`), "jsRefs back at baseline")
}
