// @mana/client in a Manifest V3 module service worker (no window, no localStorage, no top-level
// await), in headless Chromium with Debian's /usr/bin/chromium: an unpacked test extension
// (fixtures/mv3 + the built dist/) syncs against Mana's fixture Beacon API server and answers a
// verified balance equal to Anvil's. The extension's host permission lets the worker reach the
// local servers without CORS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startAnvil, fillAnvil, startBeaconServer, rpc, CHROMIUM, CHROMIUM_ARGS } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

let anvil, beacon, filled, context, profile, extension;

before(async () => {
  anvil = await startAnvil();
  filled = await fillAnvil(anvil.url);
  beacon = await startBeaconServer(filled.head);
  extension = fs.mkdtempSync(path.join(os.tmpdir(), "mana-mv3-"));
  fs.cpSync(path.join(here, "../fixtures/mv3"), extension, { recursive: true });
  fs.cpSync(path.join(here, "../dist"), path.join(extension, "dist"), { recursive: true });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), "mana-mv3-profile-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: ["--disable-extensions"],
    args: [
      `--disable-extensions-except=${extension}`,
      `--load-extension=${extension}`,
      ...CHROMIUM_ARGS,
    ],
  });
});

after(async () => {
  await context?.close();
  beacon?.stop();
  anvil?.stop();
  for (const dir of [extension, profile]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the package syncs and answers verified requests in an MV3 service worker", async () => {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent("serviceworker", { timeout: 20_000 }));
  assert.match(worker.url(), /^chrome-extension:\/\/[a-p]{32}\/sw\.js$/);
  const result = await worker.evaluate((config) => self.manaCheck(config), {
    network: beacon.network,
    beaconApi: [beacon.beaconApi],
    executionRpc: [anvil.url],
    checkpoint: beacon.checkpoint,
    address: filled.recipient,
  });
  assert.equal(result.hasWindow, false);
  assert.equal(result.head.hash, filled.head.hash);
  assert.equal(result.balance, await rpc(anvil.url, "eth_getBalance", [filled.recipient, "latest"]));
  assert.equal(result.unsupported, 4200);
  console.log(`mv3 service worker: first verified head and balance in ${result.ms.toFixed(0)} ms`);
});
