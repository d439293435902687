// A rogue sync-committee member against @mana/client (the built package, under node): the
// fixture Beacon API server serves the attacks of `synthetic_chain::rogue_chain`, with a
// checkpoint vouching for Anvil's head and the rogue headers for a block that does not exist.
// Whatever the attack, the provider's `latest`, `finalized` and `safe` must stay on blocks
// the committee's supermajority (or finality) vouches for, and say why in `eth_syncing`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createManaProvider, ProviderRpcError } from "@mana/client";
import { startAnvil, fillAnvil, startBeaconServer, rpc } from "./harness.mjs";

let anvil, filled, beacon;
const providers = [];

before(async () => {
  anvil = await startAnvil();
  filled = await fillAnvil(anvil.url);
  beacon = await startBeaconServer(filled.head, 31337, ["--rogue"]);
});

after(async () => {
  for (const p of providers) await p.shutdown();
  beacon?.stop();
  anvil?.stop();
});

/** A provider following the rogue case `name` (memory storage, its checkpoint). */
function providerFor(name, extra = {}) {
  const summary = beacon.cases.find((c) => c.name === name);
  assert.ok(summary, `the server serves ${name}`);
  const provider = createManaProvider({
    network: {
      name,
      configYaml: summary.config_yaml,
      genesisTime: summary.genesis_time,
      genesisValidatorsRoot: summary.genesis_validators_root,
    },
    beaconApi: [`${beacon.url}/${name}`],
    executionRpc: [anvil.url],
    checkpoint: summary.trusted_root,
    storage: "memory",
    pollIntervalMs: 500,
    ...extra,
  });
  providers.push(provider);
  return provider;
}

const hex = (n) => `0x${n.toString(16)}`;

test("one signer right after the bootstrap never sets `latest`", async () => {
  const provider = providerFor("rogue-head");
  const status = await provider.waitSynced(60_000);
  // The rogue header is newer, but signed by one member: the head stays at the checkpoint.
  assert.ok(status.optimisticSlot > status.headSlot, JSON.stringify(status));
  assert.equal(status.head.hash, filled.head.hash);
  assert.equal(status.latestIsFinalized, true);
  assert.equal(await provider.request({ method: "eth_blockNumber" }), hex(filled.head.number));
  const block = await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] });
  assert.equal(block.hash, filled.head.hash);
  const syncing = await provider.request({ method: "eth_syncing" });
  assert.equal(syncing.mana.latestIsFinalized, true, JSON.stringify(syncing));
});

test("one signer never rotates the committee by a forced update, and a stale head stops answering `latest`", async () => {
  const provider = providerFor("rogue-rotation");
  const status = await provider.waitSynced(60_000);
  assert.equal(status.forcedUpdate, false, JSON.stringify(status));
  assert.equal(status.finalized.hash, filled.head.hash);
  assert.equal(status.head.hash, filled.head.hash);
  // The head is hours behind the wall clock: `latest` is refused, `finalized` answers.
  assert.equal(status.headTooOld, true);
  await assert.rejects(
    provider.request({ method: "eth_getBalance", params: [filled.recipient, "latest"] }),
    (e) => e instanceof ProviderRpcError && /behind the wall clock/.test(e.message),
  );
  assert.equal(
    await provider.request({ method: "eth_getBalance", params: [filled.recipient, "finalized"] }),
    await rpc(anvil.url, "eth_getBalance", [filled.recipient, "latest"]),
  );
  const syncing = await provider.request({ method: "eth_syncing" });
  assert.match(syncing.mana.reason, /behind the wall clock/);
});

test("a forced update is never served as `finalized` or `safe`", async () => {
  const provider = providerFor("rogue-forced");
  const status = await provider.waitSynced(60_000);
  assert.equal(status.forcedUpdate, true, JSON.stringify(status));
  assert.ok(status.provenFinalizedSlot < status.finalizedSlot);
  assert.equal(status.finalized.hash, filled.head.hash);
  for (const tag of ["finalized", "safe"]) {
    const block = await provider.request({ method: "eth_getBlockByNumber", params: [tag, false] });
    assert.equal(block.hash, filled.head.hash, tag);
  }
  const syncing = await provider.request({ method: "eth_syncing" });
  assert.equal(syncing.mana.forcedUpdate, true, JSON.stringify(syncing));
});

test("the options refuse a force-update policy weaker than a supermajority", async () => {
  const provider = providerFor("rogue-head", { forceUpdate: "spec" });
  await assert.rejects(provider.waitSynced(30_000), /forceUpdate/);
});
