//! Settings: flags, then `MANA_*` environment variables (both through clap), then the TOML
//! file, then the network's built-in defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mana_primitives::ChainSpec;
use serde::Deserialize;

use crate::Error;
use crate::rpc_server::{self, RpcPolicy};

/// Mana: an Ethereum light client that verifies everything.
#[derive(Debug, Parser)]
#[command(name = "mana", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Follow a network: bootstrap or resume, catch up, follow the head, serve metrics.
    Node(Box<NodeArgs>),
    /// Print the persisted trusted checkpoint of a data directory.
    Checkpoint(CheckpointArgs),
    /// Serve the verified JSON-RPC anchored at one execution block you trust (development,
    /// tests, or verifying against a block hash from another source); `mana node` serves it
    /// anchored at the light client's heads.
    Rpc(RpcArgs),
    /// Verify one block statelessly from its execution witness (a file, or an execution node's
    /// `debug_executionWitness`), or every case of an EEST blockchain-test file. Exit status: 0
    /// valid (every case passed), 1 invalid, 2 usage or input error.
    VerifyBlock(Box<VerifyBlockArgs>),
    /// Serve stateless block verification over HTTP (`POST /verify`, `GET /metrics`,
    /// `GET /health`).
    Serve(ServeArgs),
    /// Verify an EIP-6800 (verkle) execution witness against a trusted parent state root and
    /// recompute the post-state root. Exit status: 0 valid, 1 invalid, 2 usage or input error.
    VerifyVerkle(VerifyVerkleArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VerifyVerkleArgs {
    /// A JSON file: a bare `executionWitness` object (`stateDiff`, `verkleProof`) or a block
    /// carrying one.
    pub(crate) file: PathBuf,
    /// The trusted parent state root (0x + 64 hex digits, the compressed root commitment).
    #[arg(long = "pre-root")]
    pub(crate) pre_root: String,
    /// Require the recomputed post-state root to equal this one.
    #[arg(long = "post-root")]
    pub(crate) post_root: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// An execution chain whose rules the stateless verifier applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ChainName {
    /// Ethereum mainnet (chain id 1).
    Mainnet,
    /// Sepolia (chain id 11155111).
    Sepolia,
    /// Hoodi (chain id 560048).
    Hoodi,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyBlockArgs {
    /// A JSON file in the fixture shape (`blockRlp`, `executionWitness`, optional `publicKeys`
    /// and `blockHash`), or an EEST `blockchain_test` file (every case and block is run).
    pub(crate) file: Option<PathBuf>,
    /// The block as RLP (hex or binary file); with --witness instead of FILE.
    #[arg(long = "block-rlp", requires = "witness", conflicts_with = "file")]
    pub(crate) block_rlp: Option<PathBuf>,
    /// A `debug_executionWitness` result (JSON file); with --block-rlp.
    #[arg(long, requires = "block_rlp", conflicts_with = "file")]
    pub(crate) witness: Option<PathBuf>,
    /// Fetch the block and its witness from this execution JSON-RPC endpoint.
    #[arg(long, conflicts_with = "file")]
    pub(crate) rpc: Option<String>,
    /// With --rpc: the block number.
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub(crate) block: Option<u64>,
    /// With --rpc: the first block of a range.
    #[arg(long, requires = "to")]
    pub(crate) from: Option<u64>,
    /// With --rpc: the last block of a range.
    #[arg(long, requires = "from")]
    pub(crate) to: Option<u64>,
    /// Trust this block hash (0x + 64 hex digits); with a range, the hash of its last block.
    #[arg(long = "trust-block-hash", conflicts_with = "trust_parent_hash")]
    pub(crate) trust_block_hash: Option<String>,
    /// Trust this parent hash; with a range, the parent of its first block.
    #[arg(long = "trust-parent-hash")]
    pub(crate) trust_parent_hash: Option<String>,
    /// The chain whose rules apply.
    #[arg(long, value_enum, default_value = "mainnet")]
    pub(crate) chain: ChainName,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Ignore supplied signer public keys (recover every sender from its signature).
    #[arg(long = "no-public-keys")]
    pub(crate) no_public_keys: bool,
    /// With --rpc: per-request timeout in milliseconds.
    #[arg(long = "request-timeout-ms", default_value_t = 60_000)]
    pub(crate) request_timeout_ms: u64,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Listen address (port 0 picks a free port; the bound address is printed).
    #[arg(long, env = "MANA_SERVE_ADDR", default_value = "127.0.0.1:8546")]
    pub(crate) addr: SocketAddr,
    /// Largest request body, in MiB (larger requests get 413).
    #[arg(long = "max-body-mb", default_value_t = 64)]
    pub(crate) max_body_mb: usize,
    /// The chain whose rules apply.
    #[arg(long, value_enum, default_value = "mainnet")]
    pub(crate) chain: ChainName,
    /// Verifications running at once (default: the number of cores); others wait.
    #[arg(long = "max-concurrent")]
    pub(crate) max_concurrent: Option<usize>,
    /// Largest block gas limit verified: a block above it is refused (422) before execution,
    /// which bounds the work one request can cause.
    #[arg(long = "max-gas", default_value_t = 100_000_000)]
    pub(crate) max_gas: u64,
    /// Deadline in milliseconds from a request's body having arrived to its answer (waiting for
    /// a slot, parsing, verifying); later, the answer is 504 and the work stops if it has not
    /// started executing.
    #[arg(
        long = "request-timeout-ms",
        default_value_t = 30_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub(crate) request_timeout_ms: u64,
    /// Log format.
    #[arg(long = "log-format", value_enum, default_value = "text")]
    pub(crate) log_format: LogFormat,
}

/// Output format of the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// When to apply `process_light_client_store_force_update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ForceUpdate {
    /// Never: wait for finality however long it takes.
    Off,
    /// Only with a 2/3 supermajority of signers.
    Supermajority,
    /// Whenever the spec allows it, except that a sync-committee rotation still needs 2/3 of
    /// the committee's signatures (the spec would take one).
    Spec,
}

#[derive(Debug, Args)]
pub(crate) struct NodeArgs {
    /// Network: mainnet, sepolia, hoodi, or the path of a consensus `config.yaml`.
    #[arg(long, env = "MANA_NETWORK")]
    pub(crate) network: Option<String>,
    /// Trusted finalized block root (0x + 64 hex digits) to bootstrap from.
    #[arg(long, env = "MANA_CHECKPOINT")]
    pub(crate) checkpoint: Option<String>,
    /// Beacon API endpoints serving light-client data (repeat or comma-separate).
    #[arg(long = "beacon-api", env = "MANA_BEACON_API", value_delimiter = ',')]
    pub(crate) beacon_api: Vec<String>,
    /// Checkpoint-sync providers asked for a checkpoint when none is given or persisted.
    #[arg(long = "checkpoint-sync-url", env = "MANA_CHECKPOINT_SYNC_URL", value_delimiter = ',')]
    pub(crate) checkpoint_sync_url: Vec<String>,
    /// Data directory (default: $XDG_DATA_HOME/mana/<network> or ~/.local/share/mana/<network>).
    #[arg(long, env = "MANA_DATADIR")]
    pub(crate) datadir: Option<PathBuf>,
    /// TOML settings file (default: mana.toml in the data directory, if present).
    #[arg(long, env = "MANA_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Address of the Prometheus metrics endpoint.
    #[arg(long = "metrics-addr", env = "MANA_METRICS_ADDR")]
    pub(crate) metrics_addr: Option<SocketAddr>,
    /// Do not serve metrics.
    #[arg(long = "no-metrics", env = "MANA_NO_METRICS")]
    pub(crate) no_metrics: bool,
    /// Accept a trusted header older than the weak-subjectivity limit.
    #[arg(long = "allow-old-checkpoint", env = "MANA_ALLOW_OLD_CHECKPOINT")]
    pub(crate) allow_old_checkpoint: bool,
    /// Weak-subjectivity limit on the age of the trusted header, in hours.
    #[arg(long = "max-checkpoint-age-hours", env = "MANA_MAX_CHECKPOINT_AGE_HOURS")]
    pub(crate) max_checkpoint_age_hours: Option<u64>,
    /// The head is reported stale after this many slots without a newer header.
    #[arg(long = "stale-after-slots", env = "MANA_STALE_AFTER_SLOTS")]
    pub(crate) stale_after_slots: Option<u64>,
    /// Forced updates after `UPDATE_TIMEOUT` slots without finality (default: supermajority).
    #[arg(long = "force-update", env = "MANA_FORCE_UPDATE", value_enum)]
    pub(crate) force_update: Option<ForceUpdate>,
    /// Answers anchored to `latest` are refused once the verified head is this many epochs
    /// behind the wall clock (default 3); `finalized`, `safe` and explicit blocks still answer.
    #[arg(long = "max-head-lag-epochs", env = "MANA_MAX_HEAD_LAG_EPOCHS")]
    pub(crate) max_head_lag_epochs: Option<u64>,
    /// Per-request timeout in milliseconds.
    #[arg(long = "request-timeout-ms", env = "MANA_REQUEST_TIMEOUT_MS")]
    pub(crate) request_timeout_ms: Option<u64>,
    /// Log format.
    #[arg(long = "log-format", env = "MANA_LOG_FORMAT", value_enum)]
    pub(crate) log_format: Option<LogFormat>,
    /// Stop after catching up instead of following the head (for scripts).
    #[arg(long = "exit-when-synced")]
    pub(crate) exit_when_synced: bool,
    /// Execution JSON-RPC upstreams the verified provider asks (repeat or comma-separate).
    #[arg(long = "execution-rpc", env = "MANA_EXECUTION_RPC", value_delimiter = ',')]
    pub(crate) execution_rpc: Vec<String>,
    /// Address of the verified JSON-RPC endpoint (HTTP and WebSocket).
    #[arg(long = "rpc-addr", env = "MANA_RPC_ADDR")]
    pub(crate) rpc_addr: Option<SocketAddr>,
    /// Do not serve the verified JSON-RPC endpoint.
    #[arg(long = "no-rpc", env = "MANA_NO_RPC")]
    pub(crate) no_rpc: bool,
    /// Methods to forward unverified (comma-separated); everything else is verified or refused.
    #[arg(long = "forward-unverified", env = "MANA_FORWARD_UNVERIFIED", value_delimiter = ',')]
    pub(crate) forward_unverified: Vec<String>,
    /// Who may call the verified JSON-RPC endpoint, and its limits.
    #[command(flatten)]
    pub(crate) rpc_access: RpcAccessArgs,
}

/// Who may call the verified JSON-RPC endpoint and how much work one client may cause (shared
/// by `mana node` and `mana rpc`).
#[derive(Debug, Args)]
pub(crate) struct RpcAccessArgs {
    /// Web origins allowed to call the JSON-RPC endpoint, e.g. `https://app.example` (repeat or
    /// comma-separate; `*` allows every page). Requests without an `Origin` header (curl,
    /// native tools) are always served; by default no web page is.
    #[arg(long = "rpc-allow-origin", env = "MANA_RPC_ALLOW_ORIGIN", value_delimiter = ',')]
    pub(crate) rpc_allow_origin: Vec<String>,
    /// Host names the JSON-RPC requests' `Host` header may carry besides loopback (`localhost`,
    /// `127.0.0.1`, `[::1]`), e.g. a LAN name or address (repeat or comma-separate; `*` allows
    /// any, giving up the DNS-rebinding defence).
    #[arg(long = "rpc-host", env = "MANA_RPC_HOST", value_delimiter = ',')]
    pub(crate) rpc_host: Vec<String>,
    /// Most requests in one JSON-RPC batch [default: 100].
    #[arg(long = "rpc-max-batch", env = "MANA_RPC_MAX_BATCH",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub(crate) rpc_max_batch: Option<usize>,
    /// Most subscriptions open on one WebSocket connection [default: 16].
    #[arg(long = "rpc-max-subscriptions", env = "MANA_RPC_MAX_SUBSCRIPTIONS")]
    pub(crate) rpc_max_subscriptions: Option<usize>,
    /// Most filters (`eth_newFilter`, `eth_newBlockFilter`) installed at once [default: 256].
    #[arg(long = "rpc-max-filters", env = "MANA_RPC_MAX_FILTERS")]
    pub(crate) rpc_max_filters: Option<usize>,
    /// Largest block range of `eth_getLogs` and `eth_newFilter` [default: 10000, also the
    /// most the provider scans].
    #[arg(long = "rpc-max-log-blocks", env = "MANA_RPC_MAX_LOG_BLOCKS",
        value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) rpc_max_log_blocks: Option<u64>,
    /// Longest time one JSON-RPC request may take, in milliseconds (each request of a batch;
    /// `--request-timeout-ms` bounds each upstream call within it) [default: 30000].
    #[arg(long = "rpc-request-timeout-ms", env = "MANA_RPC_REQUEST_TIMEOUT_MS",
        value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) rpc_request_timeout_ms: Option<u64>,
}

