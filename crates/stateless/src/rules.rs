//! Header, body and transaction rules that need no state (checklist B.7–B.12): a port of reth's
//! `EthBeaconConsensus` (`validate_header`, `validate_header_against_parent`,
//! `validate_block_pre_execution`) and of the stateless part of revm's transaction validation,
//! as pure functions over alloy types.
//!
//! - [`ChainConfig`]: fork activation timestamps (Shanghai to BPO2, Amsterdam reserved), the
//!   blob schedule (EIP-7840 [`BlobParams`] per fork) and the deposit contract;
//!   [`ChainConfig::mainnet`] and [`ChainConfig::from_eest_config`] (execution-spec-tests
//!   `network`/`config` fields, including transitions such as `CancunToPragueAtTime15k`).
//! - [`validate_header`] against the verified parent; [`validate_block_size`] (EIP-7934).
//! - [`validate_body`]: transactions root, withdrawals root, ommers, blob gas used.
//! - [`validate_transaction_static`] and [`recover_senders`].
//!
//! Post-merge blocks only: every configuration starts at Paris (the merge), so Berlin (EIP-2930)
//! and London (EIP-1559) are always active. Every failure is typed: a [`HeaderRule`] in
//! [`Error::InvalidHeader`], a [`TxRule`] in [`Error::InvalidTransaction`], a [`BlockRule`] in
//! [`Error::InvalidBlock`] (the EIP-6110 deposit layout, [`validate_deposit_events`]).

use alloc::{format, string::String, vec::Vec};
use core::fmt;

use alloy_consensus::{
    Block, EMPTY_OMMER_ROOT_HASH, Header, ReceiptEnvelope, Transaction, TxEip4844Variant,
    TxEnvelope, crypto::SECP256K1N_HALF,
};
use alloy_eips::{
    eip4844::{DATA_GAS_PER_BLOB, VERSIONED_HASH_VERSION_KZG, fake_exponential},
    eip7594::MAX_BLOBS_PER_TX_FUSAKA,
    eip7825::MAX_TX_GAS_LIMIT_OSAKA,
    eip7840::{BLOB_BASE_COST, BlobParams},
};
use alloy_primitives::{Address, B64, B256, Signature, U256, address, b256, keccak256};
use serde_json::Value;

use crate::{BlockRule, Error, HeaderField, HeaderRule, Result, TxRule, witness::PUBLIC_KEY_BYTES};

/// Longest `extra_data` (Yellow Paper §4.3.4, `|H_x| ≤ 32`).
pub const MAX_EXTRA_DATA_BYTES: usize = 32;
/// Smallest block gas limit (Yellow Paper §4.3.4).
pub const MIN_GAS_LIMIT: u64 = 5000;
/// Largest block gas limit (geth `params.MaxGasLimit`, `2^63 - 1`).
pub const MAX_GAS_LIMIT: u64 = 0x7fff_ffff_ffff_ffff;
/// A child's gas limit differs from its parent's by less than `parent / 1024` (Yellow Paper §4.3.4).
pub const GAS_LIMIT_BOUND_DIVISOR: u64 = 1024;
/// EIP-1559 `ELASTICITY_MULTIPLIER`.
pub const ELASTICITY_MULTIPLIER: u64 = 2;
/// EIP-1559 `BASE_FEE_MAX_CHANGE_DENOMINATOR`.
pub const BASE_FEE_MAX_CHANGE_DENOMINATOR: u64 = 8;
/// EIP-7934 `MAX_RLP_BLOCK_SIZE`: `MAX_BLOCK_SIZE` (10 MiB) minus `SAFETY_MARGIN` (2 MiB).
pub const MAX_RLP_BLOCK_SIZE: usize = 10_485_760 - 2_097_152;
/// EIP-3860 `MAX_INITCODE_SIZE` (`2 * MAX_CODE_SIZE`).
pub const MAX_INITCODE_SIZE: usize = 49_152;
/// EIP-6110 `DEPOSIT_EVENT_SIGNATURE_HASH`:
/// `keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)")`, the first topic of a deposit log.
pub const DEPOSIT_EVENT_TOPIC: B256 =
    b256!("649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5");
/// Length of a well-formed `DepositEvent`'s data (EIP-6110).
const DEPOSIT_EVENT_DATA_BYTES: usize = 576;
/// The `DepositEvent` fields in ABI order: name, offset of the field's length word in the data,
/// required length (EIP-6110).
const DEPOSIT_EVENT_FIELDS: [(&str, usize, usize); 5] = [
    ("pubkey", 160, 48),
    ("withdrawal credentials", 256, 32),
    ("amount", 320, 8),
    ("signature", 384, 96),
    ("index", 512, 8),
];
/// Mainnet's EIP-6110 deposit contract.
pub const MAINNET_DEPOSIT_CONTRACT: Address = address!("00000000219ab540356cBB839Cbe05303d7705Fa");

/// Intrinsic gas of every transaction (Yellow Paper `G_transaction`).
const TX_BASE_GAS: u64 = 21_000;
/// Extra intrinsic gas of a contract creation (EIP-2, `G_txcreate`).
const TX_CREATE_GAS: u64 = 32_000;
/// Calldata gas per zero byte.
const TX_DATA_ZERO_GAS: u64 = 4;
/// Calldata gas per non-zero byte (EIP-2028).
const TX_DATA_NON_ZERO_GAS: u64 = 16;
/// EIP-2930 gas per access-list address.
const ACCESS_LIST_ADDRESS_GAS: u64 = 2400;
/// EIP-2930 gas per access-list storage key.
const ACCESS_LIST_STORAGE_KEY_GAS: u64 = 1900;
/// EIP-3860 gas per 32-byte word of initcode.
const INITCODE_WORD_GAS: u64 = 2;
/// EIP-7702 `PER_EMPTY_ACCOUNT_COST`, charged per authorization.
const PER_AUTHORIZATION_GAS: u64 = 25_000;
/// EIP-7623 `TOTAL_COST_FLOOR_PER_TOKEN`.
const FLOOR_GAS_PER_TOKEN: u64 = 10;
/// EIP-7623: a non-zero calldata byte counts as four tokens.
const TOKENS_PER_NON_ZERO_BYTE: u64 = 4;

/// The forks this verifier knows, in activation order. Everything before Paris (the merge) is
/// out of scope: a configuration always has Paris active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Fork {
    /// The merge (EIP-3675); also called "Merge".
    Paris,
    /// Withdrawals (EIP-4895), initcode limit (EIP-3860).
    Shanghai,
    /// Blobs (EIP-4844), beacon roots (EIP-4788).
    Cancun,
    /// Requests (EIP-7685), set-code transactions (EIP-7702), calldata floor (EIP-7623).
    Prague,
    /// Transaction gas cap (EIP-7825), block size cap (EIP-7934), blob reserve price (EIP-7918),
    /// six blobs per transaction (EIP-7594).
    Osaka,
    /// First blob-parameter-only fork (EIP-7892).
    Bpo1,
    /// Second blob-parameter-only fork (EIP-7892).
    Bpo2,
    /// In development (EIP-7928 block access lists): recognised, not yet verified.
    Amsterdam,
}

impl Fork {
    /// Every fork, oldest first.
    pub const ALL: [Self; 8] = [
        Self::Paris,
        Self::Shanghai,
        Self::Cancun,
        Self::Prague,
        Self::Osaka,
        Self::Bpo1,
        Self::Bpo2,
        Self::Amsterdam,
    ];

    /// The execution-spec-tests name (`"Paris"`, `"BPO1"`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Paris => "Paris",
            Self::Shanghai => "Shanghai",
            Self::Cancun => "Cancun",
            Self::Prague => "Prague",
            Self::Osaka => "Osaka",
            Self::Bpo1 => "BPO1",
            Self::Bpo2 => "BPO2",
            Self::Amsterdam => "Amsterdam",
        }
    }

    /// Parses an execution-spec-tests fork name (`"Merge"` is accepted for Paris).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "Merge" => Some(Self::Paris),
            _ => Self::ALL.into_iter().find(|fork| fork.name() == name),
        }
    }

    /// The next fork, if any.
    pub fn successor(self) -> Option<Self> {
        Self::ALL.into_iter().find(|fork| *fork > self)
    }
}

impl fmt::Display for Fork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The blob parameters (EIP-7840) of each fork that has its own; `None` keeps the previous
/// fork's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlobSchedule {
    /// EIP-4844: target 3, max 6, update fraction 3,338,477.
    pub cancun: Option<BlobParams>,
    /// EIP-7691: target 6, max 9, update fraction 5,007,716.
    pub prague: Option<BlobParams>,
    /// Osaka: Prague's counts, at most 6 blobs per transaction (EIP-7594), reserve price
    /// (EIP-7918).
    pub osaka: Option<BlobParams>,
    /// BPO1 (EIP-7892); mainnet target 10, max 15, update fraction 8,346,193.
    pub bpo1: Option<BlobParams>,
    /// BPO2 (EIP-7892); mainnet target 14, max 21, update fraction 11,684,671.
    pub bpo2: Option<BlobParams>,
    /// Amsterdam, if it changes the blob parameters.
    pub amsterdam: Option<BlobParams>,
}

impl BlobSchedule {
    /// Mainnet's schedule (alloy's `BlobParams::{cancun, prague, osaka, bpo1, bpo2}`).
    pub const fn mainnet() -> Self {
        Self {
            cancun: Some(BlobParams::cancun()),
            prague: Some(BlobParams::prague()),
            osaka: Some(BlobParams::osaka()),
            bpo1: Some(BlobParams::bpo1()),
            bpo2: Some(BlobParams::bpo2()),
            amsterdam: None,
        }
    }

    /// The parameters `fork` itself sets, if any.
    pub const fn get(&self, fork: Fork) -> Option<BlobParams> {
        match fork {
            Fork::Paris | Fork::Shanghai => None,
            Fork::Cancun => self.cancun,
            Fork::Prague => self.prague,
            Fork::Osaka => self.osaka,
            Fork::Bpo1 => self.bpo1,
            Fork::Bpo2 => self.bpo2,
            Fork::Amsterdam => self.amsterdam,
        }
    }

    const fn slot(&mut self, fork: Fork) -> Option<&mut Option<BlobParams>> {
        match fork {
            Fork::Paris | Fork::Shanghai => None,
            Fork::Cancun => Some(&mut self.cancun),
            Fork::Prague => Some(&mut self.prague),
            Fork::Osaka => Some(&mut self.osaka),
            Fork::Bpo1 => Some(&mut self.bpo1),
            Fork::Bpo2 => Some(&mut self.bpo2),
            Fork::Amsterdam => Some(&mut self.amsterdam),
        }
    }
}

/// What the rules need to know about a chain: its id, when each fork activates (by block
/// timestamp; Paris is taken as active from genesis), the blob schedule and the deposit contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// Shanghai activation timestamp.
    pub shanghai_time: Option<u64>,
    /// Cancun activation timestamp.
    pub cancun_time: Option<u64>,
    /// Prague activation timestamp.
    pub prague_time: Option<u64>,
    /// Osaka activation timestamp.
    pub osaka_time: Option<u64>,
    /// BPO1 activation timestamp.
    pub bpo1_time: Option<u64>,
    /// BPO2 activation timestamp.
    pub bpo2_time: Option<u64>,
    /// Amsterdam activation timestamp (blocks from then on are refused: not yet supported).
    pub amsterdam_time: Option<u64>,
    /// Blob parameters per fork.
    pub blob_schedule: BlobSchedule,
    /// The EIP-6110 deposit contract whose `DepositEvent` logs become deposit requests.
    pub deposit_contract: Address,
}

impl ChainConfig {
    /// Ethereum mainnet: Shanghai 1681338455, Cancun 1710338135, Prague 1746612311,
    /// Osaka 1764798551, BPO1 1765290071, BPO2 1767747671.
    pub const fn mainnet() -> Self {
        Self {
            chain_id: 1,
            shanghai_time: Some(1_681_338_455),
            cancun_time: Some(1_710_338_135),
            prague_time: Some(1_746_612_311),
            osaka_time: Some(1_764_798_551),
            bpo1_time: Some(1_765_290_071),
            bpo2_time: Some(1_767_747_671),
            amsterdam_time: None,
            blob_schedule: BlobSchedule::mainnet(),
            deposit_contract: MAINNET_DEPOSIT_CONTRACT,
        }
    }

    /// Sepolia (chain id 11155111): Shanghai 1677557088, Cancun 1706655072, Prague 1741159776,
    /// Osaka 1760427360, BPO1 1761017184, BPO2 1761607008; mainnet's blob schedule (the BPO
    /// parameters are the same on every public network).
    pub const fn sepolia() -> Self {
        Self {
            chain_id: 11_155_111,
            shanghai_time: Some(1_677_557_088),
            cancun_time: Some(1_706_655_072),
            prague_time: Some(1_741_159_776),
            osaka_time: Some(1_760_427_360),
            bpo1_time: Some(1_761_017_184),
            bpo2_time: Some(1_761_607_008),
            amsterdam_time: None,
            blob_schedule: BlobSchedule::mainnet(),
            deposit_contract: address!("0x7f02C3E3c98b133055B8B348B2Ac625669Ed295D"),
        }
    }

    /// Hoodi (chain id 560048): Shanghai and Cancun at genesis, Prague 1742999832, Osaka
    /// 1761677592, BPO1 1762365720, BPO2 1762955544; mainnet's blob schedule.
    pub const fn hoodi() -> Self {
        Self {
            chain_id: 560_048,
            shanghai_time: Some(0),
            cancun_time: Some(0),
            prague_time: Some(1_742_999_832),
            osaka_time: Some(1_761_677_592),
            bpo1_time: Some(1_762_365_720),
            bpo2_time: Some(1_762_955_544),
            amsterdam_time: None,
            blob_schedule: BlobSchedule::mainnet(),
            deposit_contract: MAINNET_DEPOSIT_CONTRACT,
        }
    }

