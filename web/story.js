// Story storage on IndexedDB, shared by the demo page, the e2e tests and the
// benchmark page. One object store, 'stories', keyed by 'id'.
//
// saveStory() is deliberately a read-modify-write split across two
// transactions. That is how real editors look once merges go async (read,
// merge or diff or call a server, then write) and it is what makes the race
// observable: IndexedDB serialises each readwrite transaction on its own,
// but nothing stops two saves from reading the same revision before either
// writes. The keyed lock around the whole sequence is what fixes it.

const STORE = 'stories';

/** Resolve when a transaction commits; reject if it errors or aborts. */
function settled(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () =>
      reject(tx.error ?? new DOMException('Transaction aborted', 'AbortError'));
  });
}

/** Open (and on first use create) the database. */
export function openDB(name = 'stories') {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) {
        req.result.createObjectStore(STORE, { keyPath: 'id' });
      }
    };
    req.onsuccess = () => {
      const db = req.result;
      // Let another tab (or a test calling deleteDatabase) upgrade or delete it.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(req.error);
  });
}

/** Read one story in its own readonly transaction; undefined if absent. */
export async function loadStory(db, id) {
  const tx = db.transaction(STORE, 'readonly');
  const req = tx.objectStore(STORE).get(id);
  // Wait for the transaction, not just the request: the read is fully over
  // before the caller goes on to open its write transaction.
  await settled(tx);
  return req.result;
}

/** Every story, in key order. */
export async function listStories(db) {
  const tx = db.transaction(STORE, 'readonly');
  const req = tx.objectStore(STORE).getAll();
  await settled(tx);
  return req.result;
}

export async function deleteStory(db, id) {
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).delete(id);
  await settled(tx);
}

/** The record after one save: `patch` merged, revision bumped. */
function merged(id, existing, patch) {
  return {
    id, title: '', body: '', rev: 0,
    ...existing, ...patch,
    id, rev: (existing?.rev ?? 0) + 1, savedAt: Date.now(),
  };
}

/** Write one record in its own readwrite transaction. */
async function writeStory(db, record) {
  const tx = db.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(record);
  await settled(tx);
}

// Saves waiting for the lock, per database and story: the holder applies
// every patch queued so far (group commit). Serialized read-modify-writes
// cost a round trip to the IndexedDB backend each; coalescing the ones that
// queued up meanwhile is what keeps locked saves as fast as unlocked ones.
const queued = new WeakMap(); // db -> Map(id -> [{patch, resolve, reject}])

function queueFor(db, id) {
  let stories = queued.get(db);
  if (!stories) queued.set(db, (stories = new Map()));
  let q = stories.get(id);
  if (!q) stories.set(id, (q = []));
  return q;
}

/**
 * Merge `patch` into story `id` and bump its revision by one.
 *
 * With lock=true (the default) the save takes the keyed lock 'story:<id>'
 * before any transaction exists (awaiting a lock inside an open transaction
 * would let IndexedDB auto-commit it), so saves of one story run in FIFO
 * order and none is lost; saves of different stories run in parallel. The
 * holder reads the story, applies its own patch and every patch queued
 * behind it, in order, each bumping rev, and writes once; the later saves
 * then find their work done. Each call resolves with the record as of its
 * own patch.
 *
 * With lock=false the read and the write are separate transactions with
 * nothing between them holding other saves off: concurrent saves read the
 * same revision and overwrite each other (the race the lock prevents).
 */
export async function saveStory(db, id, patch, { lock = true, manager = globalThis.lockManager } = {}) {
  if (!lock) {
    const record = merged(id, await loadStory(db, id), patch);
    await writeStory(db, record);
    return record;
  }
  if (!manager) throw new Error('saveStory: no lock manager loaded (pass { manager } or call load() first)');
  const q = queueFor(db, id);
  const entry = { patch };
  const mine = new Promise((resolve, reject) => { entry.resolve = resolve; entry.reject = reject; });
  mine.catch(() => {}); // returned below; this only marks it handled meanwhile
  q.push(entry);
  try {
    await manager.withLock('story:' + id, () => commit(db, id, q));
  } catch (err) {
    const i = q.indexOf(entry);
    if (i >= 0) q.splice(i, 1); // never taken by a holder: nothing else will settle it
    throw err;
  }
  return mine;
}

/** Apply every queued save of story id in one read-modify-write. */
async function commit(db, id, q) {
  const batch = q.splice(0); // empty when an earlier holder took ours
  const stories = queued.get(db);
  if (stories.get(id) === q) stories.delete(id); // later saves start a new queue
  if (!batch.length) return;
  try {
    let record = await loadStory(db, id);
    const results = batch.map((s) => (record = merged(id, record, s.patch)));
    await writeStory(db, record);
    batch.forEach((s, i) => s.resolve(results[i]));
  } catch (err) {
    for (const s of batch) s.reject(err);
  }
}
