// Loader of the lockmgr WebAssembly module.
//
//   import { load } from './lockmgr.js';
//   const lockManager = await load();
//   await lockManager.withLock('story:42', () => save());
//
// load() instantiates the module once per page; repeated and concurrent
// calls share that instance. It resolves when the Go side has installed
// globalThis.lockManager and globalThis.withLock.
import './wasm_exec.js';
import './bridge.js';

const bridge = globalThis.__weblockBridge;
let loading = null;

/**
 * Load the module (once) and resolve with globalThis.lockManager.
 * @param {string|URL} [wasmURL] where lockmgr.wasm is; defaults to beside this file.
 */
export function load(wasmURL = new URL('./lockmgr.wasm', import.meta.url)) {
  loading ??= start(wasmURL).catch((err) => {
    loading = null; // a failed load may be retried
    throw err;
  });
  return loading;
}

/**
 * Stop the Go program: every pending request rejects with an Error, and
 * later calls fail fast. There is no way back short of reloading the page.
 */
export function shutdown() {
  bridge.shutdown();
}

async function start(url) {
  const go = new Go();
  const instance = await instantiate(url, { ...go.importObject, weblock: bridge.imports });
  bridge.exports = instance.exports;
  const ready = bridge.whenReady();
  go.exit = (code) => bridge.exited(code);
  // go.run resolves only when the Go program exits: it is not awaited.
  go.run(instance).catch((err) => bridge.exited(String(err)));
  return ready;
}

async function instantiate(url, imports) {
  let response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new Error(`lockmgr: could not fetch ${url}: ${err.message}`, { cause: err });
  }
  if (!response.ok) {
    throw new Error(`lockmgr: could not fetch ${url}: HTTP ${response.status}`);
  }
  try {
    // The fast path compiles while downloading; it needs the right MIME type.
    if (response.headers.get('Content-Type')?.startsWith('application/wasm')) {
      return (await WebAssembly.instantiateStreaming(response, imports)).instance;
    }
    return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
  } catch (err) {
    throw new Error(`lockmgr: could not compile ${url}: ${err.message}`, { cause: err });
  }
}
