// The Mana web app: one page on the `@mana/client` web entry. Settings come from the query
// string (and go back into it on Connect, so a reload reconnects; a reload without the
// checkpoint resumes from the trust stored in IndexedDB):
//
//   ?network=mainnet|sepolia|hoodi|<custom network JSON>&beacon=URL&rpc=URL&checkpoint=0x…
//    &storage=indexeddb|memory&address=0x…&connect=1
//
// `beacon` and `rpc` may repeat. `connect=1` connects on load.
import { createManaProvider, verifyBlock, version } from "../pkg/dist/web/index.js";

const $ = (id) => document.getElementById(id);
const NAMED = ["mainnet", "sepolia", "hoodi"];

// EIP-1193 codes, and the JSON-RPC codes Mana answers with.
const CODES = {
  4001: "User rejected",
  4100: "Unauthorized",
  4200: "Unsupported method",
  4900: "Disconnected",
  4901: "Chain disconnected",
  3: "Execution reverted",
  [-32001]: "Block unavailable",
  [-32015]: "EVM error",
  [-32050]: "Verification failed: an upstream served bad data",
  [-32600]: "Invalid request",
  [-32601]: "Method not found",
  [-32602]: "Invalid params",
  [-32603]: "Internal error",
};

/** The app's state: one provider at a time. */
const app = { provider: null, timings: {}, trust: null, events: [] };
window.mana = app; // for the console and the browser tests

// ---------------------------------------------------------------- rendering helpers

