// The JavaScript half of the lockmgr bridge. A classic script that is also
// valid as an ES module, so the loader imports it and the Node tests of the
// wasm package require() it.
//
// Why it exists: a syscall/js handler can only return a value, never throw,
// so the Go side returns a Thrown box and the wrapper here throws its error.
// It also remembers every pending promise, so that if the Go runtime exits
// they all reject instead of hanging, and later calls fail fast.
'use strict';
(() => {
  if (globalThis.__weblockBridge) return;

  // Node 20 and older browsers lack Promise.withResolvers.
  const withResolvers = Promise.withResolvers
    ? () => Promise.withResolvers()
    : () => {
      let resolve, reject;
      const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
      return { promise, resolve, reject };
    };

  class Thrown {
    constructor(error) { this.error = error; }
  }
  const pending = new Set();
  let exitError = null;
  let onReady = [];
  let manager = null;
  let go = null; // the Go functions: release(id), shutdown()
  let resolved = null;
  const release = (id) => { if (!exitError) go.release(id); };
  const holder = (id) => () => release(id);

  const bridge = {
    // Called by Go: the box a sync handler returns to throw err.
    thrown: (error) => new Thrown(error),

    // Called by Go for each request that has to wait: Promise.withResolvers
    // with book-keeping for the exit path.
    pending() {
      const r = withResolvers();
      const { resolve, reject } = r;
      r.resolve = (v) => { pending.delete(r); resolve(v); };
      r.reject = (e) => { pending.delete(r); reject(e); };
      pending.add(r);
      return r;
    },

    // Called by Go once, before anything else, with its internal functions.
    init(fns) { go = fns; resolved = Promise.resolve(); },

    // Called by Go for a lock granted on the spot: the release function
    // bound to ticket id, already resolved.
    granted: (id) => Promise.resolve(holder(id)),

    // Called by Go for tryAcquire: the release function of ticket id.
    holder,

    // Called by Go when a queued acquire is granted.
    grant(r, id) { r.resolve(holder(id)); },

    // Called by Go for withLock: fn runs once p resolves, never inside the
    // withLock call itself; the lock is released before the result settles.
    run(p, fn, id) {
      return (p ?? resolved).then(() => fn()).finally(() => release(id));
    },

    // Called by Go for query(): keys[i] is held for nums[j] ms and has
    // nums[j+1] waiters, whose waits follow in FIFO order.
    query(keys, bytes) {
      const nums = new Float64Array(bytes.buffer);
      const held = [], pending = [];
      let j = 0;
      for (const key of keys) {
        held.push({ key, ms: nums[j] });
        const n = nums[j + 1];
        j += 2;
        for (let w = 0; w < n; w++) pending.push({ key, ms: nums[j++] });
      }
      return { held, pending };
    },

    // Called by Go with the functions it exported: returns them wrapped.
    sync: (f) => function (...args) {
      if (exitError) throw exitError;
      const r = f.apply(this, args);
      if (r instanceof Thrown) throw r.error;
      return r;
    },
    async: (f) => function (...args) {
      if (exitError) return Promise.reject(exitError);
      return f.apply(this, args);
    },

    // Called by Go once globalThis.lockManager is in place.
    ready(lockManager) {
      manager = lockManager;
      for (const w of onReady) w.resolve(lockManager);
      onReady = [];
    },

    // Called by the loader: resolves with the manager once Go is ready.
    whenReady() {
      if (manager) return Promise.resolve(manager);
      if (exitError) return Promise.reject(exitError);
      return new Promise((resolve, reject) => onReady.push({ resolve, reject }));
    },

    // Called by the loader when the Go program has exited.
    exited(code) {
      exitError ??= new Error(`lockmgr: the Go runtime has exited (code ${code}); the lock manager no longer works`);
      for (const r of [...pending]) r.reject(exitError);
      for (const w of onReady) w.reject(exitError);
      onReady = [];
      return exitError;
    },

    // Called by the loader to stop the Go program on purpose.
    shutdown() { go?.shutdown(); },

    get pendingCount() { return pending.size; },

    // Set by the loader: the module's linear memory, for diagnostics.
    memory: null,
    get wasmMemoryBytes() { return bridge.memory ? bridge.memory.buffer.byteLength : 0; },
  };
  Object.defineProperty(globalThis, '__weblockBridge', { value: bridge });
})();
