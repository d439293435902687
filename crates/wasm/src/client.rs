//! `ManaClient`: the light client following the chain in the background, and the verified
//! provider anchored to the execution blocks it vouches for.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use mana_client::checkpoint::CheckpointPolicy;
use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedBlock, TrustedHeads, VerifiedProvider,
};
use mana_client::{
    Event, HttpOptions, SyncConfig, SyncStatus, Syncer, SystemClock, UpstreamPool, UpstreamStatus,
};
use mana_consensus::ForceUpdatePolicy;
use mana_primitives::ChainSpec;
use mana_store::{IdbStore, MemoryStore, Op, Store};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

use crate::config::{ForceUpdate, Options, Storage};

/// The storage the options chose.
enum AnyStore {
    Memory(MemoryStore),
    IndexedDb(IdbStore),
}

impl Store for AnyStore {
    async fn get(&self, key: &str) -> mana_store::Result<Option<Vec<u8>>> {
        match self {
            Self::Memory(s) => s.get(key).await,
            Self::IndexedDb(s) => s.get(key).await,
        }
    }

    async fn write(&self, batch: Vec<Op>) -> mana_store::Result<()> {
        match self {
            Self::Memory(s) => s.write(batch).await,
            Self::IndexedDb(s) => s.write(batch).await,
        }
    }
}

/// What the page and the background task share.
struct Shared {
    heads: SharedHeads,
    status: RefCell<Value>,
    stopped: Cell<bool>,
    listener: js_sys::Function,
}

impl Shared {
    /// Hands `event` (JSON text) to the listener; a throwing listener is not our failure.
    fn emit(&self, event: &Value) {
        drop(self.listener.call1(&JsValue::NULL, &JsValue::from_str(&event.to_string())));
    }
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// The JSON form of a driver event (`type` plus the event's fields, camelCase).
fn event_json(event: &Event) -> Value {
    match event {
        Event::Bootstrapped { root, slot } => {
            json!({"type": "bootstrapped", "root": hex0x(root), "slot": slot})
        }
        Event::Resumed { finalized_slot, optimistic_slot } => json!({
            "type": "resumed", "finalizedSlot": finalized_slot, "optimisticSlot": optimistic_slot
        }),
        Event::SyncProgress { period, target_period, remaining } => json!({
            "type": "progress", "period": period, "targetPeriod": target_period,
            "remaining": remaining
        }),
        Event::CaughtUp { finalized_slot, optimistic_slot } => json!({
            "type": "caughtUp", "finalizedSlot": finalized_slot, "optimisticSlot": optimistic_slot
        }),
        Event::Finalized { slot, root, block_number, block_hash } => json!({
            "type": "finalized", "slot": slot, "root": hex0x(root),
            "blockNumber": block_number, "blockHash": hex0x(block_hash)
        }),
        Event::Optimistic { slot, root, block_number } => json!({
            "type": "optimistic", "slot": slot, "root": hex0x(root), "blockNumber": block_number
        }),
        Event::PeriodRotated { period } => json!({"type": "periodRotated", "period": period}),
        Event::ForcedUpdate { slot } => json!({"type": "forcedUpdate", "slot": slot}),
        Event::Stale { head_slot, current_slot } => {
            json!({"type": "stale", "headSlot": head_slot, "currentSlot": current_slot})
        }
        Event::Recovered { head_slot } => json!({"type": "recovered", "headSlot": head_slot}),
        Event::Retrying { reason } => json!({"type": "retrying", "reason": reason}),
        Event::UpstreamFault { url, fault, reason, score } => json!({
            "type": "upstreamFault", "url": url, "fault": fault.to_string(), "reason": reason,
            "score": score
        }),
        other => json!({"type": "other", "detail": format!("{other:?}")}),
    }
}

fn upstreams_json(upstreams: &[UpstreamStatus]) -> Value {
    upstreams
        .iter()
        .map(|u| {
            json!({
                "url": u.url, "score": u.score, "successes": u.successes,
                "failures": u.failures, "invalid": u.invalid,
                "bytesDownloaded": u.bytes_downloaded, "lastError": u.last_error
            })
        })
        .collect()
}

fn block_json(block: Option<TrustedBlock>) -> Value {
    block.map_or(Value::Null, |b| json!({"number": b.number, "hash": b.hash.to_string()}))
}

/// The status object (`status()` and the `status` event).
fn status_json(
    phase: &str,
    network: &str,
    sync: Option<&SyncStatus>,
    heads: TrustedHeads,
    upstreams: &[UpstreamStatus],
) -> Value {
    json!({
        "phase": phase,
        "network": network,
        "currentSlot": sync.map(|s| s.current_slot),
        "finalizedSlot": sync.map(|s| s.finalized_slot),
        "optimisticSlot": sync.map(|s| s.optimistic_slot),
        "finalizedPeriod": sync.map(|s| s.finalized_period),
        "stale": sync.is_some_and(|s| s.stale),
        "headSlot": sync.map(|s| s.head_slot),
        "provenFinalizedSlot": sync.map(|s| s.proven_finalized_slot),
        "forcedUpdate": sync.is_some_and(|s| s.forced_update),
        "headTooOld": sync.is_some_and(|s| s.head_too_old),
        "latestIsFinalized": heads.notes.latest_is_finalized,
        "head": block_json(heads.latest),
        "finalized": block_json(heads.finalized),
        "beaconUpstreams": upstreams_json(upstreams),
    })
}

/// Mana in a page, worker or service worker: follows the chain and answers verified JSON-RPC.
#[wasm_bindgen]
pub struct ManaClient {
    shared: Rc<Shared>,
    provider: Option<Rc<VerifiedProvider<SharedHeads>>>,
    chain_id: u64,
}

impl core::fmt::Debug for ManaClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ManaClient").field("chain_id", &self.chain_id).finish_non_exhaustive()
    }
}