function show(output, kind, ...children) {
  const box = document.createElement("div");
  box.className = kind;
  box.append(...children);
  output.replaceChildren(box);
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** Shows an error with its EIP-1193 / JSON-RPC code and meaning. */
function showError(output, error) {
  const code = typeof error?.code === "number" ? error.code : null;
  const title = code === null ? "Error" : `Error ${code}${CODES[code] ? `: ${CODES[code]}` : ""}`;
  const parts = [el("strong", title), el("span", error?.message ?? String(error), "mono")];
  if (error?.data !== undefined) parts.push(el("span", `data: ${typeof error.data === "string" ? error.data : JSON.stringify(error.data)}`, "mono"));
  show(output, "error", ...parts);
}

function formatEther(wei) {
  const whole = wei / 10n ** 18n;
  const fraction = (wei % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${whole.toLocaleString("en-US")}${fraction ? `.${fraction}` : ""} ETH`;
}

const kib = (bytes) => (bytes < 1 << 20 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / (1 << 20)).toFixed(2)} MiB`);

// ---------------------------------------------------------------- settings (query string)

const lines = (text) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

/** Puts the query string's settings into the form; tells whether to connect now. */
function loadSettings() {
  const q = new URLSearchParams(location.search);
  const network = q.get("network") ?? "mainnet";
  if (NAMED.includes(network)) {
    $("network").value = network;
  } else {
    $("network").value = "custom";
    $("network-json").value = network;
  }
  $("beacon").value = q.getAll("beacon").flatMap(lines).join("\n");
  $("rpc").value = q.getAll("rpc").flatMap(lines).join("\n");
  $("checkpoint").value = q.get("checkpoint") ?? "";
  $("storage").value = q.get("storage") === "memory" ? "memory" : "indexeddb";
  $("address").value = q.get("address") ?? "";
  $("call-to").value = q.get("to") ?? "";
  networkChanged();
  return q.get("connect") === "1";
}

/** Writes the form's settings into the URL (a reload reconnects with them). */
function saveSettings() {
  const q = new URLSearchParams();
  q.set("network", $("network").value === "custom" ? $("network-json").value.trim() : $("network").value);
  for (const url of lines($("beacon").value)) q.append("beacon", url);
  for (const url of lines($("rpc").value)) q.append("rpc", url);
  if ($("checkpoint").value.trim()) q.set("checkpoint", $("checkpoint").value.trim());
  q.set("storage", $("storage").value);
  if ($("address").value.trim()) q.set("address", $("address").value.trim());
  q.set("connect", "1");
  history.replaceState(null, "", `?${q}`);
}

/** The provider options from the form; throws on a bad custom network. */
function readOptions() {
  let network = $("network").value;
  if (network === "custom") {
    try {
      network = JSON.parse($("network-json").value);
    } catch (error) {
      throw Object.assign(new Error(`custom network: not JSON (${error.message})`), { code: -32602 });
    }
  }
  // Relative URLs (a same-origin proxy) become absolute.
  const absolute = (u) => new URL(u, location.href).href;
  const options = {
    network,
    beaconApi: lines($("beacon").value).map(absolute),
    executionRpc: lines($("rpc").value).map(absolute),
    storage: $("storage").value,
  };
  if ($("checkpoint").value.trim()) options.checkpoint = $("checkpoint").value.trim();
  return options;
}

function networkChanged() {
  $("network-json-field").hidden = $("network").value !== "custom";
}

// ---------------------------------------------------------------- sync

async function connect() {
  await disconnect();
  let options;
  try {
    options = readOptions();
  } catch (error) {
    return failed(error);
  }
  saveSettings();
  setPhase("loading");
  $("progress").value = 0;
  $("progress-text").textContent = "Loading the client…";
  $("trust").textContent = "–";
  $("synced-in").textContent = "–";
  app.trust = null;
  app.timings = { start: performance.now() };
  let provider;
  try {
    provider = createManaProvider(options);
  } catch (error) {
    return failed(error);
  }
  app.provider = provider;
  $("connect").disabled = true;
  $("disconnect").disabled = false;

  let firstPeriod = null;
  provider.on("progress", ({ period, targetPeriod, remaining }) => {
    firstPeriod ??= period;
    $("progress").max = Math.max(targetPeriod - firstPeriod, 1);
    $("progress").value = period - firstPeriod;
    $("progress-text").textContent = `Sync committee period ${period} of ${targetPeriod} (${remaining} to go)`;
  });
  provider.on("status", (status) => provider === app.provider && renderStatus(status));
  provider.on("event", (event) => provider === app.provider && onEvent(event));
  provider.on("connect", ({ chainId }) => ($("chain-id").textContent = `${chainId} (${Number(chainId)})`));
  provider.on("disconnect", (error) => provider === app.provider && logEvent({ type: "disconnect", message: `${error.code} ${error.message}` }));

  try {
    const status = await provider.waitSynced();
    if (provider !== app.provider) return;
    app.timings.synced = performance.now();
    const ms = Math.round(app.timings.synced - app.timings.start);
    $("synced-in").textContent = `${ms} ms after connecting`;
    renderStatus(status);
  } catch (error) {
    if (provider === app.provider) failed(error);
  }
}

async function disconnect() {
  const provider = app.provider;
  if (!provider) return;
  app.provider = null;
  $("connect").disabled = false;
  $("disconnect").disabled = true;
  await provider.shutdown();
  setPhase("stopped");
  $("progress-text").textContent = "Disconnected.";
}

function failed(error) {
  setPhase("failed");
  $("connect").disabled = false;
  $("disconnect").disabled = app.provider === null;
  showError($("progress-text"), error);
}

function setPhase(phase, stale = false) {
  $("phase").textContent = phase;
  $("phase").dataset.phase = phase;
  $("phase").dataset.stale = String(stale);
  document.body.dataset.phase = phase;
}

function renderStatus(status) {
  setPhase(status.phase, status.stale);
  if (status.phase === "synced") {
    $("progress").max = 1;
    $("progress").value = 1;
    const notes = [];
    if (status.headTooOld) notes.push("the verified head is too far behind the clock: answers for `latest` are refused");
    else if (status.stale) notes.push("the head is behind the clock");
    if (status.forcedUpdate) notes.push("trust advanced by a forced update: `finalized` stays at the last finalized block");
    if (status.latestIsFinalized) notes.push("no newer header signed by 2/3 of the committee yet: `latest` is the finalized block");
    $("progress-text").textContent = notes.length ? `Synced, but ${notes.join("; ")}.` : "Synced: following the chain.";
  }
  const slot = (s) => (s === null || s === undefined ? "–" : s.toLocaleString("en-US"));
  $("slots").textContent = `current ${slot(status.currentSlot)} · finalized ${slot(status.finalizedSlot)} · optimistic ${slot(status.optimisticSlot)}`;
  const block = (ref, number, hash) => {
    $(number).textContent = ref ? `#${ref.number.toLocaleString("en-US")}` : "–";
    $(hash).textContent = ref ? ref.hash : "";
  };
  block(status.head, "head-number", "head-hash");
  block(status.finalized, "finalized-number", "finalized-hash");
  $("upstreams").tBodies[0].replaceChildren(
    ...status.beaconUpstreams.map((u) => {
      const row = document.createElement("tr");
      row.title = u.lastError ?? "";
      row.append(el("td", u.url), el("td", String(u.score)), el("td", String(u.successes)), el("td", String(u.failures)), el("td", String(u.invalid)), el("td", kib(u.bytesDownloaded)));
      return row;
    }),
  );
}

function onEvent(event) {
  if (event.type === "status") return; // rendered by the status listener
  if (event.type === "bootstrapped") {
    app.trust = "bootstrapped";
    $("trust").textContent = `Bootstrapped from checkpoint ${event.root} (slot ${event.slot})`;
  } else if (event.type === "resumed") {
    app.trust = "resumed";
    $("trust").textContent = `Resumed from stored trust (finalized slot ${event.finalizedSlot}); no checkpoint needed`;
  }
  logEvent(event);
}

function logEvent(event) {
  app.events.push(event);
  const { type, ...rest } = event;
  const item = el("li");
  if (type === "error" || type === "upstreamFault" || type === "disconnect") item.className = "error";
  item.append(el("time", new Date().toLocaleTimeString()), el("span", type, "type"), " ", Object.keys(rest).length ? JSON.stringify(rest) : "");
  const log = $("log");
  log.prepend(item);
  while (log.children.length > 100) log.lastChild.remove();
}

// ---------------------------------------------------------------- verified reads

function requireProvider() {
  if (app.provider) return app.provider;
  throw Object.assign(new Error("not connected: connect first"), { code: 4900 });
}

/** Runs a verified request; the answer is shown with the head it was verified against. */
async function lookUpBalance(event) {
  event.preventDefault();
  const output = $("balance-result");
  const address = $("address").value.trim();
  output.replaceChildren(el("span", "Verifying…", "hint"));
  try {
    const provider = requireProvider();
    const wei = BigInt(await provider.request({ method: "eth_getBalance", params: [address, "latest"] }));
    const head = provider.status().head;
    show(
      output,
      "ok",
      el("strong", formatEther(wei)),
      el("span", `${wei} wei`, "mono"),
      el("span", `verified against block #${head?.number} ${head?.hash ?? ""}`, "hint"),
    );
    output.dataset.wei = `0x${wei.toString(16)}`;
  } catch (error) {
    showError(output, error);
  }
}

async function call(event) {
  event.preventDefault();
  const output = $("call-result");
  output.replaceChildren(el("span", "Executing…", "hint"));
  try {
    const provider = requireProvider();
    const data = $("call-data").value.trim() || "0x";
    const result = await provider.request({ method: "eth_call", params: [{ to: $("call-to").value.trim(), data }, "latest"] });
    const head = provider.status().head;
    show(output, "ok", el("strong", "Result"), el("span", result, "mono"), el("span", `executed locally on verified state of block #${head?.number}`, "hint"));
  } catch (error) {
    showError(output, error);
  }
}

const ANCHORS = {
  self: "Execution proven; not anchored to a trusted hash (give one to check it is the canonical block).",
  blockHash: "Matches the trusted block hash.",
  parentHash: "Builds on the trusted parent hash.",
};

async function verify(event) {
  event.preventDefault();
  const output = $("verify-result");
  const block = $("block-file").files[0];
  const witness = $("witness-file").files[0];
  const trusted = $("trusted-hash").value.trim();
  output.replaceChildren(el("span", `Re-executing ${block.name}…`, "hint"));
  try {
    const bytes = new Uint8Array(await block.arrayBuffer());
    const witnessBytes = witness ? new Uint8Array(await witness.arrayBuffer()) : undefined;
    const started = performance.now();
    const verdict = await verifyBlock(bytes, witnessBytes, trusted ? { trustedBlockHash: trusted } : {});
    const ms = Math.round(performance.now() - started);
    output.dataset.valid = String(verdict.valid);
    if (verdict.valid) {
      show(
        output,
        "ok",
        el("strong", `Valid: block #${verdict.number.toLocaleString("en-US")}`),
        el("span", verdict.blockHash, "mono"),
        el("span", `${verdict.transactions} transactions, ${verdict.gasUsed.toLocaleString("en-US")} gas, state root ${verdict.stateRoot}`),
        el("span", ANCHORS[verdict.trusted.kind] ?? `anchored to ${verdict.trusted.kind} ${verdict.trusted.hash}`, "hint"),
        el("span", `re-executed in ${ms} ms`, "hint"),
      );
    } else {
      show(output, "error", el("strong", "Invalid block"), el("span", verdict.error, "mono"));
    }
  } catch (error) {
    output.dataset.valid = "error";
    showError(output, error);
  }
}

async function forgetTrust() {
  await disconnect();
  let name;
  try {
    const network = readOptions().network;
    name = `mana-${typeof network === "string" ? network : network.name ?? "custom"}`;
  } catch (error) {
    return failed(error);
  }
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = resolve;
  });
  $("trust").textContent = `Deleted the stored trust (${name}); the next connect needs a checkpoint.`;
}

// ---------------------------------------------------------------- wiring

$("network").addEventListener("change", networkChanged);
$("network-file").addEventListener("change", async (e) => {
  const file = e.target.files[0];
  if (file) $("network-json").value = await file.text();
});
$("connect-form").addEventListener("submit", (e) => (e.preventDefault(), connect()));
$("disconnect").addEventListener("click", disconnect);
$("forget").addEventListener("click", forgetTrust);
$("balance-form").addEventListener("submit", lookUpBalance);
$("call-form").addEventListener("submit", call);
$("verify-form").addEventListener("submit", verify);
version().then((v) => ($("version").textContent = `v${v}`), () => {});

if (loadSettings()) connect();
