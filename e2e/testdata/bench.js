// In-browser benchmarks of `make bench`: the module against the browser's
// navigator.locks and against a plain-JS keyed FIFO lock, in one page.
// The Go driver (e2e/bench_test.go) calls bench.run(name, impl, n) and
// reads back milliseconds.
import { load } from '/lockmgr.js';
import { openDB, saveStory } from '/story.js';

// PlainLock is the pure-JS floor: a keyed FIFO lock with a head-index
// queue per key (O(1) enqueue and dequeue), deleted when idle.
class PlainLock {
  #keys = new Map(); // key -> {held, queue: [], head}

  acquire(key) {
    let e = this.#keys.get(key);
    if (!e) {
      e = { held: true, queue: [], head: 0 };
      this.#keys.set(key, e);
      return Promise.resolve(this.#releaser(key, e));
    }
    return new Promise((resolve) => e.queue.push(resolve));
  }

  #releaser(key, e) {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (e.head < e.queue.length) {
        const next = e.queue[e.head];
        e.queue[e.head++] = undefined;
        if (e.head > 1024 && e.head * 2 > e.queue.length) { e.queue = e.queue.slice(e.head); e.head = 0; }
        next(this.#releaser(key, e));
      } else {
        this.#keys.delete(key);
      }
    };
  }

  async withLock(key, fn) {
    const release = await this.acquire(key);
    try { return await fn(); } finally { release(); }
  }
}

const plain = new PlainLock();
let lm;

// Each implementation exposes the two forms the scenarios need.
const impls = {
  lockmgr: {
    acquire: (k) => lm.acquire(k),
    withLock: (k, fn) => lm.withLock(k, fn),
  },
  navigator: {
    // navigator.locks has no acquire/release pair: a request with an empty
    // callback is one acquire and one release.
    acquire: (k) => new Promise((resolve) => {
      navigator.locks.request(k, () => new Promise((release) => resolve(release)));
    }),
    withLock: (k, fn) => navigator.locks.request(k, fn),
  },
  plain: {
    acquire: (k) => plain.acquire(k),
    withLock: (k, fn) => plain.withLock(k, fn),
  },
};

const noop = () => 1;

const scenarios = {
  // (1) acquire + release, sequential, one key.
  async acquire(impl, n) {
    for (let i = 0; i < n; i++) (await impl.acquire('bench:1'))();
  },
  // (2) withLock, sequential, one key.
  async withLock(impl, n) {
    for (let i = 0; i < n; i++) await impl.withLock('bench:2', noop);
  },
  // (3) burst: n waiters queued on one key behind a holder, then drained.
  async burst(impl, n) {
    const first = await impl.acquire('bench:3');
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = impl.acquire('bench:3').then((r) => r());
    first();
    await Promise.all(all);
  },
  // (4) n withLock calls at once, spread over 1,000 keys.
  async manyKeys(impl, n) {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = impl.withLock('bench:4:' + (i % 1000), noop);
    await Promise.all(all);
  },
  // (6) one bare JS→Go call: the bridge's floor.
  async bareCall(impl, n) {
    let x = 0;
    for (let i = 0; i < n; i++) if (lm.isLocked('bench:6')) x++;
    if (x) throw new Error('bench:6 is locked');
  },
};

// (5) the story-save workload: n pipelined read-modify-write saves of one
// story (the demo's own saveStory), locked or not.
async function saves(n, lock) {
  const db = await openDB('bench-' + lock + '-' + Math.random());
  const all = [];
  for (let i = 0; i < n; i++) all.push(saveStory(db, 1, { body: 'save ' + i }, { lock }));
  await Promise.all(all);
  db.close();
}

// (7) n operations of mixed kinds, for the memory scenario.
async function churn(n) {
  for (let i = 0; i < n / 4; i++) {
    const key = 'mem:' + (i % 100);
    (await lm.acquire(key))();
    await lm.withLock(key, noop);
    const r = lm.tryAcquire(key);
    if (r) r();
  }
}

const time = async (fn) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

globalThis.bench = {
  run: (scenario, impl, n) => time(() => scenarios[scenario](impls[impl], n)),
  saves: (n, lock) => time(() => saves(n, lock)),
  churn: (n) => time(() => churn(n)),
  memory: () => ({ wasm: globalThis.__weblockBridge.wasmMemoryBytes, ...lm.stats() }),
};

const t0 = performance.now();
load(new URLSearchParams(location.search).get('wasm') ?? undefined).then((m) => {
  lm = m;
  globalThis.bench.readyMs = performance.now() - t0; // (8) fetch to ready
  document.documentElement.dataset.ready = 'true';
});
