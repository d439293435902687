// viem and ethers, unchanged, against Mana's verified JSON-RPC endpoint: every read is made
// through Mana and straight against the execution node, and the answers must be equal.
//
// Usage: node clients.mjs <mana URL> <node URL> <scenario JSON file> [subscriptions]
// With "subscriptions" (Mana must be following the node's head), viem also subscribes to
// newHeads and logs over Mana's WebSocket, sends transactions to the node, and checks that the
// notifications name the node's blocks and logs.
// Prints one JSON line: {"checks": N, "mismatches": [...], "errors": [...]}.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.env.MANA_EXECUTION_NODE_DIR ?? here, "package.json"));
const viem = require("viem");
const { foundry } = require("viem/chains");
const ethers = require("ethers");

const [manaUrl, nodeUrl, scenarioFile] = process.argv.slice(2);
const made = JSON.parse(fs.readFileSync(scenarioFile, "utf8"));
const [alice, bob] = made.accounts;
const { token, emitter, quoter, pairs } = made.contracts;

// Bigints as strings, object keys sorted (the two servers order fields differently).
const normalize = (v) =>
  JSON.parse(
    JSON.stringify(v, (_, x) => {
      if (typeof x === "bigint") return x.toString();
      if (x && typeof x === "object" && !Array.isArray(x)) {
        return Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]]));
      }
      return x;
    }),
  );
const result = { checks: 0, mismatches: [], errors: [] };

// Where Anvil 1.7.1 departs from the execution-apis definitions (see tests/tests/anvil.rs):
// it writes a receipt's blockTimestamp as a JSON number, and its block `size` leaves out the
// empty withdrawals list (one byte), and it gives every receipt a blobGasPrice (execution-apis
// `ReceiptInfo`: only blob transactions have one). totalDifficulty is not committed to by
// post-merge headers, so Mana leaves it out.
const anvilQuirk = (key, ours, theirs, parent) =>
  (key === "blobGasPrice" && (ours === undefined || ours === null) && parent?.type !== "eip4844" &&
    parent?.type !== 3 && parent?.type !== "0x3") ||
  (key === "blockTimestamp" && typeof theirs === "number" && Number(ours) === theirs) ||
  (key === "size" && Array.isArray(parent?.withdrawals) && parent.withdrawals.length === 0 &&
    BigInt(ours) === BigInt(theirs) + 1n) ||
  (key === "totalDifficulty" && (ours === undefined || ours === null));

function diff(at, a, b, out, key, parentA) {
  if (a && b && typeof a === "object" && typeof b === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(`${at}.${k}`, a[k], b[k], out, k, a);
  } else if (a !== b && !anvilQuirk(key, a, b, parentA)) {
    out.push(`${at}: mana ${JSON.stringify(a)?.slice(0, 120)} node ${JSON.stringify(b)?.slice(0, 120)}`);
  }
}

async function same(label, run) {
  result.checks += 1;
  try {
    const [ours, theirs] = await Promise.all([run(manaUrl), run(nodeUrl)]);
    const differences = [];
    diff("", normalize(ours), normalize(theirs), differences);
    if (differences.length) result.mismatches.push({ label, differences: differences.slice(0, 5) });
  } catch (e) {
    result.errors.push({ label, error: String(e.shortMessage ?? e.message ?? e).slice(0, 300) });
  }
}

const viemClient = (url) => viem.createPublicClient({ chain: foundry, transport: viem.http(url) });
const ethersProvider = (url) =>
  new ethers.JsonRpcProvider(url, 31337, { staticNetwork: true, batchMaxCount: 1 });
const erc20 = viem.parseAbi([
  "function balanceOf(address) view returns (uint256)",
  "function totalSupply() view returns (uint256)",
  "function name() view returns (string)",
]);
const quoterAbi = viem.parseAbi(["function quote(address[] pairs, uint256 amountIn) view returns (uint256)"]);
const receiptHash = made.transactions[3];
const head = made.head;

