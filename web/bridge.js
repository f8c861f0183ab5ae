// The JavaScript half of the lockmgr bridge. A classic script that is also
// valid as an ES module, so the loader imports it and the Node tests of the
// wasm package require() it.
//
// The lock table lives in Go (lockmgr.Default). Go exports its hot paths as
// WebAssembly functions on numbers (//go:wasmexport): a call costs tens of
// nanoseconds, where a syscall/js callback costs about ten microseconds.
// So this file checks arguments, writes each key into Go's key buffer,
// keeps the promises of queued requests (Go holds no JS value for them) and
// turns Go's failures into thrown errors. Go calls grant(id) when a queued
// request gets the lock.
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

  const FAILED = -1; // what an export returns after a Go panic
  const encoder = new TextEncoder();
  const resolved = Promise.resolve();
  const pending = new Map(); // queued ticket id -> {resolve, reject, signal?, onAbort?, timer?}
  let go = null;             // from Go's install: {keyBuf, keyCap, query, shutdown}
  let ex = null;             // the module's exports
  let keys = null;           // Uint8Array over Go's key buffer, renewed when memory grows
  let manager = null;
  let exitError = null;
  let readyWaiters = [];
  let panicked = '';

  class Thrown {
    constructor(error) { this.error = error; }
  }

  const error = (Type, msg) => new Type('lockmgr: ' + msg);
  const MAX_DELAY = 2 ** 31 - 1; // setTimeout treats longer delays as 1 ms
  const wellFormed = String.prototype.isWellFormed
    ? (s) => s.isWellFormed()
    : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
  const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

  // ok passes an export's result through, or throws what Go panicked with.
  function ok(result) {
    if (result === FAILED) throw error(Error, panicked || 'internal error');
    return result;
  }

  function checkKey(key) {
    if (typeof key !== 'string') throw error(TypeError, `key must be a string, got ${typeName(key)}`);
  }

  // putKey writes key into Go's key buffer, UTF-8, and returns its length.
  // Short ASCII keys (the usual 'story:42') are copied by hand: for them a
  // loop is several times faster than TextEncoder.encodeInto.
  function putKey(key) {
    checkKey(key);
    if (keys.buffer !== ex.mem.buffer) keys = new Uint8Array(ex.mem.buffer, go.keyBuf, go.keyCap);
    const len = key.length;
    if (len <= 64) {
      let i = 0;
      for (; i < len; i++) {
        const c = key.charCodeAt(i);
        if (c > 0x7f) break;
        keys[i] = c;
      }
      if (i === len) return len;
    }
    // UTF-8 has no lone surrogates: encodeInto would turn them into U+FFFD,
    // and distinct keys would share a lock.
    if (!wellFormed(key)) throw error(TypeError, 'key must be well-formed Unicode: it has a lone surrogate');
    const { read, written } = encoder.encodeInto(key, keys);
    if (read < key.length) throw error(RangeError, `key is longer than ${go.keyCap} bytes`);
    return written;
  }

  function parseOptions(options) {
    if (options === undefined) return null;
    if (typeof options !== 'object' || options === null) {
      throw error(TypeError, `options must be an object, got ${typeName(options)}`);
    }
    const { signal, timeout } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw error(TypeError, `options.signal must be an AbortSignal, got ${typeName(signal)}`);
    }
    if (timeout !== undefined) {
      if (typeof timeout !== 'number') throw error(TypeError, `options.timeout must be a number, got ${typeName(timeout)}`);
      if (!(timeout >= 0 && timeout !== Infinity)) {
        throw error(RangeError, `options.timeout must be a finite number >= 0, got ${timeout}`);
      }
    }
    return signal === undefined && timeout === undefined ? null : { signal, timeout };
  }

  // request takes a place in key's queue now. It returns the ticket id and,
  // when the lock was not granted at once, a promise of the grant.
  function request(key, opts) {
    checkKey(key);
    // Read before the key is written: a getter here may call back into us.
    if (opts?.signal?.aborted) throw opts.signal.reason;
    const r = ok(ex.weblock_acquire(putKey(key), 1));
    if (r > 0) return { id: r, wait: null };
    const id = -r;
    const w = withResolvers();
    pending.set(id, w);
    try {
      if (opts?.signal) {
        w.signal = opts.signal;
        w.onAbort = () => abandon(id, w.signal.reason);
        w.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      if (opts?.timeout !== undefined) armTimeout(id, w, opts.timeout, opts.timeout);
    } catch (err) {
      // Queued but not watched as asked: take the request back out.
      ok(ex.weblock_cancel(id));
      settle(id);
      throw err;
    }
    return { id, wait: w.promise };
  }

  // armTimeout rejects queued ticket id after ms, in steps setTimeout can
  // take.
  function armTimeout(id, w, ms, left) {
    w.timer = setTimeout(() => {
      if (left > MAX_DELAY) return armTimeout(id, w, ms, left - MAX_DELAY);
      abandon(id, new DOMException(`lockmgr: timed out after ${ms} ms waiting for the lock`, 'TimeoutError'));
    }, Math.min(left, MAX_DELAY));
  }

  // settle forgets queued ticket id and its listener and timer.
  function settle(id) {
    const w = pending.get(id);
    pending.delete(id);
    if (w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
    if (w.timer !== undefined) clearTimeout(w.timer);
    return w;
  }

  // abandon removes a queued ticket (abort, timeout) and rejects it. Once
  // granted, a ticket is no longer pending: abort and timeout are ignored.
  function abandon(id, reason) {
    if (pending.has(id) && ok(ex.weblock_cancel(id)) === 1) settle(id).reject(reason);
  }

  function release(id) {
    if (!exitError) ok(ex.weblock_release(id));
  }

  const holder = (id) => () => release(id);

  // The two kinds of methods: sync ones throw, Promise ones reject.
  const sync = (f) => function (...args) {
    if (exitError) throw exitError;
    return f(...args);
  };
  const async = (f) => function (...args) {
    if (exitError) return Promise.reject(exitError);
    try {
      return f(...args);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  const methods = {
    acquire: async((key, options) => {
      const { id, wait } = request(key, parseOptions(options));
      return wait ? wait.then(() => holder(id)) : Promise.resolve(holder(id));
    }),
    withLock: async((key, fn, options) => {
      checkKey(key);
      if (typeof fn !== 'function') throw error(TypeError, `fn must be a function, got ${typeName(fn)}`);
      const { id, wait } = request(key, parseOptions(options));
      // fn runs in a later microtask, never inside this call; the lock is
      // released before the returned promise settles.
      return (wait ?? resolved).then(() => fn()).finally(() => release(id));
    }),
    tryAcquire: sync((key) => {
      const id = ok(ex.weblock_acquire(putKey(key), 0));
      return id > 0 ? holder(id) : null;
    }),
    isLocked: sync((key) => ok(ex.weblock_length(putKey(key))) > 0),
    getQueueLength: sync((key) => ok(ex.weblock_length(putKey(key)))),
    query: sync(() => {
      const r = go.query();
      if (r instanceof Thrown) throw r.error;
      return r;
    }),
    stats: sync(() => ({
      keys: ok(ex.weblock_stat(0)),
      waiters: ok(ex.weblock_stat(1)),
      goHeapBytes: ok(ex.weblock_stat(2)),
      jsRefs: ok(ex.weblock_stat(3)),
    })),
  };

  const bridge = {
    // Set by whoever instantiated the module, before it runs: the loader,
    // or wasm/testdata/node_exports.cjs under Node.
    exports: null,

    // Called by Go once it is ready: puts the globals in place.
    install(internal) {
      if (!bridge.exports) {
        throw new Error('lockmgr: the bridge needs the module\'s exports: load it with web/lockmgr.js '
          + '(or, under Node, preload wasm/testdata/node_exports.cjs)');
      }
      go = internal;
      ex = bridge.exports;
      keys = new Uint8Array(ex.mem.buffer, go.keyBuf, go.keyCap);
      manager = Object.freeze({ ...methods });
      Object.defineProperty(globalThis, 'lockManager', { value: manager, configurable: true, writable: true });
      Object.defineProperty(globalThis, 'withLock', { value: manager.withLock, configurable: true, writable: true });
      for (const w of readyWaiters) w.resolve(manager);
      readyWaiters = [];
    },

    // Called by Go when queued ticket id gets the lock.
    grant(id) {
      settle(id).resolve();
    },

    // Called by Go before an export returns FAILED.
    panicked(msg) {
      panicked = msg;
    },

    // Called by Go: the box a syscall/js handler returns to throw.
    thrown: (msg) => new Thrown(error(Error, msg)),

    // Called by Go for query(): keys[i] is held for nums[j] ms and has
    // nums[j+1] waiters, whose waits follow in FIFO order.
    queried(keyList, bytes) {
      const nums = new Float64Array(bytes.buffer);
      const held = [], waiting = [];
      let j = 0;
      for (const key of keyList) {
        held.push({ key, ms: nums[j] });
        const n = nums[j + 1];
        j += 2;
        for (let w = 0; w < n; w++) waiting.push({ key, ms: nums[j++] });
      }
      return { held, pending: waiting };
    },

    // Called by the loader: resolves with the manager once Go is ready.
    whenReady() {
      if (manager) return Promise.resolve(manager);
      if (exitError) return Promise.reject(exitError);
      return new Promise((resolve, reject) => readyWaiters.push({ resolve, reject }));
    },

    // Called by the loader when the Go program has exited: every pending
    // request rejects, every later call fails fast.
    exited(code) {
      exitError ??= new Error(`lockmgr: the Go runtime has exited (code ${code}); the lock manager no longer works`);
      for (const id of [...pending.keys()]) settle(id).reject(exitError);
      for (const w of readyWaiters) w.reject(exitError);
      readyWaiters = [];
      return exitError;
    },

    // Called by the loader to stop the Go program on purpose.
    shutdown() {
      go?.shutdown();
    },

    get pendingCount() { return pending.size; },
    get wasmMemoryBytes() { return ex ? ex.mem.buffer.byteLength : 0; },
  };
  Object.defineProperty(globalThis, '__weblockBridge', { value: bridge });
})();
