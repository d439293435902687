"use strict";
// @mana/client for node (CommonJS): the wasm module loads synchronously (wasm-bindgen `nodejs`).
const wasm = require("../wasm/node/mana.js");
const core = require("../cjs/index.js");

const api = core.makeApi(async () => wasm);
module.exports = {
  ManaProvider: core.ManaProvider,
  ProviderRpcError: core.ProviderRpcError,
  createManaProvider: api.createManaProvider,
  verifyBlock: api.verifyBlock,
  version: api.version,
};
