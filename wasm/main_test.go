//go:build js && wasm

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall/js"
	"testing"
	"time"

	"example.com/weblock/lockmgr"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	global = js.Global()
	bridge = global.Get("__weblockBridge")
)

// TestMain installs the globals as main does in a page. The bridge, its
// imports and the module's exports come from
// wasm/testdata/node_exports.cjs, which `make test-wasm` preloads into
// go_js_wasm_exec's Node with NODE_OPTIONS (without the imports the module
// would not even instantiate).
func TestMain(m *testing.M) {
	install()
	if global.Get("lockManager").IsUndefined() {
		println("lockmgr: install did not put globalThis.lockManager in place")
		println("run the tests with `make test-wasm` (it sets NODE_OPTIONS=--require wasm/testdata/node_exports.cjs)")
		os.Exit(1)
	}
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	global.Call("require", filepath.Join(wd, "testdata", "contract.js"))
	os.Exit(m.Run())
}

// settlement is the outcome of a promise.
type settlement struct {
	value    js.Value
	rejected bool
}

// await blocks the test goroutine until p settles; the JS event loop keeps
// running meanwhile, since Go yields to it whenever all goroutines block.
func await(t testing.TB, p js.Value) settlement {
	t.Helper()
	ch := make(chan settlement, 1)
	onValue := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settlement{value: args[0]}
		return nil
	})
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- settlement{value: args[0], rejected: true}
		return nil
	})
	defer onValue.Release()
	defer onError.Release()
	p.Call("then", onValue, onError)
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("promise did not settle within 10 s")
		return settlement{}
	}
}

func lm() js.Value { return global.Get("lockManager") }

// TestContract runs the shared JS contract cases (wasm/testdata/contract.js;
// the e2e suite runs the same ones in Chromium).
func TestContract(t *testing.T) {
	cases := global.Get("lockmgrContract")
	require.Positive(t, cases.Length())
	for i := range cases.Length() {
		c := cases.Index(i)
		t.Run(c.Get("name").String(), func(t *testing.T) {
			s := await(t, c.Call("run", lm()))
			if s.rejected {
				t.Fatal(s.value.Get("stack").String())
			}
		})
	}
	requireIdle(t)
}

func requireIdle(t *testing.T) {
	t.Helper()
	st := lm().Call("stats")
	assert.Zero(t, st.Get("keys").Int(), "keys")
	assert.Zero(t, st.Get("waiters").Int(), "waiters")
	assert.Zero(t, st.Get("jsRefs").Int(), "jsRefs: Go holds no JS value")
	assert.Zero(t, tickets.live, "live tickets")
	assert.Zero(t, bridge.Get("pendingCount").Int(), "pending promises in the bridge")
}

func TestAcquireFromGo(t *testing.T) {
	p := lm().Call("acquire", "go:1")
	assert.True(t, lm().Call("isLocked", "go:1").Bool(), "queued during the call")
	s := await(t, p)
	require.False(t, s.rejected)
	require.Equal(t, js.TypeFunction, s.value.Type())
	assert.Equal(t, 1, lm().Call("getQueueLength", "go:1").Int())

	// Go code in the module shares the table: lockmgr.Default sees it.
	assert.True(t, mgr.IsLocked("go:1"))
	s.value.Invoke()
	// With nobody queued in JS, the release is held back until the next
	// call into the module (or the next task): JS cannot tell, and Go
	// sees it after that call.
	assert.True(t, mgr.IsLocked("go:1"), "held back")
	assert.False(t, lm().Call("isLocked", "go:1").Bool())
	assert.False(t, mgr.IsLocked("go:1"), "told by isLocked")
	requireIdle(t)
}

// A release held back reaches Go's table at the next task even when no
// call into the module follows: Go code waiting for the key gets it then.
func TestHeldBackReleaseReachesGoByTheNextTask(t *testing.T) {
	s := await(t, lm().Call("acquire", "go:2"))
	require.False(t, s.rejected)
	got := make(chan lockmgr.Release, 1)
	mgr.AcquireFunc("go:2", func(r lockmgr.Release) { got <- r })
	nextTask(t) // the tick that AcquireFunc's clock reading asked for has run
	s.value.Invoke()
	assert.Equal(t, 2, mgr.QueueLength("go:2"), "held back: the JS holder still holds")
	select {
	case release := <-got: // the Go program blocks here: the JS event loop runs
		assert.Equal(t, 1, mgr.QueueLength("go:2"))
		release()
	case <-time.After(5 * time.Second):
		t.Fatal("the Go waiter was never granted")
	}
	requireIdle(t)
}

