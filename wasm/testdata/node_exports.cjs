// Preloaded with NODE_OPTIONS=--require under go_js_wasm_exec (make
// test-wasm does it): adds web/bridge.js's import module "weblock" to the
// instantiation and hands the module's exports to the bridge before the Go
// program runs, as web/lockmgr.js does in a page.
'use strict';
const path = require('path');
require(path.join(__dirname, '..', '..', 'web', 'bridge.js'));
const bridge = globalThis.__weblockBridge;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (source, imports, ...rest) {
  const result = await instantiate.call(this, source, { ...imports, weblock: bridge.imports }, ...rest);
  bridge.exports = (result.instance ?? result).exports;
  return result;
};
