//! `mana node` and `mana checkpoint`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use mana_client::checkpoint::{self, CheckpointPolicy};
use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedBlock, TrustedHeads,
};
use mana_client::{
    Event, Fault, HttpOptions, PersistedLightClient, STORE_KEY, SyncConfig, Syncer, SystemClock,
    UpstreamPool, load_persisted, persisted_committee_size,
};
use mana_consensus::{ForceUpdatePolicy, MAINNET_SYNC_COMMITTEE_SIZE, MINIMAL_SYNC_COMMITTEE_SIZE};
use mana_primitives::ChainSpec;
use mana_store::{RedbStore, Store};
use tracing::{info, warn};

use crate::Error;
use crate::config::{
    CheckpointArgs, ForceUpdate, LogFormat, NodeArgs, NodeConfig, RpcArgs, default_datadir,
    parse_root,
};
use crate::metrics::{self, Metrics};
use crate::rpc_server;

const STORE_FILE: &str = "light-client.redb";

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

pub(crate) fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MANA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second initialisation (tests) is harmless; the first subscriber stays.
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    if result.is_err() {
        eprintln!("note: a log subscriber was already installed");
    }
}

/// `mana node`.
pub(crate) async fn run(args: NodeArgs) -> Result<(), Error> {
    let config = NodeConfig::resolve(args)?;
    init_tracing(config.log_format);
    match config.network.spec.preset.sync_committee_size {
        MAINNET_SYNC_COMMITTEE_SIZE => run_with::<MAINNET_SYNC_COMMITTEE_SIZE>(config).await,
        MINIMAL_SYNC_COMMITTEE_SIZE => run_with::<MINIMAL_SYNC_COMMITTEE_SIZE>(config).await,
        n => Err(Error::Usage(format!("sync committee size {n} is not supported (32 or 512)"))),
    }
}

fn force_policy(f: ForceUpdate) -> Option<ForceUpdatePolicy> {
    match f {
        ForceUpdate::Off => None,
        ForceUpdate::Supermajority => Some(ForceUpdatePolicy::SUPERMAJORITY),
        ForceUpdate::Spec => Some(ForceUpdatePolicy::SPEC),
    }
}

fn on_event(metrics: Arc<Metrics>, spec: ChainSpec) -> Box<dyn FnMut(&Event)> {
    Box::new(move |event: &Event| match event {
        Event::Bootstrapped { root, slot } => {
            metrics.finalized_slot.store(*slot, Ordering::Relaxed);
            info!(slot, root = %hex0x(root), "bootstrapped from the trusted checkpoint");
        }
        Event::Resumed { finalized_slot, optimistic_slot } => {
            metrics.finalized_slot.store(*finalized_slot, Ordering::Relaxed);
            metrics.head_slot.store(*optimistic_slot, Ordering::Relaxed);
            info!(finalized_slot, optimistic_slot, "resumed from the persisted store");
        }
        Event::SyncProgress { period, target_period, remaining } => {
            metrics.finalized_period.store(*period, Ordering::Relaxed);
            metrics.target_period.store(*target_period, Ordering::Relaxed);
            info!("catching up: period {period} of {target_period} ({remaining} to go)");
        }
        Event::CaughtUp { finalized_slot, optimistic_slot } => {
            info!(finalized_slot, optimistic_slot, "caught up with the current period");
        }
        Event::Finalized { slot, root, block_number, block_hash } => {
            metrics.finalized_slot.store(*slot, Ordering::Relaxed);
            if let Ok(p) = spec.sync_committee_period_at_slot(*slot) {
                metrics.finalized_period.store(p, Ordering::Relaxed);
            }
            info!(slot, root = %hex0x(root), block_number, block_hash = %hex0x(block_hash), "new finalized header");
        }
        Event::Optimistic { slot, root, block_number } => {
            metrics.head_slot.store(*slot, Ordering::Relaxed);
            info!(slot, root = %hex0x(root), block_number, "new head");
        }
        Event::PeriodRotated { period } => info!(period, "sync committee rotated"),
        Event::ForcedUpdate { slot } => {
            warn!(
                slot,
                "forced update applied: following a header that never reached finality; \
                 `finalized` and `safe` stay at the last finalized block"
            );
        }
        Event::Stale { head_slot, current_slot } => {
            metrics.stale.store(1, Ordering::Relaxed);
            warn!(head_slot, current_slot, "head is stale: no newer verified header");
        }
        Event::Recovered { head_slot } => {
            metrics.stale.store(0, Ordering::Relaxed);
            info!(head_slot, "head is moving again");
        }
        Event::UpstreamFault { url, fault, reason, score } => match fault {
            Fault::InvalidData => {
                warn!(upstream = %url, score, %reason, "upstream served invalid data")
            }
            Fault::Unavailable => warn!(upstream = %url, score, %reason, "upstream unavailable"),
            Fault::Stale => warn!(upstream = %url, score, %reason, "upstream is stale"),
        },
        Event::Retrying { reason } => warn!(%reason, "poll failed, retrying"),
        _ => {}
    })
}