// nextTask returns after the JS event loop has run a later task.
func nextTask(t *testing.T) {
	t.Helper()
	p := global.Get("Promise").New(js.FuncOf(func(_ js.Value, args []js.Value) any {
		global.Call("setTimeout", args[0], 0)
		return nil
	}))
	await(t, p)
}

// A held-back release carried by an acquire that then queues: its ticket
// ends all the same.
func TestHeldBackReleaseBeforeAQueuedRequest(t *testing.T) {
	run := global.Get("Function").New("lm", `
		return (async () => {
			const ra = await lm.acquire('hb:a'), rb = await lm.acquire('hb:b');
			rb(); // held back: nothing is queued
			const p = lm.acquire('hb:a'); // carries it, then queues behind ra
			ra();
			(await p)();
		})();`)
	s := await(t, run.Invoke(lm()))
	require.False(t, s.rejected, "%v", s.value)
	requireIdle(t)
}

// Go code in the module may panic inside a release: a Go waiter's
// callback. A held-back release has no caller left, so the call that
// carries it reports the panic, and nothing is leaked; at the next task
// it goes to console.error.
func TestPanicInAHeldBackRelease(t *testing.T) {
	waiterPanics := func(msg string) func(lockmgr.Release) {
		return func(r lockmgr.Release) {
			r()
			panic(msg)
		}
	}
	s := await(t, lm().Call("acquire", "hb:p"))
	require.False(t, s.rejected)
	mgr.AcquireFunc("hb:p", waiterPanics("waiter bug"))
	s.value.Invoke() // held back
	carried := await(t, lm().Call("acquire", "hb:q"))
	require.True(t, carried.rejected)
	assert.Contains(t, carried.value.Get("message").String(), "waiter bug")
	requireIdle(t)

	var logged []string
	console := global.Get("console")
	orig := console.Get("error")
	logError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		logged = append(logged, args[0].Get("message").String())
		return nil
	})
	defer logError.Release()
	console.Set("error", logError)
	defer console.Set("error", orig)

	s = await(t, lm().Call("acquire", "hb:p"))
	require.False(t, s.rejected)
	mgr.AcquireFunc("hb:p", waiterPanics("waiter bug at the tick"))
	s.value.Invoke() // held back, then flushed by the tick
	nextTask(t)
	require.Len(t, logged, 1)
	assert.Contains(t, logged[0], "waiter bug at the tick")
	requireIdle(t)
}

// Go code in the module releasing a key hands it to a JS waiter.
func TestGoHolderHandsOverToJS(t *testing.T) {
	release, ok := mgr.TryAcquire("shared")
	require.True(t, ok)
	p := lm().Call("withLock", "shared", js.FuncOf(func(js.Value, []js.Value) any { return "from JS" }))
	assert.Equal(t, 2, mgr.QueueLength("shared"))
	release()
	s := await(t, p)
	require.False(t, s.rejected)
	assert.Equal(t, "from JS", s.value.String())
	requireIdle(t)
}

func TestBadInputMessages(t *testing.T) {
	s := await(t, lm().Call("acquire", 42))
	require.True(t, s.rejected)
	assert.True(t, s.value.InstanceOf(global.Get("TypeError")))
	assert.Equal(t, "lockmgr: key must be a string, got number", s.value.Get("message").String())

	s = await(t, lm().Call("acquire", "k", map[string]any{"timeout": -5}))
	require.True(t, s.rejected)
	assert.True(t, s.value.InstanceOf(global.Get("RangeError")))
	assert.Equal(t, "lockmgr: options.timeout must be a finite number >= 0, got -5", s.value.Get("message").String())

	long := make([]byte, len(keyBuf)+1)
	for i := range long {
		long[i] = 'k'
	}
	s = await(t, lm().Call("acquire", string(long)))
	require.True(t, s.rejected)
	assert.True(t, s.value.InstanceOf(global.Get("RangeError")), "a key longer than the buffer")
	requireIdle(t)
}

