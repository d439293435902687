// @mana/client for node (ES module): the same wasm module as the CommonJS entry.
import { createRequire } from "node:module";
import { makeApi } from "../esm/index.js";

export { ManaProvider, ProviderRpcError } from "../esm/index.js";

const wasm = createRequire(import.meta.url)("../wasm/node/mana.js");
const api = makeApi(async () => wasm);
export const createManaProvider = api.createManaProvider;
export const verifyBlock = api.verifyBlock;
export const version = api.version;
