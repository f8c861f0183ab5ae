// The JS contract of globalThis.lockManager, as cases shared by the wasm
// package's Node tests and the e2e browser suite. A classic script: it
// defines globalThis.lockmgrContract = [{name, run(lm)}]; run rejects with
// an Error that says what broke.
'use strict';
(() => {
  const fail = (msg) => { throw new Error(msg); };
  const ok = (cond, msg) => { if (!cond) fail(msg); };
  const eq = (got, want, msg) => {
    const g = JSON.stringify(got), w = JSON.stringify(want);
    if (g !== w) fail(`${msg}: got ${g}, want ${w}`);
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const tick = () => new Promise((r) => setTimeout(r, 0));
  let n = 0;
  const fresh = (what) => `contract:${what}:${++n}`;

  // settled reports whether p has settled after the current task drains.
  async function settled(p) {
    let done = false;
    p.then(() => { done = true; }, () => { done = true; });
    await tick();
    return done;
  }

  async function rejection(p, msg) {
    try {
      await p;
    } catch (err) {
      return err;
    }
    fail(`${msg}: resolved, want a rejection`);
  }

  function thrownBy(fn, msg) {
    try {
      fn();
    } catch (err) {
      return err;
    }
    fail(`${msg}: did not throw`);
  }

  const cases = {
    // --- the original specification's acceptance cases ---
    async 'spec: basic acquire/release'(lm) {
      const k = fresh('basic');
      eq(lm.isLocked(k), false, 'isLocked initially');
      const release = await lm.acquire(k);
      eq(lm.isLocked(k), true, 'isLocked after acquire');
      release();
      eq(lm.isLocked(k), false, 'isLocked after release');
    },
    async 'spec: withLock runs with the lock held, releases after completion'(lm) {
      const k = fresh('with');
      let inside = null;
      await lm.withLock(k, () => { inside = lm.isLocked(k); });
      eq(inside, true, 'held inside fn');
      eq(lm.isLocked(k), false, 'released after');
    },
    async 'spec: withLock releases when fn throws'(lm) {
      const k = fresh('throws');
      await rejection(lm.withLock(k, async () => { throw new Error('boom'); }), 'withLock');
      eq(lm.isLocked(k), false, 'released after a throw');
    },
    async 'spec: withLock propagates the result'(lm) {
      eq(await lm.withLock(fresh('result'), async () => 42), 42, 'result');
      eq(await lm.withLock(fresh('result'), () => 'sync value'), 'sync value', 'sync result');
    },
    async 'spec: concurrent withLock on one key run in order'(lm) {
      const order = [];
      const k = fresh('shared-key');
      const p1 = lm.withLock(k, async () => { order.push(1); await sleep(50); order.push(2); });
      const p2 = lm.withLock(k, async () => { order.push(3); order.push(4); });
      await Promise.all([p1, p2]);
      eq(order, [1, 2, 3, 4], 'order');
    },
    async 'spec: without the lock the same code interleaves'() {
      const order = [];
      const p1 = (async () => { order.push(1); await sleep(50); order.push(2); })();
      const p2 = (async () => { order.push(3); order.push(4); })();
      await Promise.all([p1, p2]);
      eq(order, [1, 3, 4, 2], 'unlocked order');
    },
    async 'spec: different keys run in parallel'(lm) {
      let aIn, bIn;
      const a = new Promise((r) => { aIn = r; }), b = new Promise((r) => { bIn = r; });
      // Each waits for the other to be inside: only parallel holders finish.
      await Promise.all([
        lm.withLock(fresh('a'), async () => { aIn(); await b; }, { timeout: 5000 }),
        lm.withLock(fresh('b'), async () => { bIn(); await a; }, { timeout: 5000 }),
      ]);
    },
    async 'spec: getQueueLength reflects holder and waiters and drops to 0'(lm) {
      const k = fresh('queue');
      eq(lm.getQueueLength(k), 0, 'free');
      const r1 = await lm.acquire(k);
      const p2 = lm.acquire(k), p3 = lm.acquire(k);
      eq(lm.getQueueLength(k), 3, 'holder + 2 waiters');
      r1();
      const r2 = await p2;
      eq(lm.getQueueLength(k), 2, 'after the first release');
      r2();
      (await p3)();
      eq(lm.getQueueLength(k), 0, 'empty');
      eq(lm.isLocked(k), false, 'free');
    },
    async 'spec: several waiters on one key are granted in request order'(lm) {
      const k = fresh('fifo');
      const order = [];
      const all = [];
      for (let i = 0; i < 20; i++) {
        all.push(lm.acquire(k).then((release) => { order.push(i); release(); }));
      }
      await Promise.all(all);
      eq(order, [...Array(20).keys()], 'grant order');
    },

    // --- acquire and release ---
    async 'acquire takes its place synchronously'(lm) {
      const k = fresh('sync-place');
      const p = lm.acquire(k);
      eq(lm.isLocked(k), true, 'locked right after acquire returns');
      const q = lm.acquire(k);
      eq(lm.getQueueLength(k), 2, 'second request queued during the call');
      (await p)();
      (await q)();
    },
    async 'release is idempotent and never frees a later holder'(lm) {
      const k = fresh('idem');
      const r1 = await lm.acquire(k);
      eq(typeof r1, 'function', 'release is a function');
      const p2 = lm.acquire(k);
      r1();
      const r2 = await p2;
      r1();
      r1();
      eq(lm.isLocked(k), true, 'second holder kept');
      r2();
      r2();
      eq(lm.isLocked(k), false, 'free');
    },
    async 'a release passed straight on (nobody waiting) is idempotent too'(lm) {
      const k = fresh('passed'), other = fresh('other');
      const r1 = await lm.acquire(k);
      r1(); // nobody waits: its ticket may pass on to the next request
      const r2 = await lm.acquire(k);
      r1();
      eq(lm.isLocked(k), true, 'a stale release freed the next holder');
      r2();
      const r3 = lm.tryAcquire(k);
      ok(r3, 'free after the second release');
      r2();
      eq(lm.isLocked(k), true, 'a stale release freed the tryAcquire holder');
      r3();
      const r4 = await lm.acquire(other); // the release of k rides on this call
      eq(lm.isLocked(k), false, 'k released');
      r4();
      eq([lm.isLocked(other), lm.stats().keys], [false, 0], 'nothing held');
    },
    async 'a release hands the lock to a JS waiter at once, not at a later task'(lm) {
      const k = fresh('handoff');
      const r1 = await lm.acquire(k);
      let r2 = null;
      lm.acquire(k).then((r) => { r2 = r; });
      r1();
      for (let i = 0; i < 20 && !r2; i++) await null; // microtasks only
      ok(r2, 'the waiter was not granted within the task');
      r2();
      eq(lm.isLocked(k), false, 'free');
    },
    async 'releasing out of order keeps FIFO handoff'(lm) {
      const a = fresh('x'), b = fresh('y');
      const ra = await lm.acquire(a), rb = await lm.acquire(b);
      const got = [];
      const pa = lm.acquire(a).then((r) => { got.push('a'); r(); });
      const pb = lm.acquire(b).then((r) => { got.push('b'); r(); });
      rb();
      await pb;
      ra();
      await pa;
      eq(got, ['b', 'a'], 'each key hands over on its own release');
    },

    async 'keys are exact strings: non-ASCII, long and look-alike keys are distinct locks'(lm) {
      const base = fresh('k');
      const names = [base + 'é', base + 'e\u0301', base + '故事', base + '🔒', base + 'x'.repeat(500), base + 'x'.repeat(499), base];
      const releases = [];
      for (const k of names) {
        eq(lm.isLocked(k), false, `free: ${k.slice(0, 40)}`);
        releases.push(lm.tryAcquire(k));
      }
      ok(releases.every((r) => typeof r === 'function'), 'every key is its own lock');
      for (const k of names) eq(lm.getQueueLength(k), 1, `held: ${k.slice(0, 40)}`);
      const q = lm.query().held.map((h) => h.key).filter((k) => k.startsWith(base)).sort();
      eq(q, [...names].sort(), 'query returns the keys as given');
      releases.forEach((r) => r());
      for (const k of names) eq(lm.isLocked(k), false, `released: ${k.slice(0, 40)}`);
    },

    async 'a key with a lone surrogate is a TypeError, not a shared lock'(lm) {
      const k = fresh('surrogate');
      for (const bad of [k + '\uD800', k + '\uDC00', k + '\uDC00\uD800']) {
        ok(thrownBy(() => lm.tryAcquire(bad), 'tryAcquire') instanceof TypeError, 'tryAcquire: TypeError');
        ok((await rejection(lm.acquire(bad), 'acquire')) instanceof TypeError, 'acquire: TypeError');
      }
      const pair = lm.tryAcquire(k + '\uD83D\uDD12'); // a proper pair is fine
      eq(typeof pair, 'function', 'surrogate pair');
      eq(lm.isLocked(k + '\uFFFD'), false, 'not the same lock as U+FFFD');
      pair();
    },

    // --- withLock ---
    async 'withLock never calls fn synchronously'(lm) {
      let called = false;
      const p = lm.withLock(fresh('nosync'), () => { called = true; });
      eq(called, false, 'fn called inside withLock');
      await p;
      eq(called, true, 'fn called after');
    },
    async 'withLock awaits thenables'(lm) {
      const thenable = { then(res) { setTimeout(() => res('from thenable'), 5); } };
      eq(await lm.withLock(fresh('thenable'), () => thenable), 'from thenable', 'value');
    },
    async 'withLock rejects with exactly what fn threw or rejected with'(lm) {
      const k = fresh('identity');
      const err = new TypeError('mine');
      eq((await rejection(lm.withLock(k, () => { throw err; }), 'sync throw')) === err, true, 'same Error object');
      const obj = { reason: 'not an Error' };
      eq((await rejection(lm.withLock(k, () => Promise.reject(obj)), 'rejected promise')) === obj, true, 'same object');
      eq(await rejection(lm.withLock(k, () => { throw 'a string'; }), 'string'), 'a string', 'same string');
      eq(lm.isLocked(k), false, 'released after every failure');
    },
    async 'withLock releases before the returned promise settles'(lm) {
      const k = fresh('before-settle');
      let lockedAtResolve = null, lockedAtReject = null;
      await lm.withLock(k, () => 1).then(() => { lockedAtResolve = lm.isLocked(k); });
      await lm.withLock(k, () => { throw new Error('x'); }).catch(() => { lockedAtReject = lm.isLocked(k); });
      eq([lockedAtResolve, lockedAtReject], [false, false], 'locked when the result settled');
    },
    async 'globalThis.withLock is lockManager.withLock'(lm) {
      eq(globalThis.withLock === lm.withLock, true, 'same function');
      eq(globalThis.lockManager === lm, true, 'same manager');
    },
    async 'locks are not reentrant: a nested withLock on the same key times out'(lm) {
      const k = fresh('reentrant');
      const err = await rejection(lm.withLock(k, () => lm.withLock(k, () => 'inner', { timeout: 20 })), 'nested');
      eq(err.name, 'TimeoutError', 'nested waits for itself');
      eq(lm.isLocked(k), false, 'released');
    },

    // --- tryAcquire ---
    async 'tryAcquire takes a free key and never queues or barges'(lm) {
      const k = fresh('try');
      const r = lm.tryAcquire(k);
      eq(typeof r, 'function', 'free key');
      eq(lm.tryAcquire(k), null, 'held');
      const p = lm.acquire(k);
      eq(lm.tryAcquire(k), null, 'held with a waiter');
      eq(lm.getQueueLength(k), 2, 'tryAcquire never queues');
      r();
      eq(lm.tryAcquire(k), null, 'handed to the waiter, not to tryAcquire');
      (await p)();
      const again = lm.tryAcquire(k);
      eq(typeof again, 'function', 'free again');
      again();
      again();
      eq(lm.isLocked(k), false, 'idempotent');
    },

    // --- query and stats ---
    async 'query lists held and pending keys in FIFO order'(lm) {
      const k = fresh('query');
      const r = await lm.acquire(k);
      const p1 = lm.acquire(k);
      await sleep(10); // Node's timers may fire a little early by performance.now()
      const p2 = lm.acquire(k);
      const q = lm.query();
      const held = q.held.filter((e) => e.key === k);
      const pending = q.pending.filter((e) => e.key === k);
      eq(held.length, 1, 'one holder');
      eq(pending.length, 2, 'two waiters');
      ok(held[0].ms >= 5, `holder ms ${held[0].ms} >= 5`);
      ok(pending[0].ms > pending[1].ms, `FIFO: oldest first (${pending[0].ms} > ${pending[1].ms})`);
      r();
      (await p1)();
      (await p2)();
      eq(lm.query().held.filter((e) => e.key === k).length, 0, 'gone when idle');
    },
    async 'query ages: lock operations share clock readings, query reads afresh'(lm) {
      const k1 = fresh('clock'), k2 = fresh('clock'), k3 = fresh('clock'), k4 = fresh('clock');
      const ages = () => Object.fromEntries(lm.query().held.map((e) => [e.key, e.ms]));
      const spin = (t) => { const until = performance.now() + t; while (performance.now() < until); };
      const r1 = lm.tryAcquire(k1);
      spin(15); // the same task, 15 ms later
      const r2 = lm.tryAcquire(k2);
      let a = ages();
      eq(a[k1], a[k2], 'taken in one task, a few operations apart: one reading');
      ok(a[k1] >= 14, `query reads the clock afresh, even in the same task: ${a[k1]} >= 14`);
      await sleep(30);
      a = ages();
      eq(a[k1], a[k2], 'still one stamp after the task');
      ok(a[k1] >= 40, `the clock moved between tasks: ${a[k1]} >= 40`);
      const r3 = lm.tryAcquire(k3);
      a = ages();
      ok(a[k3] < a[k1] - 25, `a later task reads the clock again: ${a[k3]} < ${a[k1]} - 25`);
      spin(10);
      for (let i = 0; i < 64; i++) lm.tryAcquire(k4)(); // enough operations to use a reading up
      const r4 = lm.tryAcquire(k4);
      a = ages();
      ok(a[k3] - a[k4] >= 9, `a reading serves 64 operations at most: ${a[k3]} - ${a[k4]} >= 9`);
      r1();
      r2();
      r3();
      r4();
    },
    async 'stats counts keys and waiters and jsRefs returns to baseline'(lm) {
      const base = lm.stats();
      ok(base.goHeapBytes > 0, 'goHeapBytes');
      const k = fresh('stats');
      const r = await lm.acquire(k);
      const ac = new AbortController();
      const waiters = [lm.acquire(k, { signal: ac.signal, timeout: 60000 }), lm.withLock(k, () => 1)];
      const s = lm.stats();
      eq([s.keys - base.keys, s.waiters - base.waiters], [1, 2], 'one key, two waiters');
      eq(s.jsRefs, base.jsRefs, 'Go holds no JS value per queued request');
      r();
      (await waiters[0])();
      await waiters[1];
      const after = lm.stats();
      eq([after.keys, after.waiters, after.jsRefs], [base.keys, base.waiters, base.jsRefs], 'back to baseline');
    },

    // --- signal ---
    async 'an already aborted signal rejects with its reason and queues nothing'(lm) {
      const k = fresh('pre-aborted');
      const reason = new Error('already');
      const signal = AbortSignal.abort(reason);
      eq(await rejection(lm.acquire(k, { signal }), 'acquire') === reason, true, 'acquire: reason');
      let called = false;
      eq(await rejection(lm.withLock(k, () => { called = true; }, { signal }), 'withLock') === reason, true, 'withLock: reason');
      eq(called, false, 'fn not called');
      eq(lm.getQueueLength(k), 0, 'nothing queued, even on a free key');
    },
    async 'abort while waiting rejects with the reason and removes the waiter at once'(lm) {
      const k = fresh('abort');
      const r = await lm.acquire(k);
      const ac = new AbortController();
      const order = [];
      const first = lm.acquire(k).then((rel) => { order.push('first'); rel(); });
      const aborted = lm.acquire(k, { signal: ac.signal });
      const last = lm.withLock(k, () => { order.push('last'); });
      eq(lm.getQueueLength(k), 4, 'queued');
      const reason = { why: 'user left' };
      ac.abort(reason);
      eq(lm.getQueueLength(k), 3, 'dropped at once');
      eq(await rejection(aborted, 'aborted') === reason, true, 'rejects with signal.reason');
      r();
      await Promise.all([first, last]);
      eq(order, ['first', 'last'], 'the others keep their order');
      eq(lm.isLocked(k), false, 'free');
    },
    async 'abort after the grant is ignored'(lm) {
      const k = fresh('late-abort');
      const ac = new AbortController();
      const r = await lm.acquire(k, { signal: ac.signal });
      ac.abort();
      eq(lm.isLocked(k), true, 'still held');
      r();
      const ac2 = new AbortController();
      const v = await lm.withLock(k, async () => { ac2.abort(); await tick(); return 'finished'; }, { signal: ac2.signal });
      eq(v, 'finished', 'withLock runs to the end');
      eq(lm.isLocked(k), false, 'free');
    },
    async 'abort of a queued withLock never calls fn'(lm) {
      const k = fresh('abort-with');
      const r = await lm.acquire(k);
      const ac = new AbortController();
      let called = false;
      const p = lm.withLock(k, () => { called = true; }, { signal: ac.signal });
      ac.abort();
      eq((await rejection(p, 'withLock')).name, 'AbortError', 'default reason');
      r();
      await tick();
      eq(called, false, 'fn not called');
      eq(lm.isLocked(k), false, 'free');
    },

    // --- timeout ---
    async 'a timeout that elapses rejects with TimeoutError and removes the waiter'(lm) {
      const k = fresh('timeout');
      const r = await lm.acquire(k);
      const p = lm.acquire(k, { timeout: 10 });
      const behind = lm.acquire(k);
      const err = await rejection(p, 'timeout');
      ok(err instanceof DOMException, 'a DOMException');
      eq(err.name, 'TimeoutError', 'name');
      eq(lm.getQueueLength(k), 2, 'removed at once');
      r();
      (await behind)();
      eq(lm.isLocked(k), false, 'free');
    },
    async 'timeout 0 on a free key is granted; on a busy key it times out'(lm) {
      const k = fresh('zero');
      const r = await lm.acquire(k, { timeout: 0 });
      const err = await rejection(lm.acquire(k, { timeout: 0 }), 'busy');
      eq(err.name, 'TimeoutError', 'busy key');
      r();
      eq(await lm.withLock(k, () => 'ran', { timeout: 0 }), 'ran', 'withLock on a free key');
    },
    async 'a timeout longer than setTimeout can take does not fire early'(lm) {
      const k = fresh('long-timeout');
      const r = await lm.acquire(k);
      const p = lm.acquire(k, { timeout: 2 ** 31 + 1000 });
      eq(await settled(p), false, 'still waiting');
      await sleep(20);
      eq(await settled(p), false, 'still waiting after 20 ms');
      r();
      (await p)();
      eq(lm.isLocked(k), false, 'free');
    },
    async 'a signal whose listener cannot be added leaves nothing queued'(lm) {
      const k = fresh('bad-listener');
      const r = await lm.acquire(k);
      const signal = new AbortController().signal;
      const boom = new Error('no listeners today');
      signal.addEventListener = () => { throw boom; };
      eq(await rejection(lm.acquire(k, { signal }), 'acquire') === boom, true, 'rejects with the error');
      eq(lm.getQueueLength(k), 1, 'the request was taken back out');
      r();
      eq(lm.isLocked(k), false, 'free, not locked by nobody');
    },
    async 'a timeout after the grant does nothing'(lm) {
      const k = fresh('late-timeout');
      const r = await lm.acquire(k);
      const p = lm.acquire(k, { timeout: 30 });
      r();
      const r2 = await p;
      await sleep(50);
      eq(lm.isLocked(k), true, 'still held after the timeout would have fired');
      r2();
    },

    // --- bad input ---
    async 'bad input: clear errors of the right type, nothing queued'(lm) {
      let coerced = false;
      const sneaky = { toString() { coerced = true; return 'k'; } };
      const fn = () => 1;
      const badKeys = [undefined, null, 42, sneaky, Symbol('k'), ['k'], () => 'k'];
      const before = lm.stats();
      for (const key of badKeys) {
        const label = typeof key === 'symbol' ? 'symbol' : String(typeof key);
        for (const [name, call] of [
          ['acquire', () => lm.acquire(key)],
          ['withLock', () => lm.withLock(key, fn)],
        ]) {
          let p;
          try { p = call(); } catch (e) { fail(`${name}(${label}) threw ${e}, want a rejected promise`); }
          const err = await rejection(p, `${name}(${label})`);
          ok(err instanceof TypeError, `${name}(${label}): ${err} is not a TypeError`);
        }
        for (const name of ['tryAcquire', 'isLocked', 'getQueueLength']) {
          const err = thrownBy(() => lm[name](key), `${name}(${label})`);
          ok(err instanceof TypeError, `${name}(${label}): ${err} is not a TypeError`);
        }
      }
      eq(coerced, false, 'toString of a key object ran');
      const k = fresh('bad');
      const table = [
        ['fn missing', () => lm.withLock(k), TypeError],
        ['fn not a function', () => lm.withLock(k, 'nope'), TypeError],
        ['options not an object', () => lm.acquire(k, 5), TypeError],
        ['options null', () => lm.acquire(k, null), TypeError],
        ['signal not an AbortSignal', () => lm.acquire(k, { signal: {} }), TypeError],
        ['timeout not a number', () => lm.acquire(k, { timeout: '10' }), TypeError],
        ['negative timeout', () => lm.acquire(k, { timeout: -1 }), RangeError],
        ['NaN timeout', () => lm.acquire(k, { timeout: NaN }), RangeError],
        ['infinite timeout', () => lm.withLock(k, fn, { timeout: Infinity }), RangeError],
      ];
      for (const [what, call, type] of table) {
        const err = await rejection(call(), what);
        ok(err instanceof type, `${what}: ${err} is not a ${type.name}`);
        ok(/lockmgr/.test(err.message), `${what}: message ${err.message} does not say lockmgr`);
      }
      eq(lm.getQueueLength(k), 0, 'nothing queued by bad input');
      const after = lm.stats();
      eq([after.keys, after.waiters, after.jsRefs], [before.keys, before.waiters, before.jsRefs], 'nothing kept');
    },

    // --- load ---
    async '10,000 waiters on one key drain in FIFO order'(lm) {
      const k = fresh('burst');
      const r = await lm.acquire(k);
      const n = 10000;
      const got = new Int32Array(n);
      let i = 0;
      const all = [];
      for (let w = 0; w < n; w++) all.push(lm.acquire(k).then((rel) => { got[i++] = w; rel(); }));
      eq(lm.getQueueLength(k), n + 1, 'queued');
      r();
      await Promise.all(all);
      for (let w = 0; w < n; w++) if (got[w] !== w) fail(`grant ${w} went to request ${got[w]}`);
      eq(lm.isLocked(k), false, 'free');
    },
  };

  globalThis.lockmgrContract = Object.entries(cases).map(([name, run]) => ({ name, run }));
})();
