// @mana/client for pages, Web Workers, MV3 service workers and bundlers (ES module). The wasm
// modules are fetched and compiled on first use (no top-level await; and no dynamic `import()`,
// which service workers forbid, so both small JS glue modules are imported statically): the
// client when a provider is created, the stateless verifier on the first `verifyBlock`; from
// `options.wasmUrl` when given — an extension's `chrome.runtime.getURL("…/mana_bg.wasm")`, or a
// URL relative to the page or worker — else next to this file (`new URL(…, import.meta.url)`, which webpack
// and Vite turn into emitted assets). The verifier is fetched next to `wasmUrl` when that names
// `mana_bg.wasm`, else from its own default place.
import initClient, * as clientWasm from "../wasm/web/mana.js";
import initVerifier, * as verifierWasm from "../wasm/web/mana_verify.js";
import { makeApi } from "../esm/index.js";

export { ManaProvider, ProviderRpcError } from "../esm/index.js";

const CLIENT_FILE = /mana_bg\.wasm(?=$|[?#])/;
// A string, so that a relative `wasmUrl` resolves against the page like the client's does.
const verifierUrl = (url) => (CLIENT_FILE.test(String(url)) ? String(url).replace(CLIENT_FILE, "mana_verify_bg.wasm") : undefined);
const from = (url) => (url ? { module_or_path: url } : undefined);

let client;
let verifier;
const api = makeApi({
  client: (options) => (client ??= initClient(from(options && options.wasmUrl)).then(() => clientWasm)),
  verifier: (options) =>
    (verifier ??= initVerifier(from(options && options.wasmUrl && verifierUrl(options.wasmUrl))).then(() => verifierWasm)),
});
export const createManaProvider = api.createManaProvider;
export const verifyBlock = api.verifyBlock;
export const version = api.version;
