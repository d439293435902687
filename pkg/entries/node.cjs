"use strict";
// @mana/client for node (CommonJS): the wasm modules load synchronously (wasm-bindgen `nodejs`);
// the stateless verifier only on the first `verifyBlock`.
const core = require("../cjs/index.js");

const api = core.makeApi({
  client: async () => require("../wasm/node/mana.js"),
  verifier: async () => require("../wasm/node/mana_verify.js"),
});
module.exports = {
  ManaProvider: core.ManaProvider,
  ProviderRpcError: core.ProviderRpcError,
  createManaProvider: api.createManaProvider,
  verifyBlock: api.verifyBlock,
  version: api.version,
};
