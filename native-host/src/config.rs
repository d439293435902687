//! Settings: flags, then `MANA_*` environment variables (both through clap), then the TOML
//! file, then the network's built-in defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mana_primitives::ChainSpec;
use serde::Deserialize;

use crate::Error;

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
    /// `debug_executionWitness`). Exit status: 0 valid, 1 invalid, 2 usage or input error.
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
    /// A JSON file in the fixture shape: `blockRlp`, `executionWitness`, optional `publicKeys`
    /// and `blockHash`.
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
    /// Whenever the spec allows it.
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
    /// Forced updates after `UPDATE_TIMEOUT` slots without finality.
    #[arg(long = "force-update", env = "MANA_FORCE_UPDATE", value_enum)]
    pub(crate) force_update: Option<ForceUpdate>,
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
    /// The chain id (default: the upstreams' `eth_chainId`, which must agree).
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
    request_timeout_ms: Option<u64>,
    log_format: Option<LogFormat>,
    execution_rpc: Option<Vec<String>>,
    rpc_addr: Option<SocketAddr>,
    no_rpc: Option<bool>,
    forward_unverified: Option<Vec<String>>,
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
    pub(crate) request_timeout: Duration,
    pub(crate) log_format: LogFormat,
    pub(crate) exit_when_synced: bool,
    /// Execution upstreams; empty means no verified JSON-RPC.
    pub(crate) execution_rpcs: Vec<String>,
    /// Where the verified JSON-RPC listens (`None`: not served).
    pub(crate) rpc_addr: Option<SocketAddr>,
    /// Methods forwarded unverified.
    pub(crate) forward_unverified: Vec<String>,
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
        })
    }
}