// viem
await same("viem getBlockNumber", (u) => viemClient(u).getBlockNumber());
await same("viem getChainId", (u) => viemClient(u).getChainId());
await same("viem getBalance", (u) => viemClient(u).getBalance({ address: alice }));
await same("viem getBalance at block 2", (u) => viemClient(u).getBalance({ address: bob, blockNumber: 2n }));
await same("viem getTransactionCount", (u) => viemClient(u).getTransactionCount({ address: alice }));
await same("viem getCode", (u) => viemClient(u).getCode({ address: token }));
await same("viem getStorageAt", (u) => viemClient(u).getStorageAt({ address: token, slot: "0x2" }));
await same("viem getBlock full", (u) => viemClient(u).getBlock({ blockNumber: 5n, includeTransactions: true }));
await same("viem getBlock latest", (u) => viemClient(u).getBlock());
await same("viem getTransaction", (u) => viemClient(u).getTransaction({ hash: receiptHash }));
await same("viem getTransactionReceipt", (u) => viemClient(u).getTransactionReceipt({ hash: receiptHash }));
await same("viem getLogs", (u) => viemClient(u).getLogs({ address: emitter, fromBlock: 0n, toBlock: BigInt(head) }));
await same("viem getFeeHistory", (u) =>
  viemClient(u).getFeeHistory({ blockCount: 4, blockTag: "latest", rewardPercentiles: [25, 75] }),
);
await same("viem getProof", (u) => viemClient(u).getProof({ address: token, storageKeys: [viem.pad("0x2")] }));
await same("viem readContract balanceOf", (u) =>
  viemClient(u).readContract({ address: token, abi: erc20, functionName: "balanceOf", args: [bob] }),
);
await same("viem readContract name", (u) => viemClient(u).readContract({ address: token, abi: erc20, functionName: "name" }));
await same("viem readContract quote", (u) =>
  viemClient(u).readContract({ address: quoter, abi: quoterAbi, functionName: "quote", args: [pairs, 10n ** 18n] }),
);
await same("viem estimateGas", (u) =>
  viemClient(u).estimateGas({ account: alice, to: bob, value: 1n }),
);

// ethers
await same("ethers getBlockNumber", (u) => ethersProvider(u).getBlockNumber());
await same("ethers getBalance", (u) => ethersProvider(u).getBalance(alice));
await same("ethers getTransactionCount", (u) => ethersProvider(u).getTransactionCount(bob));
await same("ethers getCode", (u) => ethersProvider(u).getCode(emitter));
await same("ethers getStorage", (u) => ethersProvider(u).getStorage(token, 2n));
await same("ethers getBlock", (u) => ethersProvider(u).getBlock(3, true).then((b) => b.toJSON()));
await same("ethers getTransactionReceipt", (u) => ethersProvider(u).getTransactionReceipt(receiptHash).then((r) => r.toJSON()));
await same("ethers getLogs", (u) =>
  ethersProvider(u).getLogs({ address: token, fromBlock: 0, toBlock: head }).then((l) => l.map((x) => x.toJSON())),
);
await same("ethers call totalSupply", (u) =>
  new ethers.Contract(token, ["function totalSupply() view returns (uint256)"], ethersProvider(u)).totalSupply(),
);
await same("ethers getFeeData", (u) => ethersProvider(u).getBlock("latest").then((b) => b.baseFeePerGas));

if (process.argv[5] === "subscriptions") {
  const { privateKeyToAccount } = require("viem/accounts");
  const wsUrl = manaUrl.replace(/^http/, "ws");
  const ws = viem.createPublicClient({ chain: foundry, transport: viem.webSocket(wsUrl) });
  const node = viem.createPublicClient({ chain: foundry, transport: viem.http(nodeUrl) });
  const wallet = viem.createWalletClient({
    account: privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
    chain: foundry,
    transport: viem.http(nodeUrl),
  });
  const heads = [];
  const logs = [];
  const stopHeads = ws.watchBlocks({ onBlock: (b) => heads.push(b), onError: (e) => result.errors.push({ label: "watchBlocks", error: String(e) }) });
  const stopLogs = ws.watchEvent({ address: emitter, onLogs: (l) => logs.push(...l), onError: (e) => result.errors.push({ label: "watchEvent", error: String(e) }) });
  await new Promise((r) => setTimeout(r, 1000));
  const ping = viem.encodeFunctionData({ abi: made.abi.Emitter, functionName: "ping" });
  const sent = [];
  for (let i = 0; i < 2; i++) {
    const hash = await wallet.sendTransaction({ to: emitter, data: ping });
    sent.push(await node.waitForTransactionReceipt({ hash }));
  }
  const deadline = Date.now() + 15000;
  while ((heads.length < 2 || logs.length < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  stopHeads();
  stopLogs();
  result.checks += 2;
  const headHashes = heads.map((b) => b.hash);
  for (const receipt of sent) {
    if (!headHashes.includes(receipt.blockHash)) {
      result.mismatches.push({ label: "newHeads", differences: [`block ${receipt.blockHash} not notified (got ${headHashes})`] });
    }
    const log = logs.find((l) => l.transactionHash === receipt.transactionHash);
    const differences = [];
    if (!log) differences.push(`no log notified for ${receipt.transactionHash}`);
    else diff("", normalize(log.data), normalize(receipt.logs[0].data), differences);
    if (differences.length) result.mismatches.push({ label: "logs subscription", differences });
  }
  result.subscriptions = { heads: heads.length, logs: logs.length };
  await ws.transport.getRpcClient().then((c) => c.close()).catch(() => {});
}

console.log(JSON.stringify(result));
process.exit(0);
