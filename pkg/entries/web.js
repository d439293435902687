// @mana/client for pages, Web Workers, MV3 service workers and bundlers (ES module). The wasm
// module is fetched and compiled on first use (no top-level await): from `options.wasmUrl`
// when given (an extension's `chrome.runtime.getURL("mana_bg.wasm")`), else next to this file.
import init, * as wasm from "../wasm/web/mana.js";
import { makeApi } from "../esm/index.js";

export { ManaProvider, ProviderRpcError } from "../esm/index.js";

let ready;
const api = makeApi((options) => {
  ready ??= init(options && options.wasmUrl ? { module_or_path: options.wasmUrl } : undefined).then(() => wasm);
  return ready;
});
export const createManaProvider = api.createManaProvider;
export const verifyBlock = api.verifyBlock;
export const version = api.version;
