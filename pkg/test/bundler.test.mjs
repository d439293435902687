// @mana/client through real bundlers, as a dapp gets it: `npm pack` the built package, install
// the tarball with webpack 5, Vite and esbuild (the versions pinned in this package's
// devDependencies) into a copy of fixtures/bundler/, build its page with each, serve the output
// (and Vite's dev server), and run it in headless Debian Chromium (playwright-core) against
// Anvil and the fixture Beacon API server: the page reaches a verified head, its verified
// balance and block number equal Anvil's, the client wasm comes from the emitted asset and the
// verifier wasm only on the first `verifyBlock`, which then verifies a real mainnet block.
// esbuild leaves the wasm URLs alone: its ES module bundle finds the copied wasm files next to
// itself, its IIFE bundle is given a relative `wasmUrl` (fixtures/bundler/esbuild.mjs).
//
// The fixture server sends no CORS headers, so pages reach it through their own origin (`/beacon/`,
// proxied by web/serve.mjs or Vite's dev server); Anvil answers CORS itself and is called directly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "../../web/serve.mjs";
import { startAnvil, fillAnvil, startBeaconServer, rpc, freePort, fixtures, CHROMIUM, CHROMIUM_ARGS } from "./harness.mjs";

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const BUNDLERS = ["webpack", "webpack-cli", "vite", "esbuild"];

// A real mainnet block with its execution witness, for `verifyBlock` in the page.
const blockDir = path.join(fixtures, "stateless/mainnet");
const blockFile = path.join(blockDir, fs.readdirSync(blockDir).filter((f) => f.endsWith(".json")).sort()[0]);

let dir, app, anvil, filled, beacon, browser;
const children = [];

/** Kills a child this test started, by PID (once). */
function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, "SIGKILL");
  } catch (error) {
    if (error.code !== "ESRCH") throw error;
  }
}

const sha256 = (file) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
// The package's wasm files, which every build must ship byte for byte.
const WASM = Object.fromEntries(
  ["mana_bg.wasm", "mana_verify_bg.wasm"].map((f) => [f, sha256(path.join(pkgDir, "dist/wasm/web", f))]),
);

/** Every file under `root`, relative. */
function files(root) {
  return fs.readdirSync(root, { recursive: true }).filter((f) => fs.statSync(path.join(root, f)).isFile());
}

/** Runs a bundler's command in the app and returns its output (throws with it on failure). */
function build(args) {
  const started = Date.now();
  try {
    execFileSync(process.execPath, args, { cwd: app, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    throw new Error(`${args.join(" ")} failed:\n${error.stdout}${error.stderr}`);
  }
  return Date.now() - started;
}

/**
 * Checks a build's output: both wasm files emitted unchanged (under whatever name the bundler
 * gives them) and the bundle referring to the client's. Returns the client's emitted path.
 */
function checkOutput(out) {
  const list = files(out);
  const emitted = {};
  for (const file of list.filter((f) => f.endsWith(".wasm"))) {
    const name = Object.keys(WASM).find((n) => WASM[n] === sha256(path.join(out, file)));
    assert.ok(name, `${file}: not one of the package's wasm files`);
    emitted[name] = file.split(path.sep).join("/");
  }
  assert.deepEqual(Object.keys(emitted).sort(), Object.keys(WASM).sort(), `wasm files in ${out}: ${list.join(", ")}`);
  const js = list.filter((f) => f.endsWith(".js")).map((f) => fs.readFileSync(path.join(out, f), "utf8")).join("\n");
  assert.ok(js.includes(path.posix.basename(emitted["mana_bg.wasm"])), "the bundle refers to the emitted client wasm");
  assert.ok(!js.includes("readFileSync"), "no node build in the bundle");
  return emitted;
}

/**
 * Opens the page at `base` in a fresh browser context, waits for its verified answers, then
 * verifies a mainnet block in it. `expected` = the emitted wasm paths (relative to `base`).
 */
async function runPage(base, expected, extra = {}) {
  const context = await browser.newContext();
  const errors = [];
  const wasm = [];
  try {
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
    page.on("response", (r) => {
      if (new URL(r.url()).pathname.endsWith(".wasm")) wasm.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()["content-type"] });
    });
    await page.route("**/block.json", (route) => route.fulfill({ path: blockFile, contentType: "application/json" }));
    const q = new URLSearchParams({
      network: JSON.stringify(beacon.network),
      beacon: "/beacon/live",
      rpc: anvil.url,
      checkpoint: beacon.checkpoint,
      address: filled.recipient,
      ...extra,
    });
    const started = Date.now();
    await page.goto(`${base}/?${q}`);
    const result = await page.evaluate(() => window.mana.result);
    const syncedMs = Date.now() - started;
    assert.equal(result.error, undefined, `${JSON.stringify(result.error)}\n${errors.join("\n")}`);
    assert.equal(result.head.hash, filled.head.hash);
    assert.equal(result.balance, await rpc(anvil.url, "eth_getBalance", [filled.recipient, "latest"]));
    assert.equal(result.blockNumber, await rpc(anvil.url, "eth_blockNumber"));
    assert.match(await page.textContent("#out"), /balance of 0x[0-9a-f]{40}: 1000000000000000000 wei \(verified\)/);

    // The client wasm came from the emitted asset; the verifier's is not fetched yet.
    const prefix = new URL(base).pathname.replace(/\/$/, "");
    assert.deepEqual(wasm, [{ path: `${prefix}/${expected["mana_bg.wasm"]}`, status: 200, type: "application/wasm" }]);

    const verifyStarted = Date.now();
    const verdict = await page.evaluate(() => window.mana.verify("block.json"));
    const verifyMs = Date.now() - verifyStarted;
    assert.equal(verdict.valid, true, JSON.stringify(verdict));
    assert.equal(verdict.number, Number(path.basename(blockFile).split("_")[1]));
    assert.deepEqual(wasm[1], { path: `${prefix}/${expected["mana_verify_bg.wasm"]}`, status: 200, type: "application/wasm" });
    assert.deepEqual(errors, []);
    return { syncedMs, verifyMs };
  } finally {
    await context.close();
  }
}

