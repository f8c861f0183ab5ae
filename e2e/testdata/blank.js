// Loads the module the way a page does; the tests wait for data-ready.
import { load, shutdown } from '/lockmgr.js';

globalThis.fixture = { load, shutdown };
const url = new URLSearchParams(location.search).get('wasm') ?? undefined;
load(url).then(
  () => { document.documentElement.dataset.ready = 'true'; },
  (err) => { document.documentElement.dataset.ready = 'failed'; globalThis.fixture.loadError = err; },
);
