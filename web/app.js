import { load } from './lockmgr.js';
import { openDB, saveStory, loadStory, listStories } from './story.js';

const $ = (id) => document.getElementById(id);
const ui = {
  list: $('story-list'), newStory: $('new-story'),
  editor: $('editor'), title: $('title'), body: $('body'), status: $('save-status'), rev: $('rev'),
  n: $('drill-n'), locked: $('drill-locked'), unlocked: $('drill-unlocked'),
  result: $('drill-result'), expected: $('drill-expected'), final: $('drill-final'),
  lost: $('drill-lost'), summary: $('drill-summary'),
  locks: $('lock-list'), idle: $('lock-idle'), stats: $('lock-stats'),
};

let db, lm;
const stories = new Map();     // id -> latest record we know of
let currentId = null;
let timer = 0;                 // pending autosave (debounce)
let edits = 0;                 // bumped per edit: only the newest save may say "Saved"
let lastSave = Promise.resolve();
let busy = 0;                  // saves/drills in flight: keep the lock panel polling
let polling = 0;

const message = (err) => (err && err.message) || String(err);
const setStatus = (text) => { ui.status.textContent = text; };

// ---- story list -----------------------------------------------------------

function renderList() {
  const refocus = ui.list.contains(document.activeElement) && document.activeElement.dataset.id;
  const ids = [...stories.keys()].sort((a, b) => a - b);
  ui.list.replaceChildren(...ids.map((id) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.id = id;
    button.textContent = stories.get(id).title.trim() || `Untitled #${id}`;
    if (id === currentId) button.setAttribute('aria-current', 'true');
    li.append(button);
    return li;
  }));
  if (refocus) ui.list.querySelector(`[data-id="${refocus}"]`)?.focus();
}

function remember(record) {
  const old = stories.get(record.id);
  stories.set(record.id, record);
  if (!old || old.title !== record.title) renderList();
}

function show(record) {
  currentId = record.id;
  remember(record);
  ui.editor.dataset.storyId = record.id;
  ui.title.value = record.title;
  ui.body.value = record.body;
  ui.rev.textContent = record.rev;
  setStatus('Saved');
  for (const b of ui.list.querySelectorAll('button')) {
    if (Number(b.dataset.id) === currentId) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
}

async function open(id) {
  await flush();
  show((await loadStory(db, id)) ?? stories.get(id));
}

async function newStory() {
  ui.newStory.disabled = true;
  try {
    await flush();
    const id = Math.max(0, ...stories.keys()) + 1;
    show(await track(saveStory(db, id, { title: '', body: '' })));
    ui.title.focus();
  } finally {
    ui.newStory.disabled = false;
  }
}

// ---- autosave ---------------------------------------------------------------

function edited() {
  edits++;
  setStatus('Saving…');
  clearTimeout(timer);
  timer = setTimeout(save, 300);
}

function save() {
  clearTimeout(timer);
  timer = 0;
  // Capture everything synchronously: the user may switch stories meanwhile.
  const id = currentId, seq = edits;
  const patch = { title: ui.title.value, body: ui.body.value };
  setStatus('Saving…');
  lastSave = track(saveStory(db, id, patch)).then((record) => {
    remember(record);
    if (id !== currentId) return;
    ui.rev.textContent = record.rev;
    if (seq === edits && !timer) setStatus('Saved');
  }, (err) => {
    if (id === currentId) setStatus(`Save failed: ${message(err)}`);
  });
  return lastSave;
}

/** Save any pending edit now and wait for the latest save to finish. */
function flush() {
  return timer ? save() : lastSave;
}

// ---- concurrency drill ------------------------------------------------------

function drillSize() {
  const n = Math.floor(Number(ui.n.value));
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 10000) : 100;
}

function showDrillSize() {
  for (const span of document.querySelectorAll('.n')) span.textContent = drillSize();
}

function setDrilling(on) {
  ui.locked.disabled = ui.unlocked.disabled = ui.n.disabled = ui.newStory.disabled = on;
  // Edits during a run would add revisions of their own and skew the count.
  ui.title.readOnly = ui.body.readOnly = on;
  ui.result.setAttribute('aria-busy', String(on));
}

