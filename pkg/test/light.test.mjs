// The light build (`cargo xtask pkg --light` → dist-light: the client without revm, the one the
// size budget is about) under node against the same live chain and Anvil: it syncs, its verified
// answers equal Anvil's, and the methods that need local execution are refused with EIP-1193's
// 4200 rather than answered unverified.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { startLiveChain, rpc } from "./harness.mjs";

const entry = new URL("../dist-light/node/index.mjs", import.meta.url);
if (!fs.existsSync(entry)) {
  throw new Error(`${entry.pathname} is missing: build the light package first (cargo xtask pkg --light)`);
}
const { createManaProvider, ProviderRpcError } = await import(entry);

let chain, anvil, filled, provider;

before(async () => {
  chain = await startLiveChain();
  ({ anvil, filled } = chain);
  provider = createManaProvider(chain.options());
});

after(async () => {
  await provider?.shutdown();
  chain?.stop();
});

test("light build: syncs and vouches for Anvil's head", async () => {
  const status = await provider.waitSynced(60_000);
  assert.equal(status.phase, "synced");
  assert.equal(status.head.hash, filled.head.hash);
});

test("light build: verified answers equal Anvil's; execution methods are refused with 4200", async () => {
  await provider.waitSynced(60_000);
  assert.equal(await provider.request({ method: "eth_blockNumber" }), `0x${filled.head.number.toString(16)}`);
  assert.equal(
    await provider.request({ method: "eth_getBalance", params: [filled.recipient, "latest"] }),
    await rpc(anvil.url, "eth_getBalance", [filled.recipient, "latest"]),
  );
  const receipt = await provider.request({ method: "eth_getTransactionReceipt", params: [filled.transfer] });
  assert.equal(receipt.status, "0x1");
  assert.equal(receipt.from, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  assert.equal(
    await provider.request({ method: "eth_getCode", params: [filled.contract, "latest"] }),
    await rpc(anvil.url, "eth_getCode", [filled.contract, "latest"]),
  );
  for (const method of ["eth_call", "eth_estimateGas"]) {
    await assert.rejects(
      provider.request({ method, params: [{ to: filled.contract, data: "0x" }, "latest"] }),
      (e) => e instanceof ProviderRpcError && e.code === 4200,
      `${method} must be refused by the light build`,
    );
  }
});
