// Real parts for the package's tests: an Anvil execution node (npm, installed by
// `cargo xtask setup`) and Mana's fixture Beacon API server serving a light-client chain whose
// head vouches for Anvil's head block. Both are started here and stopped by their own PIDs.
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../..");

/** Where `cargo xtask setup` installed Anvil (tests/execution). */
export const executionNodeDir =
  process.env.MANA_EXECUTION_NODE_DIR ?? path.join(os.homedir(), ".cache/mana/execution-node");

/** The built `beacon-fixture-server` (`cargo build -p mana-tests --bin beacon-fixture-server`). */
export const fixtureServerBin =
  process.env.MANA_FIXTURE_SERVER_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, "target"), "debug/beacon-fixture-server");

/** The shared fixtures (`$MANA_FIXTURES`, else `../shared/fixtures`). */
export const fixtures = process.env.MANA_FIXTURES ?? path.resolve(root, "../shared/fixtures");

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, what) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.on("connect", () => (socket.destroy(), resolve(true)));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on port ${port}`);
}

/** A JSON-RPC call. */
export async function rpc(url, method, params = []) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** Starts Anvil on a free port; `stop()` kills it by PID. */
export async function startAnvil() {
  const bin = path.join(executionNodeDir, "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
  if (!fs.existsSync(bin)) throw new Error(`no Anvil at ${bin}: run cargo xtask setup`);
  const port = await freePort();
  const child = spawn(bin, ["--host", "127.0.0.1", "--port", String(port), "--silent"], { stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await waitForPort(port, child, "anvil");
  return { url, pid: child.pid, stop: () => process.kill(child.pid, "SIGKILL") };
}

// Anvil's first dev account and a tiny contract whose code returns 42 for any call.
export const DEV_ACCOUNT = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
const RUNTIME = "602a60005260206000f3";
const INIT = `0x600a600c600039600a6000f3${RUNTIME}`;

/** Sends a value transfer and deploys the contract (Anvil signs for its dev account). */
export async function fillAnvil(url) {
  const recipient = "0x00000000000000000000000000000000000a11ce";
  const transfer = await rpc(url, "eth_sendTransaction", [
    { from: DEV_ACCOUNT, to: recipient, value: "0xde0b6b3a7640000" },
  ]);
  const deploy = await rpc(url, "eth_sendTransaction", [{ from: DEV_ACCOUNT, data: INIT }]);
  // Anvil mines on send, but the receipt can trail the answer by a moment.
  let receipt = null;
  for (let i = 0; i < 100 && !receipt; i++) {
    receipt = await rpc(url, "eth_getTransactionReceipt", [deploy]);
    if (!receipt) await new Promise((r) => setTimeout(r, 50));
  }
  if (!receipt) throw new Error(`no receipt for the deployment ${deploy}`);
  const head = await rpc(url, "eth_getBlockByNumber", ["latest", false]);
  return { recipient, transfer, contract: receipt.contractAddress, head: { number: Number(head.number), hash: head.hash } };
}

/** Starts the fixture Beacon API server with a live chain vouching for `block`. */
export async function startBeaconServer(block, chainId = 31337, extraArgs = []) {
  if (!fs.existsSync(fixtureServerBin)) {
    throw new Error(`no fixture server at ${fixtureServerBin}: cargo build -p mana-tests --bin beacon-fixture-server`);
  }
  const args = ["0", "--live-chain", "2", "--execution-block", `${block.number}:${block.hash}`, "--chain-id", String(chainId), ...extraArgs];
  const child = spawn(fixtureServerBin, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, MANA_FIXTURES: fixtures } });
  const url = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (chunk) => {
      text += chunk;
      const match = /listening on (\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`fixture server exited with ${code}`)));
  });
  const cases = await (await fetch(`${url}/cases`)).json();
  const live = cases.find((c) => c.name === "live");
  return {
    url,
    beaconApi: `${url}/live`,
    network: {
      name: "live",
      configYaml: live.config_yaml,
      genesisTime: live.genesis_time,
      genesisValidatorsRoot: live.genesis_validators_root,
    },
    checkpoint: live.trusted_root,
    cases,
    stop: () => process.kill(child.pid, "SIGKILL"),
  };
}

/**
 * Anvil with the test transactions, and the fixture Beacon API server vouching for its head:
 * `{ anvil, filled, beacon, options(extra), stop() }`, where `options` are provider options for
 * node (memory storage, the live chain's checkpoint).
 */
export async function startLiveChain() {
  const anvil = await startAnvil();
  try {
    const filled = await fillAnvil(anvil.url);
    const beacon = await startBeaconServer(filled.head);
    const options = (extra = {}) => ({
      network: beacon.network,
      beaconApi: [beacon.beaconApi],
      executionRpc: [anvil.url],
      checkpoint: beacon.checkpoint,
      storage: "memory",
      pollIntervalMs: 500,
      ...extra,
    });
    const stop = () => {
      beacon.stop();
      anvil.stop();
    };
    return { anvil, filled, beacon, options, stop };
  } catch (e) {
    anvil.stop();
    throw e;
  }
}

/**
 * A JSON-RPC proxy in front of `upstream` that rewrites answers with `tamper(method, result)`.
 * `stop()` closes it.
 */
export async function startTamperingProxy(upstream, tamper) {
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const request = JSON.parse(body);
    const forward = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    let answer = await forward.json();
    const fix = (reqItem, ansItem) =>
      ansItem && ansItem.result !== undefined ? { ...ansItem, result: tamper(reqItem.method, ansItem.result, reqItem.params) } : ansItem;
    answer = Array.isArray(request) ? answer.map((a) => fix(request.find((r) => r.id === a.id) ?? {}, a)) : fix(request, answer);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(answer));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() };
}

/** Debian's Chromium (never a downloaded browser), and the flags every test launches it with. */
export const CHROMIUM = process.env.MANA_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-quic",
  "--disable-sync",
];
