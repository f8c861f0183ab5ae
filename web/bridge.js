// The JavaScript half of the lockmgr bridge. A classic script that is also
// valid as an ES module, so the loader imports it and the Node tests of the
// wasm package require() it.
//
// The lock table lives in Go (lockmgr.Default). Go exports its operations
// as WebAssembly functions on numbers (//go:wasmexport): a call costs tens
// of nanoseconds, where a syscall/js callback costs about ten microseconds.
// So this file checks arguments, writes each key into Go's key buffer,
// keeps the promises of queued requests (Go holds no JS value at all) and
// turns Go's failures into thrown errors. Go calls back the functions of
// bridge.imports (the import module "weblock"), with numbers and offsets in
// its memory: grant(id) when a queued request gets the lock.
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
  const decoder = new TextDecoder();
  const resolved = Promise.resolve();
  const pending = new Map(); // queued ticket id -> {resolve, reject, signal?, onAbort?, timer?}
  let ex = null;             // the module's exports
  let keyBuf = 0, keyCap = 0; // where Go reads keys, from Go's install
  let keys = null;           // Uint8Array over Go's key buffer, renewed when memory grows
  let manager = null;
  let exitError = null;
  let readyWaiters = [];
  let panicked = '';
  let queried = null; // query()'s result, handed over by Go
  let heldBack = 0;   // a released ticket Go has not been told of yet (see release)

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
    // Growing memory detaches the old buffer, and views of it become empty.
    if (keys.length === 0) keys = new Uint8Array(ex.mem.buffer, keyBuf, keyCap);
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
    if (read < key.length) throw error(RangeError, `key is longer than ${keyCap} bytes`);
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

  // request takes a place in key's queue now. It returns the ticket id when
  // the lock was granted at once, else minus the id of a request waiting
  // in pending.
  function request(key, opts) {
    if (opts !== null) {
      checkKey(key);
      // Read before the key is written: a getter here may call back into us.
      if (opts.signal?.aborted) throw opts.signal.reason;
    }
    const r = ok(ex.weblock_acquire(putKey(key), 1, takeHeldBack()));
    if (r > 0) return r;
    const id = -r;
    const w = withResolvers();
    pending.set(id, w);
    if (opts === null) return r;
    try {
      if (opts.signal) {
        w.signal = opts.signal;
        w.onAbort = () => abandon(id, w.signal.reason);
        w.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      if (opts.timeout !== undefined) armTimeout(id, w, opts.timeout, opts.timeout);
    } catch (err) {
      // Queued but not watched as asked: take the request back out.
      ok(ex.weblock_cancel(id));
      settle(id);
      throw err;
    }
    return r;
  }

  // granted resolves with the release function of request r.
  const granted = (r) => (r > 0 ? Promise.resolve(holder(r)) : pending.get(-r).promise.then(() => holder(-r)));

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

  // release frees ticket id. When no JS request is queued, no JS waiter
  // can be handed the lock, so the crossing into Go is saved: the release
  // is held back and told to Go with the next call into it (the next
  // acquire carries it), or at the next task at the latest. Every method
  // reads the table through such a call, so none can tell; Go code in the
  // module waiting for the key gets it then. (Holding back implies that
  // nothing is pending, and request() takes the held-back release first:
  // the two never meet.)
  function release(id) {
    if (exitError) return;
    if (pending.size === 0) {
      const earlier = heldBack;
      heldBack = id;
      postTick();
      if (earlier !== 0) ok(ex.weblock_release(earlier));
      return;
    }
    ok(ex.weblock_release(id));
  }

  function takeHeldBack() {
    const id = heldBack;
    heldBack = 0;
    return id;
  }

  // flush tells Go of a held-back release.
  function flush() {
    if (heldBack !== 0) ok(ex.weblock_release(takeHeldBack()));
  }

  // holder returns the release function of ticket id. It acts once: Go may
  // pass a released ticket, id and all, on to the next request.
  const holder = (id) => {
    let live = true;
    return () => {
      if (live) {
        live = false;
        release(id);
      }
    };
  };

  // The methods that do not return a Promise throw.
  const sync = (f) => function (...args) {
    if (exitError) throw exitError;
    return f(...args);
  };


  const methods = {
    // acquire and withLock are the hot paths: written out, without the
    // wrappers' rest arguments.
    acquire(key, options) {
      if (exitError) return Promise.reject(exitError);
      try {
        return granted(request(key, parseOptions(options)));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    withLock(key, fn, options) {
      if (exitError) return Promise.reject(exitError);
      try {
        checkKey(key);
        if (typeof fn !== 'function') throw error(TypeError, `fn must be a function, got ${typeName(fn)}`);
        const r = request(key, parseOptions(options));
        const id = r > 0 ? r : -r;
        // fn runs in a later microtask, never inside this call; the lock is
        // released before the returned promise settles.
        return (r > 0 ? resolved : pending.get(id).promise).then(() => fn()).finally(() => release(id));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    tryAcquire: sync((key) => {
      const id = ok(ex.weblock_acquire(putKey(key), 0, takeHeldBack()));
      return id > 0 ? holder(id) : null;
    }),
    isLocked: sync((key) => {
      flush();
      return ok(ex.weblock_length(putKey(key))) > 0;
    }),
    getQueueLength: sync((key) => {
      flush();
      return ok(ex.weblock_length(putKey(key)));
    }),
    query: sync(() => {
      flush();
      ok(ex.weblock_query());
      const r = queried;
      queried = null;
      if (r instanceof Error) throw r;
      return r;
    }),
    stats: sync(() => (flush(), {
      keys: ok(ex.weblock_stat(0)),
      waiters: ok(ex.weblock_stat(1)),
      goHeapBytes: ok(ex.weblock_stat(2)),
      jsRefs: ok(ex.weblock_stat(3)), // always 0: Go holds no JS value
    })),
  };

  // fail ends the manager: every pending request rejects with err (or the
  // first such error), every later call fails fast with it.
  function fail(err) {
    exitError ??= err;
    for (const id of [...pending.keys()]) settle(id).reject(exitError);
    for (const w of readyWaiters) w.reject(exitError);
    readyWaiters = [];
    return exitError;
  }

  const text = (ptr, len) => decoder.decode(new Uint8Array(ex.mem.buffer, ptr >>> 0, len));

  // After each task that used the lock manager, Go gets a tick: a message,
  // delivered as the next task, renews its clock reading and lets its
  // scheduler run (wasm/clock.go).
  const tickChannel = new MessageChannel();
  let tickPosted = false;
  tickChannel.port1.onmessage = () => {
    tickPosted = false;
    if (exitError) return;
    ex.weblock_tick(); // first, so that a grant made by the flush reads the clock afresh
    try {
      flush();
    } catch (err) { // a panic in Go code the release ran: there is no caller to throw to
      console.error(err);
    }
  };
  function postTick() {
    if (!tickPosted) {
      tickPosted = true;
      tickChannel.port2.postMessage(null);
    }
  }
  tickChannel.port1.unref?.(); // Node: a pending tick does not keep the process alive

  // What Go calls: the import module "weblock" (wasm/bridge.go). None of
  // them may throw: an exception would unwind through Go's frames and leave
  // its runtime in pieces.
  const imports = {
    // Go is ready: put the globals in place.
    install(buf, cap) {
      ex = bridge.exports;
      if (!ex) {
        fail(error(Error, 'the bridge was not given the module\'s exports: load it with web/lockmgr.js '
          + '(or, under Node, preload wasm/testdata/node_exports.cjs)'));
        return;
      }
      try {
        keyBuf = buf >>> 0;
        keyCap = cap;
        keys = new Uint8Array(ex.mem.buffer, keyBuf, keyCap);
        const m = Object.freeze({ ...methods });
        Object.defineProperty(globalThis, 'lockManager', { value: m, configurable: true, writable: true });
        Object.defineProperty(globalThis, 'withLock', { value: m.withLock, configurable: true, writable: true });
        manager = m;
      } catch (err) { // e.g. a non-configurable globalThis.lockManager
        fail(error(Error, `could not install the globals: ${err.message}`));
        return;
      }
      for (const w of readyWaiters) w.resolve(manager);
      readyWaiters = [];
    },

    // Call weblock_tick at the next task.
    tickNextTask() {
      postTick();
    },

    // Queued ticket id has the lock. Go grants only tickets that JS has put
    // in pending; an unknown id would be a bug, reported rather than thrown.
    grant(id) {
      if (!pending.has(id)) {
        console.error(`lockmgr: internal error: grant of unknown request ${id}`);
        return 0; // Go passes the lock on
      }
      settle(id).resolve();
      return 1;
    },

    // The message of a panic, before an export returns FAILED.
    panicked(ptr, len) {
      panicked = text(ptr, len);
    },

    // query()'s result: for each key its UTF-8 length, the holder's age and
    // the number of waiters, then the waiters' ages, in nums; the keys back
    // to back in the bytes at keysPtr.
    queried(numsPtr, numsLen, keysPtr, keysLen) {
      try {
        const nums = new Float64Array(ex.mem.buffer, numsPtr >>> 0, numsLen);
        const bytes = new Uint8Array(ex.mem.buffer, keysPtr >>> 0, keysLen);
        const held = [], waiting = [];
        for (let j = 0, at = 0; j < numsLen;) {
          const key = decoder.decode(bytes.subarray(at, at += nums[j]));
          held.push({ key, ms: nums[j + 1] });
          const n = nums[j + 2];
          j += 3;
          for (let w = 0; w < n; w++) waiting.push({ key, ms: nums[j++] });
        }
        queried = { held, pending: waiting };
      } catch (err) { // out of memory: query() throws it
        queried = err;
      }
    },
  };

  const bridge = {
    // Set by whoever instantiated the module, before it runs: the loader,
    // or wasm/testdata/node_exports.cjs under Node.
    exports: null,

    // The import module "weblock": instantiate the module with
    // {...go.importObject, weblock: bridge.imports}.
    imports,

    // Called by the loader: resolves with the manager once Go is ready.
    whenReady() {
      if (manager) return Promise.resolve(manager);
      if (exitError) return Promise.reject(exitError);
      return new Promise((resolve, reject) => readyWaiters.push({ resolve, reject }));
    },

    // Called by the loader when the Go program has exited: every pending
    // request rejects, every later call fails fast.
    exited(code) {
      return fail(error(Error, `the Go runtime has exited (code ${code}); the lock manager no longer works`));
    },

    // Called by the loader to stop the Go program on purpose.
    shutdown() {
      if (ex && !exitError) ex.weblock_shutdown();
    },

    get pendingCount() { return pending.size; },
    get lastPanic() { return panicked; },
    get wasmMemoryBytes() { return ex ? ex.mem.buffer.byteLength : 0; },
  };
  Object.defineProperty(globalThis, '__weblockBridge', { value: bridge });
})();