// A panic in Go must come back to JS as an Error, never end the program.
func TestPanicsBecomeErrors(t *testing.T) {
	var result float64
	func() {
		defer guard(&result)
		panic("boom")
	}()
	assert.Equal(t, float64(failed), result)

	assert.Equal(t, "boom", bridge.Get("lastPanic").String(), "the message reaches the bridge")

	// An export that panics returns FAILED and the program lives on.
	got := bridge.Get("exports").Call("weblock_stat", 99).Float()
	assert.Equal(t, float64(failed), got)
	assert.Equal(t, "weblock_stat: no such figure", bridge.Get("lastPanic").String())

	// And the module still works.
	s := await(t, lm().Call("withLock", "after-panic", js.FuncOf(func(js.Value, []js.Value) any { return "fine" })))
	require.False(t, s.rejected)
	assert.Equal(t, "fine", s.value.String())
}

func TestStaleTicketIDs(t *testing.T) {
	id, tk := tickets.alloc()
	assert.Positive(t, id)
	assert.NotNil(t, tickets.get(id))
	tickets.free(id, tk)
	assert.Nil(t, tickets.get(id), "freed")
	id2, tk2 := tickets.alloc()
	assert.NotEqual(t, id, id2, "a reused slot gets a new id")
	assert.Nil(t, tickets.get(id), "the old id stays stale")
	for _, bad := range []float64{0, -1, 0.5, 1 << 60, 0.5e300} {
		assert.Nil(t, tickets.get(bad))
	}
	tickets.free(id2, tk2)

	// A slot at its last generation is retired, not reused: an id kept
	// from long ago can never match a later ticket.
	id3, tk3 := tickets.alloc()
	slot := uint64(id3) & slotMask
	tk3.gen = genMask
	old := float64(uint64(genMask)<<slotBits | slot)
	tickets.free(old, tk3)
	id4, tk4 := tickets.alloc()
	assert.NotEqual(t, slot, uint64(id4)&slotMask, "the retired slot is not handed out again")
	assert.Nil(t, tickets.get(old))
	for _, gen := range []uint64{0, 1, genMask} {
		assert.Nil(t, tickets.get(float64(gen<<slotBits|slot)), "no id reaches the retired slot")
	}
	tickets.free(id4, tk4)
	requireIdle(t)
}

// After many operations nothing is kept on either side.
func TestNothingKeptAfterManyOperations(t *testing.T) {
	run := global.Get("Function").New("lm", "n", `
		return (async () => {
			const k = 'refs', held = await lm.acquire(k), all = [];
			for (let i = 0; i < n; i++) {
				const ac = new AbortController();
				all.push(lm.withLock(k, () => i, { signal: ac.signal, timeout: 60000 }));
				if (i % 3 === 0) ac.abort();
			}
			held();
			await Promise.allSettled(all);
		})();`)
	s := await(t, run.Invoke(lm(), 30000))
	require.False(t, s.rejected, "%v", s.value)
	requireIdle(t)
}

// A grant the bridge cannot deliver (it would be a bug) must not leave the
// key held by nobody.
func TestUndeliverableGrantPassesTheLockOn(t *testing.T) {
	release, ok := mgr.TryAcquire("orphan")
	require.True(t, ok)
	id, _ := tickets.alloc()
	granted(id, release) // the bridge has no pending request with this id
	assert.False(t, mgr.IsLocked("orphan"))
	requireIdle(t)
}

// Past the ticket limit a request fails with a clear Error and leaves
// nothing held or queued.
func TestTooManyRequestsFailCleanly(t *testing.T) {
	var held []js.Value
	for i := 0; len(held) == 0 || len(tickets.spare) > 0; i++ { // use up the free slots
		held = append(held, lm().Call("tryAcquire", "full:"+strconv.Itoa(i)))
	}
	defer func(n int) { maxTickets = n }(maxTickets)
	maxTickets = len(tickets.slots) // no free slot left
	// A free key, then a request that would queue.
	for _, key := range []string{"full:free", "full:0"} {
		s := await(t, lm().Call("acquire", key))
		require.True(t, s.rejected, key)
		assert.Contains(t, s.value.Get("message").String(), "too many requests in flight", key)
		assert.Equal(t, 1, mgr.QueueLength("full:0"), key)
		assert.False(t, mgr.IsLocked("full:free"), key)
	}
	for _, release := range held {
		release.Invoke()
	}
	requireIdle(t)
}