async fn run_with<const S: usize>(config: NodeConfig) -> Result<(), Error> {
    std::fs::create_dir_all(&config.datadir).map_err(|e| {
        Error::Io(format!("cannot create data directory {}: {e}", config.datadir.display()))
    })?;
    let store_path = config.datadir.join(STORE_FILE);
    let store = RedbStore::open(&store_path)?;
    let options = HttpOptions { timeout: config.request_timeout, prefer_ssz: true };
    let spec = config.network.spec.clone();
    // Trust roots come from the network's configuration, never from a Beacon API: a hostile
    // one could otherwise pick the chain the signatures are checked against.
    let genesis_validators_root = spec.genesis_validators_root.ok_or_else(|| {
        Error::Usage(format!(
            "the network config of {} has no GENESIS_VALIDATORS_ROOT: add it (and \
             MIN_GENESIS_TIME + GENESIS_DELAY = the genesis time) to the config; Mana does not \
             take them from a Beacon API",
            spec.config_name
        ))
    })?;
    info!(
        network = %spec.config_name,
        datadir = %config.datadir.display(),
        upstreams = config.beacon_apis.len(),
        "starting"
    );
    let persisted = match load_persisted::<S>(&store).await {
        Ok(p) => p,
        Err(e) if config.checkpoint.is_some() => {
            warn!(error = %e, "persisted store unusable; starting again from the given checkpoint");
            None
        }
        Err(e) => return Err(e.into()),
    };
    let checkpoint = match (config.checkpoint, &persisted) {
        (Some(root), _) => Some(root),
        (None, Some(_)) => None,
        (None, None) if config.checkpoint_sync_urls.is_empty() => {
            return Err(mana_client::Error::NoCheckpoint.into());
        }
        (None, None) => {
            info!(
                providers = config.checkpoint_sync_urls.len(),
                "asking checkpoint-sync providers for the finalized checkpoint"
            );
            let min = config.checkpoint_sync_urls.len().min(2);
            let found = checkpoint::lookup(
                &config.checkpoint_sync_urls,
                &options,
                min,
                2,
                std::time::Duration::from_secs(6),
            )
            .await?;
            info!(epoch = found.epoch, root = %hex0x(&found.root), sources = ?found.sources, "checkpoint agreed");
            Some(found.root)
        }
    };
    let metrics = Arc::new(Metrics::default());
    if let Some(addr) = config.metrics_addr {
        let bound = metrics::serve(addr, Arc::clone(&metrics))
            .await
            .map_err(|e| Error::Io(format!("cannot serve metrics on {addr}: {e}")))?;
        info!(address = %bound, "metrics at http://{bound}/metrics");
    }
    let heads = SharedHeads::new();
    match (config.rpc_addr, config.execution_rpcs.is_empty(), spec.deposit_chain_id) {
        (None, _, _) => {}
        (Some(_), true, _) => {
            info!("no execution upstream configured (--execution-rpc): verified JSON-RPC is off")
        }
        (Some(_), false, 0) => {
            warn!("the network config has no DEPOSIT_CHAIN_ID: verified JSON-RPC is off")
        }
        (Some(addr), false, chain_id) => {
            // The chain id comes from the network config; an upstream on another chain is
            // refused (one that cannot be reached now is only reported).
            for url in &config.execution_rpcs {
                match upstream_chain_id(std::slice::from_ref(url), config.request_timeout).await {
                    Ok(id) if id != chain_id => {
                        return Err(Error::Usage(format!(
                            "execution upstream {url} serves chain {id}, not {} (chain {chain_id})",
                            spec.config_name
                        )));
                    }
                    Ok(_) => {}
                    Err(e) => {
                        warn!(upstream = %url, error = %e, "cannot check the upstream's chain id")
                    }
                }
            }
            let mut provider_config = ProviderConfig::for_chain(chain_id);
            provider_config.forward_unverified =
                config.forward_unverified.iter().cloned().collect();
            let endpoint = rpc_server::Endpoint::new(
                &config.execution_rpcs,
                config.request_timeout,
                provider_config,
                heads.clone(),
            )?;
            let bound = rpc_server::serve(addr, endpoint, config.rpc_policy.clone())
                .await
                .map_err(|e| Error::Io(format!("cannot serve JSON-RPC on {addr}: {e}")))?;
            info!(address = %bound, upstreams = config.execution_rpcs.len(), "verified JSON-RPC at http://{bound} (and ws://{bound})");
        }
    }
    let pool = UpstreamPool::new(&config.beacon_apis, &options)?;
    let sync_config = SyncConfig {
        poll_interval: None,
        stale_after_slots: config.stale_after_slots,
        force_update: force_policy(config.force_update),
        checkpoint_policy: CheckpointPolicy {
            max_age: config.max_checkpoint_age,
            allow_old: config.allow_old_checkpoint,
        },
        max_head_lag_epochs: config.max_head_lag_epochs,
    };
    let events = on_event(Arc::clone(&metrics), spec.clone());
    let mut syncer = Syncer::<S, _, _>::open(
        spec,
        genesis_validators_root,
        pool,
        store,
        SystemClock,
        checkpoint,
        sync_config,
        events,
    )
    .await?;
    let mut last_status: Option<(bool, bool, bool)> = None;
    let mut publish = |syncer: &Syncer<S, RedbStore, SystemClock>| {
        heads.set(syncer.trusted_heads());
        metrics.set_stats(syncer.stats());
        metrics.set_upstreams(syncer.pool().status());
        if let Ok(status) = syncer.status() {
            metrics.current_slot.store(status.current_slot, Ordering::Relaxed);
            metrics.head_slot.store(status.optimistic_slot, Ordering::Relaxed);
            metrics.finalized_slot.store(status.finalized_slot, Ordering::Relaxed);
            metrics.finalized_period.store(status.finalized_period, Ordering::Relaxed);
            let flags = (
                status.forced_update,
                status.head_too_old,
                status.head_slot <= status.proven_finalized_slot,
            );
            if last_status != Some(flags) {
                last_status = Some(flags);
                if status.forced_update {
                    warn!(
                        finalized_slot = status.proven_finalized_slot,
                        "trust advanced by a forced update; serving the last finalized block as `finalized`"
                    );
                }
                if status.head_too_old {
                    warn!(
                        head_slot = status.head_slot,
                        current_slot = status.current_slot,
                        "the verified head is too old: answers for `latest` are refused until a newer header is signed by 2/3 of the committee"
                    );
                }
                if flags.2 {
                    info!(
                        finalized_slot = status.proven_finalized_slot,
                        "no header newer than the finalized one signed by 2/3 of the committee yet: `latest` is the finalized block"
                    );
                }
            }
        }
    };
    tokio::select! {
        result = syncer.catch_up() => result?,
        _ = tokio::signal::ctrl_c() => {
            info!("interrupted; the store holds the last verified state");
            return Ok(());
        }
    }
    publish(&syncer);
    loop {
        tokio::select! {
            result = syncer.poll_head() => match result {
                Ok(_) => {}
                Err(e @ (mana_client::Error::Store(_) | mana_client::Error::StoreCorrupt(_))) => {
                    return Err(e.into());
                }
                Err(e) => warn!(error = %e, "poll failed, retrying"),
            },
            _ = tokio::signal::ctrl_c() => {
                info!("interrupted; the store holds the last verified state");
                return Ok(());
            }
        }
        publish(&syncer);
        if config.exit_when_synced {
            let status = syncer.status()?;
            info!(
                finalized_slot = status.finalized_slot,
                head_slot = status.optimistic_slot,
                "synced; exiting"
            );
            return Ok(());
        }
        tokio::select! {
            () = mana_client::sleep(syncer.poll_delay()) => {}
            _ = tokio::signal::ctrl_c() => {
                info!("interrupted; the store holds the last verified state");
                return Ok(());
            }
        }
    }
}