fn js_error(message: impl core::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}

#[wasm_bindgen]
impl ManaClient {
    /// Opens the storage, bootstraps from the checkpoint or resumes from the stored trust, and
    /// starts following the chain in the background. `options` is the JSON text of the
    /// options; `listener` receives every event as JSON text.
    pub async fn start(options: String, listener: js_sys::Function) -> Result<ManaClient, JsValue> {
        let options = Options::parse(&options).map_err(js_error)?;
        let spec = options.spec().map_err(js_error)?;
        let shared = Rc::new(Shared {
            heads: SharedHeads::new(),
            status: RefCell::new(status_json(
                "starting",
                &options.network_name(),
                None,
                TrustedHeads::default(),
                &[],
            )),
            stopped: Cell::new(false),
            listener,
        });
        let chain_id = spec.deposit_chain_id;
        let provider = if options.execution_rpc.is_empty() {
            None
        } else {
            let mut config = ProviderConfig::for_chain(chain_id);
            config.forward_unverified = options.forward_unverified.iter().cloned().collect();
            let rpcs = options
                .execution_rpc
                .iter()
                .map(|u| ExecutionRpc::new(u, options.timeout()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(js_error)?;
            Some(Rc::new(
                VerifiedProvider::new(shared.heads.clone(), rpcs, config).map_err(js_error)?,
            ))
        };
        let store = match options.storage {
            Storage::Memory => AnyStore::Memory(MemoryStore::new()),
            Storage::IndexedDb => AnyStore::IndexedDb(
                IdbStore::open(&options.database_name()).await.map_err(js_error)?,
            ),
        };
        match spec.preset.sync_committee_size {
            512 => open::<512>(spec, &options, store, Rc::clone(&shared)).await?,
            32 => open::<32>(spec, &options, store, Rc::clone(&shared)).await?,
            other => return Err(js_error(format!("unsupported sync committee size {other}"))),
        }
        Ok(Self { shared, provider, chain_id })
    }

    /// Answers one JSON-RPC request (`params` as JSON text) with the JSON text of the result;
    /// rejects with `{ code, message, data? }`.
    pub fn request(&self, method: String, params: String) -> js_sys::Promise {
        let provider = self.provider.clone();
        let stopped = self.shared.stopped.get();
        let chain_id = self.chain_id;
        wasm_bindgen_futures::future_to_promise(async move {
            let failure = |code: i64, message: String, data: Option<String>| {
                let error = js_sys::Object::new();
                let set = |k: &str, v: JsValue| {
                    drop(js_sys::Reflect::set(&error, &JsValue::from_str(k), &v));
                };
                set("code", JsValue::from_f64(code as f64));
                set("message", JsValue::from_str(&message));
                if let Some(data) = data {
                    set("data", JsValue::from_str(&data));
                }
                JsValue::from(error)
            };
            if stopped {
                return Err(failure(4900, "the client was shut down".into(), None));
            }
            let params: Value = if params.is_empty() {
                Value::Array(Vec::new())
            } else {
                serde_json::from_str(&params)
                    .map_err(|e| failure(-32602, format!("params are not JSON: {e}"), None))?
            };
            // Answered without an upstream.
            if method == "eth_chainId" {
                return Ok(JsValue::from_str(&json!(format!("{chain_id:#x}")).to_string()));
            }
            if method == "net_version" {
                return Ok(JsValue::from_str(&json!(chain_id.to_string()).to_string()));
            }
            let Some(provider) = provider else {
                if method == "eth_syncing" {
                    // Synced (the wrapper answers while syncing); `status()` has the details.
                    return Ok(JsValue::from_str("false"));
                }
                return Err(failure(
                    4200,
                    format!("{method}: no execution RPC configured (executionRpc)"),
                    None,
                ));
            };
            match provider.request(&method, params).await {
                Ok(value) => Ok(JsValue::from_str(&value.to_string())),
                Err(e) => Err(failure(
                    e.json_rpc_code(),
                    e.to_string(),
                    e.json_rpc_data().map(ToString::to_string),
                )),
            }
        })
    }

    /// The current status as JSON text.
    pub fn status(&self) -> String {
        self.shared.status.borrow().to_string()
    }

    /// Stops following the chain; later requests fail with code 4900.
    pub fn shutdown(&self) {
        self.shared.stopped.set(true);
    }

    /// The chain id, `0x` hex.
    #[wasm_bindgen(getter, js_name = chainId)]
    pub fn chain_id(&self) -> String {
        format!("{:#x}", self.chain_id)
    }
}

/// Opens the driver (bootstrap or resume) and spawns the task that catches up and follows.
async fn open<const S: usize>(
    spec: ChainSpec,
    options: &Options,
    store: AnyStore,
    shared: Rc<Shared>,
) -> Result<(), JsValue> {
    let http = HttpOptions { timeout: options.timeout(), prefer_ssz: true };
    let pool = UpstreamPool::new(&options.beacon_api, &http).map_err(js_error)?;
    let config = SyncConfig {
        poll_interval: options.poll_interval_ms.map(Duration::from_millis),
        checkpoint_policy: CheckpointPolicy {
            allow_old: options.allow_old_checkpoint,
            ..CheckpointPolicy::default()
        },
        force_update: match options.force_update {
            ForceUpdate::Supermajority => Some(ForceUpdatePolicy::SUPERMAJORITY),
            ForceUpdate::Off => None,
        },
        max_head_lag_epochs: options
            .max_head_lag_epochs
            .unwrap_or(SyncConfig::default().max_head_lag_epochs),
        ..SyncConfig::default()
    };
    let genesis_validators_root = spec.genesis_validators_root.unwrap_or_default();
    let listener = Rc::clone(&shared);
    let on_event = Box::new(move |event: &Event| listener.emit(&event_json(event)));
    let syncer = Syncer::<S, _, _>::open(
        spec,
        genesis_validators_root,
        pool,
        store,
        SystemClock,
        options.checkpoint_root(),
        config,
        on_event,
    )
    .await
    .map_err(js_error)?;
    let network = options.network_name();
    wasm_bindgen_futures::spawn_local(follow(syncer, shared, network));
    Ok(())
}

/// Publishes the syncer's heads and status (and a `status` event).
fn publish<const S: usize>(
    syncer: &Syncer<S, AnyStore, SystemClock>,
    shared: &Shared,
    phase: &str,
    network: &str,
) {
    let heads = syncer.trusted_heads();
    shared.heads.set(heads);
    let sync = syncer.status().ok();
    let status = status_json(phase, network, sync.as_ref(), heads, &syncer.pool().status());
    shared.emit(&json!({"type": "status", "status": status}));
    *shared.status.borrow_mut() = status;
}

async fn follow<const S: usize>(
    mut syncer: Syncer<S, AnyStore, SystemClock>,
    shared: Rc<Shared>,
    network: String,
) {
    publish(&syncer, &shared, "syncing", &network);
    // Catching up retries until it succeeds: an unreachable upstream delays, never ends, it.
    loop {
        if shared.stopped.get() {
            return;
        }
        match syncer.catch_up().await {
            Ok(()) => break,
            Err(e) => {
                shared.emit(&json!({"type": "error", "message": e.to_string()}));
                mana_client::sleep(Duration::from_secs(2)).await;
            }
        }
    }
    loop {
        if shared.stopped.get() {
            publish(&syncer, &shared, "stopped", &network);
            return;
        }
        if let Err(e) = syncer.poll_head().await {
            shared.emit(&json!({"type": "error", "message": e.to_string()}));
        }
        publish(&syncer, &shared, "synced", &network);
        mana_client::sleep(syncer.poll_delay()).await;
    }
}
