// @mana/client: an EIP-1193 provider whose answers are verified by Mana's light client.
//
// This module is environment-neutral: each entry point (node, web) hands `makeApi` a function
// that loads the wasm module its own way. No top-level await, no `window`, no `localStorage`,
// so it runs in a page, a Web Worker and an MV3 service worker.

/** A built-in network or a custom one (its `config.yaml` and genesis). */
export type Network =
  | "mainnet"
  | "sepolia"
  | "hoodi"
  | { configYaml: string; genesisTime: number; genesisValidatorsRoot: string; name?: string };

/** Options of {@link createManaProvider}. */
export interface ManaOptions {
  /** Default `mainnet`. */
  network?: Network;
  /** Beacon API base URLs serving the light-client routes (at least one). */
  beaconApi: string[];
  /** Execution JSON-RPC URLs; without one the provider only syncs (and answers `eth_chainId`). */
  executionRpc?: string[];
  /** `0x` beacon block root to bootstrap from; optional once the storage holds a store. */
  checkpoint?: string;
  /** Where trust persists (default `indexeddb`; `memory` keeps nothing). */
  storage?: "indexeddb" | "memory";
  /** IndexedDB database name (default `mana-<network>`). */
  databaseName?: string;
  /** Per-request timeout in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Head polling interval in milliseconds (default once per slot). */
  pollIntervalMs?: number;
  /** Accept a checkpoint older than the weak-subjectivity limit. */
  allowOldCheckpoint?: boolean;
  /**
   * When the light client may apply a forced update (a header that never reached finality)
   * after a day without finality: `supermajority` (default) only takes one signed by 2/3 of
   * the sync committee; `off` waits for finality however long it takes. One signed by fewer is
   * never applied: a single rogue committee member could otherwise rotate the committee.
   */
  forceUpdate?: "supermajority" | "off";
  /**
   * Answers anchored to `latest` are refused once the verified head lags the wall clock by
   * more epochs than this (default 3); `finalized`, `safe` and explicit blocks keep working.
   */
  maxHeadLagEpochs?: number;
  /** Methods forwarded to the execution RPC unverified instead of refused (opt-in). */
  forwardUnverified?: string[];
  /**
   * Web builds only: where to fetch `mana_bg.wasm` from (an extension's `chrome.runtime.getURL`);
   * the verifier module (`mana_verify_bg.wasm`, fetched on the first `verifyBlock`) is expected
   * next to it.
   */
  wasmUrl?: string | URL;
}

/** A block the verified chain vouches for. */
export interface VerifiedBlockRef {
  number: number;
  hash: string;
}

/** What {@link ManaProvider.status} reports. */
export interface ManaStatus {
  phase: "loading" | "starting" | "syncing" | "synced" | "stopped" | "failed";
  network: string;
  currentSlot: number | null;
  finalizedSlot: number | null;
  optimisticSlot: number | null;
  finalizedPeriod: number | null;
  stale: boolean;
  /** Slot of the served head: the newest header signed by 2/3 of its sync committee. */
  headSlot: number | null;
  /** Slot of the newest header known final (served as `finalized` and `safe`). */
  provenFinalizedSlot: number | null;
  /** Trust advanced by a forced update: `finalizedSlot` never reached finality. */
  forcedUpdate: boolean;
  /** The head lags the wall clock past `maxHeadLagEpochs`: answers for `latest` are refused. */
  headTooOld: boolean;
  /** No header newer than the finalized one is signed by 2/3 yet: `head` is `finalized`. */
  latestIsFinalized: boolean;
  /** The newest verified execution block: of the newest header signed by 2/3 of its committee. */
  head: VerifiedBlockRef | null;
  /** The newest execution block known final (never one a forced update applied). */
  finalized: VerifiedBlockRef | null;
  beaconUpstreams: Array<{
    url: string;
    score: number;
    successes: number;
    failures: number;
    invalid: number;
    bytesDownloaded: number;
    lastError: string | null;
  }>;
  /** Why the client failed to start (phase `failed`). */
  error?: string;
}

/** Sync progress: the store is in `period`, the wall clock in `targetPeriod`. */
export interface SyncProgress {
  period: number;
  targetPeriod: number;
  remaining: number;
}