impl RpcAccessArgs {
    /// The policy these flags give over the built-in defaults (`mana rpc` reads no file).
    pub(crate) fn policy(&self) -> RpcPolicy {
        self.over(&FileConfig::default())
    }

    /// The policy these flags give over the file's settings (checked by
    /// [`FileConfig::check_rpc`]) over the built-in defaults.
    fn over(&self, file: &FileConfig) -> RpcPolicy {
        let list = |flag: &[String], file: &Option<Vec<String>>| {
            if flag.is_empty() { file.clone().unwrap_or_default() } else { flag.to_vec() }
        };
        RpcPolicy {
            allowed_origins: list(&self.rpc_allow_origin, &file.rpc_allow_origin),
            allowed_hosts: list(&self.rpc_host, &file.rpc_host),
            max_batch: self
                .rpc_max_batch
                .or(file.rpc_max_batch)
                .unwrap_or(rpc_server::DEFAULT_MAX_BATCH),
            max_subscriptions: self
                .rpc_max_subscriptions
                .or(file.rpc_max_subscriptions)
                .unwrap_or(rpc_server::DEFAULT_MAX_SUBSCRIPTIONS),
            max_filters: self
                .rpc_max_filters
                .or(file.rpc_max_filters)
                .unwrap_or(rpc_server::DEFAULT_MAX_FILTERS),
            max_log_blocks: self
                .rpc_max_log_blocks
                .or(file.rpc_max_log_blocks)
                .unwrap_or(rpc_server::DEFAULT_MAX_LOG_BLOCKS),
            request_timeout: Duration::from_millis(
                self.rpc_request_timeout_ms
                    .or(file.rpc_request_timeout_ms)
                    .unwrap_or(rpc_server::DEFAULT_REQUEST_TIMEOUT_MS),
            ),
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct RpcArgs {
    /// Execution JSON-RPC upstreams (repeat or comma-separate).
    #[arg(
        long = "execution-rpc",
        env = "MANA_EXECUTION_RPC",
        value_delimiter = ',',
        required = true
    )]
    pub(crate) execution_rpc: Vec<String>,
    /// The execution block hash to trust (0x + 64 hex digits); every answer is verified
    /// against it or its ancestors.
    #[arg(long = "trust-block")]
    pub(crate) trust_block: String,
    /// Network whose `DEPOSIT_CHAIN_ID` is the chain id: mainnet, sepolia, hoodi, or the path
    /// of a consensus `config.yaml`.
    #[arg(long, env = "MANA_NETWORK")]
    pub(crate) network: Option<String>,
    /// The chain id, for a chain without a network config (a local dev node). One of
    /// `--network` and `--chain-id` is required; every upstream's `eth_chainId` must match.
    #[arg(long = "chain-id")]
    pub(crate) chain_id: Option<u64>,
    /// Address of the endpoint (HTTP and WebSocket).
    #[arg(long = "rpc-addr", env = "MANA_RPC_ADDR", default_value = "127.0.0.1:8545")]
    pub(crate) rpc_addr: SocketAddr,
    /// Methods to forward unverified (comma-separated); everything else is verified or refused.
    #[arg(long = "forward-unverified", value_delimiter = ',')]
    pub(crate) forward_unverified: Vec<String>,
    /// Per-request timeout in milliseconds.
    #[arg(long = "request-timeout-ms", default_value_t = 10_000)]
    pub(crate) request_timeout_ms: u64,
    /// Log format.
    #[arg(long = "log-format", value_enum, default_value = "text")]
    pub(crate) log_format: LogFormat,
    /// Development only: move the anchor to the first upstream's newest block as it appears
    /// (unverified: for a local dev node such as Anvil, where there is no beacon chain).
    #[arg(long = "dev-follow-upstream-head")]
    pub(crate) dev_follow_upstream_head: bool,
    /// Who may call the endpoint, and its limits (boxed: the `Command` variants stay small).
    #[command(flatten)]
    pub(crate) access: Box<RpcAccessArgs>,
}

#[derive(Debug, Args)]
pub(crate) struct CheckpointArgs {
    /// Network whose default data directory to read (mainnet, sepolia, hoodi, or a
    /// `config.yaml`, which also gives epochs and periods of a custom network).
    #[arg(long, env = "MANA_NETWORK", default_value = "mainnet")]
    pub(crate) network: String,
    /// Data directory.
    #[arg(long, env = "MANA_DATADIR")]
    pub(crate) datadir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The TOML file: the same settings as the flags, in snake case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    network: Option<String>,
    checkpoint: Option<String>,
    beacon_api: Option<Vec<String>>,
    checkpoint_sync_url: Option<Vec<String>>,
    datadir: Option<PathBuf>,
    metrics_addr: Option<SocketAddr>,
    no_metrics: Option<bool>,
    allow_old_checkpoint: Option<bool>,
    max_checkpoint_age_hours: Option<u64>,
    stale_after_slots: Option<u64>,
    force_update: Option<ForceUpdate>,
    max_head_lag_epochs: Option<u64>,
    request_timeout_ms: Option<u64>,
    log_format: Option<LogFormat>,
    execution_rpc: Option<Vec<String>>,
    rpc_addr: Option<SocketAddr>,
    no_rpc: Option<bool>,
    forward_unverified: Option<Vec<String>>,
    rpc_allow_origin: Option<Vec<String>>,
    rpc_host: Option<Vec<String>>,
    rpc_max_batch: Option<usize>,
    rpc_max_subscriptions: Option<usize>,
    rpc_max_filters: Option<usize>,
    rpc_max_log_blocks: Option<u64>,
    rpc_request_timeout_ms: Option<u64>,
}

impl FileConfig {
    /// Refuses the JSON-RPC limits the flags' parsers would refuse (a zero batch size, log
    /// range or timeout).
    fn check_rpc(&self) -> Result<(), Error> {
        let zero = [
            ("rpc_max_batch", self.rpc_max_batch == Some(0)),
            ("rpc_max_log_blocks", self.rpc_max_log_blocks == Some(0)),
            ("rpc_request_timeout_ms", self.rpc_request_timeout_ms == Some(0)),
        ];
        match zero.iter().find(|(_, is_zero)| *is_zero) {
            Some((name, _)) => Err(Error::Usage(format!("{name} must be at least 1"))),
            None => Ok(()),
        }
    }
}

/// A network and where its defaults come from.
#[derive(Debug, Clone)]
pub(crate) struct Network {
    pub(crate) spec: ChainSpec,
    /// Built-in name, or `None` for a config file.
    pub(crate) builtin: Option<&'static str>,
}

/// Public Beacon API endpoints that serve light-client data.
fn default_beacon_apis(network: &str) -> Vec<String> {
    let urls: &[&str] = match network {
        "mainnet" => &[
            "https://ethereum-beacon-api.publicnode.com",
            "https://lodestar-mainnet.chainsafe.io",
            "https://www.lightclientdata.org",
        ],
        "sepolia" => &[
            "https://ethereum-sepolia-beacon-api.publicnode.com",
            "https://lodestar-sepolia.chainsafe.io",
        ],
        "hoodi" => &[
            "https://ethereum-hoodi-beacon-api.publicnode.com",
            "https://lodestar-hoodi.chainsafe.io",
        ],
        _ => &[],
    };
    urls.iter().map(ToString::to_string).collect()
}

/// Public checkpoint-sync providers (all must agree on the finalized checkpoint).
fn default_checkpoint_sync(network: &str) -> Vec<String> {
    let urls: &[&str] = match network {
        "mainnet" => &[
            "https://sync-mainnet.beaconcha.in",
            "https://mainnet.checkpoint.sigp.io",
            "https://beaconstate.info",
            "https://mainnet-checkpoint-sync.attestant.io",
        ],
        "sepolia" => {
            &["https://sepolia.beaconstate.info", "https://checkpoint-sync.sepolia.ethpandaops.io"]
        }
        "hoodi" => {
            &["https://hoodi.beaconstate.info", "https://checkpoint-sync.hoodi.ethpandaops.io"]
        }
        _ => &[],
    };
    urls.iter().map(ToString::to_string).collect()
}

/// Public execution JSON-RPC endpoints that answer `eth_getProof` and batches.
fn default_execution_rpcs(network: &str) -> Vec<String> {
    let urls: &[&str] = match network {
        "mainnet" => &["https://ethereum-rpc.publicnode.com", "https://eth.drpc.org"],
        "sepolia" => &["https://ethereum-sepolia-rpc.publicnode.com"],
        "hoodi" => &["https://ethereum-hoodi-rpc.publicnode.com"],
        _ => &[],
    };
    urls.iter().map(ToString::to_string).collect()
}

/// Everything `mana node` runs with, resolved.
#[derive(Debug)]
pub(crate) struct NodeConfig {
    pub(crate) network: Network,
    pub(crate) checkpoint: Option<[u8; 32]>,
    pub(crate) beacon_apis: Vec<String>,
    pub(crate) checkpoint_sync_urls: Vec<String>,
    pub(crate) datadir: PathBuf,
    pub(crate) metrics_addr: Option<SocketAddr>,
    pub(crate) allow_old_checkpoint: bool,
    pub(crate) max_checkpoint_age: Duration,
    pub(crate) stale_after_slots: u64,
    pub(crate) force_update: ForceUpdate,
    pub(crate) max_head_lag_epochs: u64,
    pub(crate) request_timeout: Duration,
    pub(crate) log_format: LogFormat,
    pub(crate) exit_when_synced: bool,
    /// Execution upstreams; empty means no verified JSON-RPC.
    pub(crate) execution_rpcs: Vec<String>,
    /// Where the verified JSON-RPC listens (`None`: not served).
    pub(crate) rpc_addr: Option<SocketAddr>,
    /// Methods forwarded unverified.
    pub(crate) forward_unverified: Vec<String>,
    /// Who may call the verified JSON-RPC, and its limits.
    pub(crate) rpc_policy: RpcPolicy,
}

pub(crate) fn parse_root(text: &str) -> Result<[u8; 32], Error> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let bytes =
        hex::decode(digits).map_err(|_| Error::Usage(format!("checkpoint {text:?} is not hex")))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| Error::Usage(format!("checkpoint {text:?} is not 32 bytes")))
}

