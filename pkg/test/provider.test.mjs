// @mana/client end to end under node, on the built package (`cargo xtask pkg`): the light
// client syncs a chain served by Mana's fixture Beacon API server whose head vouches for Anvil's
// head block; every answer is verified against it. viem and ethers run over the provider
// unchanged. A tampering proxy in front of Anvil is caught.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createManaProvider, verifyBlock, version, ProviderRpcError } from "@mana/client";
import { createPublicClient, custom } from "viem";
import { BrowserProvider } from "ethers";
import { startLiveChain, startTamperingProxy, rpc, fixtures } from "./harness.mjs";

let chain, anvil, filled, provider, options;
const events = [];

before(async () => {
  chain = await startLiveChain();
  ({ anvil, filled, options } = chain);
  provider = createManaProvider(options());
  provider.on("progress", (p) => events.push(["progress", p]));
  provider.on("connect", (info) => events.push(["connect", info]));
});

after(async () => {
  await provider?.shutdown();
  chain?.stop();
});

test("syncs the light-client chain and vouches for Anvil's head", async () => {
  const status = await provider.waitSynced(60_000);
  assert.equal(status.phase, "synced");
  assert.equal(status.head.hash, filled.head.hash);
  assert.equal(status.head.number, filled.head.number);
  assert.equal(status.finalized.hash, filled.head.hash);
  assert.ok(status.beaconUpstreams[0].successes > 0);
  assert.ok(events.some(([kind]) => kind === "progress"), "sync progress reported");
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    events.find(([kind]) => kind === "connect"),
    ["connect", { chainId: "0x7a69" }],
  );
});

test("answers equal Anvil's, verified", async () => {
  await provider.waitSynced(60_000);
  const head = `0x${filled.head.number.toString(16)}`;
  assert.equal(await provider.request({ method: "eth_chainId" }), "0x7a69");
  assert.equal(await provider.request({ method: "eth_blockNumber" }), head);
  for (const address of [filled.recipient, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"]) {
    assert.equal(
      await provider.request({ method: "eth_getBalance", params: [address, "latest"] }),
      await rpc(anvil.url, "eth_getBalance", [address, "latest"]),
    );
  }
  const call = { to: filled.contract, data: "0x" };
  assert.equal(
    await provider.request({ method: "eth_call", params: [call, "latest"] }),
    `0x${"0".repeat(62)}2a`,
  );
  const receipt = await provider.request({ method: "eth_getTransactionReceipt", params: [filled.transfer] });
  assert.equal(receipt.status, "0x1");
  assert.equal(receipt.from, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  const block = await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] });
  assert.equal(block.hash, filled.head.hash);
});

test("EIP-1193 errors: unsupported methods are 4200, bad params a JSON-RPC code", async () => {
  await provider.waitSynced(60_000);
  await assert.rejects(provider.request({ method: "eth_sign", params: [] }), (e) => {
    assert.ok(e instanceof ProviderRpcError);
    assert.equal(e.code, 4200);
    return true;
  });
  await assert.rejects(provider.request({ method: "eth_getBalance", params: ["0x12"] }), (e) => e.code === -32602);
  await assert.rejects(provider.request({ method: "eth_subscribe", params: ["syncing"] }), (e) => e.code === -32602);
  const id = await provider.request({ method: "eth_subscribe", params: ["newHeads"] });
  assert.equal(await provider.request({ method: "eth_unsubscribe", params: [id] }), true);
});

test("viem and ethers work over the provider unchanged", async () => {
  await provider.waitSynced(60_000);
  const client = createPublicClient({ transport: custom(provider) });
  assert.equal(await client.getBlockNumber(), BigInt(filled.head.number));
  const expected = BigInt(await rpc(anvil.url, "eth_getBalance", [filled.recipient, "latest"]));
  assert.equal(await client.getBalance({ address: filled.recipient }), expected);
  const ethers = new BrowserProvider(provider);
  assert.equal(await ethers.getBalance(filled.recipient), expected);
  assert.equal((await ethers.getNetwork()).chainId, 31337n);
  assert.equal(await ethers.call({ to: filled.contract, data: "0x" }), `0x${"0".repeat(62)}2a`);
});