/** The verdict of {@link ManaProvider.verifyBlock}. */
export type BlockVerdict =
  | {
      valid: true;
      blockHash: string;
      number: number;
      gasUsed: number;
      transactions: number;
      stateRoot: string;
      trusted: { kind: "blockHash" | "parentHash" | "self"; hash: string };
    }
  | { valid: false; error: string; trusted: { kind: string; hash: string } | null };

/** Anchors for {@link ManaProvider.verifyBlock}: without one, only the execution is proven. */
export interface VerifyBlockOptions {
  trustedBlockHash?: string;
  trustedParentHash?: string;
}

/** EIP-1193 request arguments. */
export interface RequestArguments {
  readonly method: string;
  readonly params?: readonly unknown[] | object;
}

/** EIP-1193 error: `code` is 4200 (unsupported), 4900 (disconnected) or a JSON-RPC code. */
export class ProviderRpcError extends Error {
  readonly code: number;
  readonly data?: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "ProviderRpcError";
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

/** The wasm module's surface (generated by wasm-bindgen from `crates/wasm`). */
export interface ManaWasmClient {
  request(method: string, params: string): Promise<string>;
  status(): string;
  shutdown(): void;
  free(): void;
  readonly chainId: string;
}
export interface ManaWasm {
  ManaClient: { start(options: string, listener: (event: string) => void): Promise<ManaWasmClient> };
  version(): string;
}
/** The stateless verifier's wasm module (`mana_verify`), loaded on the first `verifyBlock`. */
export interface ManaVerifierWasm {
  verifyBlock(input: Uint8Array, witness: Uint8Array | undefined, options: string): string;
}
/** How an entry point loads the two wasm modules. */
export interface ManaLoaders {
  client(options: Pick<ManaOptions, "wasmUrl">): Promise<ManaWasm>;
  verifier(options: Pick<ManaOptions, "wasmUrl">): Promise<ManaVerifierWasm>;
}

type Listener = (...args: any[]) => void;

interface Subscription {
  kind: "newHeads" | "logs";
  filter?: Record<string, unknown>;
  /** The last block delivered. */
  last: number;
}

function toRpcError(error: unknown): ProviderRpcError {
  if (error instanceof ProviderRpcError) return error;
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  if (e && typeof e.code === "number") {
    // EIP-1193 names an unsupported method 4200; the client's JSON-RPC code for it is -32601.
    const code = e.code === -32601 ? 4200 : e.code;
    return new ProviderRpcError(code, String(e.message), e.data);
  }
  return new ProviderRpcError(-32603, error instanceof Error ? error.message : String(error));
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The EIP-1193 provider. Create it with {@link createManaProvider}. */
export class ManaProvider {
  #listeners = new Map<string, Set<Listener>>();
  #client: Promise<ManaWasmClient>;
  #wasm: Promise<ManaWasm>;
  #loaders: ManaLoaders;
  #options: ManaOptions;
  #status: ManaStatus;
  #connected = false;
  #closed = false;
  #subscriptions = new Map<string, Subscription>();
  #nextSubscription = 1;
  #syncedWaiters: Array<{ resolve: (s: ManaStatus) => void; reject: (e: Error) => void }> = [];
  #delivering = Promise.resolve();

  /** @internal */
  constructor(loaders: ManaLoaders, options: ManaOptions) {
    this.#loaders = loaders;
    this.#options = options;
    const { wasmUrl: _ignored, ...rest } = options;
    // Where there is no IndexedDB (node), nothing can persist: memory is the only choice.
    const storage = rest.storage ?? (typeof indexedDB === "undefined" ? "memory" : "indexeddb");
    const forWasm = { ...rest, storage };
    this.#status = {
      phase: "loading",
      network: typeof options.network === "object" ? options.network.name ?? "custom" : options.network ?? "mainnet",
      currentSlot: null,
      finalizedSlot: null,
      optimisticSlot: null,
      finalizedPeriod: null,
      stale: false,
      headSlot: null,
      provenFinalizedSlot: null,
      forcedUpdate: false,
      headTooOld: false,
      latestIsFinalized: false,
      head: null,
      finalized: null,
      beaconUpstreams: [],
    };
    this.#wasm = loaders.client(options);
    this.#client = this.#wasm.then((wasm) =>
      wasm.ManaClient.start(JSON.stringify(forWasm), (event) => this.#onEvent(JSON.parse(event))),
    );
    this.#client.catch((error) => {
      const message = error instanceof Error ? error.message : String(error);
      this.#status = { ...this.#status, phase: "failed", error: message };
      const rpcError = new ProviderRpcError(4900, `Mana failed to start: ${message}`);
      for (const waiter of this.#syncedWaiters.splice(0)) waiter.reject(rpcError);
      this.#emit("disconnect", rpcError);
    });
  }

