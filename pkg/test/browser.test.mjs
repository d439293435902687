// @mana/client in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
// browser download): the web app (`web/`) syncs against Anvil and Mana's fixture Beacon API
// server, shows the verified head and a verified balance, resumes from IndexedDB after a reload
// without a checkpoint, and the package runs in a module Web Worker. Prints the time to the
// first verified head and the JS heap after sync, and takes `web/screenshot.png`.
//
// The fixture server sends no CORS headers, so the page reaches it through the static server
// (`/beacon/` proxy, same origin); Anvil answers CORS itself and is called directly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { serve } from "../../web/serve.mjs";
import { startAnvil, fillAnvil, startBeaconServer, rpc, root, fixtures, CHROMIUM, CHROMIUM_ARGS } from "./harness.mjs";

// The README's screenshot is refreshed only on request (MANA_UPDATE_SCREENSHOT=1); otherwise it
// goes to the temp directory, so a test run leaves the tree unchanged.
const SCREENSHOT = process.env.MANA_UPDATE_SCREENSHOT
  ? path.join(root, "web/screenshot.png")
  : path.join(os.tmpdir(), "mana-web-screenshot.png");

let anvil, beacon, filled, server, context, profile, page;
const pageErrors = [];

/** The web app's URL with its settings in the query string. */
function appUrl({ checkpoint = true } = {}) {
  const q = new URLSearchParams({ network: JSON.stringify(beacon.network) });
  q.append("beacon", `${server.url}/beacon/live`);
  q.append("rpc", anvil.url);
  if (checkpoint) q.set("checkpoint", beacon.checkpoint);
  q.set("storage", "indexeddb");
  q.set("address", filled.recipient);
  q.set("to", filled.contract);
  q.set("connect", "1");
  return `${server.url}/web/?${q}`;
}

/** Waits until the app shows phase `synced` (or fails fast on `failed`). */
async function waitSynced(p) {
  await p.waitForFunction(() => ["synced", "failed"].includes(document.body.dataset.phase), null, { timeout: 30_000 });
  const phase = await p.evaluate(() => document.body.dataset.phase);
  assert.equal(phase, "synced", `app phase ${phase}: ${await p.textContent("#progress-text")}\n${pageErrors.join("\n")}`);
}

before(async () => {
  anvil = await startAnvil();
  filled = await fillAnvil(anvil.url);
  beacon = await startBeaconServer(filled.head);
  server = await serve({ root, proxies: { "/beacon/": `${beacon.url}/` } });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "mana-chromium-"));
  // A persistent profile: IndexedDB survives the reload below like it would across visits.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [...CHROMIUM_ARGS, "--enable-precise-memory-info"],
  });
  // Test instrumentation: keep the wasm instance's linear memory to report its size.
  await context.addInitScript(() => {
    for (const name of ["instantiateStreaming", "instantiate"]) {
      const original = WebAssembly[name];
      WebAssembly[name] = async (...args) => {
        const result = await original.apply(WebAssembly, args);
        const memory = (result.instance ?? result).exports?.memory;
        if (memory instanceof WebAssembly.Memory) globalThis.__wasmMemory = memory;
        return result;
      };
    }
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(`console: ${m.text()}`));
});