    /// The configuration of a built-in network by chain id (mainnet, Sepolia, Hoodi).
    pub const fn by_chain_id(chain_id: u64) -> Option<Self> {
        match chain_id {
            1 => Some(Self::mainnet()),
            11_155_111 => Some(Self::sepolia()),
            560_048 => Some(Self::hoodi()),
            _ => None,
        }
    }

    /// A configuration for an execution-spec-tests `network`: a fork name (`"Prague"`: it and
    /// every earlier fork active from genesis) or a transition `"<A>To<B>AtTime<N>k"` (`A` and
    /// earlier from genesis, `B`, which must directly follow `A`, at timestamp `N * 1000`).
    /// Blob parameters are mainnet's for each fork; the deposit contract is mainnet's (as in the
    /// tests).
    pub fn from_eest_network(network: &str, chain_id: u64) -> Result<Self> {
        let (base, transition) = parse_network(network)?;
        let mut config = Self {
            chain_id,
            shanghai_time: None,
            cancun_time: None,
            prague_time: None,
            osaka_time: None,
            bpo1_time: None,
            bpo2_time: None,
            amsterdam_time: None,
            blob_schedule: BlobSchedule::default(),
            deposit_contract: MAINNET_DEPOSIT_CONTRACT,
        };
        let canonical = BlobSchedule::mainnet();
        let mut activate = |fork: Fork, time: u64| {
            if let Some(slot) = config.activation_slot(fork) {
                *slot = Some(time);
            }
            if let Some(slot) = config.blob_schedule.slot(fork) {
                *slot = canonical.get(fork);
            }
        };
        for fork in Fork::ALL.into_iter().filter(|fork| *fork <= base) {
            activate(fork, 0);
        }
        if let Some((fork, time)) = transition {
            activate(fork, time);
        }
        config.check()?;
        Ok(config)
    }

    /// A configuration from an execution-spec-tests `config` object: `network` (see
    /// [`Self::from_eest_network`]), `chainid` (number or hex quantity; default 1) and the
    /// optional `blobSchedule` (`{"Cancun": {"target", "max", "baseFeeUpdateFraction"}, ...}`),
    /// which then replaces the mainnet parameters. Entries for forks the network never reaches are
    /// ignored; a reached fork with blob parameters of its own missing from a given schedule is
    /// an error.
    pub fn from_eest_config(config: &Value) -> Result<Self> {
        let network = config
            .get("network")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid_config(String::from("config has no \"network\" string")))?;
        let chain_id = match config.get("chainid") {
            None => 1,
            Some(value) => json_quantity(value)
                .ok_or_else(|| invalid_config(format!("chainid {value} is not a quantity")))?,
        };
        let mut out = Self::from_eest_network(network, chain_id)?;
        let Some(schedule) = config.get("blobSchedule") else { return Ok(out) };
        let schedule = schedule
            .as_object()
            .ok_or_else(|| invalid_config(String::from("blobSchedule is not an object")))?;
        for fork in Fork::ALL {
            let reached = out.activation(fork).is_some();
            let Some(slot) = out.blob_schedule.slot(fork) else { continue };
            let Some(entry) = schedule.get(fork.name()) else {
                if reached && slot.is_some() {
                    return Err(invalid_config(format!(
                        "blobSchedule lacks {fork}, which network {network} reaches"
                    )));
                }
                continue;
            };
            if !reached {
                continue;
            }
            let field = |name: &str| {
                entry.get(name).and_then(json_quantity).ok_or_else(|| {
                    invalid_config(format!(
                        "blobSchedule.{fork}.{name} is missing or not a quantity"
                    ))
                })
            };
            let osaka_rules = fork >= Fork::Osaka;
            let max_blob_count = field("max")?;
            *slot = Some(BlobParams {
                target_blob_count: field("target")?,
                max_blob_count,
                update_fraction: u128::from(field("baseFeeUpdateFraction")?),
                min_blob_fee: alloy_eips::eip4844::BLOB_TX_MIN_BLOB_GASPRICE,
                max_blobs_per_tx: if osaka_rules {
                    MAX_BLOBS_PER_TX_FUSAKA
                } else {
                    max_blob_count
                },
                blob_base_cost: if osaka_rules { BLOB_BASE_COST } else { 0 },
            });
        }
        out.check()?;
        Ok(out)
    }

    /// When `fork` activates (`Some(0)` for Paris, which every configuration has).
    pub const fn activation(&self, fork: Fork) -> Option<u64> {
        match fork {
            Fork::Paris => Some(0),
            Fork::Shanghai => self.shanghai_time,
            Fork::Cancun => self.cancun_time,
            Fork::Prague => self.prague_time,
            Fork::Osaka => self.osaka_time,
            Fork::Bpo1 => self.bpo1_time,
            Fork::Bpo2 => self.bpo2_time,
            Fork::Amsterdam => self.amsterdam_time,
        }
    }

    const fn activation_slot(&mut self, fork: Fork) -> Option<&mut Option<u64>> {
        match fork {
            Fork::Paris => None,
            Fork::Shanghai => Some(&mut self.shanghai_time),
            Fork::Cancun => Some(&mut self.cancun_time),
            Fork::Prague => Some(&mut self.prague_time),
            Fork::Osaka => Some(&mut self.osaka_time),
            Fork::Bpo1 => Some(&mut self.bpo1_time),
            Fork::Bpo2 => Some(&mut self.bpo2_time),
            Fork::Amsterdam => Some(&mut self.amsterdam_time),
        }
    }

    /// The newest fork active at `timestamp`.
    pub fn fork_at(&self, timestamp: u64) -> Fork {
        Fork::ALL
            .into_iter()
            .rev()
            .find(|fork| self.activation(*fork).is_some_and(|time| time <= timestamp))
            .unwrap_or(Fork::Paris)
    }

    /// Whether `fork` (or a later one) is active at `timestamp`.
    pub fn is_active(&self, fork: Fork, timestamp: u64) -> bool {
        self.fork_at(timestamp) >= fork
    }

    /// The blob parameters in force at `timestamp`: those of the newest active fork that sets
    /// any; `None` before Cancun.
    pub fn blob_params_at(&self, timestamp: u64) -> Option<BlobParams> {
        let active = self.fork_at(timestamp);
        Fork::ALL
            .into_iter()
            .rev()
            .filter(|fork| *fork <= active && self.activation(*fork).is_some())
            .find_map(|fork| self.blob_schedule.get(fork))
    }

    /// Checks the configuration is coherent: forks activate in order without skipping a
    /// mainline fork (BPO forks are optional), and every fork from Cancun on has usable blob
    /// parameters (`max ≥ target`, `max ≥ 1`, non-zero update fraction).
    pub fn check(&self) -> Result<()> {
        let mut previous: (Fork, u64) = (Fork::Paris, 0);
        for fork in Fork::ALL {
            let Some(time) = self.activation(fork) else { continue };
            let required = match fork {
                Fork::Paris => None,
                Fork::Shanghai => Some(Fork::Paris),
                Fork::Cancun => Some(Fork::Shanghai),
                Fork::Prague => Some(Fork::Cancun),
                Fork::Osaka => Some(Fork::Prague),
                Fork::Bpo1 | Fork::Amsterdam => Some(Fork::Osaka),
                Fork::Bpo2 => Some(Fork::Bpo1),
            };
            if let Some(required) = required
                && self.activation(required).is_none()
            {
                return Err(invalid_config(format!("{fork} is scheduled but {required} is not")));
            }
            if time < previous.1 {
                return Err(invalid_config(format!(
                    "{fork} at {time} activates before {} at {}",
                    previous.0, previous.1
                )));
            }
            previous = (fork, time);
            if fork >= Fork::Cancun {
                let params = self
                    .blob_params_at(time)
                    .ok_or_else(|| invalid_config(format!("no blob parameters for {fork}")))?;
                if params.update_fraction == 0
                    || params.max_blob_count == 0
                    || params.max_blob_count < params.target_blob_count
                    || params.max_blobs_per_tx == 0
                {
                    return Err(invalid_config(format!("unusable blob parameters for {fork}")));
                }
            }
        }
        Ok(())
    }
}

/// Checks `header` against its verified `parent` (checklist B.7–B.10; reth `validate_header`
/// and `validate_header_against_parent`, execution-specs `validate_header`):
///
/// - post-merge constants (EIP-3675): difficulty 0, nonce 0, ommers hash of an empty list;
/// - extra data ≤ 32 bytes, `gas_used ≤ gas_limit`, gas limit within `parent / 1024` of the
///   parent's and ≥ 5000 (Yellow Paper §4.3.4);
/// - parent hash, `number = parent + 1`, `timestamp > parent`;
/// - base fee from the parent (EIP-1559);
/// - per fork, the fields that must and must not be present: `withdrawals_root` (EIP-4895),
///   `blob_gas_used`, `excess_blob_gas` (EIP-4844), `parent_beacon_block_root` (EIP-4788),
///   `requests_hash` (EIP-7685); Amsterdam fields must be absent and Amsterdam blocks are refused;
/// - blob gas (EIP-4844, EIP-7691, EIP-7892, EIP-7918): see [`next_excess_blob_gas`].
///
/// The block hash against a trusted value is `witness::verify_ancestry`; the block size cap is
/// [`validate_block_size`]; the body is [`validate_body`].
pub fn validate_header(header: &Header, parent: &Header, config: &ChainConfig) -> Result<()> {
    let fork = config.fork_at(header.timestamp);
    if fork >= Fork::Amsterdam {
        return Err(invalid_header(HeaderRule::UnsupportedFork {
            fork,
            timestamp: header.timestamp,
        }));
    }

    // EIP-3675 §Block structure: PoW fields fixed after the merge.
    if !header.difficulty.is_zero() {
        return Err(invalid_header(HeaderRule::Difficulty(header.difficulty)));
    }
    if header.nonce != B64::ZERO {
        return Err(invalid_header(HeaderRule::Nonce(header.nonce)));
    }
    if header.ommers_hash != EMPTY_OMMER_ROOT_HASH {
        return Err(invalid_header(HeaderRule::OmmersHash {
            header: header.ommers_hash,
            expected: EMPTY_OMMER_ROOT_HASH,
        }));
    }
    if header.extra_data.len() > MAX_EXTRA_DATA_BYTES {
        return Err(invalid_header(HeaderRule::ExtraDataTooLong(header.extra_data.len())));
    }

    // Link to the parent.
    let parent_hash = parent.hash_slow();
    if header.parent_hash != parent_hash {
        return Err(invalid_header(HeaderRule::ParentHash {
            parent_hash: header.parent_hash,
            expected: parent_hash,
        }));
    }
    if parent.number.checked_add(1) != Some(header.number) {
        return Err(invalid_header(HeaderRule::Number {
            number: header.number,
            parent: parent.number,
        }));
    }
    if header.timestamp <= parent.timestamp {
        return Err(invalid_header(HeaderRule::Timestamp {
            timestamp: header.timestamp,
            parent: parent.timestamp,
        }));
    }

    // Gas.
    if header.gas_used > header.gas_limit {
        return Err(invalid_header(HeaderRule::GasUsedAboveLimit {
            gas_used: header.gas_used,
            gas_limit: header.gas_limit,
        }));
    }
    validate_gas_limit(header.gas_limit, parent.gas_limit)?;
    let expected_base_fee = next_base_fee(parent)?;
    if header.base_fee_per_gas != Some(expected_base_fee) {
        return Err(invalid_header(HeaderRule::BaseFee {
            got: header.base_fee_per_gas,
            expected: expected_base_fee,
        }));
    }

    // Fields each fork adds.
    let at = |since: Fork| fork >= since;
    let fields = [
        (HeaderField::WithdrawalsRoot, header.withdrawals_root.is_some(), Fork::Shanghai),
        (HeaderField::BlobGasUsed, header.blob_gas_used.is_some(), Fork::Cancun),
        (HeaderField::ExcessBlobGas, header.excess_blob_gas.is_some(), Fork::Cancun),
        (
            HeaderField::ParentBeaconBlockRoot,
            header.parent_beacon_block_root.is_some(),
            Fork::Cancun,
        ),
        (HeaderField::RequestsHash, header.requests_hash.is_some(), Fork::Prague),
        (
            HeaderField::BlockAccessListHash,
            header.block_access_list_hash.is_some(),
            Fork::Amsterdam,
        ),
        (HeaderField::SlotNumber, header.slot_number.is_some(), Fork::Amsterdam),
    ];
    for (field, present, since) in fields {
        presence(field, present, at(since), fork)?;
    }

    if at(Fork::Cancun) {
        validate_blob_gas(header, parent, config)?;
    }
    Ok(())
}

/// EIP-7934 (Osaka): the RLP-encoded block must not exceed [`MAX_RLP_BLOCK_SIZE`]
/// (8 MiB = 10 MiB `MAX_BLOCK_SIZE` minus the 2 MiB margin). No cap before Osaka.
pub fn validate_block_size(block: &Block<TxEnvelope>, config: &ChainConfig) -> Result<()> {
    if !config.is_active(Fork::Osaka, block.header.timestamp) {
        return Ok(());
    }
    let size = alloy_rlp::Encodable::length(block);
    if size > MAX_RLP_BLOCK_SIZE {
        return Err(invalid_header(HeaderRule::BlockTooLarge { size, max: MAX_RLP_BLOCK_SIZE }));
    }
    Ok(())
}