  /** EIP-1193 `request`. Rejects with a {@link ProviderRpcError}. */
  async request(args: RequestArguments): Promise<unknown> {
    if (!args || typeof args.method !== "string") {
      throw new ProviderRpcError(-32600, "request expects { method, params }");
    }
    if (this.#closed) throw new ProviderRpcError(4900, "the provider was shut down");
    const params = args.params === undefined ? [] : args.params;
    switch (args.method) {
      case "eth_subscribe":
        return this.#subscribe(params as unknown[]);
      case "eth_unsubscribe":
        return this.#subscriptions.delete(String((params as unknown[])[0]));
      case "eth_accounts":
        return [];
      case "eth_syncing": {
        // Once synced the client answers: `false`, or why `latest`/`finalized` are held back
        // (a head too old, a forced update, no 2/3-signed header newer than finality yet).
        const s = this.#status;
        if (s.phase !== "synced") {
          return { currentBlock: hex(s.head?.number ?? 0), highestBlock: hex(s.head?.number ?? 0), startingBlock: "0x0" };
        }
        break;
      }
    }
    let client: ManaWasmClient;
    try {
      client = await this.#client;
    } catch (error) {
      throw new ProviderRpcError(4900, `Mana failed to start: ${error instanceof Error ? error.message : error}`);
    }
    try {
      return JSON.parse(await client.request(args.method, JSON.stringify(params)));
    } catch (error) {
      throw toRpcError(error);
    }
  }

  /** Adds a listener: `connect`, `disconnect`, `chainChanged`, `message` (subscriptions),
   * `progress` (sync progress), `status` (every status change), `event` (every client event). */
  on(event: string, listener: Listener): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  /** Removes a listener added with {@link ManaProvider.on}. */
  removeListener(event: string, listener: Listener): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  /** The current status (synchronous snapshot). */
  status(): ManaStatus {
    return this.#status;
  }

  /** Resolves once the light client has caught up and vouches for an execution block. */
  waitSynced(timeoutMs?: number): Promise<ManaStatus> {
    if (this.#status.phase === "synced" && this.#status.head) return Promise.resolve(this.#status);
    if (this.#status.phase === "failed") {
      return Promise.reject(new ProviderRpcError(4900, `Mana failed to start: ${this.#status.error}`));
    }
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = {
        resolve: (s: ManaStatus) => (clearTimeout(timer), resolve(s)),
        reject: (e: Error) => (clearTimeout(timer), reject(e)),
      };
      this.#syncedWaiters.push(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          const i = this.#syncedWaiters.indexOf(waiter);
          if (i >= 0) {
            this.#syncedWaiters.splice(i, 1);
            reject(new ProviderRpcError(4901, `not synced after ${timeoutMs} ms (phase ${this.#status.phase})`));
          }
        }, timeoutMs);
      }
    });
  }

  /**
   * Verifies a whole block statelessly in this page: `input` is the JSON of a block with its
   * witness (`blockRlp` + `executionWitness`), or the block's RLP with `witness` the
   * `debug_executionWitness` JSON.
   */
  async verifyBlock(input: Uint8Array, witness?: Uint8Array, options: VerifyBlockOptions = {}): Promise<BlockVerdict> {
    const verifier = await this.#loaders.verifier(this.#options);
    return JSON.parse(verifier.verifyBlock(input, witness, JSON.stringify(options)));
  }

  /** Stops following the chain; later requests reject with code 4900. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriptions.clear();
    try {
      (await this.#client).shutdown();
    } catch {
      // Never started: nothing to stop.
    }
    this.#status = { ...this.#status, phase: "stopped" };
    this.#emit("disconnect", new ProviderRpcError(4900, "the provider was shut down"));
  }

  #emit(event: string, ...args: unknown[]) {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        // A failing listener must not stop the others (nor the client).
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  #onEvent(event: { type: string; [k: string]: unknown }) {
    this.#emit("event", event);
    if (event.type === "progress") {
      this.#emit("progress", { period: event.period, targetPeriod: event.targetPeriod, remaining: event.remaining });
    }
    if (event.type !== "status") return;
    const previous = this.#status;
    this.#status = event.status as ManaStatus;
    this.#emit("status", this.#status);
    if (this.#status.phase === "synced" && this.#status.head) {
      if (!this.#connected) {
        this.#connected = true;
        this.#client.then((c) => this.#emit("connect", { chainId: c.chainId }));
      }
      for (const waiter of this.#syncedWaiters.splice(0)) waiter.resolve(this.#status);
      if (previous.head?.hash !== this.#status.head.hash) {
        const head = this.#status.head.number;
        this.#delivering = this.#delivering.then(() => this.#deliver(head)).catch(() => {});
      }
    }
  }

  async #subscribe(params: unknown[]): Promise<string> {
    const [kind, filter] = params as [string, Record<string, unknown> | undefined];
    if (kind !== "newHeads" && kind !== "logs") {
      throw new ProviderRpcError(-32602, `eth_subscribe: unsupported subscription ${JSON.stringify(kind)} (newHeads, logs)`);
    }
    const id = hex(this.#nextSubscription++);
    this.#subscriptions.set(id, { kind, filter, last: this.#status.head?.number ?? Number.MAX_SAFE_INTEGER });
    return id;
  }

  /** Delivers every block up to `head` to the subscriptions (verified, through `request`). */
  async #deliver(head: number) {
    for (const [id, sub] of this.#subscriptions) {
      if (sub.last === Number.MAX_SAFE_INTEGER) {
        sub.last = head - 1;
      }
      if (head <= sub.last) continue;
      const from = sub.last + 1;
      sub.last = head;
      const message = (result: unknown) =>
        this.#emit("message", { type: "eth_subscription", data: { subscription: id, result } });
      try {
        if (sub.kind === "newHeads") {
          for (let n = Math.max(from, head - 16); n <= head; n++) {
            message(await this.request({ method: "eth_getBlockByNumber", params: [hex(n), false] }));
          }
        } else {
          const logs = (await this.request({
            method: "eth_getLogs",
            params: [{ ...sub.filter, fromBlock: hex(from), toBlock: hex(head) }],
          })) as unknown[];
          for (const log of logs) message(log);
        }
      } catch (error) {
        this.#emit("event", { type: "error", message: `subscription ${id}: ${toRpcError(error).message}` });
      }
    }
  }
}

