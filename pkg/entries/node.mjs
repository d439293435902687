// @mana/client for node (ES module): the same wasm modules as the CommonJS entry.
import { createRequire } from "node:module";
import { makeApi } from "../esm/index.js";

export { ManaProvider, ProviderRpcError } from "../esm/index.js";

const require = createRequire(import.meta.url);
const api = makeApi({
  client: async () => require("../wasm/node/mana.js"),
  verifier: async () => require("../wasm/node/mana_verify.js"),
});
export const createManaProvider = api.createManaProvider;
export const verifyBlock = api.verifyBlock;
export const version = api.version;