/// The parent-relative gas limit rule (Yellow Paper §4.3.4; reth `validate_gas_limit`): at most
/// [`MAX_GAS_LIMIT`], `|gas_limit - parent| < parent / 1024`, at least [`MIN_GAS_LIMIT`].
pub fn validate_gas_limit(gas_limit: u64, parent_gas_limit: u64) -> Result<()> {
    if gas_limit > MAX_GAS_LIMIT {
        return Err(invalid_header(HeaderRule::GasLimitTooHigh(gas_limit)));
    }
    let bound = parent_gas_limit.checked_div(GAS_LIMIT_BOUND_DIVISOR).unwrap_or(0);
    if gas_limit.abs_diff(parent_gas_limit) >= bound {
        return Err(invalid_header(HeaderRule::GasLimitChange {
            gas_limit,
            parent_gas_limit,
            bound,
        }));
    }
    if gas_limit < MIN_GAS_LIMIT {
        return Err(invalid_header(HeaderRule::GasLimitTooLow(gas_limit)));
    }
    Ok(())
}

/// The base fee a child of `parent` must carry (EIP-1559 §Specification, elasticity 2, change
/// denominator 8; `parent` must itself have a base fee: post-London).
pub fn next_base_fee(parent: &Header) -> Result<u64> {
    let base_fee =
        parent.base_fee_per_gas.ok_or(invalid_header(HeaderRule::ParentWithoutBaseFee))?;
    let target = parent.gas_limit.checked_div(ELASTICITY_MULTIPLIER).unwrap_or(0);
    if target == 0 {
        return Err(invalid_header(HeaderRule::ZeroGasTarget));
    }
    let (base, used, target) = (u128::from(base_fee), parent.gas_used, target);
    // Each step is checked: `base · delta` is below 2^128 (both factors are below 2^64).
    let change = |delta: u64| {
        base.checked_mul(u128::from(delta))
            .and_then(|x| x.checked_div(u128::from(target)))
            .and_then(|x| x.checked_div(u128::from(BASE_FEE_MAX_CHANGE_DENOMINATOR)))
    };
    let next = match used.cmp(&target) {
        core::cmp::Ordering::Equal => Some(base),
        core::cmp::Ordering::Greater => used
            .checked_sub(target)
            .and_then(change)
            .and_then(|delta| base.checked_add(delta.max(1))),
        core::cmp::Ordering::Less => {
            target.checked_sub(used).and_then(change).map(|delta| base.saturating_sub(delta))
        }
    };
    next.and_then(|fee| u64::try_from(fee).ok()).ok_or(invalid_header(HeaderRule::BaseFeeOverflow))
}

/// The `excess_blob_gas` a child at `child_timestamp` must carry (EIP-4844 `calc_excess_blob_gas`,
/// with EIP-7918 from Osaka). Every parameter (target, max, update fraction, whether the
/// reserve price applies) is taken from the schedule active at the **child's** timestamp, as
/// geth's `CalcExcessBlobGas(config, parent, headTimestamp)` does at fork and BPO boundaries; a
/// parent before Cancun counts as zero excess and zero use.
///
/// `excess + used < target` gives 0; from Osaka, if `BLOB_BASE_COST · parent.base_fee >
/// GAS_PER_BLOB · blob_base_fee(parent.excess)` it is `excess + used · (max - target) / max`;
/// otherwise `excess + used - target`.
pub fn next_excess_blob_gas(
    parent: &Header,
    child_timestamp: u64,
    config: &ChainConfig,
) -> Result<u64> {
    let params = config
        .blob_params_at(child_timestamp)
        .ok_or(invalid_header(HeaderRule::NoBlobSchedule(child_timestamp)))?;
    let (excess, used) = if config.is_active(Fork::Cancun, parent.timestamp) {
        match (parent.excess_blob_gas, parent.blob_gas_used) {
            (Some(excess), Some(used)) => (excess, used),
            _ => return Err(invalid_header(HeaderRule::ParentBlobFields)),
        }
    } else {
        (0, 0)
    };
    let overflow = || invalid_header(HeaderRule::BlobGasOverflow);
    let total = excess.checked_add(used).ok_or_else(overflow)?;
    let target = params.target_blob_count.checked_mul(DATA_GAS_PER_BLOB).ok_or_else(overflow)?;
    if total < target {
        return Ok(0);
    }
    if config.is_active(Fork::Osaka, child_timestamp) {
        let base_fee =
            parent.base_fee_per_gas.ok_or(invalid_header(HeaderRule::ParentWithoutBaseFee))?;
        let reserve = U256::from(BLOB_BASE_COST).saturating_mul(U256::from(base_fee));
        let blob_price = U256::from(DATA_GAS_PER_BLOB)
            .saturating_mul(U256::from(blob_base_fee_for(&params, excess)?));
        if reserve > blob_price {
            let spread = params.max_blob_count.checked_sub(params.target_blob_count);
            let scaled = spread
                .and_then(|spread| used.checked_mul(spread))
                .and_then(|x| x.checked_div(params.max_blob_count))
                .ok_or_else(overflow)?;
            return excess.checked_add(scaled).ok_or_else(overflow);
        }
    }
    total.checked_sub(target).ok_or_else(overflow)
}

/// The blob base fee (EIP-4844 `get_base_fee_per_blob_gas`) of a Cancun+ header: the
/// `fake_exponential` of its `excess_blob_gas` with the update fraction in force at its timestamp.
pub fn blob_base_fee(header: &Header, config: &ChainConfig) -> Result<u128> {
    let params = config
        .blob_params_at(header.timestamp)
        .ok_or(invalid_header(HeaderRule::NoBlobSchedule(header.timestamp)))?;
    let excess = header.excess_blob_gas.ok_or(invalid_header(HeaderRule::FieldMissing {
        field: HeaderField::ExcessBlobGas,
        fork: config.fork_at(header.timestamp),
    }))?;
    blob_base_fee_for(&params, excess)
}

fn blob_base_fee_for(params: &BlobParams, excess: u64) -> Result<u128> {
    if params.update_fraction == 0 {
        return Err(invalid_config(String::from("blob base fee update fraction is 0")));
    }
    Ok(fake_exponential(params.min_blob_fee, u128::from(excess), params.update_fraction))
}

fn validate_blob_gas(header: &Header, parent: &Header, config: &ChainConfig) -> Result<()> {
    let params = config
        .blob_params_at(header.timestamp)
        .ok_or(invalid_header(HeaderRule::NoBlobSchedule(header.timestamp)))?;
    let used = header.blob_gas_used.unwrap_or(0);
    if used.checked_rem(DATA_GAS_PER_BLOB) != Some(0) {
        return Err(invalid_header(HeaderRule::BlobGasUsedNotMultiple(used)));
    }
    let max = params.max_blob_count.saturating_mul(DATA_GAS_PER_BLOB);
    if used > max {
        return Err(invalid_header(HeaderRule::BlobGasUsedAboveMax { blob_gas_used: used, max }));
    }
    let expected = next_excess_blob_gas(parent, header.timestamp, config)?;
    if header.excess_blob_gas != Some(expected) {
        return Err(invalid_header(HeaderRule::ExcessBlobGas {
            got: header.excess_blob_gas,
            expected,
        }));
    }
    Ok(())
}

/// Checks the body against the header's commitments (checklist B.11; reth
/// `validate_block_pre_execution`): no ommers and the empty ommers hash (EIP-3675), the
/// transactions root over the EIP-2718 encodings, the withdrawals list present exactly from
/// Shanghai and matching `withdrawals_root` (EIP-4895), and from Cancun `blob_gas_used` equal
/// to `GAS_PER_BLOB` times the blobs of the block's transactions (EIP-4844), at most the block
/// maximum.
pub fn validate_body(block: &Block<TxEnvelope>, config: &ChainConfig) -> Result<()> {
    let header = &block.header;
    let body = &block.body;
    let fork = config.fork_at(header.timestamp);
    if !body.ommers.is_empty() {
        return Err(invalid_header(HeaderRule::Ommers(body.ommers.len())));
    }
    let ommers_hash = mana_execution::ommers_hash(&body.ommers);
    if ommers_hash != header.ommers_hash {
        return Err(invalid_header(HeaderRule::OmmersHash {
            header: header.ommers_hash,
            expected: ommers_hash,
        }));
    }
    let transactions_root = mana_execution::transactions_root(&body.transactions);
    if transactions_root != header.transactions_root {
        return Err(invalid_header(HeaderRule::TransactionsRoot {
            header: header.transactions_root,
            computed: transactions_root,
        }));
    }
    match (fork >= Fork::Shanghai, header.withdrawals_root, &body.withdrawals) {
        (true, Some(expected), Some(withdrawals)) => {
            let computed = mana_execution::withdrawals_root(withdrawals);
            if computed != expected {
                return Err(invalid_header(HeaderRule::WithdrawalsRoot {
                    header: expected,
                    computed,
                }));
            }
        }
        (false, None, None) => {}
        (_, root, list) => {
            return Err(invalid_header(HeaderRule::Withdrawals {
                fork,
                root: root.is_some(),
                list: list.is_some(),
            }));
        }
    }
    if fork >= Fork::Cancun {
        let blobs = body.transactions.iter().fold(0u64, |sum, tx| {
            let count = tx.blob_versioned_hashes().map_or(0, <[B256]>::len);
            sum.saturating_add(u64::try_from(count).unwrap_or(u64::MAX))
        });
        let blob_gas = blobs.saturating_mul(DATA_GAS_PER_BLOB);
        if header.blob_gas_used != Some(blob_gas) {
            return Err(invalid_header(HeaderRule::BlobGasUsed {
                header: header.blob_gas_used,
                blobs,
            }));
        }
        if let Some(params) = config.blob_params_at(header.timestamp)
            && blobs > params.max_blob_count
        {
            return Err(invalid_header(HeaderRule::BlobGasUsedAboveMax {
                blob_gas_used: blob_gas,
                max: params.max_blob_count.saturating_mul(DATA_GAS_PER_BLOB),
            }));
        }
    }
    Ok(())
}

/// EIP-6110 (Prague): every `DepositEvent` log the deposit contract emitted in the block must
/// have the layout the contract's ABI gives it (execution-specs `extract_deposit_data`): 576
/// bytes of data holding five `bytes` fields at the offsets 160, 256, 320, 384 and 512 with the
/// sizes 48 (pubkey), 32 (withdrawal credentials), 8 (amount), 96 (signature) and 8 (index),
/// each offset and size a full 32-byte ABI word. Any other layout makes the block invalid, even
/// one a lenient ABI decoder would still read (a different offset pointing at well-formed data):
/// the deposit requests, and so the requests hash, must come from exactly this layout.
///
/// `receipts` are the block's, in order; a failure is [`BlockRule::DepositEventLayout`] naming
/// the transaction and the log. Nothing to check before Prague.
pub fn validate_deposit_events(
    receipts: &[ReceiptEnvelope],
    header: &Header,
    config: &ChainConfig,
) -> Result<()> {
    if !config.is_active(Fork::Prague, header.timestamp) {
        return Ok(());
    }
    for (tx_index, receipt) in receipts.iter().enumerate() {
        let deposit_logs = receipt.logs().iter().enumerate().filter(|(_, log)| {
            log.address == config.deposit_contract
                && log.topics().first() == Some(&DEPOSIT_EVENT_TOPIC)
        });
        for (log_index, log) in deposit_logs {
            deposit_layout(&log.data.data).map_err(|problem| {
                Error::InvalidBlock(BlockRule::DepositEventLayout(format!(
                    "transaction {tx_index}, log {log_index}: {problem}"
                )))
            })?;
        }
    }
    Ok(())
}

/// Checks one `DepositEvent`'s data against the EIP-6110 layout; the problem in words.
fn deposit_layout(data: &[u8]) -> core::result::Result<(), String> {
    if data.len() != DEPOSIT_EVENT_DATA_BYTES {
        return Err(format!("{} bytes of data, expected {DEPOSIT_EVENT_DATA_BYTES}", data.len()));
    }
    let word = |at: usize| {
        data.get(at..at.saturating_add(32)).map(U256::from_be_slice).unwrap_or(U256::MAX)
    };
    for (slot, (field, offset, size)) in DEPOSIT_EVENT_FIELDS.iter().enumerate() {
        let found = word(slot.saturating_mul(32));
        if found != U256::from(*offset) {
            return Err(format!("{field} offset {found}, expected {offset}"));
        }
        let found = word(*offset);
        if found != U256::from(*size) {
            return Err(format!("{field} size {found}, expected {size}"));
        }
    }
    Ok(())
}

/// Intrinsic gas of `tx` under `fork` and its EIP-7623 calldata floor (the floor is 0 before
/// Prague). Saturating: an absurd transaction gets `u64::MAX`, which no gas limit meets.
///
/// `21000` (+`32000` for a creation, EIP-2) + calldata `4`/`16` per zero/non-zero byte
/// (EIP-2028) + access list `2400` per address and `1900` per key (EIP-2930) + initcode `2` per
/// 32-byte word (EIP-3860, Shanghai) + `25000` per authorization (EIP-7702); floor
/// `21000 + 10 · (zeros + 4 · non-zeros)` (EIP-7623).
pub fn intrinsic_gas(tx: &TxEnvelope, fork: Fork) -> (u64, u64) {
    let input = tx.input();
    let len = u64::try_from(input.len()).unwrap_or(u64::MAX);
    let zeros = u64::try_from(input.iter().filter(|byte| **byte == 0).count()).unwrap_or(u64::MAX);
    let non_zeros = len.saturating_sub(zeros);
    let mut gas = TX_BASE_GAS
        .saturating_add(zeros.saturating_mul(TX_DATA_ZERO_GAS))
        .saturating_add(non_zeros.saturating_mul(TX_DATA_NON_ZERO_GAS));
    if tx.is_create() {
        gas = gas.saturating_add(TX_CREATE_GAS);
        if fork >= Fork::Shanghai {
            let words = len.div_ceil(32);
            gas = gas.saturating_add(words.saturating_mul(INITCODE_WORD_GAS));
        }
    }
    if let Some(access_list) = tx.access_list() {
        for item in access_list.iter() {
            let keys = u64::try_from(item.storage_keys.len()).unwrap_or(u64::MAX);
            gas = gas
                .saturating_add(ACCESS_LIST_ADDRESS_GAS)
                .saturating_add(keys.saturating_mul(ACCESS_LIST_STORAGE_KEY_GAS));
        }
    }
    if let Some(authorizations) = tx.authorization_list() {
        let count = u64::try_from(authorizations.len()).unwrap_or(u64::MAX);
        gas = gas.saturating_add(count.saturating_mul(PER_AUTHORIZATION_GAS));
    }
    let floor = if fork >= Fork::Prague {
        let tokens = zeros.saturating_add(non_zeros.saturating_mul(TOKENS_PER_NON_ZERO_BYTE));
        TX_BASE_GAS.saturating_add(tokens.saturating_mul(FLOOR_GAS_PER_TOKEN))
    } else {
        0
    };
    (gas, floor)
}

