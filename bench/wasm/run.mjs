// Times Mana's light-client verification compiled to wasm32 under node and, given a fixture
// server, the sync driver catching up a generated mainnet chain over HTTP.
// Usage: node bench/wasm/run.mjs <dir with mana_bench.js from wasm-bindgen --target nodejs>
//        [<beacon-fixture-server URL started with --synthetic-mainnet N>]
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

const dir = path.resolve(process.argv[2] ?? "target/wasm-bench");
const server = process.argv[3];
const require = createRequire(import.meta.url);
const wasm = require(path.join(dir, "mana_bench.js"));

function time(name, fn, iterations) {
  fn(); // warm-up (and, for cached paths, fills the committee cache)
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  console.log(`${name.padEnd(44)} median ${median.toFixed(3)} ms   mean ${mean.toFixed(3)} ms   (n=${iterations})`);
  return median;
}

wasm.setup(0);
const results = {
  blst_full_update_512: time("wasm blst/512_signers/full_update", () => wasm.verify_blst(), 50),
  blst_prepare_committee_512: time("wasm blst/prepare_committee_512", () => wasm.prepare_committee(), 5),
  committee_root: time("wasm hash_tree_root(SyncCommittee 512)", () => wasm.committee_root(), 50),
  blst_hash_to_g2: time("wasm blst/hash_to_g2", () => wasm.hash_to_g2(), 50),
  blst_decode_signature: time("wasm blst/decode_signature (subgroup check)", () => wasm.decode_signature(), 50),
  bls12_381_full_update_512: time("wasm bls12_381/512_signers/full_update", () => wasm.verify_bls12_381(), 5),
};
wasm.setup(24);
results.blst_full_update_488 = time("wasm blst/488_signers/full_update", () => wasm.verify_blst(), 50);

// Stateless verification of the real mainnet blocks ($MANA_FIXTURES/stateless/mainnet).
const fixtures = process.env.MANA_FIXTURES ?? path.resolve("../shared/fixtures");
if (fs.existsSync(path.join(fixtures, "stateless/mainnet"))) {
  const dir = path.join(fixtures, "stateless/mainnet");
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const gas = wasm.stateless_setup(fs.readFileSync(path.join(dir, file)));
    for (const keys of [false, true]) {
      const label = `wasm stateless/${file.replace(".json", "")}/${keys ? "public_keys" : "recover"}`;
      const ms = time(label, () => wasm.stateless_verify(keys), 5);
      console.log(`${" ".repeat(44)} ${(gas / ms / 1000).toFixed(0)} Mgas/s`);
      results[`${label.replace("wasm ", "")}_ms`] = ms;
    }
  }
}

if (server) {
  const cases = await (await fetch(`${server}/cases`)).json();
  const chain = cases.find((c) => c.name.startsWith("synthetic-mainnet-"));
  if (!chain) throw new Error(`${server} serves no generated mainnet chain`);
  const periods = Number(chain.name.split("-")[3]); // synthetic-mainnet-<members>-<periods>-periods
  const run = () =>
    wasm.sync_catch_up(`${server}/${chain.name}`, chain.trusted_root, chain.now_unix_ms, chain.expected_finalized_root);
  await run(); // warm-up (JIT); every run starts from nothing persisted
  const iterations = 3;
  const walls = [];
  const cpus = [];
  let bytes = 0;
  for (let i = 0; i < iterations; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    bytes = await run();
    walls.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1000);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const name = `wasm sync/catch_up_mainnet_${periods}_periods`;
  console.log(
    `${name.padEnd(44)} median ${median(walls).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU, ` +
      `${bytes} bytes (${Math.round(bytes / periods)} per period)   (n=${iterations})`,
  );
  results[`sync_catch_up_mainnet_${periods}_periods_ms`] = median(walls);
  results[`sync_catch_up_mainnet_${periods}_periods_cpu_ms`] = median(cpus);
  results[`sync_catch_up_mainnet_${periods}_periods_bytes`] = bytes;
}
console.log(JSON.stringify(results));