after(async () => {
  await context?.close().catch(() => {});
  await server?.close();
  beacon?.stop();
  anvil?.stop();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

test("the web app syncs, shows the verified head and a verified balance", { timeout: 60_000 }, async () => {
  await page.goto(appUrl());
  await waitSynced(page);
  assert.equal(await page.textContent("#head-hash"), filled.head.hash);
  assert.equal(await page.textContent("#head-number"), `#${filled.head.number}`);
  assert.equal(await page.textContent("#finalized-hash"), filled.head.hash);
  assert.equal(await page.evaluate(() => window.mana.trust), "bootstrapped");
  assert.match(await page.textContent("#trust"), /Bootstrapped from checkpoint/);

  // (d) time to the first verified head (createManaProvider → waitSynced, in the page), and
  // memory after sync.
  const { start, synced } = await page.evaluate(() => window.mana.timings);
  const firstHeadMs = Math.round(synced - start);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const heapUsed = metrics.find((m) => m.name === "JSHeapUsedSize").value;
  const pageHeap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
  const wasmMemory = await page.evaluate(() => globalThis.__wasmMemory?.buffer.byteLength ?? null);
  await cdp.detach();
  const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
  console.log(
    `browser: first verified head ${firstHeadMs} ms, heap ${mb(heapUsed)} MB` +
      ` (performance.memory ${pageHeap === null ? "n/a" : `${mb(pageHeap)} MB`},` +
      ` wasm linear memory ${wasmMemory === null ? "n/a" : `${mb(wasmMemory)} MB`})`,
  );
  assert.ok(firstHeadMs > 0 && firstHeadMs < 30_000);

  // A verified balance equal to Anvil's.
  const expected = await rpc(anvil.url, "eth_getBalance", [filled.recipient, "latest"]);
  await page.click("#balance-form button");
  await page.waitForSelector("#balance-result .ok, #balance-result .error");
  assert.equal(await page.getAttribute("#balance-result", "data-wei"), expected, await page.textContent("#balance-result"));
  assert.match(await page.textContent("#balance-result"), /^1 ETH/);

  // eth_call, executed on verified state.
  await page.click("#call-form button");
  await page.waitForSelector("#call-result .ok, #call-result .error");
  assert.match(await page.textContent("#call-result"), new RegExp(`0x${"0".repeat(62)}2a`));

  // An EIP-1193 error is shown with its code.
  await page.fill("#address", "0x12");
  await page.click("#balance-form button");
  await page.waitForSelector("#balance-result .error");
  assert.match(await page.textContent("#balance-result .error strong"), /^Error -32602: Invalid params/);
  await page.fill("#address", filled.recipient);
  await page.click("#balance-form button");
  await page.waitForSelector("#balance-result .ok");

  // Verify a real mainnet block from a file, in the page.
  const dir = path.join(fixtures, "stateless/mainnet");
  const file = path.join(dir, fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()[0]);
  await page.setInputFiles("#block-file", file);
  await page.click("#verify-form button");
  await page.waitForSelector("#verify-result[data-valid]", { timeout: 30_000 });
  assert.equal(await page.getAttribute("#verify-result", "data-valid"), "true", await page.textContent("#verify-result"));
  assert.match(await page.textContent("#verify-result"), new RegExp(`Valid: block #${Number(path.basename(file).split("_")[1]).toLocaleString("en-US")}`));

  // (e) the screenshot for web/README.md.
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.deepEqual(pageErrors, []);
});

test("a reload without the checkpoint resumes from IndexedDB", { timeout: 60_000 }, async () => {
  const url = appUrl({ checkpoint: false });
  assert.ok(!new URL(url).searchParams.has("checkpoint"));
  await page.goto(url);
  await waitSynced(page);
  const types = await page.evaluate(() => window.mana.events.map((e) => e.type));
  assert.ok(types.includes("resumed"), `events: ${types}`);
  assert.ok(!types.includes("bootstrapped"), `events: ${types}`);
  assert.equal(await page.evaluate(() => window.mana.trust), "resumed");
  assert.equal(await page.textContent("#head-hash"), filled.head.hash);
  const { start, synced } = await page.evaluate(() => window.mana.timings);
  console.log(`browser: resumed from IndexedDB, first verified head ${Math.round(synced - start)} ms`);
});

test("the package runs in a module Web Worker (IndexedDB storage)", { timeout: 60_000 }, async () => {
  const worker = await context.newPage();
  try {
    await worker.goto(`${server.url}/web/README.md`); // any same-origin document
    const options = {
      network: beacon.network,
      beaconApi: [`${server.url}/beacon/live`],
      executionRpc: [anvil.url],
      checkpoint: beacon.checkpoint,
      storage: "indexeddb",
      databaseName: "mana-worker-test",
    };
    const source = `
      import { createManaProvider } from "${server.url}/pkg/dist/web/index.js";
      self.onmessage = async ({ data: { options, address } }) => {
        try {
          const start = performance.now();
          const provider = createManaProvider(options);
          const events = [];
          provider.on("event", (e) => events.push(e.type));
          const status = await provider.waitSynced(30000);
          const ms = performance.now() - start;
          const balance = await provider.request({ method: "eth_getBalance", params: [address, "latest"] });
          await provider.shutdown();
          postMessage({ ok: true, balance, head: status.head, ms, events, isWorker: typeof window === "undefined" });
        } catch (e) {
          postMessage({ ok: false, code: e.code, message: String(e.message ?? e) });
        }
      };
      postMessage({ ready: true });`;
    const answer = await worker.evaluate(
      ({ source, options, address }) =>
        new Promise((resolve, reject) => {
          const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
          const w = new Worker(url, { type: "module" });
          w.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
          w.onmessage = ({ data }) => {
            if (data.ready) w.postMessage({ options, address });
            else (w.terminate(), resolve(data));
          };
        }),
      { source, options, address: filled.recipient },
    );
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.isWorker, true);
    assert.equal(answer.head.hash, filled.head.hash);
    assert.ok(answer.events.includes("bootstrapped"), answer.events.join());
    assert.equal(answer.balance, await rpc(anvil.url, "eth_getBalance", [filled.recipient, "latest"]));
    console.log(`browser: worker first verified head ${Math.round(answer.ms)} ms`);
  } finally {
    await worker.close();
  }
});
