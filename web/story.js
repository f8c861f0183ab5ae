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

/**
 * Merge `patch` into story `id` and bump its revision.
 * With lock=true (the default) the read and the write run under the keyed
 * lock 'story:<id>', so concurrent saves of one story queue up in FIFO order
 * and none is lost; saves of different stories still run in parallel.
 * With lock=false concurrent saves race and lose updates.
 */
export async function saveStory(db, id, patch, { lock = true, manager = globalThis.lockManager } = {}) {
  const readMergeWrite = async () => {
    const existing = await loadStory(db, id);
    // Nothing else happens in between on purpose; real merges would await here too.
    const record = {
      id, title: '', body: '', rev: 0,
      ...existing, ...patch,
      id, rev: (existing?.rev ?? 0) + 1, savedAt: Date.now(),
    };
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(record);
    await settled(tx);
    return record;
  };
  if (!lock) return readMergeWrite();
  if (!manager) throw new Error('saveStory: no lock manager loaded (pass { manager } or call load() first)');
  // The lock is taken before any transaction exists. Awaiting a lock inside an
  // open transaction would let IndexedDB auto-commit it (or deadlock on it).
  return manager.withLock('story:' + id, readMergeWrite);
}