/** The functions an entry point exports, bound to its wasm loader. */
export interface ManaApi {
  /** Creates the provider and starts syncing in the background (see {@link ManaProvider.waitSynced}). */
  createManaProvider(options: ManaOptions): ManaProvider;
  /** Stateless block verification without a provider (see {@link ManaProvider.verifyBlock}). */
  verifyBlock(input: Uint8Array, witness?: Uint8Array, options?: VerifyBlockOptions, loadOptions?: Pick<ManaOptions, "wasmUrl">): Promise<BlockVerdict>;
  /** The client version. */
  version(loadOptions?: Pick<ManaOptions, "wasmUrl">): Promise<string>;
}

/** @internal Binds the API to a wasm loader (used by the entry points). */
export function makeApi(loaders: ManaLoaders): ManaApi {
  return {
    createManaProvider: (options) => {
      if (!options || !Array.isArray(options.beaconApi)) {
        throw new ProviderRpcError(-32602, "createManaProvider: options.beaconApi (string[]) is required");
      }
      return new ManaProvider(loaders, options);
    },
    verifyBlock: async (input, witness, options = {}, loadOptions = {}) => {
      const verifier = await loaders.verifier(loadOptions);
      return JSON.parse(verifier.verifyBlock(input, witness, JSON.stringify(options)));
    },
    version: async (loadOptions = {}) => (await loaders.client(loadOptions)).version(),
  };
}