pub(crate) fn load_network(name: &str) -> Result<Network, Error> {
    for builtin in ["mainnet", "sepolia", "hoodi"] {
        if name == builtin
            && let Some(spec) = ChainSpec::by_name(builtin)
        {
            return Ok(Network { spec, builtin: Some(builtin) });
        }
    }
    let path = Path::new(name);
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "network {name:?} is neither mainnet, sepolia, hoodi nor a readable config.yaml: {e}"
        ))
    })?;
    let spec = ChainSpec::from_config_yaml(&text)
        .map_err(|e| Error::Usage(format!("{name}: invalid config: {e}")))?;
    Ok(Network { spec, builtin: None })
}

pub(crate) fn default_datadir(network: &str) -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("mana").join(network)
}

impl NodeConfig {
    pub(crate) fn resolve(args: NodeArgs) -> Result<Self, Error> {
        let file_path = args
            .config
            .clone()
            .or_else(|| args.datadir.as_ref().map(|d| d.join("mana.toml")).filter(|p| p.exists()));
        let file: FileConfig = match &file_path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
                toml::from_str(&text)
                    .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?
            }
            None => FileConfig::default(),
        };
        file.check_rpc()?;
        let rpc_policy = args.rpc_access.over(&file);
        let network_name = args.network.or(file.network).unwrap_or_else(|| "mainnet".into());
        let network = load_network(&network_name)?;
        let short = network.builtin.map_or_else(|| network.spec.config_name.clone(), String::from);
        let beacon_apis = if args.beacon_api.is_empty() {
            file.beacon_api.unwrap_or_else(|| default_beacon_apis(&short))
        } else {
            args.beacon_api
        };
        if beacon_apis.is_empty() {
            return Err(Error::Usage(format!(
                "network {short} has no built-in Beacon API endpoints: pass --beacon-api URL"
            )));
        }
        let checkpoint_sync_urls = if args.checkpoint_sync_url.is_empty() {
            file.checkpoint_sync_url.unwrap_or_else(|| default_checkpoint_sync(&short))
        } else {
            args.checkpoint_sync_url
        };
        let checkpoint = args.checkpoint.or(file.checkpoint).map(|c| parse_root(&c)).transpose()?;
        let datadir = args.datadir.or(file.datadir).unwrap_or_else(|| default_datadir(&short));
        let metrics_addr = if args.no_metrics || file.no_metrics.unwrap_or(false) {
            None
        } else {
            Some(
                args.metrics_addr
                    .or(file.metrics_addr)
                    .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 9464))),
            )
        };
        let hours =
            args.max_checkpoint_age_hours.or(file.max_checkpoint_age_hours).unwrap_or(14 * 24);
        Ok(Self {
            network,
            checkpoint,
            beacon_apis,
            checkpoint_sync_urls,
            datadir,
            metrics_addr,
            allow_old_checkpoint: args.allow_old_checkpoint
                || file.allow_old_checkpoint.unwrap_or(false),
            max_checkpoint_age: Duration::from_secs(hours.saturating_mul(3600)),
            stale_after_slots: args.stale_after_slots.or(file.stale_after_slots).unwrap_or(5),
            force_update: args
                .force_update
                .or(file.force_update)
                .unwrap_or(ForceUpdate::Supermajority),
            max_head_lag_epochs: args.max_head_lag_epochs.or(file.max_head_lag_epochs).unwrap_or(3),
            request_timeout: Duration::from_millis(
                args.request_timeout_ms.or(file.request_timeout_ms).unwrap_or(10_000),
            ),
            log_format: args.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
            exit_when_synced: args.exit_when_synced,
            execution_rpcs: if args.execution_rpc.is_empty() {
                file.execution_rpc.unwrap_or_else(|| default_execution_rpcs(&short))
            } else {
                args.execution_rpc
            },
            forward_unverified: if args.forward_unverified.is_empty() {
                file.forward_unverified.unwrap_or_default()
            } else {
                args.forward_unverified
            },
            rpc_addr: if args.no_rpc || file.no_rpc.unwrap_or(false) {
                None
            } else {
                Some(
                    args.rpc_addr
                        .or(file.rpc_addr)
                        .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8545))),
                )
            },
            rpc_policy,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn rpc_args(flags: &[&str]) -> Result<RpcArgs, clap::Error> {
        let base = ["mana", "rpc", "--execution-rpc", "http://127.0.0.1:1", "--trust-block", "0x"];
        match Cli::try_parse_from(base.iter().chain(flags)) {
            Ok(Cli { command: Command::Rpc(args) }) => Ok(args),
            Ok(other) => panic!("parsed as {other:?}"),
            Err(e) => Err(e),
        }
    }

    #[test]
    fn rpc_policy_defaults_allow_no_page() {
        let policy = rpc_args(&[]).unwrap().access.policy();
        assert_eq!(policy, RpcPolicy::default());
        assert!(policy.allowed_origins.is_empty() && policy.allowed_hosts.is_empty());
        assert_eq!(policy.max_batch, 100);
        assert_eq!(policy.request_timeout, Duration::from_secs(30));
    }

    #[test]
    fn rpc_policy_flags() {
        let args = rpc_args(&[
            "--rpc-allow-origin",
            "https://a.example,https://b.example",
            "--rpc-allow-origin",
            "*",
            "--rpc-host",
            "mana.lan",
            "--rpc-max-batch",
            "7",
            "--rpc-max-subscriptions",
            "0",
            "--rpc-max-log-blocks",
            "50",
            "--rpc-request-timeout-ms",
            "250",
        ])
        .unwrap();
        let policy = args.access.policy();
        assert_eq!(policy.allowed_origins, ["https://a.example", "https://b.example", "*"]);
        assert_eq!(policy.allowed_hosts, ["mana.lan"]);
        assert_eq!((policy.max_batch, policy.max_subscriptions), (7, 0));
        assert_eq!(policy.max_log_blocks, 50);
        assert_eq!(policy.request_timeout, Duration::from_millis(250));
        for zero in ["--rpc-max-batch", "--rpc-max-log-blocks", "--rpc-request-timeout-ms"] {
            assert!(rpc_args(&[zero, "0"]).is_err(), "{zero} 0 accepted");
        }
    }

    #[test]
    fn rpc_policy_from_the_file_under_the_flags() {
        let file: FileConfig = toml::from_str(
            "rpc_allow_origin = [\"https://file.example\"]\nrpc_host = [\"file.lan\"]\n\
             rpc_max_filters = 3\nrpc_max_batch = 9\n",
        )
        .unwrap();
        file.check_rpc().unwrap();
        let args = rpc_args(&["--rpc-host", "flag.lan"]).unwrap();
        let policy = args.access.over(&file);
        assert_eq!(policy.allowed_origins, ["https://file.example"]);
        assert_eq!(policy.allowed_hosts, ["flag.lan"]);
        assert_eq!((policy.max_filters, policy.max_batch), (3, 9));
        let zero: FileConfig = toml::from_str("rpc_request_timeout_ms = 0").unwrap();
        assert!(zero.check_rpc().is_err());
    }
}
