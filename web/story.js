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

// Group commit. Serialized read-modify-writes cost a round trip to the
// IndexedDB backend each, so the holder of a story's lock also applies the
// saves queued right behind it. Per database and story: `open` is the batch
// still waiting for its holder, `own` counts this module's lock requests on
// the story that are not finished.
const stories = new WeakMap(); // db -> Map(id -> {open, own})

function stateOf(db, id) {
  let ids = stories.get(db);
  if (!ids) stories.set(db, (ids = new Map()));
  let st = ids.get(id);
  if (!st) ids.set(id, (st = { open: null, own: 0 }));
  return st;
}

/**
 * Merge `patch` into story `id` and bump its revision by one.
 *
 * With lock=true (the default) the save takes the keyed lock 'story:<id>'
 * before any transaction exists (awaiting a lock inside an open transaction
 * would let IndexedDB auto-commit it), so saves of one story run in FIFO
 * order and none is lost; saves of different stories run in parallel. A
 * save joins the batch still waiting for the lock when every request on the
 * key is one of these saves, so nothing else sits between them; the batch's
 * holder reads the story, applies every patch in order, each bumping rev,
 * and writes once, and the later saves find their work done. Each call
 * resolves with the record as of its own patch.
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
  const key = 'story:' + id;
  const st = stateOf(db, id);
  if (!st.open || manager.getQueueLength(key) !== st.own) st.open = [];
  const q = st.open;
  const entry = { patch };
  const mine = new Promise((resolve, reject) => { entry.resolve = resolve; entry.reject = reject; });
  mine.catch(() => {}); // returned below; this only marks it handled meanwhile
  q.push(entry);
  st.own++;
  let counted = true;
  const finished = () => {
    if (!counted) return;
    counted = false;
    // Counted down before the lock goes: a stale count only stops joins.
    if (--st.own === 0 && !st.open) stories.get(db)?.delete(id);
  };
  try {
    await manager.withLock(key, async () => {
      try {
        await commit(db, id, q, st);
      } finally {
        finished();
      }
    });
  } catch (err) {
    finished();
    const i = q.indexOf(entry);
    if (i < 0) return mine; // a holder took this save: its outcome is in mine
    q.splice(i, 1);
    throw err;
  }
  return mine;
}

/** Apply every save of batch q in one read-modify-write. */
async function commit(db, id, q, st) {
  const batch = q.splice(0); // empty when an earlier holder took ours
  if (st.open === q) st.open = null; // later saves start a new batch
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