/// `mana rpc`: the verified JSON-RPC anchored at one trusted execution block.
pub(crate) async fn serve_rpc(args: RpcArgs) -> Result<(), Error> {
    init_tracing(args.log_format);
    let hash: alloy_primitives::B256 = parse_root(&args.trust_block)?.into();
    let timeout = std::time::Duration::from_millis(args.request_timeout_ms);
    let chain_id = match (args.chain_id, &args.network) {
        (Some(id), None) => id,
        (id, Some(name)) => {
            let network = crate::config::load_network(name)?;
            let from_config = network.spec.deposit_chain_id;
            if from_config == 0 {
                return Err(Error::Usage(format!(
                    "network {name} has no DEPOSIT_CHAIN_ID in its config; pass --chain-id"
                )));
            }
            if let Some(id) = id
                && id != from_config
            {
                return Err(Error::Usage(format!(
                    "--chain-id {id} contradicts network {name} (chain {from_config})"
                )));
            }
            from_config
        }
        (None, None) => {
            return Err(Error::Usage(
                "pass --network (mainnet, sepolia, hoodi or a config.yaml) or --chain-id".into(),
            ));
        }
    };
    // The chain id is ours to know; an upstream on another chain is refused.
    let upstream = upstream_chain_id(&args.execution_rpc, timeout).await?;
    if upstream != chain_id {
        return Err(Error::Usage(format!(
            "the execution upstreams serve chain {upstream}, not chain {chain_id}"
        )));
    }
    let heads = SharedHeads::new();
    let mut provider_config = ProviderConfig::for_chain(chain_id);
    provider_config.forward_unverified = args.forward_unverified.iter().cloned().collect();
    let endpoint =
        rpc_server::Endpoint::new(&args.execution_rpc, timeout, provider_config, heads.clone())?;
    let number = trusted_block_number(&args.execution_rpc, timeout, hash).await?;
    let trusted = TrustedBlock { number, hash };
    heads.set(TrustedHeads {
        latest: Some(trusted),
        finalized: Some(trusted),
        ..TrustedHeads::default()
    });
    let bound = rpc_server::serve(args.rpc_addr, Arc::clone(&endpoint), args.access.policy())
        .await
        .map_err(|e| Error::Io(format!("cannot serve JSON-RPC on {}: {e}", args.rpc_addr)))?;
    info!(address = %bound, block = number, hash = %hash, chain_id, "verified JSON-RPC at http://{bound} (and ws://{bound})");
    if args.dev_follow_upstream_head {
        warn!("--dev-follow-upstream-head: the anchor follows the upstream's head unverified");
        let upstream = args.execution_rpc.first().cloned().unwrap_or_default();
        tokio::spawn(follow_upstream_head(upstream, timeout, heads.clone(), trusted));
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        warn!(error = %e, "cannot wait for Ctrl-C; stopping");
    }
    info!("interrupted");
    Ok(())
}

