// Preloaded with NODE_OPTIONS=--require under go_js_wasm_exec (make
// test-wasm does it): hands the module's exports to web/bridge.js before
// the Go program runs, as web/lockmgr.js does in a page.
'use strict';
const path = require('path');
require(path.join(__dirname, '..', '..', 'web', 'bridge.js'));
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  globalThis.__weblockBridge.exports = (result.instance ?? result).exports;
  return result;
};