async function drill(locked) {
  const n = drillSize();
  const how = locked ? 'With the lock' : 'Without the lock';
  const focused = document.activeElement;
  ui.n.value = n;
  showDrillSize();
  delete ui.result.dataset.done;
  delete ui.result.dataset.outcome;
  ui.expected.textContent = ui.final.textContent = ui.lost.textContent = '…';
  ui.summary.textContent = `Running ${n} saves ${locked ? 'with' : 'without'} the lock…`;
  setDrilling(true);
  busy++;
  watchLocks();
  const id = currentId;
  try {
    await flush();
    const before = (await loadStory(db, id))?.rev ?? 0;
    // All N saves start in the same tick; an empty patch keeps the text intact.
    const runs = Array.from({ length: n }, () => saveStory(db, id, {}, { lock: locked }));
    const failed = (await Promise.allSettled(runs)).filter((r) => r.status === 'rejected');
    const record = await loadStory(db, id);
    const expected = before + n, lost = expected - record.rev;
    ui.expected.textContent = expected;
    ui.final.textContent = record.rev;
    ui.lost.textContent = lost;
    ui.result.dataset.outcome = lost > 0 ? 'lost' : 'ok';
    ui.summary.textContent = (lost > 0
      ? `${how}: lost ${lost} of ${n} updates (rev went from ${before} to ${record.rev}, not ${expected}).`
      : `${how}: no updates lost (rev went from ${before} to ${record.rev}).`)
      + (failed.length ? ` ${failed.length} saves failed: ${message(failed[0].reason)}` : '');
    remember(record);
    if (id === currentId) ui.rev.textContent = record.rev;
  } catch (err) {
    ui.summary.textContent = `Drill failed: ${message(err)}`;
  } finally {
    busy--;
    setDrilling(false);
    ui.result.dataset.done = locked ? 'locked' : 'unlocked';
    if (document.activeElement === document.body && focused instanceof HTMLElement) focused.focus();
  }
}

// ---- live lock panel --------------------------------------------------------

/** Count an operation as busy until it settles, so the panel keeps polling. */
async function track(promise) {
  busy++;
  watchLocks();
  try { return await promise; } finally { busy--; }
}

function watchLocks() {
  if (!polling) renderLocks();
}

function renderLocks() {
  polling = 0;
  const { held, pending } = lm.query();
  const keys = new Map();
  const entry = (key) => keys.get(key) ?? keys.set(key, { ms: null, waiters: 0, oldest: 0 }).get(key);
  for (const h of held) entry(h.key).ms = h.ms;
  for (const p of pending) {
    const e = entry(p.key);
    e.waiters++;
    e.oldest = Math.max(e.oldest, p.ms);
  }
  const shown = [...keys].slice(0, 50).map(([key, e]) => {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = key;
    const info = document.createElement('span');
    info.textContent = (e.ms === null ? 'not held' : `held ${Math.round(e.ms)} ms`) + ' · '
      + (e.waiters ? `${e.waiters} waiting, oldest ${Math.round(e.oldest)} ms` : 'no waiters');
    li.append(code, ' ', info);
    return li;
  });
  if (keys.size > shown.length) {
    const more = document.createElement('li');
    more.textContent = `… and ${keys.size - shown.length} more keys`;
    shown.push(more);
  }
  ui.locks.replaceChildren(...shown);
  ui.idle.hidden = keys.size > 0;
  const s = lm.stats();
  ui.stats.textContent = `${s.keys} keys · ${s.waiters} waiters · Go heap ${Math.round(s.goHeapBytes / 1024)} KiB`;
  // Stop once nothing is held or queued and no save is still on its way to the lock.
  if (keys.size || busy) polling = setTimeout(renderLocks, 100);
}

// ---- start-up ---------------------------------------------------------------

async function init() {
  lm = await load();
  db = await openDB();
  let all = await listStories(db);
  if (!all.length) all = [await saveStory(db, 1, { title: '', body: '' })];
  for (const record of all) stories.set(record.id, record);
  renderList();
  show(all[0]);

  ui.list.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-id]');
    if (button) open(Number(button.dataset.id)).catch((err) => setStatus(`Could not open: ${message(err)}`));
  });
  ui.newStory.addEventListener('click', () => newStory().catch((err) => setStatus(`Could not create: ${message(err)}`)));
  ui.title.addEventListener('input', edited);
  ui.body.addEventListener('input', edited);
  ui.n.addEventListener('input', showDrillSize);
  ui.locked.addEventListener('click', () => drill(true));
  ui.unlocked.addEventListener('click', () => drill(false));
  addEventListener('pagehide', () => { if (timer) save(); });

  for (const control of [ui.newStory, ui.title, ui.body, ui.n, ui.locked, ui.unlocked]) control.disabled = false;
  $('load-status').hidden = true;
  document.body.classList.remove('loading');
  document.body.dataset.ready = 'true';
  watchLocks();
  globalThis.demo = { db, lockManager: lm, stories, open, drill };
}

init().catch((err) => {
  document.body.classList.remove('loading');
  document.body.classList.add('failed');
  $('load-status').hidden = true;
  const box = $('load-error');
  box.textContent = `Could not start the demo: ${message(err)}`;
  box.hidden = false;
});