/// The rules of one transaction that need no state (checklist B.12), at `header`'s fork:
///
/// - type activation: types 1 and 2 (Berlin, London) always, 3 from Cancun (EIP-4844), 4 from
///   Prague (EIP-7702); a blob transaction in its network form (with sidecar) is not a block
///   transaction;
/// - chain id (EIP-155; a legacy transaction without one is still valid), EIP-2 low `s`,
///   nonce below `2^64 - 1` (EIP-2681);
/// - `gas_limit ≤ header.gas_limit`; from Osaka `gas_limit ≤ 2^24` (EIP-7825);
/// - initcode ≤ 49,152 bytes from Shanghai (EIP-3860); `gas_limit ≥` intrinsic gas and, from
///   Prague, `≥` the EIP-7623 floor (see [`intrinsic_gas`]);
/// - `max_fee_per_gas ≥ base_fee`, `max_priority_fee_per_gas ≤ max_fee_per_gas` (EIP-1559);
/// - blob transactions (EIP-4844): at least one blob, every versioned hash of version `0x01`, at
///   most the per-transaction limit (6 from Osaka, EIP-7594) and the block maximum,
///   `max_fee_per_blob_gas ≥` the header's blob base fee;
/// - set-code transactions (EIP-7702): a non-empty authorization list.
///
/// A blob or set-code transaction always has a `to` address: their RLP has no creation form, so
/// such a block fails to decode. `sender` (from [`recover_senders`]) is named in the error, a
/// [`TxRule`] in [`Error::InvalidTransaction`] (header-side failures, such as a header without a
/// base fee or excess blob gas, are [`Error::InvalidHeader`]).
pub fn validate_transaction_static(
    tx: &TxEnvelope,
    index: usize,
    header: &Header,
    config: &ChainConfig,
    sender: Address,
) -> Result<()> {
    let fail = |rule: TxRule| Error::InvalidTransaction { index, sender: Some(sender), rule };
    let fork = config.fork_at(header.timestamp);

    match tx {
        TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) => {}
        TxEnvelope::Eip4844(signed) => {
            if fork < Fork::Cancun {
                return Err(fail(TxRule::TypeBeforeFork { tx_type: 3, fork }));
            }
            if matches!(signed.tx(), TxEip4844Variant::TxEip4844WithSidecar(_)) {
                return Err(fail(TxRule::BlobSidecar));
            }
        }
        TxEnvelope::Eip7702(_) => {
            if fork < Fork::Prague {
                return Err(fail(TxRule::TypeBeforeFork { tx_type: 4, fork }));
            }
        }
    }

    if let Some(chain_id) = tx.chain_id()
        && chain_id != config.chain_id
    {
        return Err(fail(TxRule::ChainId { got: chain_id, expected: config.chain_id }));
    }
    let signature = tx.signature();
    if signature.s() > SECP256K1N_HALF {
        return Err(fail(TxRule::HighS));
    }
    if tx.nonce() == u64::MAX {
        return Err(fail(TxRule::NonceMax));
    }

    let gas_limit = tx.gas_limit();
    if gas_limit > header.gas_limit {
        return Err(fail(TxRule::GasLimitAboveBlock {
            gas_limit,
            block_gas_limit: header.gas_limit,
        }));
    }
    if fork >= Fork::Osaka && gas_limit > MAX_TX_GAS_LIMIT_OSAKA {
        return Err(fail(TxRule::GasLimitAboveCap { gas_limit, cap: MAX_TX_GAS_LIMIT_OSAKA }));
    }
    if fork >= Fork::Shanghai && tx.is_create() && tx.input().len() > MAX_INITCODE_SIZE {
        return Err(fail(TxRule::InitcodeTooLarge { size: tx.input().len() }));
    }
    let (intrinsic, floor) = intrinsic_gas(tx, fork);
    if gas_limit < intrinsic {
        return Err(fail(TxRule::IntrinsicGas { gas_limit, intrinsic }));
    }
    if gas_limit < floor {
        return Err(fail(TxRule::CalldataFloor { gas_limit, floor }));
    }

    let base_fee = header
        .base_fee_per_gas
        .ok_or(invalid_header(HeaderRule::FieldMissing { field: HeaderField::BaseFee, fork }))?;
    let max_fee = tx.max_fee_per_gas();
    if max_fee < u128::from(base_fee) {
        return Err(fail(TxRule::MaxFeeBelowBaseFee { max_fee, base_fee }));
    }
    if let Some(priority_fee) = tx.max_priority_fee_per_gas()
        && priority_fee > max_fee
    {
        return Err(fail(TxRule::PriorityAboveMaxFee { priority_fee, max_fee }));
    }

    if let TxEnvelope::Eip4844(_) = tx {
        let hashes = tx.blob_versioned_hashes().unwrap_or_default();
        if hashes.is_empty() {
            return Err(fail(TxRule::NoBlobs));
        }
        if let Some(bad) =
            hashes.iter().find(|hash| hash.0.first() != Some(&VERSIONED_HASH_VERSION_KZG))
        {
            return Err(fail(TxRule::BlobVersion(*bad)));
        }
        let params = config
            .blob_params_at(header.timestamp)
            .ok_or(invalid_header(HeaderRule::NoBlobSchedule(header.timestamp)))?;
        let count = u64::try_from(hashes.len()).unwrap_or(u64::MAX);
        // EIP-7594 (Osaka) caps one transaction below the block maximum; before, the block
        // maximum is the only cap.
        let per_tx = params.max_blobs_per_tx.min(MAX_BLOBS_PER_TX_FUSAKA);
        if fork >= Fork::Osaka && count > per_tx {
            return Err(fail(TxRule::TooManyBlobs { count, max: per_tx }));
        }
        if count > params.max_blob_count {
            return Err(fail(TxRule::BlobsAboveBlockMax { count, max: params.max_blob_count }));
        }
        let blob_fee = blob_base_fee(header, config)?;
        let max_blob_fee = tx.max_fee_per_blob_gas().unwrap_or(0);
        if max_blob_fee < blob_fee {
            return Err(fail(TxRule::BlobFeeTooLow {
                max_fee_per_blob_gas: max_blob_fee,
                blob_base_fee: blob_fee,
            }));
        }
    }

    if let TxEnvelope::Eip7702(_) = tx
        && tx.authorization_list().is_none_or(<[_]>::is_empty)
    {
        return Err(fail(TxRule::EmptyAuthorizationList));
    }
    Ok(())
}

/// Recovers every transaction's sender (checklist B.12, signature): `s ≤ n/2` (EIP-2), then
/// secp256k1 recovery over the signature hash.
///
/// With `public_keys` (the EIP-8025 shortcut, one uncompressed key per transaction) each key is
/// checked instead of recovered: it must be a curve point, the ECDSA signature must verify under
/// it **and** the recovered nonce point's y parity must equal the signature's (without that check
/// a signature verifies under two keys, and a wrong sender could be supplied). A key count that
/// differs from the transaction count or any failing key is [`Error::BadPublicKey`]; the address
/// is `keccak256(x ‖ y)[12..]`. On x86-64 and wasm32, where recovery uses libsecp256k1 and is the
/// cheaper of the two, the signer is recovered and the supplied key must be its key.
pub fn recover_senders(
    block: &Block<TxEnvelope>,
    public_keys: Option<&[[u8; PUBLIC_KEY_BYTES]]>,
) -> Result<Vec<Address>> {
    let transactions = &block.body.transactions;
    if let Some(keys) = public_keys
        && keys.len() != transactions.len()
    {
        return Err(Error::BadPublicKey {
            index: keys.len().min(transactions.len()),
            reason: format!("{} keys for {} transactions", keys.len(), transactions.len()),
        });
    }
    transactions
        .iter()
        .enumerate()
        .map(|(index, tx)| {
            let signature = tx.signature();
            if signature.s() > SECP256K1N_HALF {
                return Err(Error::InvalidTransaction { index, sender: None, rule: TxRule::HighS });
            }
            let hash = tx.signature_hash();
            match public_keys.and_then(|keys| keys.get(index)) {
                // With libsecp256k1 (x86-64, wasm32) recovering costs less than the check below:
                // recover and require the supplied key to be the recovered signer's.
                #[cfg(any(target_arch = "x86_64", target_arch = "wasm32"))]
                Some(key) => {
                    let recovered =
                        signature.recover_address_from_prehash(&hash).map_err(|_| {
                            Error::InvalidTransaction {
                                index,
                                sender: None,
                                rule: TxRule::Signature,
                            }
                        })?;
                    let supplied = key
                        .get(1..)
                        .map(|xy| Address::from_word(keccak256(xy)))
                        .filter(|_| key.first() == Some(&4));
                    if supplied == Some(recovered) {
                        Ok(recovered)
                    } else {
                        Err(Error::BadPublicKey {
                            index,
                            reason: String::from("the key is not the signature's signer"),
                        })
                    }
                }
                #[cfg(not(any(target_arch = "x86_64", target_arch = "wasm32")))]
                Some(key) => signer_from_public_key(key, signature, &hash)
                    .map_err(|reason| Error::BadPublicKey { index, reason: String::from(reason) }),
                None => signature.recover_address_from_prehash(&hash).map_err(|_| {
                    Error::InvalidTransaction { index, sender: None, rule: TxRule::Signature }
                }),
            }
        })
        .collect()
}

/// Checks that `key` is the key ECDSA recovery of `(signature, hash)` would give, without the
/// square root recovery needs: with `R' = (z/s)·G + (r/s)·Q`, the signature is valid for `Q` iff
/// `x(R') = r`, and recovery with parity `v` gives `Q` iff also `y(R')` has parity `v` (the other
/// parity recovers the other key, `-R'` instead of `R'`). Comparing `x(R')` with `r` unreduced
/// matches recovery, which takes `x = r`.
// Scalar arithmetic is modulo the group order: it cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
#[cfg_attr(any(target_arch = "x86_64", target_arch = "wasm32"), allow(dead_code))]
fn signer_from_public_key(
    key: &[u8; PUBLIC_KEY_BYTES],
    signature: &Signature,
    hash: &B256,
) -> core::result::Result<Address, &'static str> {
    use k256::{
        FieldBytes, ProjectivePoint, Scalar,
        ecdsa::VerifyingKey,
        elliptic_curve::{
            PrimeField,
            ops::{LinearCombination, Reduce},
            point::AffineCoordinates,
        },
    };

    let Some((0x04, coordinates)) = key.split_first() else {
        return Err("not an uncompressed SEC1 key (no 0x04 prefix)");
    };
    let verifying_key =
        VerifyingKey::from_sec1_bytes(key).map_err(|_| "not a point on secp256k1")?;
    let r_bytes = FieldBytes::from(signature.r().to_be_bytes::<32>());
    let scalar = |bytes: FieldBytes| {
        Option::<Scalar>::from(Scalar::from_repr(bytes)).filter(|x| !bool::from(x.is_zero()))
    };
    let r = scalar(r_bytes).ok_or("signature r is not in [1, n-1]")?;
    let s = scalar(FieldBytes::from(signature.s().to_be_bytes::<32>()))
        .ok_or("signature s is not in [1, n-1]")?;
    let z = <Scalar as Reduce<k256::U256>>::reduce_bytes(&FieldBytes::from(hash.0));
    let s_inv = Option::<Scalar>::from(s.invert()).ok_or("signature s is not invertible")?;
    let point = ProjectivePoint::lincomb(
        &ProjectivePoint::GENERATOR,
        &(z * s_inv),
        &ProjectivePoint::from(*verifying_key.as_affine()),
        &(r * s_inv),
    )
    .to_affine();
    if point == k256::AffinePoint::IDENTITY || point.x() != r_bytes {
        return Err("the signature does not verify under this key");
    }
    if bool::from(point.y_is_odd()) != signature.v() {
        return Err("the signature's y parity recovers a different key");
    }
    Ok(Address::from_word(keccak256(coordinates)))
}

fn presence(field: HeaderField, present: bool, required: bool, fork: Fork) -> Result<()> {
    match (present, required) {
        (true, false) => Err(invalid_header(HeaderRule::FieldBeforeFork { field, fork })),
        (false, true) => Err(invalid_header(HeaderRule::FieldMissing { field, fork })),
        _ => Ok(()),
    }
}

const fn invalid_header(rule: HeaderRule) -> Error {
    Error::InvalidHeader(rule)
}

const fn invalid_config(detail: String) -> Error {
    Error::InvalidConfig(detail)
}

/// A JSON quantity: a non-negative integer or a `0x` hex string.
fn json_quantity(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => u64::from_str_radix(s.strip_prefix("0x")?, 16).ok(),
        _ => None,
    }
}