/** Serves a build's output (with the Beacon API proxied under /beacon/) and runs the page. */
async function servePage(out, expected, extra) {
  const server = await serve({ root: out, proxies: { "/beacon/": `${beacon.url}/` } });
  try {
    return await runPage(server.url, expected, extra);
  } finally {
    await server.close();
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mana-bundler-"));
  const packed = JSON.parse(
    execFileSync(npm, ["pack", "--json", "--pack-destination", dir], { cwd: pkgDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
  );
  app = path.join(dir, "app");
  fs.cpSync(path.join(pkgDir, "fixtures/bundler"), app, { recursive: true });
  const { devDependencies } = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const started = Date.now();
  execFileSync(
    npm,
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      path.join(dir, packed[0].filename),
      ...BUNDLERS.map((name) => `${name}@${devDependencies[name]}`),
    ],
    { cwd: app, stdio: ["ignore", "ignore", "pipe"] },
  );
  console.log(`bundler: npm install of the tarball and ${BUNDLERS.join(", ")} ${Date.now() - started} ms`);

  anvil = await startAnvil();
  filled = await fillAnvil(anvil.url);
  beacon = await startBeaconServer(filled.head);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}, { timeout: 180_000 });

after(async () => {
  await browser?.close().catch(() => {});
  children.forEach(kill);
  beacon?.stop();
  anvil?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("webpack 5: emits both wasm assets, no configuration; the page syncs and verifies", { timeout: 60_000 }, async () => {
  const ms = build(["node_modules/webpack-cli/bin/cli.js"]);
  const out = path.join(app, "dist/webpack");
  const emitted = checkOutput(out);
  const { syncedMs, verifyMs } = await servePage(out, emitted);
  console.log(`bundler: webpack build ${ms} ms, ${JSON.stringify(emitted)}; verified head ${syncedMs} ms, verifyBlock ${verifyMs} ms`);
});

test("vite build: emits both wasm assets, no configuration; the page syncs and verifies", { timeout: 60_000 }, async () => {
  const ms = build(["node_modules/vite/bin/vite.js", "build", "--logLevel", "warn"]);
  const out = path.join(app, "dist/vite");
  const emitted = checkOutput(out);
  const { syncedMs, verifyMs } = await servePage(out, emitted);
  console.log(`bundler: vite build ${ms} ms, ${JSON.stringify(emitted)}; verified head ${syncedMs} ms, verifyBlock ${verifyMs} ms`);
});

test("vite dev server: the page syncs and verifies", { timeout: 60_000 }, async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ["node_modules/vite/bin/vite.js", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: app,
    env: { ...process.env, MANA_BEACON_URL: beacon.url, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  try {
    let log = "";
    child.stderr.on("data", (chunk) => (log += chunk));
    await new Promise((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        log += chunk;
        if (log.replace(/\x1b\[[0-9;]*m/g, "").includes(`http://127.0.0.1:${port}/`)) resolve();
      });
      child.on("exit", (code) => reject(new Error(`vite exited with ${code}:\n${log}`)));
    });
    // Served from the package in node_modules (Vite's dependency optimizer rewrites the URL).
    const client = "node_modules/@mana/client/dist/wasm/web/mana_bg.wasm";
    const verifier = "node_modules/@mana/client/dist/wasm/web/mana_verify_bg.wasm";
    const { syncedMs, verifyMs } = await runPage(`http://127.0.0.1:${port}`, { "mana_bg.wasm": client, "mana_verify_bg.wasm": verifier });
    console.log(`bundler: vite dev verified head ${syncedMs} ms, verifyBlock ${verifyMs} ms`);
  } finally {
    kill(child);
  }
});

// Both esbuild outputs come from one run of the fixture's script.
let esbuildMs;
const buildEsbuild = () => (esbuildMs ??= build(["esbuild.mjs"]));

test("esbuild (ES module output, wasm files copied next to it): the page syncs and verifies", { timeout: 60_000 }, async () => {
  const ms = buildEsbuild();
  const out = path.join(app, "dist/esbuild");
  const emitted = checkOutput(out);
  const { syncedMs, verifyMs } = await servePage(out, emitted);
  console.log(`bundler: esbuild build (esm + iife) ${ms} ms, ${JSON.stringify(emitted)}; verified head ${syncedMs} ms, verifyBlock ${verifyMs} ms`);
});

test("esbuild IIFE (no import.meta.url): the page passes a relative wasmUrl; syncs and verifies", { timeout: 60_000 }, async () => {
  buildEsbuild();
  const out = path.join(app, "dist/esbuild-iife");
  const emitted = checkOutput(out);
  const { syncedMs, verifyMs } = await servePage(out, emitted, { wasmUrl: "mana_bg.wasm" });
  console.log(`bundler: esbuild iife verified head ${syncedMs} ms, verifyBlock ${verifyMs} ms`);
});