test("a tampering execution upstream is caught, never believed", async () => {
  const proxy = await startTamperingProxy(anvil.url, (method, result) => {
    if (method === "eth_getProof") return { ...result, balance: "0x1" };
    // The provider rebuilds receipts from the whole block's (root-checked) receipts.
    if (method === "eth_getBlockReceipts" && Array.isArray(result)) {
      return result.map((r) => ({ ...r, status: r.status === "0x1" ? "0x0" : "0x1" }));
    }
    return result;
  });
  const tampered = createManaProvider(options({ executionRpc: [proxy.url] }));
  try {
    await tampered.waitSynced(60_000);
    await assert.rejects(
      tampered.request({ method: "eth_getBalance", params: [filled.recipient, "latest"] }),
      (e) => e instanceof ProviderRpcError && e.code === -32050 && /proof|balance|verif/i.test(e.message),
    );
    await assert.rejects(
      tampered.request({ method: "eth_getTransactionReceipt", params: [filled.transfer] }),
      (e) => e.code === -32050,
    );
  } finally {
    await tampered.shutdown();
    proxy.stop();
  }
});

test("a bad checkpoint fails start with a clear error, reported as disconnect", async () => {
  const bad = createManaProvider(options({ checkpoint: `0x${"11".repeat(32)}` }));
  const disconnected = new Promise((resolve) => bad.on("disconnect", resolve));
  await assert.rejects(bad.waitSynced(60_000), (e) => e.code === 4900);
  assert.equal((await disconnected).code, 4900);
  assert.equal(bad.status().phase, "failed");
  await assert.rejects(bad.request({ method: "eth_blockNumber" }), (e) => e.code === 4900);
  assert.throws(() => createManaProvider({}), (e) => e.code === -32602);
});

test("verifyBlock: a real mainnet block verifies statelessly, a tampered one does not", async () => {
  const dir = path.join(fixtures, "stateless/mainnet");
  const file = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()[0];
  const bytes = fs.readFileSync(path.join(dir, file));
  const verdict = await verifyBlock(bytes);
  assert.equal(verdict.valid, true, JSON.stringify(verdict));
  assert.equal(verdict.trusted.kind, "self");
  const anchored = await provider.verifyBlock(bytes, undefined, { trustedBlockHash: verdict.blockHash });
  assert.equal(anchored.valid, true);
  const json = JSON.parse(bytes);
  json.executionWitness.state = json.executionWitness.state.slice(1);
  const broken = await verifyBlock(new TextEncoder().encode(JSON.stringify(json)), undefined, { trustedBlockHash: verdict.blockHash });
  assert.equal(broken.valid, false);
  assert.match(broken.error, /node|witness|missing/i);
  assert.match(await version(), /^\d+\.\d+\.\d+$/);
});

test("shutdown disconnects and later requests fail with 4900 (default storage: memory in node)", async () => {
  const other = createManaProvider(options({ storage: undefined }));
  await other.waitSynced(60_000);
  const disconnected = new Promise((resolve) => other.on("disconnect", resolve));
  await other.shutdown();
  assert.equal((await disconnected).code, 4900);
  await assert.rejects(other.request({ method: "eth_blockNumber" }), (e) => e.code === 4900);
});

test("the CommonJS entry loads the same API", () => {
  const result = spawnSync(process.execPath, [
    "-e",
    "const m = require('@mana/client'); console.log([typeof m.createManaProvider, typeof m.verifyBlock, typeof m.ProviderRpcError].join(','))",
  ], { cwd: path.dirname(new URL(import.meta.url).pathname), encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), "function,function,function");
});