/// The number of block `hash`, from a header that hashes to it.
async fn trusted_block_number(
    urls: &[String],
    timeout: std::time::Duration,
    hash: alloy_primitives::B256,
) -> Result<u64, Error> {
    let mut reasons = Vec::new();
    for url in urls {
        let rpc = ExecutionRpc::new(url, timeout)?;
        let value = match rpc.call("eth_getBlockByHash", serde_json::json!([hash, false])).await {
            Ok(v) => v,
            Err(e) => {
                reasons.push(e.to_string());
                continue;
            }
        };
        match serde_json::from_value::<alloy_rpc_types_eth::Block>(value) {
            Ok(block) => match mana_execution::verify_header(&block.header.inner, &hash) {
                Ok(_) => return Ok(block.header.inner.number),
                Err(e) => reasons.push(format!("{url}: {e}")),
            },
            Err(e) => reasons.push(format!("{url}: block {hash} not served ({e})")),
        }
    }
    Err(Error::Usage(format!("cannot verify the trusted block {hash}: {}", reasons.join("; "))))
}

/// Development mode: moves `heads` to the upstream's newest block every half second, as long
/// as the new head's header hashes to its hash and descends from the current anchor's number.
async fn follow_upstream_head(
    url: String,
    timeout: std::time::Duration,
    heads: SharedHeads,
    mut anchor: TrustedBlock,
) {
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let Ok(rpc) = ExecutionRpc::new(&url, timeout) else { return };
        let Ok(value) =
            rpc.call("eth_getBlockByNumber", serde_json::json!(["latest", false])).await
        else {
            continue;
        };
        let Ok(block) = serde_json::from_value::<alloy_rpc_types_eth::Block>(value) else {
            continue;
        };
        let header = block.header.inner;
        if header.number <= anchor.number
            || mana_execution::verify_header(&header, &block.header.hash).is_err()
        {
            continue;
        }
        anchor = TrustedBlock { number: header.number, hash: block.header.hash };
        heads.set(TrustedHeads {
            latest: Some(anchor),
            finalized: Some(anchor),
            ..TrustedHeads::default()
        });
        info!(block = anchor.number, hash = %anchor.hash, "dev anchor moved to the upstream head");
    }
}