/// Splits an execution-spec-tests network name into the base fork and an optional transition.
fn parse_network(network: &str) -> Result<(Fork, Option<(Fork, u64)>)> {
    let fork = |name: &str| {
        Fork::from_name(name).ok_or_else(|| {
            invalid_config(format!(
                "unknown or pre-merge fork {name:?} in network {network:?} (supported: Paris to \
                 Amsterdam)"
            ))
        })
    };
    let Some((from, rest)) = network.split_once("To") else {
        return Ok((fork(network)?, None));
    };
    let (to, at) = rest.split_once("AtTime").ok_or_else(|| {
        invalid_config(format!("network {network:?}: expected <A>To<B>AtTime<N>k"))
    })?;
    let time = at
        .strip_suffix('k')
        .and_then(|n| n.parse::<u64>().ok())
        .and_then(|n| n.checked_mul(1000))
        .ok_or_else(|| invalid_config(format!("network {network:?}: bad transition time")))?;
    let (from, to) = (fork(from)?, fork(to)?);
    if from.successor() != Some(to) {
        return Err(invalid_config(format!("network {network:?}: {to} does not follow {from}")));
    }
    Ok((from, Some((to, time))))
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use alloy_consensus::{
        BlockBody, SignableTransaction, Signed, TxEip1559, TxEip2930, TxEip4844, TxEip7702,
        TxLegacy,
        crypto::secp256k1::{recover_signer_unchecked, sign_message},
    };
    use alloy_eips::{
        eip2930::{AccessList, AccessListItem},
        eip4895::{Withdrawal, Withdrawals},
        eip7594::BlobTransactionSidecarVariant,
        eip7702::{Authorization, SignedAuthorization},
    };
    use alloy_primitives::{Bytes, TxKind};

    use super::*;

    const BPO2_TIME: u64 = 1_767_747_671;

    fn secret(n: u8) -> B256 {
        B256::repeat_byte(n)
    }

    fn public_key(secret: B256) -> [u8; 65] {
        let key = k256::ecdsa::SigningKey::from_slice(secret.as_slice()).unwrap();
        key.verifying_key().to_encoded_point(false).as_bytes().try_into().unwrap()
    }

    fn address_of(secret: B256) -> Address {
        Address::from_word(keccak256(&public_key(secret)[1..]))
    }

    fn sign<T: SignableTransaction<Signature>>(tx: T, key: B256) -> Signed<T> {
        let signature = sign_message(key, tx.signature_hash()).unwrap();
        tx.into_signed(signature)
    }

    /// A BPO2-era parent: 60M gas limit, half full, some blob excess.
    fn parent() -> Header {
        Header {
            parent_hash: B256::repeat_byte(1),
            number: 24_000_000,
            gas_limit: 60_000_000,
            gas_used: 30_000_000,
            timestamp: BPO2_TIME + 1200,
            base_fee_per_gas: Some(1_000_000_000),
            withdrawals_root: Some(B256::repeat_byte(2)),
            blob_gas_used: Some(3 * DATA_GAS_PER_BLOB),
            excess_blob_gas: Some(20 * DATA_GAS_PER_BLOB),
            parent_beacon_block_root: Some(B256::repeat_byte(3)),
            requests_hash: Some(B256::repeat_byte(4)),
            ..Header::default()
        }
    }

    fn child(parent: &Header, config: &ChainConfig) -> Header {
        let timestamp = parent.timestamp + 12;
        Header {
            parent_hash: parent.hash_slow(),
            number: parent.number + 1,
            timestamp,
            gas_used: 1_000_000,
            base_fee_per_gas: Some(next_base_fee(parent).unwrap()),
            blob_gas_used: Some(DATA_GAS_PER_BLOB),
            excess_blob_gas: Some(next_excess_blob_gas(parent, timestamp, config).unwrap()),
            ..parent.clone()
        }
    }

    /// The failing header rule's name (see [`HeaderRule::name`]).
    fn rule_of(result: Result<()>) -> &'static str {
        match result {
            Err(Error::InvalidHeader(rule)) => rule.name(),
            other => panic!("expected an invalid header, got {other:?}"),
        }
    }

    #[test]
    fn mainnet_forks_activate_at_their_timestamps() {
        let config = ChainConfig::mainnet();
        config.check().unwrap();
        assert_eq!(config.fork_at(0), Fork::Paris);
        assert_eq!(config.fork_at(1_681_338_454), Fork::Paris);
        assert_eq!(config.fork_at(1_681_338_455), Fork::Shanghai);
        assert_eq!(config.fork_at(1_710_338_135), Fork::Cancun);
        assert_eq!(config.fork_at(1_746_612_311), Fork::Prague);
        assert_eq!(config.fork_at(1_764_798_551), Fork::Osaka);
        assert_eq!(config.fork_at(1_765_290_071), Fork::Bpo1);
        assert_eq!(config.fork_at(BPO2_TIME), Fork::Bpo2);
        assert_eq!(config.fork_at(u64::MAX), Fork::Bpo2);
        assert_eq!(config.blob_params_at(1_710_338_134), None);
        assert_eq!(config.blob_params_at(1_710_338_135), Some(BlobParams::cancun()));
        assert_eq!(config.blob_params_at(BPO2_TIME - 1), Some(BlobParams::bpo1()));
        let bpo2 = config.blob_params_at(BPO2_TIME).unwrap();
        assert_eq!((bpo2.target_blob_count, bpo2.max_blob_count), (14, 21));
        assert_eq!(bpo2.update_fraction, 11_684_671);
        assert_eq!(bpo2.max_blobs_per_tx, 6);
        assert_eq!(config.deposit_contract, MAINNET_DEPOSIT_CONTRACT);
    }

    #[test]
    fn eest_networks_and_transitions_parse() {
        let prague = ChainConfig::from_eest_network("Prague", 1).unwrap();
        assert_eq!(prague.fork_at(0), Fork::Prague);
        assert_eq!(prague.osaka_time, None);
        let paris = ChainConfig::from_eest_network("Paris", 1).unwrap();
        assert_eq!(paris.fork_at(u64::MAX), Fork::Paris);
        assert_eq!(ChainConfig::from_eest_network("Merge", 1).unwrap(), paris);
        let transition = ChainConfig::from_eest_network("CancunToPragueAtTime15k", 1).unwrap();
        assert_eq!(transition.fork_at(14_999), Fork::Cancun);
        assert_eq!(transition.fork_at(15_000), Fork::Prague);
        let bpo = ChainConfig::from_eest_network("BPO1ToBPO2AtTime15k", 1).unwrap();
        assert_eq!(bpo.blob_params_at(14_999), Some(BlobParams::bpo1()));
        assert_eq!(bpo.blob_params_at(15_000), Some(BlobParams::bpo2()));
        assert_eq!(bpo.osaka_time, Some(0));
        for bad in [
            "London",
            "Frontier",
            "Bogus",
            "PragueToCancunAtTime15k",
            "CancunToOsakaAtTime15k",
            "CancunToPragueAtTime",
            "CancunToPragueAt15k",
        ] {
            assert!(
                matches!(ChainConfig::from_eest_network(bad, 1), Err(Error::InvalidConfig(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn eest_config_objects_take_the_blob_schedule() {
        let config = ChainConfig::from_eest_config(&serde_json::json!({
            "network": "OsakaToBPO1AtTime15k",
            "chainid": "0x01",
            "blobSchedule": {
                "Cancun": {"target": "0x03", "max": "0x06", "baseFeeUpdateFraction": "0x32f0ed"},
                "Prague": {"target": "0x06", "max": "0x09", "baseFeeUpdateFraction": "0x4c6964"},
                "Osaka": {"target": "0x06", "max": "0x09", "baseFeeUpdateFraction": "0x4c6964"},
                "BPO1": {"target": "0x0a", "max": "0x0f", "baseFeeUpdateFraction": "0x7f5a51"},
                "BPO9": {"target": "0x0a", "max": "0x0f", "baseFeeUpdateFraction": "0x7f5a51"}
            }
        }))
        .unwrap();
        assert_eq!(config.chain_id, 1);
        assert_eq!(config.blob_params_at(0), Some(BlobParams::osaka()));
        assert_eq!(config.blob_params_at(15_000), Some(BlobParams::bpo1()));
        // A reached fork missing from a given schedule.
        let missing = serde_json::json!({
            "network": "Prague",
            "blobSchedule": {
                "Cancun": {"target": "0x03", "max": "0x06", "baseFeeUpdateFraction": "0x32f0ed"}
            }
        });
        assert!(matches!(ChainConfig::from_eest_config(&missing), Err(Error::InvalidConfig(_))));
        let zero_fraction = serde_json::json!({
            "network": "Cancun",
            "blobSchedule": {"Cancun": {"target": 3, "max": 6, "baseFeeUpdateFraction": 0}}
        });
        assert!(matches!(
            ChainConfig::from_eest_config(&zero_fraction),
            Err(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            ChainConfig::from_eest_config(&serde_json::json!({"chainid": 1})),
            Err(Error::InvalidConfig(_))
        ));
    }

    #[test]
    fn incoherent_configs_are_refused() {
        let mut config = ChainConfig::mainnet();
        config.cancun_time = None;
        assert!(matches!(config.check(), Err(Error::InvalidConfig(_))));
        let mut config = ChainConfig::mainnet();
        config.osaka_time = Some(1);
        assert!(matches!(config.check(), Err(Error::InvalidConfig(_))));
        let mut config = ChainConfig::mainnet();
        config.bpo1_time = None;
        assert!(matches!(config.check(), Err(Error::InvalidConfig(_))));
        let mut config = ChainConfig::mainnet();
        config.blob_schedule.cancun = None;
        assert!(matches!(config.check(), Err(Error::InvalidConfig(_))));
    }

    #[test]
    fn a_valid_child_passes() {
        let config = ChainConfig::mainnet();
        let parent = parent();
        validate_header(&child(&parent, &config), &parent, &config).unwrap();
    }

    #[test]
    fn each_header_rule_is_enforced() {
        let config = ChainConfig::mainnet();
        let parent = parent();
        let good = child(&parent, &config);
        let check = |edit: &dyn Fn(&mut Header)| {
            let mut header = good.clone();
            edit(&mut header);
            rule_of(validate_header(&header, &parent, &config))
        };
        assert_eq!(check(&|h| h.difficulty = U256::from(1)), "difficulty");
        assert_eq!(check(&|h| h.nonce = B64::from(1u64)), "nonce");
        assert_eq!(check(&|h| h.ommers_hash = B256::ZERO), "ommers hash");
        assert_eq!(check(&|h| h.extra_data = Bytes::from(vec![0; 33])), "extra data");
        assert_eq!(check(&|h| h.parent_hash = B256::ZERO), "parent hash");
        assert_eq!(check(&|h| h.number += 1), "number");
        assert_eq!(check(&|h| h.timestamp = parent.timestamp), "timestamp");
        assert_eq!(check(&|h| h.gas_used = h.gas_limit + 1), "gas used");
        assert_eq!(check(&|h| h.gas_limit = 60_000_000 + 60_000_000 / 1024), "gas limit");
        assert_eq!(check(&|h| h.gas_limit = 60_000_000 - 60_000_000 / 1024), "gas limit");
        assert_eq!(check(&|h| h.base_fee_per_gas = Some(999_999_999)), "base fee");
        assert_eq!(check(&|h| h.base_fee_per_gas = None), "base fee");
        assert_eq!(check(&|h| h.withdrawals_root = None), "withdrawals root");
        assert_eq!(check(&|h| h.blob_gas_used = None), "blob gas used");
        assert_eq!(check(&|h| h.excess_blob_gas = None), "excess blob gas");
        assert_eq!(check(&|h| h.parent_beacon_block_root = None), "parent beacon block root");
        assert_eq!(check(&|h| h.requests_hash = None), "requests hash");
        assert_eq!(
            check(&|h| h.block_access_list_hash = Some(B256::ZERO)),
            "block access list hash"
        );
        assert_eq!(check(&|h| h.slot_number = Some(1)), "slot number");
        assert_eq!(check(&|h| h.blob_gas_used = Some(DATA_GAS_PER_BLOB + 1)), "blob gas used");
        assert_eq!(check(&|h| h.blob_gas_used = Some(22 * DATA_GAS_PER_BLOB)), "blob gas used");
        assert_eq!(
            check(&|h| h.excess_blob_gas = Some(h.excess_blob_gas.unwrap() + DATA_GAS_PER_BLOB)),
            "excess blob gas"
        );
        // Within the bounds the gas limit may move.
        assert_eq!(validate_gas_limit(60_000_000 + 60_000_000 / 1024 - 1, 60_000_000), Ok(()));
        assert!(validate_gas_limit(4999, 5000).is_err());
        assert!(validate_gas_limit(MAX_GAS_LIMIT + 1, MAX_GAS_LIMIT).is_err());
    }

    #[test]
    fn fields_before_their_fork_are_refused() {
        let mut config = ChainConfig::mainnet();
        let parent = Header { timestamp: 1_746_612_311 - 100, ..parent() };
        let good = child(&parent, &config);
        assert_eq!(config.fork_at(good.timestamp), Fork::Cancun);
        assert_eq!(rule_of(validate_header(&good, &parent, &config)), "requests hash");
        let cancun = Header { requests_hash: None, ..good };
        validate_header(&cancun, &parent, &config).unwrap();
        // Amsterdam blocks are recognised and refused.
        config.amsterdam_time = Some(0);
        assert_eq!(rule_of(validate_header(&cancun, &parent, &config)), "fork");
    }

    #[test]
    fn base_fee_follows_eip_1559() {
        let at = |used: u64, fee: u64| {
            next_base_fee(&Header {
                gas_limit: 30_000_000,
                gas_used: used,
                base_fee_per_gas: Some(fee),
                ..Header::default()
            })
            .unwrap()
        };
        assert_eq!(at(15_000_000, 1_000_000_000), 1_000_000_000);
        assert_eq!(at(30_000_000, 1_000_000_000), 1_125_000_000);
        assert_eq!(at(0, 1_000_000_000), 875_000_000);
        // The increase is at least one wei.
        assert_eq!(at(15_000_001, 7), 8);
        assert_eq!(at(0, 7), 7);
        // Overflow is an error, not a wrap.
        assert!(
            next_base_fee(&Header {
                gas_limit: 30_000_000,
                gas_used: 30_000_000,
                base_fee_per_gas: Some(u64::MAX),
                ..Header::default()
            })
            .is_err()
        );
        assert!(next_base_fee(&Header { gas_limit: 1, ..parent() }).is_err());
        assert!(next_base_fee(&Header { base_fee_per_gas: None, ..parent() }).is_err());
    }

    #[test]
    fn excess_blob_gas_uses_the_childs_schedule_and_the_reserve_price() {
        // EEST test_blob_base_fee_with_bpo_transition (OsakaToBPO1AtTime15k): parent excess of 27
        // blobs, none used, base fee 17. At the BPO1 boundary the reserve price (EIP-7918)
        // applies with BPO1's parameters and the excess stays.
        let config = ChainConfig::from_eest_network("OsakaToBPO1AtTime15k", 1).unwrap();
        let parent = Header {
            timestamp: 0,
            base_fee_per_gas: Some(17),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0x36_0000),
            ..Header::default()
        };
        assert_eq!(next_excess_blob_gas(&parent, 15_000, &config).unwrap(), 0x36_0000);
        // With Osaka's parameters (a child before the boundary) the blob price is above the
        // reserve and the target (6 blobs) is subtracted.
        assert_eq!(
            next_excess_blob_gas(&parent, 14_999, &config).unwrap(),
            0x36_0000 - 6 * DATA_GAS_PER_BLOB
        );
        // Below the target: zero.
        let low = Header { excess_blob_gas: Some(DATA_GAS_PER_BLOB), ..parent.clone() };
        assert_eq!(next_excess_blob_gas(&low, 15_000, &config).unwrap(), 0);
        // Reserve price with use: excess + used · (max - target) / max.
        let used = Header {
            blob_gas_used: Some(15 * DATA_GAS_PER_BLOB),
            base_fee_per_gas: Some(1_000_000_000),
            ..parent.clone()
        };
        assert_eq!(
            next_excess_blob_gas(&used, 15_000, &config).unwrap(),
            0x36_0000 + 15 * DATA_GAS_PER_BLOB * 5 / 15
        );
        // Cancun: plain EIP-4844, no reserve price.
        let cancun = ChainConfig::from_eest_network("Cancun", 1).unwrap();
        let full = Header {
            base_fee_per_gas: Some(1_000_000_000),
            blob_gas_used: Some(6 * DATA_GAS_PER_BLOB),
            excess_blob_gas: Some(0),
            ..Header::default()
        };
        assert_eq!(next_excess_blob_gas(&full, 12, &cancun).unwrap(), 3 * DATA_GAS_PER_BLOB);
        // The first Cancun block: a Shanghai parent counts as zero.
        let shanghai = ChainConfig::from_eest_network("ShanghaiToCancunAtTime15k", 1).unwrap();
        let pre = Header { timestamp: 14_988, ..Header::default() };
        assert_eq!(next_excess_blob_gas(&pre, 15_000, &shanghai).unwrap(), 0);
        // A Cancun parent without the fields is refused, not taken as zero.
        let bare = Header { timestamp: 1, ..Header::default() };
        assert!(next_excess_blob_gas(&bare, 12, &cancun).is_err());
        // Overflow is an error.
        let huge =
            Header { blob_gas_used: Some(u64::MAX), excess_blob_gas: Some(u64::MAX), ..full };
        assert!(next_excess_blob_gas(&huge, 12, &cancun).is_err());
    }

    fn eip1559(nonce: u64) -> TxEip1559 {
        TxEip1559 {
            chain_id: 1,
            nonce,
            gas_limit: 50_000,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 1_000_000,
            to: TxKind::Call(Address::repeat_byte(9)),
            value: U256::from(1),
            access_list: AccessList::default(),
            input: Bytes::from_static(&[0, 1, 2]),
        }
    }

    fn blob_tx(blobs: usize) -> TxEip4844Variant {
        TxEip4844Variant::TxEip4844(TxEip4844 {
            chain_id: 1,
            nonce: 0,
            gas_limit: 50_000,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 1_000_000,
            to: Address::repeat_byte(9),
            value: U256::ZERO,
            access_list: AccessList::default(),
            blob_versioned_hashes: (0..blobs)
                .map(|i| {
                    let mut hash = B256::repeat_byte(0x22);
                    hash.0[0] = VERSIONED_HASH_VERSION_KZG;
                    hash.0[31] = i as u8;
                    hash
                })
                .collect(),
            max_fee_per_blob_gas: 1_000_000,
            input: Bytes::new(),
        })
    }

    fn rule_of_tx(result: Result<()>) -> TxRule {
        match result {
            Err(Error::InvalidTransaction { rule, .. }) => rule,
            other => panic!("expected an invalid transaction, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_transaction_of_each_type_passes() {
        let config = ChainConfig::mainnet();
        let header = child(&parent(), &config);
        let key = secret(7);
        let sender = address_of(key);
        let legacy = TxLegacy {
            chain_id: Some(1),
            nonce: 0,
            gas_price: 2_000_000_000,
            gas_limit: 21_000,
            to: TxKind::Call(Address::repeat_byte(9)),
            value: U256::from(1),
            input: Bytes::new(),
        };
        let pre_155 = TxLegacy { chain_id: None, ..legacy.clone() };
        let eip2930 = TxEip2930 {
            chain_id: 1,
            nonce: 0,
            gas_price: 2_000_000_000,
            gas_limit: 30_000,
            to: TxKind::Call(Address::repeat_byte(9)),
            value: U256::ZERO,
            access_list: AccessList(vec![AccessListItem {
                address: Address::repeat_byte(1),
                storage_keys: vec![B256::ZERO],
            }]),
            input: Bytes::new(),
        };
        let eip7702 = TxEip7702 {
            chain_id: 1,
            nonce: 0,
            gas_limit: 60_000,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 0,
            to: Address::repeat_byte(9),
            value: U256::ZERO,
            access_list: AccessList::default(),
            authorization_list: vec![SignedAuthorization::new_unchecked(
                Authorization { chain_id: U256::from(1), address: Address::ZERO, nonce: 0 },
                0,
                U256::from(1),
                U256::from(1),
            )],
            input: Bytes::new(),
        };
        let txs: Vec<TxEnvelope> = vec![
            sign(legacy, key).into(),
            sign(pre_155, key).into(),
            sign(eip2930, key).into(),
            sign(eip1559(0), key).into(),
            TxEnvelope::Eip4844(sign(blob_tx(6), key)),
            sign(eip7702, key).into(),
        ];
        for (index, tx) in txs.iter().enumerate() {
            validate_transaction_static(tx, index, &header, &config, sender)
                .unwrap_or_else(|e| panic!("tx {index}: {e}"));
        }
    }

    #[test]
    fn each_transaction_rule_is_enforced() {
        let config = ChainConfig::mainnet();
        let header = child(&parent(), &config);
        let key = secret(7);
        let check = |tx: TxEnvelope| {
            let result = validate_transaction_static(&tx, 3, &header, &config, Address::ZERO);
            assert!(
                matches!(&result, Err(Error::InvalidTransaction { index: 3, sender: Some(_), .. })),
                "{result:?}"
            );
            rule_of_tx(result)
        };
        let tx = |edit: &dyn Fn(&mut TxEip1559)| {
            let mut tx = eip1559(0);
            edit(&mut tx);
            TxEnvelope::from(sign(tx, key))
        };
        assert_eq!(check(tx(&|t| t.chain_id = 5)), TxRule::ChainId { got: 5, expected: 1 });
        assert_eq!(check(tx(&|t| t.nonce = u64::MAX)), TxRule::NonceMax);
        assert_eq!(
            check(tx(&|t| t.gas_limit = 60_000_001)),
            TxRule::GasLimitAboveBlock { gas_limit: 60_000_001, block_gas_limit: 60_000_000 }
        );
        assert_eq!(
            check(tx(&|t| t.gas_limit = (1 << 24) + 1)),
            TxRule::GasLimitAboveCap { gas_limit: (1 << 24) + 1, cap: 1 << 24 }
        );
        assert!(matches!(
            check(tx(&|t| t.gas_limit = 21_000)),
            TxRule::IntrinsicGas { gas_limit: 21_000, .. }
        ));
        assert_eq!(
            check(tx(&|t| {
                t.to = TxKind::Create;
                t.gas_limit = 1 << 24;
                t.input = Bytes::from(vec![1; MAX_INITCODE_SIZE + 1]);
            })),
            TxRule::InitcodeTooLarge { size: MAX_INITCODE_SIZE + 1 }
        );
        // 1000 non-zero bytes: intrinsic 37,000, floor 61,000.
        assert_eq!(
            check(tx(&|t| {
                t.input = Bytes::from(vec![1; 1000]);
                t.gas_limit = 40_000;
            })),
            TxRule::CalldataFloor { gas_limit: 40_000, floor: 61_000 }
        );
        assert!(matches!(
            check(tx(&|t| t.max_fee_per_gas = 1)),
            TxRule::MaxFeeBelowBaseFee { max_fee: 1, .. }
        ));
        assert!(matches!(
            check(tx(&|t| t.max_priority_fee_per_gas = t.max_fee_per_gas + 1)),
            TxRule::PriorityAboveMaxFee { .. }
        ));
        // EIP-2: a high-s twin of a valid signature.
        let signed = sign(eip1559(0), key);
        let sig = signed.signature();
        let n = SECP256K1N_HALF * U256::from(2) + U256::from(1);
        let high = Signature::new(sig.r(), n - sig.s(), !sig.v());
        let twin = TxEnvelope::from(signed.tx().clone().into_signed(high));
        assert_eq!(check(twin), TxRule::HighS);

        // Blob transactions.
        let blob = |tx: TxEip4844Variant| TxEnvelope::Eip4844(sign(tx, key));
        assert_eq!(check(blob(blob_tx(0))), TxRule::NoBlobs);
        assert_eq!(check(blob(blob_tx(7))), TxRule::TooManyBlobs { count: 7, max: 6 });
        let mut bad_version = blob_tx(1);
        if let TxEip4844Variant::TxEip4844(tx) = &mut bad_version {
            tx.blob_versioned_hashes[0].0[0] = 0x02;
        }
        assert!(matches!(check(blob(bad_version)), TxRule::BlobVersion(_)));
        let mut cheap = blob_tx(1);
        if let TxEip4844Variant::TxEip4844(tx) = &mut cheap {
            tx.max_fee_per_blob_gas = 0;
        }
        assert!(matches!(
            check(blob(cheap)),
            TxRule::BlobFeeTooLow { max_fee_per_blob_gas: 0, .. }
        ));
        let TxEip4844Variant::TxEip4844(plain) = blob_tx(1) else { unreachable!() };
        let with_sidecar = TxEip4844Variant::TxEip4844WithSidecar(
            alloy_consensus::TxEip4844WithSidecar::from_tx_and_sidecar(
                plain,
                BlobTransactionSidecarVariant::Eip4844(Default::default()),
            ),
        );
        assert_eq!(check(blob(with_sidecar)), TxRule::BlobSidecar);

        // Set-code transactions need a list.
        let empty = TxEip7702 {
            chain_id: 1,
            nonce: 0,
            gas_limit: 60_000,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 0,
            to: Address::repeat_byte(9),
            value: U256::ZERO,
            access_list: AccessList::default(),
            authorization_list: vec![],
            input: Bytes::new(),
        };
        assert_eq!(check(sign(empty, key).into()), TxRule::EmptyAuthorizationList);
    }

    #[test]
    fn transaction_types_activate_with_their_forks() {
        let config = ChainConfig::from_eest_network("Shanghai", 1).unwrap();
        let header =
            Header { base_fee_per_gas: Some(7), gas_limit: 30_000_000, ..Header::default() };
        let key = secret(7);
        let blob = TxEnvelope::Eip4844(sign(blob_tx(1), key));
        let rule =
            rule_of_tx(validate_transaction_static(&blob, 0, &header, &config, Address::ZERO));
        assert_eq!(rule, TxRule::TypeBeforeFork { tx_type: 3, fork: Fork::Shanghai });
        let config = ChainConfig::from_eest_network("Cancun", 1).unwrap();
        let header = Header { excess_blob_gas: Some(0), ..header };
        validate_transaction_static(&blob, 0, &header, &config, Address::ZERO).unwrap();
        let set_code = TxEip7702 {
            chain_id: 1,
            nonce: 0,
            gas_limit: 60_000,
            max_fee_per_gas: 7,
            max_priority_fee_per_gas: 0,
            to: Address::repeat_byte(9),
            value: U256::ZERO,
            access_list: AccessList::default(),
            authorization_list: vec![SignedAuthorization::new_unchecked(
                Authorization { chain_id: U256::from(1), address: Address::ZERO, nonce: 0 },
                0,
                U256::from(1),
                U256::from(1),
            )],
            input: Bytes::new(),
        };
        let set_code = TxEnvelope::from(sign(set_code, key));
        let rule =
            rule_of_tx(validate_transaction_static(&set_code, 0, &header, &config, Address::ZERO));
        assert_eq!(rule, TxRule::TypeBeforeFork { tx_type: 4, fork: Fork::Cancun });
        // Before Osaka, a 7-blob transaction fits Prague's 9-blob block.
        let prague = ChainConfig::from_eest_network("Prague", 1).unwrap();
        let seven = TxEnvelope::Eip4844(sign(blob_tx(7), key));
        validate_transaction_static(&seven, 0, &header, &prague, Address::ZERO).unwrap();
        let ten = TxEnvelope::Eip4844(sign(blob_tx(10), key));
        assert_eq!(
            rule_of_tx(validate_transaction_static(&ten, 0, &header, &prague, Address::ZERO)),
            TxRule::BlobsAboveBlockMax { count: 10, max: 9 }
        );
        // Before Prague, no calldata floor.
        let data = eip1559(0);
        let data = TxEip1559 { input: Bytes::from(vec![1; 1000]), gas_limit: 40_000, ..data };
        let data = TxEnvelope::from(sign(data, key));
        validate_transaction_static(&data, 0, &header, &config, Address::ZERO).unwrap();
        assert!(validate_transaction_static(&data, 0, &header, &prague, Address::ZERO).is_err());
    }

    #[test]
    fn intrinsic_gas_counts_every_part() {
        let key = secret(7);
        let plain = TxEnvelope::from(sign(eip1559(0), key));
        // 21000 + 4 (zero byte) + 2 · 16.
        assert_eq!(intrinsic_gas(&plain, Fork::Osaka), (21_036, 21_000 + 10 * (1 + 8)));
        assert_eq!(intrinsic_gas(&plain, Fork::Cancun).1, 0);
        let create = TxEip1559 {
            to: TxKind::Create,
            input: Bytes::from(vec![1; 33]),
            access_list: AccessList(vec![AccessListItem {
                address: Address::ZERO,
                storage_keys: vec![B256::ZERO, B256::ZERO],
            }]),
            ..eip1559(0)
        };
        let create = TxEnvelope::from(sign(create, key));
        let expected = 21_000 + 32_000 + 33 * 16 + 2 * 2 + 2400 + 2 * 1900;
        assert_eq!(intrinsic_gas(&create, Fork::Shanghai).0, expected);
        assert_eq!(intrinsic_gas(&create, Fork::Paris).0, expected - 4);
    }

    fn block_of(transactions: Vec<TxEnvelope>, config: &ChainConfig) -> Block<TxEnvelope> {
        let withdrawals = Withdrawals::new(vec![Withdrawal {
            index: 1,
            validator_index: 2,
            address: Address::repeat_byte(3),
            amount: 4,
        }]);
        let blobs: usize =
            transactions.iter().map(|tx| tx.blob_versioned_hashes().map_or(0, <[B256]>::len)).sum();
        let header = Header {
            transactions_root: mana_execution::transactions_root(&transactions),
            withdrawals_root: Some(mana_execution::withdrawals_root(&withdrawals)),
            blob_gas_used: Some(blobs as u64 * DATA_GAS_PER_BLOB),
            ..child(&parent(), config)
        };
        Block {
            header,
            body: BlockBody { transactions, ommers: vec![], withdrawals: Some(withdrawals) },
        }
    }

    #[test]
    fn the_body_must_match_the_header() {
        let config = ChainConfig::mainnet();
        let key = secret(7);
        let txs: Vec<TxEnvelope> = vec![
            sign(eip1559(0), key).into(),
            TxEnvelope::Eip4844(sign(blob_tx(2), key)),
            sign(eip1559(1), key).into(),
        ];
        let block = block_of(txs, &config);
        validate_body(&block, &config).unwrap();
        let check = |edit: &dyn Fn(&mut Block<TxEnvelope>)| {
            let mut block = block.clone();
            edit(&mut block);
            rule_of(validate_body(&block, &config))
        };
        assert_eq!(check(&|b| b.body.transactions.swap(0, 2)), "transactions root");
        assert_eq!(check(&|b| b.body.transactions.pop().map(drop).unwrap()), "transactions root");
        assert_eq!(check(&|b| b.body.withdrawals = None), "withdrawals root");
        assert_eq!(
            check(&|b| b.body.withdrawals.as_mut().unwrap().0[0].amount += 1),
            "withdrawals root"
        );
        assert_eq!(check(&|b| b.header.withdrawals_root = None), "withdrawals root");
        assert_eq!(check(&|b| b.body.ommers.push(Header::default())), "ommers");
        assert_eq!(check(&|b| b.header.ommers_hash = B256::ZERO), "ommers hash");
        assert_eq!(
            check(&|b| b.header.blob_gas_used = Some(3 * DATA_GAS_PER_BLOB)),
            "blob gas used"
        );
        // Before Shanghai neither the root nor the list may be there.
        let paris = ChainConfig::from_eest_network("Paris", 1).unwrap();
        let mut old = block.clone();
        old.body.transactions.clear();
        old.header.transactions_root = mana_execution::transactions_root(&[]);
        assert_eq!(rule_of(validate_body(&old, &paris)), "withdrawals root");
        old.header.withdrawals_root = None;
        old.body.withdrawals = None;
        validate_body(&old, &paris).unwrap();
    }

    /// A `DepositEvent`'s data with the EIP-6110 layout (all field bytes zero).
    fn deposit_data() -> Vec<u8> {
        let mut data = vec![0u8; DEPOSIT_EVENT_DATA_BYTES];
        for (slot, (_, offset, size)) in DEPOSIT_EVENT_FIELDS.iter().enumerate() {
            let word = |value: usize| U256::from(value).to_be_bytes::<32>();
            data[slot * 32..slot * 32 + 32].copy_from_slice(&word(*offset));
            data[*offset..*offset + 32].copy_from_slice(&word(*size));
        }
        data
    }

    fn receipt_with(logs: Vec<alloy_primitives::Log>) -> ReceiptEnvelope {
        let receipt =
            alloy_consensus::Receipt { status: true.into(), cumulative_gas_used: 21_000, logs };
        ReceiptEnvelope::Eip1559(receipt.with_bloom())
    }

    #[test]
    fn deposit_events_must_have_the_eip_6110_layout() {
        let config = ChainConfig::mainnet();
        let header = child(&parent(), &config);
        let log = |address: Address, topic: B256, data: Vec<u8>| {
            alloy_primitives::Log::new_unchecked(address, vec![topic], data.into())
        };
        let deposit = |data: Vec<u8>| {
            vec![
                receipt_with(vec![]),
                receipt_with(vec![log(config.deposit_contract, DEPOSIT_EVENT_TOPIC, data)]),
            ]
        };
        validate_deposit_events(&deposit(deposit_data()), &header, &config).unwrap();
        let problem =
            |data: Vec<u8>| match validate_deposit_events(&deposit(data), &header, &config) {
                Err(Error::InvalidBlock(BlockRule::DepositEventLayout(problem))) => problem,
                other => panic!("expected a deposit layout error, got {other:?}"),
            };
        let mut short = deposit_data();
        short.pop();
        assert!(problem(short).starts_with("transaction 1, log 0: 575 bytes"));
        let mut long = deposit_data();
        long.push(0);
        assert!(problem(long).contains("577 bytes"));
        for (slot, (field, offset, _)) in DEPOSIT_EVENT_FIELDS.iter().enumerate() {
            // An offset one off, and a size with a high bit set (its low bytes still right).
            let mut data = deposit_data();
            data[slot * 32 + 31] ^= 1;
            let text = problem(data);
            assert!(text.contains(&format!("{field} offset")), "{text}");
            let mut data = deposit_data();
            data[*offset] = 1;
            let text = problem(data);
            assert!(text.contains(&format!("{field} size")), "{text}");
        }
        // Other contracts' logs, other events and blocks before Prague are not deposits.
        let others = vec![
            receipt_with(vec![log(Address::repeat_byte(1), DEPOSIT_EVENT_TOPIC, vec![1])]),
            receipt_with(vec![log(config.deposit_contract, B256::ZERO, vec![1])]),
        ];
        validate_deposit_events(&others, &header, &config).unwrap();
        let cancun = ChainConfig::from_eest_network("Cancun", 1).unwrap();
        validate_deposit_events(&deposit(vec![1]), &header, &cancun).unwrap();
    }

    #[test]
    fn osaka_caps_the_block_size() {
        let config = ChainConfig::mainnet();
        let key = secret(7);
        let big = TxEip1559 { input: Bytes::from(vec![1; MAX_RLP_BLOCK_SIZE]), ..eip1559(0) };
        let block = block_of(vec![sign(big, key).into()], &config);
        assert_eq!(rule_of(validate_block_size(&block, &config)), "block size");
        let small = block_of(vec![sign(eip1559(0), key).into()], &config);
        validate_block_size(&small, &config).unwrap();
        let prague = ChainConfig::from_eest_network("Prague", 1).unwrap();
        validate_block_size(&block, &prague).unwrap();
    }

    #[test]
    fn senders_recover_and_supplied_keys_are_checked() {
        let config = ChainConfig::mainnet();
        let (alice, bob) = (secret(7), secret(8));
        let txs: Vec<TxEnvelope> =
            vec![sign(eip1559(0), alice).into(), TxEnvelope::Eip4844(sign(blob_tx(1), bob))];
        let block = block_of(txs, &config);
        let expected = vec![address_of(alice), address_of(bob)];
        assert_eq!(recover_senders(&block, None).unwrap(), expected);
        let keys = [public_key(alice), public_key(bob)];
        assert_eq!(recover_senders(&block, Some(&keys)).unwrap(), expected);

        // A wrong key.
        let swapped = [public_key(bob), public_key(alice)];
        assert!(matches!(
            recover_senders(&block, Some(&swapped)),
            Err(Error::BadPublicKey { index: 0, .. })
        ));
        // Too few or too many keys.
        assert!(matches!(
            recover_senders(&block, Some(&keys[..1])),
            Err(Error::BadPublicKey { index: 1, .. })
        ));
        let three = [keys[0], keys[1], keys[1]];
        assert!(matches!(
            recover_senders(&block, Some(&three)),
            Err(Error::BadPublicKey { index: 2, .. })
        ));
        // Not a curve point, or not uncompressed.
        let mut off_curve = keys;
        off_curve[1][64] ^= 1;
        assert!(matches!(
            recover_senders(&block, Some(&off_curve)),
            Err(Error::BadPublicKey { index: 1, .. })
        ));
        let mut compressed = keys;
        compressed[0][0] = 0x02;
        assert!(matches!(
            recover_senders(&block, Some(&compressed)),
            Err(Error::BadPublicKey { index: 0, .. })
        ));

        // The other key the same (r, s) verifies under: recovery with the flipped parity. Plain
        // ECDSA verification accepts it; the parity check must not.
        let tx = &block.body.transactions[0];
        let sig = tx.signature();
        let flipped = Signature::new(sig.r(), sig.s(), !sig.v());
        let hash = tx.signature_hash();
        let other = recover_signer_unchecked(&flipped, hash).unwrap();
        assert_ne!(other, expected[0]);
        let other_key: [u8; 65] = flipped
            .recover_from_prehash(&hash)
            .unwrap()
            .to_encoded_point(false)
            .as_bytes()
            .try_into()
            .unwrap();
        assert!(
            alloy_consensus::crypto::secp256k1::verify_and_compute_signer(&other_key, sig, hash)
                .is_ok(),
            "plain ECDSA verification accepts the twin key"
        );
        let twin = [other_key, keys[1]];
        match recover_senders(&block, Some(&twin)) {
            Err(Error::BadPublicKey { index: 0, reason }) => {
                // The parity check (k256), or recovery and comparison (x86-64).
                assert!(
                    reason.contains("parity") || reason.contains("not the signature's signer"),
                    "{reason}"
                );
            }
            other => panic!("expected the parity check to fail, got {other:?}"),
        }

        // A high-s signature is refused in both modes.
        let n = SECP256K1N_HALF * U256::from(2) + U256::from(1);
        let high = Signature::new(sig.r(), n - sig.s(), !sig.v());
        let TxEnvelope::Eip1559(signed) = tx else { unreachable!() };
        let mut malleable = block.clone();
        malleable.body.transactions[0] = signed.tx().clone().into_signed(high).into();
        for keys in [None, Some(&keys[..])] {
            assert!(matches!(
                recover_senders(&malleable, keys),
                Err(Error::InvalidTransaction { index: 0, .. })
            ));
        }
    }
}

/// The two real mainnet blocks of `shared/fixtures/stateless/mainnet` and the execution-spec-tests
/// blockchain tests of `shared/fixtures/eest`, through every rule here. The fixture directory is
/// `$MANA_FIXTURES` or `shared/fixtures` beside the repository; a missing directory fails.
#[cfg(test)]
mod fixture_tests {
    #[cfg(not(feature = "std"))]
    extern crate std;

    use alloc::{string::ToString, vec};
    use std::{collections::BTreeMap, fs, path::PathBuf, println};

    use alloy_primitives::hex;

    use super::*;
    use crate::witness::{BlockInput, Trusted, Witness, verify_ancestry};

    fn fixtures() -> PathBuf {
        let dir = std::env::var_os("MANA_FIXTURES").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"),
            PathBuf::from,
        );
        assert!(
            dir.is_dir(),
            "fixture directory {} is missing: set MANA_FIXTURES to shared/fixtures",
            dir.display()
        );
        dir
    }

    fn json_files(dir: &std::path::Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }

    struct Mainnet {
        name: String,
        json: Value,
        input: BlockInput,
        block_hash: B256,
        block_rlp: Vec<u8>,
    }

    fn mainnet() -> Vec<Mainnet> {
        let files = json_files(&fixtures().join("stateless/mainnet"));
        assert_eq!(files.len(), 2, "expected the two mainnet fixtures, found {files:?}");
        files
            .into_iter()
            .map(|path| {
                let bytes = fs::read(&path).unwrap();
                let input = BlockInput::from_fixture_json(&bytes)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let json: Value = serde_json::from_slice(&bytes).unwrap();
                let block_hash: B256 = serde_json::from_value(json["blockHash"].clone()).unwrap();
                let block_rlp = hex::decode(json["blockRlp"].as_str().unwrap()).unwrap();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                Mainnet { name, json, input, block_hash, block_rlp }
            })
            .collect()
    }

    /// Every rule of this module on one block against its verified parent.
    fn static_checks(
        block: &Block<TxEnvelope>,
        parent: &Header,
        config: &ChainConfig,
        public_keys: Option<&[[u8; 65]]>,
    ) -> Result<Vec<Address>> {
        validate_header(&block.header, parent, config)?;
        validate_block_size(block, config)?;
        validate_body(block, config)?;
        let senders = recover_senders(block, public_keys)?;
        for (index, (tx, sender)) in block.body.transactions.iter().zip(&senders).enumerate() {
            validate_transaction_static(tx, index, &block.header, config, *sender)?;
        }
        Ok(senders)
    }

    #[test]
    fn mainnet_blocks_pass_every_static_rule() {
        let config = ChainConfig::mainnet();
        for fixture in mainnet() {
            let Mainnet { name, input, block_hash, block_rlp, .. } = &fixture;
            let block = &input.block;
            assert_eq!(input.chain_id, config.chain_id, "{name}");
            assert_eq!(config.fork_at(block.header.timestamp), Fork::Bpo2, "{name}");
            assert_eq!(alloy_rlp::Encodable::length(block), block_rlp.len(), "{name}");
            let chain = verify_ancestry(
                &block.header,
                &input.witness.headers,
                Trusted::BlockHash(*block_hash),
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let by_parent = verify_ancestry(
                &block.header,
                &input.witness.headers,
                Trusted::ParentHash(block.header.parent_hash),
            )
            .unwrap();
            assert_eq!(by_parent, chain);
            assert_eq!(chain.blockhash(block.header.number - 1).unwrap(), block.header.parent_hash);
            let keys = input.public_keys.as_deref().expect("the fixtures carry public keys");
            assert_eq!(keys.len(), block.body.transactions.len());
            let recovered = static_checks(block, chain.parent(), &config, None)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let keyed = static_checks(block, chain.parent(), &config, Some(keys))
                .unwrap_or_else(|e| panic!("{name} with public keys: {e}"));
            assert_eq!(recovered, keyed, "{name}");

            let mut types = BTreeMap::new();
            for tx in &block.body.transactions {
                *types.entry(tx.tx_type() as u8).or_insert(0usize) += 1;
            }
            println!(
                "{name}: block {} ({} txs by type {types:?}, {} blobs, {} withdrawals, {} RLP bytes), \
                 {} witness headers, {} nodes, {} codes, {} keys; parent state root {}",
                block.header.number,
                block.body.transactions.len(),
                block.header.blob_gas_used.unwrap() / DATA_GAS_PER_BLOB,
                block.body.withdrawals.as_ref().map_or(0, |w| w.len()),
                block_rlp.len(),
                input.witness.headers.len(),
                input.witness.state.len(),
                input.witness.codes.len(),
                input.witness.keys.len(),
                chain.pre_state_root(),
            );
        }
    }

    #[test]
    fn tampered_mainnet_blocks_fail() {
        let config = ChainConfig::mainnet();
        for fixture in mainnet() {
            let Mainnet { name, json, input, block_hash, block_rlp } = &fixture;
            let block = &input.block;
            let headers = &input.witness.headers;
            let anchor = Trusted::BlockHash(*block_hash);
            let parent = verify_ancestry(&block.header, headers, anchor).unwrap().parent().clone();

            // Break the header chain: a changed parent, no parent, or an unrelated one.
            let mut forged = headers.clone();
            forged[0].gas_used += 1;
            assert!(
                matches!(
                    verify_ancestry(&block.header, &forged, anchor),
                    Err(Error::HeaderChain(_))
                ),
                "{name}"
            );
            assert!(matches!(
                verify_ancestry(&block.header, &[], anchor),
                Err(Error::HeaderChain(_))
            ));
            // The same, one hex digit changed in the witness JSON (inside the parent's state root).
            let mut edited = json["executionWitness"].clone();
            let rlp_hex = edited["headers"][0].as_str().unwrap().to_string();
            let mut chars: Vec<char> = rlp_hex.chars().collect();
            let at = 2 + 2 * (4 + 33 + 33 + 21) + 10;
            chars[at] = if chars[at] == '0' { '1' } else { '0' };
            edited["headers"][0] = Value::String(chars.into_iter().collect());
            let witness = Witness::from_json_value(edited).unwrap();
            assert_ne!(witness.headers[0].state_root, parent.state_root);
            assert!(matches!(
                verify_ancestry(&block.header, &witness.headers, anchor),
                Err(Error::HeaderChain(_))
            ));

            // Change a header field: the trust anchor no longer matches, and the rules name it.
            let mut header = block.header.clone();
            header.base_fee_per_gas = header.base_fee_per_gas.map(|fee| fee + 1);
            assert!(matches!(
                verify_ancestry(&header, headers, anchor),
                Err(Error::HeaderChain(_))
            ));
            assert!(matches!(
                validate_header(&header, &parent, &config),
                Err(Error::InvalidHeader(HeaderRule::BaseFee { .. }))
            ));
            for (rule, edit) in [
                (
                    "excess blob gas",
                    &(|h: &mut Header| {
                        h.excess_blob_gas = h.excess_blob_gas.map(|x| x + DATA_GAS_PER_BLOB);
                    }) as &dyn Fn(&mut Header),
                ),
                ("timestamp", &|h: &mut Header| h.timestamp = parent.timestamp),
                ("gas limit", &|h: &mut Header| h.gas_limit = parent.gas_limit * 2),
                ("requests hash", &|h: &mut Header| h.requests_hash = None),
                ("transactions root", &|h: &mut Header| h.transactions_root = B256::ZERO),
            ] {
                let mut tampered = block.clone();
                edit(&mut tampered.header);
                let result = validate_header(&tampered.header, &parent, &config)
                    .and_then(|()| validate_body(&tampered, &config));
                assert!(
                    matches!(&result, Err(Error::InvalidHeader(r)) if r.name() == rule),
                    "{name}: {rule}: {result:?}"
                );
            }

            // Flip one byte of a transaction's calldata inside the block RLP.
            let (index, tx) = block
                .body
                .transactions
                .iter()
                .enumerate()
                .find(|(_, tx)| Transaction::input(*tx).len() >= 68)
                .unwrap();
            let data = tx.input();
            let offset =
                block_rlp.windows(data.len()).position(|window| window == data.as_ref()).unwrap()
                    + 40;
            let mut rlp = block_rlp.clone();
            rlp[offset] ^= 0x01;
            let tampered = BlockInput::decode_block(&rlp).unwrap();
            assert_eq!(tampered.header, block.header);
            assert!(verify_ancestry(&tampered.header, headers, anchor).is_ok());
            assert!(
                matches!(
                    validate_body(&tampered, &config),
                    Err(Error::InvalidHeader(HeaderRule::TransactionsRoot { .. }))
                ),
                "{name}"
            );
            let keys = input.public_keys.as_deref().unwrap();
            match recover_senders(&tampered, Some(keys)) {
                Err(Error::BadPublicKey { index: i, .. }) => assert_eq!(i, index),
                other => panic!("{name}: expected the supplied key to fail, got {other:?}"),
            }
            let original = recover_senders(block, None).unwrap();
            match recover_senders(&tampered, None) {
                Ok(senders) => assert_ne!(senders[index], original[index]),
                Err(e) => assert!(matches!(e, Error::InvalidTransaction { .. }), "{e}"),
            }
            // A truncated block does not decode.
            assert!(matches!(
                BlockInput::decode_block(&block_rlp[..block_rlp.len() - 1]),
                Err(Error::MalformedBlock(_))
            ));
        }
    }

    /// Exceptions that the rules here must catch (header, body and stateless transaction rules,
    /// or RLP decoding).
    const STATIC_EXCEPTIONS: &[&str] = &[
        "INCORRECT_EXCESS_BLOB_GAS",
        "INCORRECT_BLOCK_FORMAT",
        "RLP_STRUCTURES_ENCODING",
        "INVALID_WITHDRAWALS_ROOT",
        "INVALID_VERSIONED_HASHES",
        "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS",
        "INSUFFICIENT_MAX_FEE_PER_GAS",
        "TYPE_3_TX_BLOB_COUNT_EXCEEDED",
        "TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED",
        "TYPE_3_TX_ZERO_BLOBS",
        "TYPE_3_TX_PRE_FORK",
        "TYPE_3_TX_CONTRACT_CREATION",
        "TYPE_4_TX_CONTRACT_CREATION",
        "TYPE_4_TX_PRE_FORK",
        "GAS_LIMIT_EXCEEDS_MAXIMUM",
    ];
    /// Exceptions that need the state or execution (checked by `execute`, not here): such blocks
    /// must pass the rules here.
    const EXECUTION_EXCEPTIONS: &[&str] = &[
        "INVALID_REQUESTS",
        "INVALID_DEPOSIT_EVENT_LAYOUT",
        "SYSTEM_CONTRACT_CALL_FAILED",
        "SYSTEM_CONTRACT_EMPTY",
        "INSUFFICIENT_ACCOUNT_FUNDS",
        "NONCE_MISMATCH_TOO_LOW",
    ];

    /// EEST folders this test does not read, each with the reason; every entry must match files
    /// (a stale entry fails), and any other file is read.
    const EEST_SKIPPED: &[(&str, &str)] = &[
        (
            "blockchain_tests_devnet/for_amsterdam",
            "Amsterdam (EIP-7928 block access lists) is not verified yet",
        ),
        (
            "blockchain_tests_devnet/for_bpo2toamsterdamattime15k",
            "transitions into Amsterdam, not verified yet",
        ),
    ];

    #[test]
    fn eest_blocks_follow_the_static_rules() {
        let root = fixtures().join("eest");
        let (mut files, mut skipped) = (Vec::new(), BTreeMap::new());
        for file in json_files(&root) {
            match EEST_SKIPPED.iter().find(|(dir, _)| file.starts_with(root.join(dir))) {
                Some((dir, _)) => *skipped.entry(*dir).or_insert(0usize) += 1,
                None => files.push(file),
            }
        }
        for (dir, reason) in EEST_SKIPPED {
            let count = skipped.get(dir).copied().unwrap_or(0);
            assert!(count > 0, "stale skip entry {dir}: no EEST file under it");
            println!("EEST: {count} files skipped under {dir}: {reason}");
        }
        assert!(!files.is_empty(), "no EEST fixtures under {}", root.display());
        let (mut cases, mut valid, mut caught, mut for_execution) = (0, 0, 0, 0);
        let mut networks = BTreeMap::new();
        for path in &files {
            let file = path.strip_prefix(fixtures()).unwrap().display().to_string();
            let json: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
            let Value::Object(tests) = json else { panic!("{file}: not an object") };
            for (id, case) in tests {
                let Some(blocks) = case.get("blocks").and_then(Value::as_array) else { continue };
                cases += 1;
                let config = ChainConfig::from_eest_config(&case["config"])
                    .unwrap_or_else(|e| panic!("{file} {id}: {e}"));
                *networks.entry(case["network"].as_str().unwrap().to_string()).or_insert(0) += 1;
                assert_eq!(case["config"]["network"], case["network"]);
                let genesis_rlp = hex::decode(case["genesisRLP"].as_str().unwrap()).unwrap();
                let genesis = BlockInput::decode_block(&genesis_rlp).unwrap().header;
                let genesis_hash: B256 =
                    serde_json::from_value(case["genesisBlockHeader"]["hash"].clone()).unwrap();
                assert_eq!(genesis.hash_slow(), genesis_hash, "{file} {id}");
                let mut parent = genesis;
                for (n, entry) in blocks.iter().enumerate() {
                    let rlp = hex::decode(entry["rlp"].as_str().unwrap()).unwrap();
                    let outcome = BlockInput::decode_block(&rlp).and_then(|block| {
                        static_checks(&block, &parent, &config, None).map(|_| block)
                    });
                    match entry.get("expectException").and_then(Value::as_str) {
                        None => {
                            let block =
                                outcome.unwrap_or_else(|e| panic!("{file} {id} block {n}: {e}"));
                            let hash: B256 =
                                serde_json::from_value(entry["blockHeader"]["hash"].clone())
                                    .unwrap();
                            assert_eq!(block.header.hash_slow(), hash);
                            parent = block.header;
                            valid += 1;
                        }
                        Some(exception) => {
                            let is = |list: &[&str]| list.iter().any(|e| exception.contains(e));
                            if is(STATIC_EXCEPTIONS) {
                                assert!(
                                    outcome.is_err(),
                                    "{file} {id} block {n}: expected {exception}, the rules pass it"
                                );
                                caught += 1;
                            } else if is(EXECUTION_EXCEPTIONS) {
                                if let Err(e) = outcome {
                                    panic!("{file} {id} block {n} ({exception}): rejected: {e}");
                                }
                                for_execution += 1;
                            } else {
                                panic!("{file} {id} block {n}: unclassified exception {exception}");
                            }
                        }
                    }
                }
            }
        }
        println!(
            "EEST: {} files, {cases} cases {networks:?}: {valid} valid blocks pass, {caught} \
             invalid blocks rejected by these rules, {for_execution} invalid blocks pass them \
             (their faults need execution)",
            files.len()
        );
        assert!(valid > 800 && caught > 40 && for_execution > 100);
    }
}
