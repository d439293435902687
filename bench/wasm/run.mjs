// Times Mana's light-client verification, stateless and verkle verification compiled to wasm32
// under node and, given a fixture server, the sync driver catching up a generated mainnet chain
// over HTTP.
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

// Verkle (EIP-6800): the Kaustinen-6 block-72 witness ($MANA_FIXTURES/verkle/witness), synthetic
// multiproofs of 1,000 and 16,000 openings (proved in setup, not timed), tree keys, a commitment
// update from a leaf to the root, and building the CRS tables.
if (fs.existsSync(path.join(fixtures, "verkle/witness/index.json"))) {
  const vdir = path.join(fixtures, "verkle/witness");
  const index = JSON.parse(fs.readFileSync(path.join(vdir, "index.json"), "utf8"));
  const block = index.cases.find((c) => c.expect_pre_state_proof_valid === true);
  wasm.verkle_setup(fs.readFileSync(path.join(vdir, block.file)), block.pre_state_root, block.post_state_root_in_header);
  results.verkle_block72_decode_verify_pre_and_post_ms = time("wasm verkle/block72/decode_verify_pre_and_post", () => wasm.verkle_verify_block72(), 30);
  results.verkle_block72_verify_pre_state_ms = time("wasm verkle/block72/verify_pre_state", () => wasm.verkle_verify_block72_pre_state(), 30);
  for (const n of [1000, 16000]) {
    wasm.verkle_setup_openings(n);
    const iterations = n > 1000 ? 5 : 15;
    results[`verkle_verify_${n}_openings_ms`] = time(`wasm verkle/multiproof/verify_${n}_openings`, () => wasm.verkle_openings(), iterations);
    results[`verkle_decode_and_verify_${n}_openings_ms`] = time(`wasm verkle/multiproof/decode_and_verify_${n}_openings`, () => wasm.verkle_decode_openings(), iterations);
  }
  // 1,000 keys per sample: the median in ms is the time per key in µs.
  const keyUs = time("wasm verkle/tree_key (x1000)", () => { for (let i = 0; i < 1000; i++) wasm.verkle_tree_key(); }, 10);
  console.log(`${" ".repeat(44)} ${keyUs.toFixed(2)} us per key`);
  results.verkle_tree_key_us = keyUs;
  const cachedUs = time("wasm verkle/tree_key_cached_address (x1000)", () => wasm.verkle_tree_keys_cached_1000(), 10);
  console.log(`${" ".repeat(44)} ${cachedUs.toFixed(2)} us per key`);
  results.verkle_tree_key_cached_address_us = cachedUs;
  const updateMs = time("wasm verkle/commitment_update (x100)", () => { for (let i = 0; i < 100; i++) wasm.verkle_commitment_update(); }, 10);
  console.log(`${" ".repeat(44)} ${(updateMs * 10).toFixed(1)} us per update`);
  results.verkle_commitment_update_leaf_to_root_us = updateMs * 10;
  results.verkle_crs_new_ms = time("wasm verkle/crs_new", () => wasm.verkle_crs_new(), 10);
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