/// The upstreams' chain id; they must agree.
async fn upstream_chain_id(urls: &[String], timeout: std::time::Duration) -> Result<u64, Error> {
    let mut found = None;
    for url in urls {
        let rpc = ExecutionRpc::new(url, timeout)?;
        let value = rpc.call("eth_chainId", serde_json::json!([])).await?;
        let id = value
            .as_str()
            .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| Error::Usage(format!("{url}: eth_chainId answered {value}")))?;
        match found {
            Some(f) if f != id => {
                return Err(Error::Usage(format!(
                    "execution upstreams disagree on the chain id ({f} and {id})"
                )));
            }
            _ => found = Some(id),
        }
    }
    found.ok_or_else(|| Error::Usage("no execution upstream".into()))
}

/// `mana checkpoint`.
pub(crate) async fn print_checkpoint(args: CheckpointArgs) -> Result<(), Error> {
    let datadir = args.datadir.unwrap_or_else(|| default_datadir(&args.network));
    let path = datadir.join(STORE_FILE);
    if !path.exists() {
        return Err(Error::Usage(format!("no Mana store in {}", datadir.display())));
    }
    let store = RedbStore::open(&path).map_err(|e| {
        Error::Usage(format!("{e} (is a mana node running on this data directory?)"))
    })?;
    let bytes = store.get(STORE_KEY).await?.ok_or_else(|| {
        Error::Usage(format!("no trusted checkpoint persisted in {}", datadir.display()))
    })?;
    match persisted_committee_size(&bytes) {
        Some(MAINNET_SYNC_COMMITTEE_SIZE) => {
            print_store::<MAINNET_SYNC_COMMITTEE_SIZE>(&bytes, &args.network, args.json)
        }
        Some(MINIMAL_SYNC_COMMITTEE_SIZE) => {
            print_store::<MINIMAL_SYNC_COMMITTEE_SIZE>(&bytes, &args.network, args.json)
        }
        _ => Err(mana_client::Error::StoreCorrupt("unknown committee size".into()).into()),
    }
}

fn print_store<const S: usize>(bytes: &[u8], network: &str, json: bool) -> Result<(), Error> {
    let p = PersistedLightClient::<S>::decode(bytes)?;
    let fin = &p.store.finalized_header;
    let opt = &p.store.optimistic_header;
    // Epoch and period need the network's preset: the one named on the command line if it is
    // the store's network, else the built-in network of that name.
    let network = crate::config::load_network(network)
        .ok()
        .map(|n| n.spec)
        .filter(|spec| spec.config_name == p.network)
        .or_else(|| ChainSpec::by_name(&p.network));
    let period =
        network.as_ref().and_then(|s| s.sync_committee_period_at_slot(fin.beacon.slot).ok());
    let epoch = network.as_ref().map(|s| s.epoch_at_slot(fin.beacon.slot));
    let value = serde_json::json!({
        "network": p.network,
        "genesis_validators_root": hex0x(&p.genesis_validators_root),
        "anchor_root": hex0x(&p.anchor_root),
        "finalized": {
            "slot": fin.beacon.slot,
            "epoch": epoch,
            "period": period,
            "root": hex0x(&fin.beacon_root()),
            "state_root": hex0x(&fin.beacon.state_root),
            "execution_block_number": fin.execution.block_number,
            "execution_block_hash": hex0x(&fin.execution.block_hash),
        },
        "optimistic": {
            "slot": opt.beacon.slot,
            "root": hex0x(&opt.beacon_root()),
            "execution_block_number": opt.execution.block_number,
        },
        "next_sync_committee_known": p.store.next_sync_committee.is_some(),
    });
    if json {
        println!("{value}");
    } else {
        println!("network            {}", p.network);
        println!("trusted checkpoint {}  (slot {})", hex0x(&fin.beacon_root()), fin.beacon.slot);
        println!(
            "  use with         mana node --network {} --checkpoint {}",
            p.network,
            hex0x(&fin.beacon_root())
        );
        println!(
            "execution block    {} {}",
            fin.execution.block_number,
            hex0x(&fin.execution.block_hash)
        );
        println!("head (optimistic)  slot {} {}", opt.beacon.slot, hex0x(&opt.beacon_root()));
        println!("bootstrapped from  {}", hex0x(&p.anchor_root));
        println!(
            "next committee     {}",
            if p.store.next_sync_committee.is_some() { "known" } else { "not yet known" }
        );
    }
    Ok(())
}
