// An MV3 module service worker using @mana/client's web build (copied to ./dist by the test).
// No top-level await; the provider is created on demand and the wasm fetched from the
// extension's own files. The test calls `self.manaCheck(config)` through the worker.
import { createManaProvider } from "./dist/web/index.js";

self.manaCheck = async ({ network, beaconApi, executionRpc, checkpoint, address }) => {
  const started = performance.now();
  const provider = createManaProvider({
    network,
    beaconApi,
    executionRpc,
    checkpoint,
    storage: "indexeddb",
    wasmUrl: chrome.runtime.getURL("dist/wasm/web/mana_bg.wasm"),
  });
  try {
    const status = await provider.waitSynced(30_000);
    const balance = await provider.request({ method: "eth_getBalance", params: [address, "latest"] });
    let unsupported = null;
    try {
      await provider.request({ method: "eth_sign", params: [] });
    } catch (error) {
      unsupported = error.code;
    }
    return { head: status.head, balance, unsupported, ms: performance.now() - started, hasWindow: typeof window !== "undefined" };
  } finally {
    await provider.shutdown();
  }
};
