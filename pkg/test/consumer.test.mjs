// @mana/client as a consumer gets it: `npm pack` the built package, install the tarball in a
// fresh project with TypeScript and @types/node (pinned), type-check an ES-module (`.mts`) and a
// CommonJS (`.cts`) consumer with `module`/`moduleResolution` = `nodenext` and `strict`, and run
// both: each verifies a real mainnet block statelessly. This exercises `exports`, the
// `import`/`require` conditions and their `types` (dist/types/entry.d.ts and entry.d.cts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fixtures } from "./harness.mjs";

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
let dir;

// A real mainnet block with its execution witness.
const blockDir = path.join(fixtures, "stateless/mainnet");
const blockFile = path.join(blockDir, fs.readdirSync(blockDir).filter((f) => f.endsWith(".json")).sort()[0]);

// The same program twice: the types (ProviderRpcError, BlockVerdict, ManaOptions) must resolve
// in both module systems, else `tsc` fails.
const program = (esm) => `${esm ? `import fs from "node:fs";` : `import fs = require("node:fs");`}
import { createManaProvider, verifyBlock, ProviderRpcError } from "@mana/client";
import type { BlockVerdict, ManaOptions, ManaProvider } from "@mana/client";

async function main(): Promise<void> {
  const bytes: Uint8Array = fs.readFileSync(process.argv[2]);
  const verdict: BlockVerdict = await verifyBlock(bytes);
  if (verdict.valid) {
    const n: number = verdict.number;
    console.log(JSON.stringify({ valid: true, number: n, blockHash: verdict.blockHash, trusted: verdict.trusted.kind }));
  } else {
    console.log(JSON.stringify({ valid: false, error: verdict.error }));
  }
  // The provider's types, and its EIP-1193 error: refused options throw synchronously.
  const options: ManaOptions = { network: "mainnet", beaconApi: [], storage: "memory" };
  const make: (o: ManaOptions) => ManaProvider = createManaProvider;
  try {
    make({} as ManaOptions);
  } catch (error) {
    if (!(error instanceof ProviderRpcError)) throw error;
    const code: number = error.code;
    console.log(JSON.stringify({ rejected: code, options: options.network }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
`;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mana-consumer-"));
  const packed = JSON.parse(
    execFileSync(npm, ["pack", "--json", "--pack-destination", dir], { cwd: pkgDir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
  );
  const tarball = path.join(dir, packed[0].filename);
  const app = path.join(dir, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "mana-consumer", private: true, version: "0.0.0" }, null, 2));
  fs.writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          outDir: "out",
          types: ["node"],
          skipLibCheck: false,
        },
        files: ["esm.mts", "cjs.cts"],
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(app, "esm.mts"), program(true));
  fs.writeFileSync(path.join(app, "cjs.cts"), program(false));
  execFileSync(
    npm,
    ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball, "typescript@5.9.3", "@types/node@20.19.43"],
    { cwd: app, stdio: ["ignore", "ignore", "pipe"] },
  );
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("npm pack: the tarball holds the dist and no sources or tests", () => {
  const tarball = fs.readdirSync(dir).find((f) => f.endsWith(".tgz"));
  const list = execFileSync("tar", ["-tzf", path.join(dir, tarball)], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const file of [
    "package/package.json",
    "package/dist/node/index.mjs",
    "package/dist/node/index.cjs",
    "package/dist/web/index.js",
    "package/dist/types/entry.d.ts",
    "package/dist/types/entry.d.cts",
    "package/dist/wasm/web/mana_bg.wasm",
    "package/dist/wasm/node/mana_bg.wasm",
  ]) {
    assert.ok(list.includes(file), `${file} in the tarball`);
  }
  assert.ok(!list.some((f) => f.startsWith("package/src/") || f.startsWith("package/test/")), list.join("\n"));
});

test("tsc (nodenext, strict) type-checks an .mts and a .cts consumer", () => {
  const app = path.join(dir, "app");
  const tsc = path.join(app, "node_modules/typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: app, encoding: "utf8" });
  assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
  assert.ok(fs.existsSync(path.join(app, "out/esm.mjs")));
  assert.ok(fs.existsSync(path.join(app, "out/cjs.cjs")));
  // The CommonJS output really uses require, the ES module output import.
  assert.match(fs.readFileSync(path.join(app, "out/cjs.cjs"), "utf8"), /require\("@mana\/client"\)/);
  assert.match(fs.readFileSync(path.join(app, "out/esm.mjs"), "utf8"), /from "@mana\/client"/);
});

for (const [kind, file] of [["ESM", "out/esm.mjs"], ["CJS", "out/cjs.cjs"]]) {
  test(`the ${kind} consumer verifies a real mainnet block`, () => {
    const app = path.join(dir, "app");
    const result = spawnSync(process.execPath, [file, blockFile], { cwd: app, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const [verdict, rejected] = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    console.log(`${kind} consumer: ${JSON.stringify(verdict)}`);
    assert.equal(verdict.valid, true, JSON.stringify(verdict));
    assert.equal(verdict.trusted, "self");
    assert.match(verdict.blockHash, /^0x[0-9a-f]{64}$/);
    assert.equal(verdict.number, Number(path.basename(blockFile).split("_")[1]));
    assert.deepEqual(rejected, { rejected: -32602, options: "mainnet" });
  });
}
