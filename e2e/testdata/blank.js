// Loads the module the way a page does; the tests wait for data-ready.
import { load, shutdown } from '/lockmgr.js';

globalThis.fixture = { load, shutdown };
const params = new URLSearchParams(location.search);
const url = params.get('wasm') ?? undefined;
// ?squat: the page already owns a global the module needs, unchangeably.
if (params.has('squat')) Object.defineProperty(globalThis, 'lockManager', { value: 'taken' });
load(url).then(
  () => { document.documentElement.dataset.ready = 'true'; },
  (err) => { document.documentElement.dataset.ready = 'failed'; globalThis.fixture.loadError = err; },
);
