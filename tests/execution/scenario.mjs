// Builds the chain Mana's execution end-to-end tests verify, on a running Anvil:
// compiles contracts/*.sol with solc, deploys them with viem and sends every kind of
// transaction (legacy, EIP-2930, EIP-1559, EIP-7702; contract creations, token transfers, logs
// of every shape, a reverted call, several transactions in one block).
//
// Usage: node scenario.mjs <anvil URL>; prints one JSON line describing what it made.
// Packages resolve from $MANA_EXECUTION_NODE_DIR (where `cargo xtask setup` installs them),
// else from this directory.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.MANA_EXECUTION_NODE_DIR ?? here;
const require = createRequire(path.join(modules, "package.json"));
const solc = require("solc");
const viem = require("viem");
const { privateKeyToAccount } = require("viem/accounts");
const { foundry } = require("viem/chains");

const url = process.argv[2];
if (!url) throw new Error("usage: node scenario.mjs <anvil URL>");

// Anvil's default dev accounts (mnemonic "test test ... junk").
const keys = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];
const [alice, bob, carol, dave] = keys.map((k) => privateKeyToAccount(k));

function compile() {
  const dir = path.join(here, "contracts");
  const sources = {};
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".sol"))) {
    sources[file] = { content: fs.readFileSync(path.join(dir, file), "utf8") };
  }
  const input = {
    language: "Solidity",
    sources,
    settings: {
      evmVersion: "prague",
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const out = {};
  for (const file of Object.values(output.contracts)) {
    for (const [name, c] of Object.entries(file)) {
      out[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  return out;
}

const transport = viem.http(url);
const publicClient = viem.createPublicClient({ chain: foundry, transport });
const wallet = (account) => viem.createWalletClient({ account, chain: foundry, transport });
const rpc = (method, params = []) => publicClient.request({ method, params });
const wait = (hash) => publicClient.waitForTransactionReceipt({ hash });

const artifacts = compile();
const made = { contracts: {}, transactions: [], accounts: [alice, bob, carol, dave].map((a) => a.address) };

async function deploy(name, args, from = alice) {
  const { abi, bytecode } = artifacts[name];
  const hash = await wallet(from).deployContract({ abi, bytecode, args });
  const receipt = await wait(hash);
  made.transactions.push(hash);
  return receipt.contractAddress;
}

async function send(from, tx) {
  const hash = await wallet(from).sendTransaction(tx);
  made.transactions.push(hash);
  return hash;
}

const call = (name, fn, args = []) =>
  viem.encodeFunctionData({ abi: artifacts[name].abi, functionName: fn, args });

// Contracts.
const token = await deploy("Token", [10n ** 24n]);
const emitter = await deploy("Emitter", []);
const delegate = await deploy("Delegate", []);
made.contracts = { token, emitter, delegate };

// Token traffic: transfer, approve, transferFrom.
await wait(await send(alice, { to: token, data: call("Token", "transfer", [bob.address, 5n * 10n ** 21n]) }));
await wait(await send(bob, { to: token, data: call("Token", "approve", [carol.address, 10n ** 21n]) }));
await wait(
  await send(carol, { to: token, data: call("Token", "transferFrom", [bob.address, dave.address, 4n * 10n ** 20n]) }),
);

// Every transaction type for plain value transfers.
await wait(await send(alice, { to: bob.address, value: 10n ** 18n, type: "legacy", gasPrice: 3n * 10n ** 9n }));
await wait(
  await send(bob, {
    to: carol.address,
    value: 10n ** 17n,
    type: "eip2930",
    gasPrice: 3n * 10n ** 9n,
    accessList: [{ address: token, storageKeys: [viem.pad("0x02")] }],
  }),
);
await wait(await send(carol, { to: dave.address, value: 12345n, maxPriorityFeePerGas: 2n * 10n ** 9n }));

// Logs of every shape, and a reverted transaction (explicit gas skips estimation).
await wait(await send(alice, { to: emitter, data: call("Emitter", "ping") }));
const tag = viem.keccak256(viem.toHex("mana"));
await wait(await send(bob, { to: emitter, data: call("Emitter", "burst", [tag, 3n, "0x" + "ab".repeat(70)]) }));
await wait(await send(alice, { to: emitter, data: call("Emitter", "fail"), gas: 100000n }));

// Several transactions in one block.
await rpc("evm_setAutomine", [false]);
const batch = [
  await send(alice, { to: emitter, data: call("Emitter", "ping") }),
  await send(bob, { to: token, data: call("Token", "transfer", [alice.address, 10n ** 18n]) }),
  await send(carol, { to: emitter, data: call("Emitter", "burst", [tag, 2n, "0x"]) }),
  await send(dave, { to: alice.address, value: 1n }),
];
await rpc("evm_mine", []);
await rpc("evm_setAutomine", [true]);
for (const hash of batch) await wait(hash);

// EIP-7702: dave delegates his account to Delegate; alice calls poke() on dave.
const authorization = await wallet(dave).signAuthorization({ contractAddress: delegate, executor: undefined });
await wait(
  await send(alice, { to: dave.address, data: call("Delegate", "poke"), authorizationList: [authorization] }),
);
await wait(await send(bob, { to: dave.address, data: call("Delegate", "poke") }));
made.delegated = dave.address;

// A DEX-shaped setup for multi-contract calls: three tokens, two pairs holding reserves, a quoter.
const tokens = [];
for (let i = 0; i < 3; i++) tokens.push(await deploy("Token", [10n ** 27n]));
const pairs = [];
for (let i = 0; i < 2; i++) {
  const pair = await deploy("Pair", [tokens[i], tokens[i + 1]]);
  pairs.push(pair);
  await wait(await send(alice, { to: tokens[i], data: call("Token", "transfer", [pair, (10n ** 24n) * BigInt(i + 2)]) }));
  await wait(
    await send(alice, { to: tokens[i + 1], data: call("Token", "transfer", [pair, (10n ** 24n) * BigInt(i + 3)]) }),
  );
}
const quoter = await deploy("Quoter", []);
Object.assign(made.contracts, { tokens, pairs, quoter });

made.head = Number(await rpc("eth_blockNumber"));
made.abi = Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, a.abi]));
console.log(JSON.stringify(made));
