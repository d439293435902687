//! The verified execution provider: Ethereum JSON-RPC answers checked against execution blocks
//! the light client vouches for.
//!
//! Every answer is built from data verified with `mana-execution` against a trusted block hash:
//! the block's header must hash to it, state must come with Merkle proofs against its
//! `stateRoot`, transactions and receipts must rebuild its `transactionsRoot` and
//! `receiptsRoot`. Older blocks are reached by walking parent hashes down from a trusted head.
//! Fields an upstream derives (`from`, `gasUsed`, `effectiveGasPrice`, `contractAddress`, log
//! indices, blooms) are recomputed, never copied. `eth_call`, `eth_estimateGas` and
//! `eth_createAccessList` run locally in revm over accounts, slots and code proven against the
//! block's `stateRoot` (an upstream's access list only says what to fetch). A method that cannot
//! be verified is refused unless the user opted into unverified forwarding for it.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};

use alloy_consensus::transaction::Recovered;
use alloy_consensus::{
    EMPTY_OMMER_ROOT_HASH, Header, ReceiptEnvelope, Transaction as _, TxEnvelope,
};
use alloy_eips::eip1559::BaseFeeParams;
use alloy_eips::eip4895::Withdrawals;
use alloy_eips::eip7840::BlobParams;
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, Log, U256, keccak256};
use alloy_rpc_types_eth as rpc;
use alloy_serde::JsonStorageKey;
use mana_execution::{Account, LogFilter};
#[cfg(feature = "evm")]
use revm::primitives::hardfork::SpecId;
use serde_json::{Value, json};

use super::rpc::ExecutionRpc;
use super::trusted::{TrustedBlock, TrustedHeaders};
use crate::upstream::UpstreamPool;
use crate::{Clock, Error, Result, SystemClock};

mod served;
#[cfg(feature = "evm")]
mod simulate;

use served::{FromJson, Placement, ServedReceipt, ServedTx};

/// Headers fetched per batch when walking parent hashes.
const WALK_BATCH: u64 = 256;
/// Verified block-number → hash entries kept.
const HASH_CACHE: usize = 65_536;
/// Verified headers kept.
const HEADER_CACHE: usize = 1024;
/// Fallback priority fee when recent verified blocks carry no transactions: 1 gwei.
const DEFAULT_TIP: u128 = 1_000_000_000;
/// Blocks the priority-fee oracle looks back.
const TIP_BLOCKS: u64 = 20;

/// What the provider does where the chain leaves it a choice.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// The chain's id (`eth_chainId`); a raw transaction for another chain is refused.
    pub chain_id: u64,
    /// How far below a trusted head a block may be reached by walking parent hashes.
    pub max_walk_back: u64,
    /// Largest block range one `eth_getLogs` may scan.
    pub max_log_blocks: u64,
    /// Methods the user opted into forwarding unverified (answers are passed through as is).
    pub forward_unverified: BTreeSet<String>,
    /// Blob parameters by activation timestamp (ascending): blob base fees, blob gas ratios.
    pub blob_schedule: Vec<(u64, BlobParams)>,
    /// The EVM specification `eth_call`, `eth_estimateGas` and `eth_createAccessList` run
    /// under. `None`: by the chain's fork schedule on mainnet (chain 1), Osaka elsewhere.
    #[cfg(feature = "evm")]
    pub evm_spec: Option<SpecId>,
}

impl ProviderConfig {
    /// Defaults for `chain_id`: mainnet's blob schedule for chain 1; other chains use the
    /// Osaka parameters from genesis (set [`ProviderConfig::blob_schedule`] to change that).
    pub fn for_chain(chain_id: u64) -> Self {
        let blob_schedule = if chain_id == 1 {
            vec![
                (1_710_338_135, BlobParams::cancun()),
                (1_746_612_311, BlobParams::prague()),
                (1_764_798_551, BlobParams::osaka()),
                (1_765_290_071, BlobParams::bpo1()),
                (1_767_747_671, BlobParams::bpo2()),
            ]
        } else {
            vec![(0, BlobParams::osaka())]
        };
        Self {
            chain_id,
            max_walk_back: 8192,
            max_log_blocks: 10_000,
            forward_unverified: BTreeSet::new(),
            blob_schedule,
            #[cfg(feature = "evm")]
            evm_spec: None,
        }
    }

    fn blob_params(&self, timestamp: u64) -> Option<BlobParams> {
        self.blob_schedule.iter().rev().find(|(t, _)| *t <= timestamp).map(|(_, p)| *p)
    }

    #[cfg(feature = "evm")]
    /// The EVM specification of a block: [`ProviderConfig::evm_spec`] when set, else
    /// mainnet's fork schedule for chain 1 (by number up to Paris, by timestamp from
    /// Shanghai), else Osaka.
    pub fn spec_at(&self, number: u64, timestamp: u64) -> SpecId {
        if let Some(spec) = self.evm_spec {
            return spec;
        }
        if self.chain_id != 1 {
            return SpecId::OSAKA;
        }
        const BY_TIME: [(u64, SpecId); 4] = [
            (1_764_798_551, SpecId::OSAKA),
            (1_746_612_311, SpecId::PRAGUE),
            (1_710_338_135, SpecId::CANCUN),
            (1_681_338_455, SpecId::SHANGHAI),
        ];
        const BY_NUMBER: [(u64, SpecId); 10] = [
            (15_537_394, SpecId::MERGE),
            (12_965_000, SpecId::LONDON),
            (12_244_000, SpecId::BERLIN),
            (9_069_000, SpecId::ISTANBUL),
            (7_280_000, SpecId::PETERSBURG),
            (4_370_000, SpecId::BYZANTIUM),
            (2_675_000, SpecId::SPURIOUS_DRAGON),
            (2_463_000, SpecId::TANGERINE),
            (1_150_000, SpecId::HOMESTEAD),
            (0, SpecId::FRONTIER),
        ];
        BY_TIME
            .iter()
            .find(|(t, _)| timestamp >= *t)
            .or_else(|| BY_NUMBER.iter().find(|(n, _)| number >= *n))
            .map_or(SpecId::FRONTIER, |(_, spec)| *spec)
    }
}

/// A block whose header, transactions (with recovered senders) and withdrawals are verified.
#[derive(Debug, Clone)]
pub struct VerifiedBlock {
    /// The trusted hash.
    pub hash: B256,
    /// Its header.
    pub header: Header,
    /// Its transactions, in order.
    pub transactions: Vec<TxEnvelope>,
    /// The sender of each transaction, recovered from its signature.
    pub senders: Vec<Address>,
    /// Its withdrawals (Shanghai and later).
    pub withdrawals: Option<Withdrawals>,
    /// RLP size of the whole block.
    pub size: u64,
}

#[derive(Debug, Default)]
struct Cache {
    /// The `latest` head the non-final entries were derived from.
    anchor: Option<B256>,
    /// The finalized block number of the current heads.
    final_number: u64,
    /// Bumped whenever the heads change.
    generation: u64,
    hashes: BTreeMap<u64, B256>,
    headers: BTreeMap<B256, Header>,
    /// The suggested priority fee, computed from the verified blocks below this head.
    tip: Option<(B256, u128)>,
}

#[derive(Debug, Clone)]
enum Filter {
    Blocks { next: u64 },
    Logs { filter: Box<rpc::Filter>, next: u64 },
}

#[derive(Debug, Default)]
struct Filters {
    next_id: u64,
    installed: BTreeMap<u64, Filter>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn param<T: FromJson>(params: &Value, index: usize, name: &str) -> Result<T> {
    T::from_json(params.get(index).unwrap_or(&Value::Null))
        .map_err(|e| Error::InvalidParams(format!("{name}: {e}")))
}

fn opt_param<T: FromJson>(params: &Value, index: usize, name: &str) -> Result<Option<T>> {
    match params.get(index) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => param(params, index, name).map(Some),
    }
}

/// A parameter of a type decoded by serde (the EVM methods' requests and overrides).
#[cfg(feature = "evm")]
fn serde_param<T: serde::de::DeserializeOwned>(
    params: &Value,
    index: usize,
    name: &str,
) -> Result<Option<T>> {
    match params.get(index) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| Error::InvalidParams(format!("{name}: {e}"))),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::InvalidParams(e.to_string()))
}

fn quantity(n: impl core::fmt::LowerHex) -> Value {
    Value::String(format!("{n:#x}"))
}

fn parse<T: FromJson>(rpc: &ExecutionRpc, what: &str, value: Value) -> Result<T> {
    T::from_json(&value).map_err(|e| Error::BadResponse {
        url: rpc.url().to_string(),
        reason: format!("{what}: {e}"),
    })
}

fn verify_err(rpc: &ExecutionRpc) -> impl Fn(mana_execution::Error) -> Error + '_ {
    move |source| Error::Execution { url: rpc.url().to_string(), source }
}

fn inconsistent(rpc: &ExecutionRpc, reason: impl Into<String>) -> Error {
    Error::Inconsistent { url: rpc.url().to_string(), reason: reason.into() }
}

/// Whether an error means "try another upstream". A JSON-RPC error answer to a request Mana
/// makes for data it verifies is a fault too (an honest node has that data); only forwarded
/// requests (`rpc_errors_are_answers`) pass the upstream's error on as the answer.
fn is_upstream_fault(e: &Error, rpc_errors_are_answers: bool) -> bool {
    e.is_invalid_data()
        || matches!(e, Error::Http { .. } | Error::Timeout { .. } | Error::Status { .. })
        || (!rpc_errors_are_answers && matches!(e, Error::Rpc { .. }))
}

/// EIP-4844 `fake_exponential(factor, numerator, denominator)` in `u128`: the Taylor series of
/// `factor · e^(numerator / denominator)` in integers, as the EIP specifies it. It saturates at
/// `u128::MAX` once a partial sum or product passes 2^128: with the Cancun to Osaka parameters
/// that is an excess blob gas above 1.9·10^8, a blob fee above 10^24 wei (a million ether) per
/// blob gas, which no block can reach as no one could pay it.
fn fake_exponential(factor: u128, numerator: u128, denominator: u128) -> u128 {
    let mut output = 0u128;
    let Some(mut accum) = factor.checked_mul(denominator) else { return u128::MAX };
    let mut i = 1u128;
    while accum > 0 {
        let step = output
            .checked_add(accum)
            .zip(accum.checked_mul(numerator))
            .zip(denominator.checked_mul(i));
        let Some(((sum, product), divisor)) = step else { return u128::MAX };
        output = sum;
        accum = product.checked_div(divisor).unwrap_or(0);
        i = i.saturating_add(1);
    }
    output.checked_div(denominator).unwrap_or(u128::MAX)
}

/// The blob base fee of `header` (EIP-4844 `get_base_fee_per_blob_gas`).
fn blob_fee(header: &Header, params: BlobParams) -> Option<u128> {
    let excess = header.excess_blob_gas?;
    Some(fake_exponential(params.min_blob_fee, u128::from(excess), params.update_fraction))
}

/// The excess blob gas of the block after `header` (EIP-4844 `calc_excess_blob_gas` with the
/// EIP-7918 reserve price: while execution gas prices the blob above its blob fee, the excess
/// only grows, by the used gas scaled by `(max − target) / max`).
fn next_excess_blob_gas(header: &Header, params: BlobParams) -> Option<u64> {
    let (excess, used) = (header.excess_blob_gas?, header.blob_gas_used?);
    let base_fee = header.base_fee_per_gas?;
    let total = excess.saturating_add(used);
    let target = params.target_blob_gas_per_block();
    if total < target {
        return Some(0);
    }
    let execution_price = u128::from(params.blob_base_cost).saturating_mul(u128::from(base_fee));
    let blob_price = u128::from(alloy_eips::eip4844::DATA_GAS_PER_BLOB).checked_mul(
        fake_exponential(params.min_blob_fee, u128::from(excess), params.update_fraction),
    );
    if blob_price.is_some_and(|blob| execution_price > blob) {
        let spread = params.max_blob_count.saturating_sub(params.target_blob_count);
        let scaled = u128::from(used)
            .saturating_mul(u128::from(spread))
            .checked_div(u128::from(params.max_blob_count))
            .unwrap_or(0);
        Some(excess.saturating_add(u64::try_from(scaled).unwrap_or(u64::MAX)))
    } else {
        Some(total.saturating_sub(target))
    }
}

/// The blob base fee of the block after `header`.
fn next_block_blob_fee(header: &Header, params: BlobParams) -> Option<u128> {
    let excess = next_excess_blob_gas(header, params)?;
    Some(fake_exponential(params.min_blob_fee, u128::from(excess), params.update_fraction))
}

/// The filter's log criteria as `mana-execution` sees them.
fn log_filter(filter: &rpc::Filter) -> LogFilter {
    let mut out = LogFilter {
        addresses: filter.address.iter().copied().collect(),
        topics: Default::default(),
    };
    for (slot, topic) in out.topics.iter_mut().zip(filter.topics.iter()) {
        *slot = topic.iter().copied().collect();
    }
    out
}

/// The verified execution provider.
#[derive(Debug)]
pub struct VerifiedProvider<T> {
    trusted: T,
    pool: Mutex<UpstreamPool<ExecutionRpc>>,
    config: ProviderConfig,
    cache: Mutex<Cache>,
    filters: Mutex<Filters>,
}

impl<T: TrustedHeaders> VerifiedProvider<T> {
    /// A provider answering from `upstreams`, anchored to `trusted`.
    pub fn new(trusted: T, upstreams: Vec<ExecutionRpc>, config: ProviderConfig) -> Result<Self> {
        Ok(Self {
            trusted,
            pool: Mutex::new(UpstreamPool::from_endpoints(upstreams)?),
            config,
            cache: Mutex::new(Cache::default()),
            filters: Mutex::new(Filters::default()),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ProviderConfig {
        &self.config
    }

    /// Health of the execution upstreams.
    pub fn upstreams(&self) -> Vec<crate::UpstreamStatus> {
        lock(&self.pool).status()
    }

    /// HTTP round trips made to all upstreams so far.
    pub fn round_trips(&self) -> u64 {
        let pool = lock(&self.pool);
        pool.order().iter().filter_map(|i| pool.api(*i)).map(|r| r.round_trips()).sum()
    }

    /// Runs `f` against the healthiest upstream, then the next ones while upstreams fail,
    /// answer with a JSON-RPC error or serve data that does not verify (each is penalised).
    /// Deterministic errors (bad parameters) are returned at once.
    async fn with_upstream<R, F, Fut>(&self, what: &str, f: F) -> Result<R>
    where
        F: Fn(ExecutionRpc) -> Fut,
        Fut: Future<Output = Result<R>>,
    {
        self.try_upstreams(what, false, f).await
    }

    /// [`Self::with_upstream`], where `rpc_errors_are_answers` makes an upstream's JSON-RPC
    /// error the answer (for requests forwarded as they are, such as a raw transaction the
    /// node refuses).
    async fn try_upstreams<R, F, Fut>(
        &self,
        what: &str,
        rpc_errors_are_answers: bool,
        f: F,
    ) -> Result<R>
    where
        F: Fn(ExecutionRpc) -> Fut,
        Fut: Future<Output = Result<R>>,
    {
        let order = lock(&self.pool).order();
        let mut errors = Vec::new();
        for index in order {
            let Some(rpc) = lock(&self.pool).api(index) else { continue };
            match f(rpc.clone()).await {
                Ok(r) => {
                    lock(&self.pool).succeeded(index);
                    return Ok(r);
                }
                Err(e) if is_upstream_fault(&e, rpc_errors_are_answers) => {
                    lock(&self.pool).penalise(index, &e);
                    errors.push(e);
                }
                Err(e) => return Err(e),
            }
        }
        if errors.len() == 1
            && let Some(e) = errors.pop()
        {
            return Err(e);
        }
        Err(Error::AllUpstreamsFailed {
            what: what.to_string(),
            errors: errors
                .iter()
                .map(|e| match e {
                    Error::Execution { url, .. }
                    | Error::Inconsistent { url, .. }
                    | Error::BadResponse { url, .. }
                    | Error::Http { url, .. }
                    | Error::Timeout { url, .. }
                    | Error::Status { url, .. }
                    | Error::Rpc { url, .. }
                    | Error::Oversized { url, .. } => (url.clone(), e.to_string()),
                    other => (String::new(), other.to_string()),
                })
                .collect(),
        })
    }

    // ---- trusted blocks -------------------------------------------------------------------

    /// The verified `latest` and `finalized` blocks. Whether `latest` is recent enough to
    /// anchor an answer is [`Self::current_head`]'s question.
    fn heads(&self) -> Result<(TrustedBlock, TrustedBlock)> {
        let heads = self.trusted.heads();
        let latest = heads
            .latest
            .ok_or_else(|| Error::BlockUnavailable("no verified execution head yet".into()))?;
        let finalized = heads.finalized.unwrap_or(latest);
        let mut cache = lock(&self.cache);
        if cache.anchor != Some(latest.hash) || cache.final_number != finalized.number {
            // The head moved (or reorganised): keep only what the finalized block vouches for,
            // and make walks still running from the old head unable to add to the cache.
            cache.hashes.retain(|n, _| *n <= finalized.number);
            cache.anchor = Some(latest.hash);
            cache.final_number = finalized.number;
            cache.generation = cache.generation.wrapping_add(1);
        }
        cache.hashes.insert(finalized.number, finalized.hash);
        cache.hashes.insert(latest.number, latest.hash);
        Ok((latest, finalized))
    }

    /// The verified `latest` block, if it may still stand for the chain's current state:
    /// past [`TrustedHeads::latest_expires_ms`](super::TrustedHeads) answers anchored to it are
    /// refused with [`Error::HeadTooOld`].
    fn current_head(&self) -> Result<TrustedBlock> {
        let expires = self.trusted.heads().latest_expires_ms;
        let (latest, _) = self.heads()?;
        if let Some(expires) = expires {
            let now = SystemClock.now_unix_ms();
            if now > expires {
                let limit_ms = self.trusted.heads().latest_lag_limit_ms;
                let behind_ms = now.saturating_sub(expires).saturating_add(limit_ms);
                return Err(Error::HeadTooOld {
                    block: latest.number,
                    behind_secs: behind_ms / 1000,
                    limit_secs: limit_ms / 1000,
                });
            }
        }
        Ok(latest)
    }

    /// The cache generation now: hashes derived under another generation are not kept.
    fn generation(&self) -> u64 {
        lock(&self.cache).generation
    }

    fn remember(&self, number: u64, hash: B256, header: Option<&Header>) {
        let generation = self.generation();
        self.remember_from(generation, number, hash, header);
    }

    /// Caches a block verified by descent from the heads of `generation`: its hash is kept only
    /// if those heads are still current, or it is at or below the finalized block.
    fn remember_from(&self, generation: u64, number: u64, hash: B256, header: Option<&Header>) {
        let mut cache = lock(&self.cache);
        if generation != cache.generation && number > cache.final_number {
            return;
        }
        cache.hashes.insert(number, hash);
        while cache.hashes.len() > HASH_CACHE {
            cache.hashes.pop_first();
        }
        if let Some(h) = header {
            cache.headers.insert(hash, h.clone());
            while cache.headers.len() > HEADER_CACHE {
                cache.headers.pop_first();
            }
        }
    }

    /// The trusted block a block id names.
    pub async fn resolve(&self, id: BlockId) -> Result<TrustedBlock> {
        let (latest, finalized) = self.heads()?;
        let number = match id {
            BlockId::Hash(h) => return self.resolve_hash(h.block_hash).await,
            BlockId::Number(tag) => match tag {
                BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => {
                    return self.current_head();
                }
                BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => return Ok(finalized),
                BlockNumberOrTag::Earliest => 0,
                BlockNumberOrTag::Number(n) => n,
            },
        };
        if number > latest.number {
            return Err(Error::BlockUnavailable(format!(
                "block {number} is newer than the verified head {}",
                latest.number
            )));
        }
        let hash = self.hash_of(number).await?;
        Ok(TrustedBlock { number, hash })
    }

    async fn resolve_hash(&self, hash: B256) -> Result<TrustedBlock> {
        let known = lock(&self.cache).hashes.iter().find(|(_, h)| **h == hash).map(|(n, _)| *n);
        if let Some(number) = known {
            return Ok(TrustedBlock { number, hash });
        }
        // Ask for its number, then check the verified chain has this hash at that number.
        let header = self
            .with_upstream("eth_getBlockByHash", |rpc| async move {
                let value = rpc.call("eth_getBlockByHash", json!([hash, false])).await?;
                if value.is_null() {
                    return Ok(None);
                }
                let header: Header = parse(&rpc, "block", value)?;
                mana_execution::verify_header(&header, &hash).map_err(verify_err(&rpc))?;
                Ok(Some(header))
            })
            .await?;
        let Some(header) = header else {
            return Err(Error::BlockUnavailable(format!("block {hash} is not known")));
        };
        let (latest, _) = self.heads()?;
        if header.number > latest.number || self.hash_of(header.number).await? != hash {
            return Err(Error::BlockUnavailable(format!(
                "block {hash} is not on the verified chain"
            )));
        }
        self.remember(header.number, hash, Some(&header));
        Ok(TrustedBlock { number: header.number, hash })
    }

    /// The verified hash of block `number` (at most the latest head): from the cache, else by
    /// walking parent hashes down from the nearest trusted block above it.
    async fn hash_of(&self, number: u64) -> Result<B256> {
        let anchor = {
            let cache = lock(&self.cache);
            if let Some(h) = cache.hashes.get(&number) {
                return Ok(*h);
            }
            cache.hashes.range(number..).next().map(|(n, h)| (*n, *h))
        };
        let Some((anchor_number, anchor_hash)) = anchor else {
            return Err(Error::BlockUnavailable(format!("block {number} is not verified")));
        };
        if anchor_number.saturating_sub(number) > self.config.max_walk_back {
            // Not "no such block" (null): the block exists, Mana will not walk that far.
            return Err(Error::BeyondWalkBack {
                number,
                nearest: anchor_number,
                limit: self.config.max_walk_back,
            });
        }
        let headers = self.walk(number, anchor_number, anchor_hash).await?;
        headers
            .first()
            .map(|(h, _)| *h)
            .ok_or_else(|| Error::BlockUnavailable(format!("block {number} is not verified")))
    }

    /// Verified headers `from..=to` (ascending) where block `to` has the trusted hash
    /// `to_hash`: fetched by number in batches, each checked against its child's parent hash.
    async fn walk(&self, from: u64, to: u64, to_hash: B256) -> Result<Vec<(B256, Header)>> {
        let generation = self.generation();
        let mut out: Vec<(B256, Header)> = Vec::new();
        let mut expected = to_hash;
        let mut top = to;
        loop {
            let low = top.saturating_sub(WALK_BATCH.saturating_sub(1)).max(from);
            let mut chunk = self
                .with_upstream("eth_getBlockByNumber (parent walk)", |rpc| async move {
                    let calls: Vec<(&str, Value)> = (low..=top)
                        .rev()
                        .map(|n| ("eth_getBlockByNumber", json!([quantity(n), false])))
                        .collect();
                    let answers = rpc.batch(&calls).await?;
                    let mut expected = expected;
                    let mut headers = Vec::with_capacity(answers.len());
                    for (answer, n) in answers.into_iter().zip((low..=top).rev()) {
                        let header: Header = parse(&rpc, "block", answer?)?;
                        mana_execution::verify_header(&header, &expected)
                            .map_err(verify_err(&rpc))?;
                        if header.number != n {
                            return Err(inconsistent(
                                &rpc,
                                format!("asked for block {n}, got block {}", header.number),
                            ));
                        }
                        expected = header.parent_hash;
                        headers.push((header.hash_slow(), header));
                    }
                    Ok(headers)
                })
                .await?;
            for (hash, header) in &chunk {
                self.remember_from(generation, header.number, *hash, None);
            }
            if let Some((_, last)) = chunk.last() {
                expected = last.parent_hash;
            }
            out.append(&mut chunk);
            if low <= from {
                break;
            }
            top = low.saturating_sub(1);
        }
        out.reverse();
        Ok(out)
    }

    /// The verified header of a trusted block.
    pub async fn header(&self, block: TrustedBlock) -> Result<Header> {
        if let Some(h) = lock(&self.cache).headers.get(&block.hash) {
            return Ok(h.clone());
        }
        let header = self
            .with_upstream("eth_getBlockByHash", |rpc| async move {
                let value = rpc.call("eth_getBlockByHash", json!([block.hash, false])).await?;
                Self::header_from(&rpc, value, &block)
            })
            .await?;
        self.remember(block.number, block.hash, Some(&header));
        Ok(header)
    }

    fn header_from(rpc: &ExecutionRpc, value: Value, block: &TrustedBlock) -> Result<Header> {
        if value.is_null() {
            return Err(inconsistent(rpc, format!("does not have verified block {}", block.hash)));
        }
        let header: Header = parse(rpc, "block", value)?;
        mana_execution::verify_header(&header, &block.hash).map_err(verify_err(rpc))?;
        Ok(header)
    }

    /// The header, with `extra` calls sent in the same batch (the header is skipped when
    /// cached). Returns the verified header and the answers to `extra`.
    async fn header_with(
        &self,
        block: TrustedBlock,
        rpc: &ExecutionRpc,
        extra: Vec<(&str, Value)>,
    ) -> Result<(Header, Vec<Result<Value>>)> {
        let cached = lock(&self.cache).headers.get(&block.hash).cloned();
        if let Some(header) = cached {
            let answers = rpc.batch(&extra).await?;
            return Ok((header, answers));
        }
        let mut calls = vec![("eth_getBlockByHash", json!([block.hash, false]))];
        calls.extend(extra);
        let mut answers = rpc.batch(&calls).await?.into_iter();
        let first = answers.next().ok_or_else(|| inconsistent(rpc, "empty batch answer"))??;
        let header = Self::header_from(rpc, first, &block)?;
        self.remember(block.number, block.hash, Some(&header));
        Ok((header, answers.collect()))
    }

    /// The verified block: header, transactions with senders, withdrawals.
    pub async fn block(&self, block: TrustedBlock) -> Result<VerifiedBlock> {
        self.with_upstream("eth_getBlockByHash", |rpc| async move {
            let value = rpc.call("eth_getBlockByHash", json!([block.hash, true])).await?;
            Self::verified_block(&rpc, value, &block)
        })
        .await
    }

    fn verified_block(
        rpc: &ExecutionRpc,
        value: Value,
        block: &TrustedBlock,
    ) -> Result<VerifiedBlock> {
        if value.is_null() {
            return Err(inconsistent(rpc, format!("does not have verified block {}", block.hash)));
        }
        // The body's parts are taken out of the block object and decoded on their own; the rest
        // is the header. (Decoding alloy's RPC block type instead goes through several layers
        // of flattened fields, which cost the browser build tens of kB.)
        let mut value = value;
        let mut take = |key: &str| {
            value.as_object_mut().and_then(|fields| fields.remove(key)).unwrap_or(Value::Null)
        };
        let (served, uncles, served_withdrawals) =
            (take("transactions"), take("uncles"), take("withdrawals"));
        let header: Header = parse(rpc, "block", value)?;
        mana_execution::verify_header(&header, &block.hash).map_err(verify_err(rpc))?;
        if served.as_array().and_then(|txs| txs.first()).is_some_and(Value::is_string) {
            return Err(inconsistent(rpc, "block without full transactions"));
        }
        let served: Vec<ServedTx> = parse(rpc, "block transactions", served)?;
        let uncles: Vec<B256> =
            if uncles.is_null() { Vec::new() } else { parse(rpc, "block uncles", uncles)? };
        // Built from the signed fields only (a served `hash` is never read): each hash used
        // from here on is computed from the encoding the transactions root covers.
        let transactions = served
            .into_iter()
            .map(|t| t.into_envelope().map_err(|reason| inconsistent(rpc, reason)))
            .collect::<Result<Vec<TxEnvelope>>>()?;
        let senders =
            mana_execution::verify_transactions(&header, &transactions).map_err(verify_err(rpc))?;
        if header.ommers_hash != EMPTY_OMMER_ROOT_HASH || !uncles.is_empty() {
            return Err(Error::Unsupported {
                method: "eth_getBlockByHash".into(),
                reason: "blocks with uncles (before the merge) cannot be verified yet".into(),
            });
        }
        let withdrawals = match header.withdrawals_root {
            Some(root) => {
                let w: Withdrawals = if served_withdrawals.is_null() {
                    Withdrawals::default()
                } else {
                    parse(rpc, "block withdrawals", served_withdrawals)?
                };
                let computed = alloy_consensus::proofs::calculate_withdrawals_root(&w);
                if computed != root {
                    return Err(Error::Execution {
                        url: rpc.url().to_string(),
                        source: mana_execution::Error::WithdrawalsRootMismatch {
                            expected: root,
                            computed,
                        },
                    });
                }
                Some(w)
            }
            None => None,
        };
        let body = alloy_consensus::Block {
            header: header.clone(),
            body: alloy_consensus::BlockBody {
                transactions: transactions.clone(),
                ommers: Vec::new(),
                withdrawals: withdrawals.clone(),
            },
        };
        let size = alloy_rlp::Encodable::length(&body) as u64;
        Ok(VerifiedBlock { hash: block.hash, header, transactions, senders, withdrawals, size })
    }

    /// The verified block and its receipts (rebuilt from verified data), fetched in one batch.
    async fn block_and_receipts(
        &self,
        block: TrustedBlock,
    ) -> Result<(VerifiedBlock, Vec<ReceiptEnvelope>)> {
        self.with_upstream("eth_getBlockReceipts", |rpc| async move {
            let calls = [
                ("eth_getBlockByHash", json!([block.hash, true])),
                ("eth_getBlockReceipts", json!([block.hash])),
            ];
            let mut answers = rpc.batch(&calls).await?.into_iter();
            let (Some(b), Some(r)) = (answers.next(), answers.next()) else {
                return Err(inconsistent(&rpc, "short batch answer"));
            };
            let verified = Self::verified_block(&rpc, b?, &block)?;
            let receipts = Self::verified_receipts(&rpc, r?, &verified)?;
            Ok((verified, receipts))
        })
        .await
    }

    fn verified_receipts(
        rpc: &ExecutionRpc,
        value: Value,
        block: &VerifiedBlock,
    ) -> Result<Vec<ReceiptEnvelope>> {
        // Only the consensus fields of each served receipt (type, status, gas, logs, bloom);
        // the RPC fields around them are rebuilt from verified data when answering.
        let served: Vec<ServedReceipt> = parse(rpc, "receipts", value)?;
        let served = served
            .into_iter()
            .map(|r| r.into_envelope().map_err(|reason| inconsistent(rpc, reason)))
            .collect::<Result<Vec<ReceiptEnvelope>>>()?;
        if served.len() != block.transactions.len() {
            return Err(inconsistent(
                rpc,
                format!("{} receipts for {} transactions", served.len(), block.transactions.len()),
            ));
        }
        mana_execution::verify_receipts(&block.header, &served).map_err(verify_err(rpc))
    }

    // ---- answers built from verified data -------------------------------------------------

    fn rpc_transaction(block: &VerifiedBlock, index: usize) -> Option<rpc::Transaction> {
        let tx = block.transactions.get(index)?.clone();
        let sender = *block.senders.get(index)?;
        let price = tx.effective_gas_price(block.header.base_fee_per_gas);
        Some(rpc::Transaction {
            inner: Recovered::new_unchecked(tx, sender),
            block_hash: Some(block.hash),
            block_number: Some(block.header.number),
            transaction_index: Some(index as u64),
            effective_gas_price: Some(price),
            block_timestamp: Some(block.header.timestamp),
        })
    }

    fn rpc_block(block: &VerifiedBlock, full: bool) -> rpc::Block {
        let transactions = if full {
            rpc::BlockTransactions::Full(
                (0..block.transactions.len())
                    .filter_map(|i| Self::rpc_transaction(block, i))
                    .collect(),
            )
        } else {
            rpc::BlockTransactions::Hashes(
                block.transactions.iter().map(|t| *t.tx_hash()).collect(),
            )
        };
        rpc::Block {
            header: rpc::Header {
                hash: block.hash,
                inner: block.header.clone(),
                total_difficulty: None,
                size: Some(U256::from(block.size)),
            },
            uncles: Vec::new(),
            transactions,
            withdrawals: block.withdrawals.clone(),
        }
    }

    /// Receipts as JSON, with the block timestamp (execution-apis `blockTimestamp`).
    fn receipts_json(
        &self,
        block: &VerifiedBlock,
        receipts: &[ReceiptEnvelope],
    ) -> Result<Vec<Value>> {
        self.rpc_receipts(block, receipts)
            .iter()
            .map(|r| {
                let mut value = to_json(r)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("blockTimestamp".into(), quantity(block.header.timestamp));
                }
                Ok(value)
            })
            .collect()
    }

    fn rpc_receipts(
        &self,
        block: &VerifiedBlock,
        receipts: &[ReceiptEnvelope],
    ) -> Vec<rpc::TransactionReceipt> {
        let header = &block.header;
        let blob_price = header
            .excess_blob_gas
            .and_then(|_| self.config.blob_params(header.timestamp))
            .and_then(|p| blob_fee(header, p));
        let mut log_index = 0u64;
        let mut previous_gas = 0u64;
        let mut out = Vec::with_capacity(receipts.len());
        for (i, receipt) in receipts.iter().enumerate() {
            let (Some(tx), Some(sender)) = (block.transactions.get(i), block.senders.get(i)) else {
                break;
            };
            let cumulative = receipt.cumulative_gas_used();
            let gas_used = cumulative.saturating_sub(previous_gas);
            previous_gas = cumulative;
            let tx_hash = *tx.tx_hash();
            let with_meta = receipt.clone().map_logs(|inner: Log| {
                let log = rpc::Log {
                    inner,
                    block_hash: Some(block.hash),
                    block_number: Some(header.number),
                    block_timestamp: Some(header.timestamp),
                    transaction_hash: Some(tx_hash),
                    transaction_index: Some(i as u64),
                    log_index: Some(log_index),
                    removed: false,
                };
                log_index = log_index.saturating_add(1);
                log
            });
            let contract_address = tx.to().is_none().then(|| sender.create(tx.nonce()));
            out.push(rpc::TransactionReceipt {
                inner: with_meta,
                transaction_hash: tx_hash,
                transaction_index: Some(i as u64),
                block_hash: Some(block.hash),
                block_number: Some(header.number),
                gas_used,
                effective_gas_price: tx.effective_gas_price(header.base_fee_per_gas),
                blob_gas_used: tx.blob_gas_used(),
                // Only blob transactions carry a blob gas price (execution-apis `ReceiptInfo`).
                blob_gas_price: tx.blob_gas_used().and(blob_price),
                from: *sender,
                to: tx.to(),
                contract_address,
            });
        }
        out
    }

    /// A verified account (and storage slots) at `block`, with the proof response.
    async fn proof(
        &self,
        block: TrustedBlock,
        address: Address,
        slots: Vec<B256>,
        with_code: bool,
    ) -> Result<(rpc::EIP1186AccountProofResponse, Option<Bytes>)> {
        self.with_upstream("eth_getProof", |rpc| {
            let slots = slots.clone();
            async move {
                let at = json!({"blockHash": block.hash});
                let mut extra = vec![("eth_getProof", json!([address, slots, at]))];
                if with_code {
                    extra.push(("eth_getCode", json!([address, at])));
                }
                let (header, answers) = self.header_with(block, &rpc, extra).await?;
                let mut answers = answers.into_iter();
                let proof = answers.next().ok_or_else(|| inconsistent(&rpc, "no proof"))??;
                let proof: rpc::EIP1186AccountProofResponse = parse(&rpc, "proof", proof)?;
                Self::check_proof(&rpc, &header, address, &slots, &proof)?;
                let code = match answers.next() {
                    Some(code) => {
                        let code: Bytes = parse(&rpc, "code", code?)?;
                        mana_execution::proof::verify_code(&address, &proof.code_hash, &code)
                            .map_err(verify_err(&rpc))?;
                        Some(code)
                    }
                    None => None,
                };
                Ok((proof, code))
            }
        })
        .await
    }

    fn check_proof(
        rpc: &ExecutionRpc,
        header: &Header,
        address: Address,
        slots: &[B256],
        proof: &rpc::EIP1186AccountProofResponse,
    ) -> Result<()> {
        if proof.address != address {
            return Err(inconsistent(
                rpc,
                format!("proof for {} instead of {address}", proof.address),
            ));
        }
        let account = Account {
            nonce: proof.nonce,
            balance: proof.balance,
            storage_root: proof.storage_hash,
            code_hash: proof.code_hash,
        };
        mana_execution::verify_account(
            &header.state_root,
            &address,
            &account,
            &proof.account_proof,
        )
        .map_err(verify_err(rpc))?;
        if proof.storage_proof.len() != slots.len() {
            return Err(inconsistent(rpc, "storage proofs do not match the requested slots"));
        }
        for (slot, sp) in slots.iter().zip(&proof.storage_proof) {
            if sp.key.as_b256() != *slot {
                return Err(inconsistent(
                    rpc,
                    format!("storage proof for another slot than {slot}"),
                ));
            }
            mana_execution::verify_storage(
                &address,
                &proof.storage_hash,
                slot,
                &sp.value,
                &sp.proof,
            )
            .map_err(verify_err(rpc))?;
        }
        Ok(())
    }

    /// Logs matching `filter` between two trusted blocks (inclusive), complete: every block
    /// whose verified bloom may match has all its receipts verified.
    async fn logs_between(
        &self,
        filter: &rpc::Filter,
        from: u64,
        to: TrustedBlock,
    ) -> Result<Vec<rpc::Log>> {
        if from > to.number {
            return Ok(Vec::new());
        }
        let span = to.number.saturating_sub(from).saturating_add(1);
        if span > self.config.max_log_blocks {
            return Err(Error::InvalidParams(format!(
                "block range of {span} blocks exceeds the limit of {}",
                self.config.max_log_blocks
            )));
        }
        let criteria = log_filter(filter);
        let headers = self.walk(from, to.number, to.hash).await?;
        let mut logs = Vec::new();
        for (hash, header) in headers {
            if !mana_execution::bloom_may_match(&header.logs_bloom, &criteria) {
                continue;
            }
            let block = TrustedBlock { number: header.number, hash };
            let (verified, receipts) = self.block_and_receipts(block).await?;
            for receipt in self.rpc_receipts(&verified, &receipts) {
                logs.extend(
                    receipt.inner.logs().iter().filter(|l| criteria.matches(&l.inner)).cloned(),
                );
            }
        }
        Ok(logs)
    }

    async fn get_logs(&self, filter: &rpc::Filter) -> Result<Vec<rpc::Log>> {
        match filter.block_option {
            rpc::FilterBlockOption::AtBlockHash(hash) => {
                let block = self.resolve(BlockId::from(hash)).await?;
                self.logs_between(filter, block.number, block).await
            }
            rpc::FilterBlockOption::Range { from_block, to_block } => {
                let to = self.resolve(BlockId::Number(to_block.unwrap_or_default())).await?;
                let from = match from_block {
                    Some(BlockNumberOrTag::Number(n)) => n,
                    Some(BlockNumberOrTag::Earliest) => 0,
                    Some(tag) => self.resolve(BlockId::Number(tag)).await?.number,
                    None => to.number,
                };
                if from > to.number {
                    return Err(Error::InvalidParams(format!(
                        "fromBlock {from} is after toBlock {}",
                        to.number
                    )));
                }
                self.logs_between(filter, from, to).await
            }
        }
    }

    async fn fee_history(
        &self,
        count: u64,
        newest: BlockNumberOrTag,
        percentiles: Option<Vec<f64>>,
    ) -> Result<rpc::FeeHistory> {
        let newest = self.resolve(BlockId::Number(newest)).await?;
        let count = count.clamp(1, 1024).min(newest.number.saturating_add(1));
        let oldest = newest.number.saturating_add(1).saturating_sub(count);
        let headers = self.walk(oldest, newest.number, newest.hash).await?;
        let mut history = rpc::FeeHistory {
            oldest_block: oldest,
            reward: percentiles.as_ref().map(|_| Vec::new()),
            ..Default::default()
        };
        for (hash, header) in &headers {
            history.base_fee_per_gas.push(u128::from(header.base_fee_per_gas.unwrap_or(0)));
            history.gas_used_ratio.push(if header.gas_limit == 0 {
                0.0
            } else {
                header.gas_used as f64 / header.gas_limit as f64
            });
            let params = self.config.blob_params(header.timestamp);
            history
                .base_fee_per_blob_gas
                .push(params.and_then(|p| blob_fee(header, p)).unwrap_or(0));
            history.blob_gas_used_ratio.push(match (params, header.blob_gas_used) {
                (Some(p), Some(used)) if p.max_blob_gas_per_block() > 0 => {
                    used as f64 / p.max_blob_gas_per_block() as f64
                }
                _ => 0.0,
            });
            if let Some(p) = percentiles.as_deref().filter(|p| !p.is_empty()) {
                let block = TrustedBlock { number: header.number, hash: *hash };
                let (verified, receipts) = self.block_and_receipts(block).await?;
                history.reward.get_or_insert_with(Vec::new).push(rewards(&verified, &receipts, p));
            }
        }
        // The fee after the newest block: the next block's own when it is verified already,
        // else computed by the EIP-1559 rule.
        let (latest, _) = self.heads()?;
        let next = if newest.number < latest.number {
            let number = newest.number.saturating_add(1);
            let hash = self.hash_of(number).await?;
            Some(self.header(TrustedBlock { number, hash }).await?)
        } else {
            None
        };
        if let Some(next) = &next {
            history.base_fee_per_gas.push(u128::from(next.base_fee_per_gas.unwrap_or(0)));
            let params = self.config.blob_params(next.timestamp);
            history.base_fee_per_blob_gas.push(params.and_then(|p| blob_fee(next, p)).unwrap_or(0));
        } else if let Some((_, last)) = headers.last() {
            history
                .base_fee_per_gas
                .push(u128::from(last.next_block_base_fee(BaseFeeParams::ethereum()).unwrap_or(0)));
            let params = self.config.blob_params(last.timestamp.saturating_add(12));
            history
                .base_fee_per_blob_gas
                .push(params.and_then(|p| next_block_blob_fee(last, p)).unwrap_or(0));
        }
        Ok(history)
    }

    /// The priority fee policy: the median of the 50th-percentile effective tips of the last
    /// [`TIP_BLOCKS`] verified blocks that carry transactions, else 1 gwei.
    /// The median priority fee of the last [`TIP_BLOCKS`] verified blocks, computed once per
    /// verified head (it would otherwise fetch those blocks and their receipts on every call).
    async fn suggested_tip(&self) -> Result<u128> {
        let head = self.current_head()?;
        if let Some((hash, tip)) = lock(&self.cache).tip
            && hash == head.hash
        {
            return Ok(tip);
        }
        let tip = self.compute_tip().await?;
        lock(&self.cache).tip = Some((head.hash, tip));
        Ok(tip)
    }

    async fn compute_tip(&self) -> Result<u128> {
        let history =
            self.fee_history(TIP_BLOCKS, BlockNumberOrTag::Latest, Some(vec![50.0])).await?;
        let mut tips: Vec<u128> = history
            .reward
            .unwrap_or_default()
            .iter()
            .zip(&history.gas_used_ratio)
            .filter(|(_, ratio)| **ratio > 0.0)
            .filter_map(|(r, _)| r.first().copied())
            .collect();
        tips.sort_unstable();
        Ok(tips.get(tips.len() / 2).copied().unwrap_or(DEFAULT_TIP))
    }

    fn install(&self, filter: Filter) -> Value {
        let mut filters = lock(&self.filters);
        filters.next_id = filters.next_id.saturating_add(1);
        let id = filters.next_id;
        filters.installed.insert(id, filter);
        quantity(id)
    }

    fn filter_id(params: &Value) -> Result<u64> {
        let id: U256 = param(params, 0, "filter id")?;
        u64::try_from(id).map_err(|_| Error::InvalidParams("unknown filter".into()))
    }

    async fn filter_changes(&self, id: u64) -> Result<Value> {
        let filter = lock(&self.filters).installed.get(&id).cloned();
        let latest = self.current_head()?;
        match filter {
            None => Err(Error::InvalidParams("filter not found".into())),
            Some(Filter::Blocks { next }) => {
                let mut hashes = Vec::new();
                if next <= latest.number {
                    let from = next.max(latest.number.saturating_sub(self.config.max_log_blocks));
                    for (hash, _) in self.walk(from, latest.number, latest.hash).await? {
                        hashes.push(hash);
                    }
                }
                self.set_next(id, latest.number.saturating_add(1));
                to_json(&hashes)
            }
            Some(Filter::Logs { filter, next }) => {
                let upper = match filter.block_option.get_to_block() {
                    Some(BlockNumberOrTag::Number(n)) => (*n).min(latest.number),
                    _ => latest.number,
                };
                // At most `max_log_blocks` per poll: a filter that fell behind catches up over
                // several polls instead of failing on every one.
                let upper =
                    upper.min(next.saturating_add(self.config.max_log_blocks.saturating_sub(1)));
                let to = if upper == latest.number {
                    latest
                } else {
                    TrustedBlock { number: upper, hash: self.hash_of(upper).await? }
                };
                let logs = self.logs_between(&filter, next, to).await?;
                self.set_next(id, to.number.saturating_add(1).max(next));
                to_json(&logs)
            }
        }
    }

    fn set_next(&self, id: u64, value: u64) {
        if let Some(f) = lock(&self.filters).installed.get_mut(&id) {
            match f {
                Filter::Blocks { next } | Filter::Logs { next, .. } => *next = value,
            }
        }
    }

    /// `eth_syncing`: `false` when the heads are verified and current; otherwise the standard
    /// sync object, with a `mana` field saying what `latest` and `finalized` stand on.
    fn syncing(&self) -> Value {
        let heads = self.trusted.heads();
        let Some(latest) = heads.latest else {
            return json!({
                "startingBlock": "0x0", "currentBlock": "0x0", "highestBlock": "0x0",
                "mana": {"reason": "no verified execution head yet"}
            });
        };
        let mut reasons = Vec::new();
        if let Err(e @ Error::HeadTooOld { .. }) = self.current_head() {
            reasons.push(format!("{e}; answers for `latest` are refused"));
        }
        if heads.notes.forced_update {
            reasons.push(
                "trust advanced by a forced update (a header that never reached finality); \
                 `finalized` and `safe` stay at the last block that did"
                    .to_string(),
            );
        }
        if heads.notes.latest_is_finalized {
            reasons.push(
                "no header newer than the finalized one is signed by 2/3 of the sync committee \
                 yet: `latest` is the finalized block"
                    .to_string(),
            );
        }
        if reasons.is_empty() {
            return json!(false);
        }
        let number = quantity(latest.number);
        json!({
            "startingBlock": number, "currentBlock": number, "highestBlock": number,
            "mana": {
                "latest": quantity(latest.number),
                "finalized": heads.finalized.map(|f| quantity(f.number)),
                "latestIsFinalized": heads.notes.latest_is_finalized,
                "forcedUpdate": heads.notes.forced_update,
                "reason": reasons.join("; "),
            }
        })
    }

    async fn forward(&self, method: &str, params: Value) -> Result<Value> {
        let method = method.to_string();
        self.try_upstreams(&method, true, |rpc| {
            let (method, params) = (method.clone(), params.clone());
            async move { rpc.call(&method, params).await }
        })
        .await
    }

    // ---- the JSON-RPC surface -------------------------------------------------------------

    /// Answers one JSON-RPC request (`params` is the request's `params` array).
    pub async fn request(&self, method: &str, params: Value) -> Result<Value> {
        let params = if params.is_null() { json!([]) } else { params };
        let block_at = |i: usize| -> Result<BlockId> {
            Ok(opt_param::<BlockId>(&params, i, "block")?.unwrap_or_default())
        };
        match method {
            "web3_clientVersion" => Ok(json!(concat!("Mana/v", env!("CARGO_PKG_VERSION")))),
            "web3_sha3" => {
                let data: Bytes = param(&params, 0, "data")?;
                to_json(&keccak256(&data))
            }
            "net_version" => Ok(json!(self.config.chain_id.to_string())),
            "net_listening" => Ok(json!(true)),
            "eth_chainId" => Ok(quantity(self.config.chain_id)),
            "eth_accounts" => Ok(json!([])),
            "eth_syncing" => Ok(self.syncing()),
            "eth_blockNumber" => Ok(quantity(self.current_head()?.number)),
            "eth_getBalance" => {
                let address: Address = param(&params, 0, "address")?;
                let block = self.resolve(block_at(1)?).await?;
                Ok(quantity(self.proof(block, address, vec![], false).await?.0.balance))
            }
            "eth_getTransactionCount" => {
                let address: Address = param(&params, 0, "address")?;
                let block = self.resolve(block_at(1)?).await?;
                Ok(quantity(self.proof(block, address, vec![], false).await?.0.nonce))
            }
            "eth_getCode" => {
                let address: Address = param(&params, 0, "address")?;
                let block = self.resolve(block_at(1)?).await?;
                let (_, code) = self.proof(block, address, vec![], true).await?;
                to_json(&code.unwrap_or_default())
            }
            "eth_getStorageAt" => {
                let address: Address = param(&params, 0, "address")?;
                // At most 32 bytes (`bytesMax32`): a longer key is refused, not truncated.
                let slot: JsonStorageKey = param(&params, 1, "slot")?;
                let block = self.resolve(block_at(2)?).await?;
                let slot = slot.as_b256();
                let (proof, _) = self.proof(block, address, vec![slot], false).await?;
                let value = proof.storage_proof.first().map(|p| p.value).unwrap_or_default();
                to_json(&B256::from(value))
            }
            "eth_getProof" => {
                let address: Address = param(&params, 0, "address")?;
                let slots: Vec<JsonStorageKey> = param(&params, 1, "storage keys")?;
                let block = self.resolve(block_at(2)?).await?;
                let slots = slots.iter().map(JsonStorageKey::as_b256).collect();
                to_json(&self.proof(block, address, slots, false).await?.0)
            }
            "eth_getBlockByNumber" | "eth_getBlockByHash" => {
                let id: BlockId = param(&params, 0, "block")?;
                let full: bool = opt_param(&params, 1, "full")?.unwrap_or(false);
                match self.resolve(id).await {
                    Ok(block) => to_json(&Self::rpc_block(&self.block(block).await?, full)),
                    Err(Error::BlockUnavailable(_)) => Ok(Value::Null),
                    Err(e) => Err(e),
                }
            }
            "eth_getBlockTransactionCountByNumber" | "eth_getBlockTransactionCountByHash" => {
                let id: BlockId = param(&params, 0, "block")?;
                match self.resolve(id).await {
                    Ok(block) => Ok(quantity(self.block(block).await?.transactions.len() as u64)),
                    Err(Error::BlockUnavailable(_)) => Ok(Value::Null),
                    Err(e) => Err(e),
                }
            }
            "eth_getUncleCountByBlockNumber" | "eth_getUncleCountByBlockHash" => {
                let id: BlockId = param(&params, 0, "block")?;
                match self.resolve(id).await {
                    Ok(block) => {
                        let header = self.header(block).await?;
                        if header.ommers_hash == EMPTY_OMMER_ROOT_HASH {
                            Ok(quantity(0u64))
                        } else {
                            Err(Error::Unsupported {
                                method: method.into(),
                                reason: "uncles of pre-merge blocks cannot be verified yet".into(),
                            })
                        }
                    }
                    Err(Error::BlockUnavailable(_)) => Ok(Value::Null),
                    Err(e) => Err(e),
                }
            }
            "eth_getTransactionByBlockNumberAndIndex" | "eth_getTransactionByBlockHashAndIndex" => {
                let id: BlockId = param(&params, 0, "block")?;
                let index: U256 = param(&params, 1, "index")?;
                let block = match self.resolve(id).await {
                    Ok(b) => self.block(b).await?,
                    Err(Error::BlockUnavailable(_)) => return Ok(Value::Null),
                    Err(e) => return Err(e),
                };
                let index = usize::try_from(index).unwrap_or(usize::MAX);
                match Self::rpc_transaction(&block, index) {
                    Some(tx) => to_json(&tx),
                    None => Ok(Value::Null),
                }
            }
            "eth_getTransactionByHash" => {
                let hash: B256 = param(&params, 0, "hash")?;
                let located = self.locate(hash, "eth_getTransactionByHash").await?;
                let Some((block, _)) = located else { return Ok(Value::Null) };
                let verified = self.block(block).await?;
                let index = verified.transactions.iter().position(|t| *t.tx_hash() == hash);
                match index.and_then(|i| Self::rpc_transaction(&verified, i)) {
                    Some(tx) => to_json(&tx),
                    None => Err(Error::Inconsistent {
                        url: String::new(),
                        reason: format!("transaction {hash} is not in block {}", block.hash),
                    }),
                }
            }
            "eth_getTransactionReceipt" => {
                let hash: B256 = param(&params, 0, "hash")?;
                let located = self.locate(hash, "eth_getTransactionReceipt").await?;
                let Some((block, _)) = located else { return Ok(Value::Null) };
                let (verified, receipts) = self.block_and_receipts(block).await?;
                let index = verified.transactions.iter().position(|t| *t.tx_hash() == hash);
                let all = self.receipts_json(&verified, &receipts)?;
                let receipt = index.and_then(|i| all.into_iter().nth(i));
                match receipt {
                    Some(r) => Ok(r),
                    None => Err(Error::Inconsistent {
                        url: String::new(),
                        reason: format!("transaction {hash} is not in block {}", block.hash),
                    }),
                }
            }
            "eth_getBlockReceipts" => {
                let id: BlockId = param(&params, 0, "block")?;
                let block = match self.resolve(id).await {
                    Ok(b) => b,
                    Err(Error::BlockUnavailable(_)) => return Ok(Value::Null),
                    Err(e) => return Err(e),
                };
                let (verified, receipts) = self.block_and_receipts(block).await?;
                Ok(Value::Array(self.receipts_json(&verified, &receipts)?))
            }
            "eth_getLogs" => {
                let filter: rpc::Filter = param(&params, 0, "filter")?;
                to_json(&self.get_logs(&filter).await?)
            }
            "eth_feeHistory" => {
                let count: U256 = param(&params, 0, "block count")?;
                let newest: BlockNumberOrTag = param(&params, 1, "newest block")?;
                let percentiles: Option<Vec<f64>> = opt_param(&params, 2, "reward percentiles")?;
                let count = u64::try_from(count).unwrap_or(u64::MAX);
                to_json(&self.fee_history(count, newest, percentiles).await?)
            }
            "eth_maxPriorityFeePerGas" => Ok(quantity(self.suggested_tip().await?)),
            "eth_gasPrice" => {
                let latest = self.current_head()?;
                let header = self.header(latest).await?;
                let base = header.next_block_base_fee(BaseFeeParams::ethereum()).unwrap_or(0);
                Ok(quantity(u128::from(base).saturating_add(self.suggested_tip().await?)))
            }
            "eth_blobBaseFee" => {
                let latest = self.current_head()?;
                let header = self.header(latest).await?;
                let params = self.config.blob_params(header.timestamp.saturating_add(12));
                match params.and_then(|p| next_block_blob_fee(&header, p)) {
                    Some(fee) => Ok(quantity(fee)),
                    None => Err(Error::Unsupported {
                        method: method.into(),
                        reason: "the verified head has no blob gas fields".into(),
                    }),
                }
            }
            "eth_sendRawTransaction" => {
                let raw: Bytes = param(&params, 0, "transaction")?;
                let (chain, hash) = served::raw_transaction(&raw)
                    .map_err(|e| Error::InvalidParams(format!("transaction: {e}")))?;
                if let Some(chain) = chain
                    && chain != self.config.chain_id
                {
                    return Err(Error::InvalidParams(format!(
                        "transaction for chain {chain}, this is chain {}",
                        self.config.chain_id
                    )));
                }
                let answered = self.forward(method, json!([raw])).await?;
                let returned = B256::from_json(&answered).map_err(|e| Error::BadResponse {
                    url: String::new(),
                    reason: format!("hash: {e}"),
                })?;
                if returned != hash {
                    return Err(Error::Inconsistent {
                        url: String::new(),
                        reason: format!(
                            "upstream returned hash {returned}, the transaction is {hash}"
                        ),
                    });
                }
                to_json(&hash)
            }
            #[cfg(feature = "evm")]
            "eth_call" | "eth_estimateGas" | "eth_createAccessList" => {
                self.simulate(method, &params).await
            }
            "eth_newBlockFilter" => {
                let latest = self.current_head()?;
                Ok(self.install(Filter::Blocks { next: latest.number.saturating_add(1) }))
            }
            "eth_newFilter" => {
                let filter: rpc::Filter = param(&params, 0, "filter")?;
                let latest = self.current_head()?;
                let next = match filter.block_option.get_from_block() {
                    Some(BlockNumberOrTag::Number(n)) => *n,
                    Some(BlockNumberOrTag::Earliest) => 0,
                    _ => latest.number.saturating_add(1),
                };
                Ok(self.install(Filter::Logs { filter: Box::new(filter), next }))
            }
            "eth_getFilterChanges" => self.filter_changes(Self::filter_id(&params)?).await,
            "eth_getFilterLogs" => {
                let id = Self::filter_id(&params)?;
                let filter = match lock(&self.filters).installed.get(&id) {
                    Some(Filter::Logs { filter, .. }) => filter.clone(),
                    _ => return Err(Error::InvalidParams("filter not found".into())),
                };
                to_json(&self.get_logs(&filter).await?)
            }
            "eth_uninstallFilter" => {
                let id = Self::filter_id(&params)?;
                Ok(json!(lock(&self.filters).installed.remove(&id).is_some()))
            }
            other if self.config.forward_unverified.contains(other) => {
                self.forward(other, params).await
            }
            other => Err(Error::Unsupported {
                method: other.into(),
                reason: "Mana cannot verify this method; pass it through unverified only if you accept that (--forward-unverified)"
                    .into(),
            }),
        }
    }

    /// Where the upstream says transaction `hash` is: its block, which must be on the verified
    /// chain. `None` when the upstream does not know it or it is pending.
    async fn locate(&self, hash: B256, method: &str) -> Result<Option<(TrustedBlock, u64)>> {
        let found = self
            .with_upstream(method, |rpc| async move {
                let value = rpc.call("eth_getTransactionByHash", json!([hash])).await?;
                if value.is_null() {
                    return Ok(None);
                }
                let tx: Placement = parse(&rpc, "transaction", value)?;
                Ok(match (tx.block_hash, tx.block_number, tx.transaction_index) {
                    (Some(h), Some(n), Some(i)) => Some((h, n.to(), i.to())),
                    _ => None,
                })
            })
            .await?;
        let Some((block_hash, number, index)) = found else { return Ok(None) };
        let (latest, _) = self.heads()?;
        if number > latest.number {
            // Mined after the verified head: not verifiable yet.
            return Ok(None);
        }
        let trusted = self.hash_of(number).await?;
        if trusted != block_hash {
            return Err(Error::Inconsistent {
                url: String::new(),
                reason: format!(
                    "transaction {hash} placed in block {block_hash}, the verified block {number} is {trusted}"
                ),
            });
        }
        Ok(Some((TrustedBlock { number, hash: trusted }, index)))
    }
}

/// Effective tips at the given gas-weighted percentiles of a block's transactions (the
/// `eth_feeHistory` reward rule: sort by tip, walk cumulative gas used).
fn rewards(block: &VerifiedBlock, receipts: &[ReceiptEnvelope], percentiles: &[f64]) -> Vec<u128> {
    let base = block.header.base_fee_per_gas;
    let mut previous = 0u64;
    let mut txs: Vec<(u128, u64)> = Vec::new();
    for (tx, receipt) in block.transactions.iter().zip(receipts) {
        let cumulative = receipt.cumulative_gas_used();
        let gas = cumulative.saturating_sub(previous);
        previous = cumulative;
        txs.push((tx.effective_tip_per_gas(base.unwrap_or(0)).unwrap_or(0), gas));
    }
    if txs.is_empty() {
        return vec![0; percentiles.len()];
    }
    txs.sort_unstable_by_key(|(tip, _)| *tip);
    let gas_used = block.header.gas_used as f64;
    percentiles
        .iter()
        .map(|p| {
            let threshold = gas_used * p / 100.0;
            let mut sum = 0u64;
            let mut chosen = txs.last().map_or(0, |(tip, _)| *tip);
            for (tip, gas) in &txs {
                sum = sum.saturating_add(*gas);
                if sum as f64 >= threshold {
                    chosen = *tip;
                    break;
                }
            }
            chosen
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use alloy_consensus::{
        Eip658Value, SignableTransaction, TxEip1559, TxEip2930, TxEip4844, TxEip4844Variant,
        TxEip7702, TxLegacy,
    };
    use alloy_eips::eip2718::Encodable2718;
    use alloy_eips::eip2930::AccessList;
    use alloy_eips::eip7702::{Authorization, SignedAuthorization};
    use alloy_primitives::TxKind;

    use super::*;

    fn receipt(fields: Value) -> core::result::Result<ReceiptEnvelope, &'static str> {
        let mut base = json!({
            "type": "0x2",
            "status": "0x1",
            "cumulativeGasUsed": "0x5208",
            "logs": [{
                "address": "0x00000000000000000000000000000000000000aa",
                "topics": [format!("0x{}", "11".repeat(32))],
                "data": "0x0102",
                "blockHash": format!("0x{}", "22".repeat(32)),
                "logIndex": "0x0"
            }],
            "logsBloom": format!("0x{}", "00".repeat(256)),
            "transactionHash": format!("0x{}", "33".repeat(32)),
            "gasUsed": "0x5208"
        });
        for (key, value) in fields.as_object().unwrap() {
            base[key] = value.clone();
        }
        ServedReceipt::from_json(&base).unwrap().into_envelope()
    }

    #[test]
    fn served_receipts_decode_to_their_consensus_envelope() {
        let envelope = receipt(json!({})).unwrap();
        assert!(matches!(envelope, ReceiptEnvelope::Eip1559(_)));
        assert!(envelope.status());
        assert_eq!(envelope.cumulative_gas_used(), 21_000);
        assert_eq!(envelope.logs()[0].data.data.as_ref(), &[1, 2]);
        let legacy = receipt(json!({ "type": "0x0", "status": "0x0" })).unwrap();
        assert!(matches!(legacy, ReceiptEnvelope::Legacy(_)));
        assert!(!legacy.status());
        let root = format!("0x{}", "44".repeat(32));
        let pre_byzantium = receipt(json!({ "status": null, "root": root })).unwrap();
        assert_eq!(
            pre_byzantium.as_receipt().unwrap().status,
            Eip658Value::PostState(B256::repeat_byte(0x44))
        );
        assert!(matches!(receipt(json!({ "type": "0x4" })).unwrap(), ReceiptEnvelope::Eip7702(_)));
    }

    /// One transaction of every type, signed with an arbitrary signature.
    fn every_type() -> Vec<TxEnvelope> {
        let sig = alloy_primitives::Signature::new(U256::from(7), U256::from(9), true);
        let to = Address::repeat_byte(0x11);
        let access_list = AccessList(vec![alloy_eips::eip2930::AccessListItem {
            address: to,
            storage_keys: vec![B256::repeat_byte(1)],
        }]);
        let input = Bytes::from_static(&[1, 2, 3]);
        let value = U256::from(5);
        vec![
            TxLegacy {
                chain_id: Some(1),
                nonce: 1,
                gas_price: 2,
                gas_limit: 21_000,
                to: TxKind::Call(to),
                value,
                input: input.clone(),
            }
            .into_signed(sig)
            .into(),
            TxLegacy {
                chain_id: None,
                nonce: 1,
                gas_price: 2,
                gas_limit: 53_000,
                to: TxKind::Create,
                value,
                input: input.clone(),
            }
            .into_signed(sig)
            .into(),
            TxEip2930 {
                chain_id: 1,
                nonce: 2,
                gas_price: 3,
                gas_limit: 30_000,
                to: TxKind::Call(to),
                value,
                access_list: access_list.clone(),
                input: input.clone(),
            }
            .into_signed(sig)
            .into(),
            TxEip1559 {
                chain_id: 1,
                nonce: 3,
                gas_limit: 30_000,
                max_fee_per_gas: 10,
                max_priority_fee_per_gas: 1,
                to: TxKind::Create,
                value,
                access_list: access_list.clone(),
                input: input.clone(),
            }
            .into_signed(sig)
            .into(),
            TxEnvelope::Eip4844(
                TxEip4844Variant::TxEip4844(TxEip4844 {
                    chain_id: 1,
                    nonce: 4,
                    gas_limit: 30_000,
                    max_fee_per_gas: 10,
                    max_priority_fee_per_gas: 1,
                    to,
                    value,
                    access_list: access_list.clone(),
                    blob_versioned_hashes: vec![B256::repeat_byte(2)],
                    max_fee_per_blob_gas: 3,
                    input: input.clone(),
                })
                .into_signed(sig),
            ),
            TxEip7702 {
                chain_id: 1,
                nonce: 5,
                gas_limit: 60_000,
                max_fee_per_gas: 10,
                max_priority_fee_per_gas: 1,
                to,
                value,
                access_list,
                authorization_list: vec![SignedAuthorization::new_unchecked(
                    Authorization { chain_id: U256::from(1), address: to, nonce: 9 },
                    1,
                    U256::from(3),
                    U256::from(4),
                )],
                input,
            }
            .into_signed(sig)
            .into(),
        ]
    }

    #[test]
    fn served_transactions_of_every_type_decode_to_the_same_encoding() {
        for tx in every_type() {
            // alloy's own RPC serialization of the envelope, with the fields a server adds.
            let mut served = serde_json::to_value(&tx).unwrap();
            served["blockHash"] = json!(B256::repeat_byte(9));
            served["from"] = json!(Address::repeat_byte(8));
            let decoded = ServedTx::from_json(&served).unwrap().into_envelope().unwrap();
            assert_eq!(decoded.encoded_2718(), tx.encoded_2718(), "{tx:?}");
            assert_eq!(decoded.tx_hash(), tx.tx_hash());
        }
    }

    #[test]
    fn blob_fees_match_the_eip_4844_series() {
        let mut excess = vec![0, 1, 2, 1_000, 393_216, 3_338_477, 10_000_000, 100_000_000];
        excess.extend((0..55).map(|i| 1u64 << (i / 2) | i));
        excess.push(192_204_552);
        for params in [BlobParams::cancun(), BlobParams::prague(), BlobParams::osaka()] {
            for &e in &excess {
                let header = Header { excess_blob_gas: Some(e), ..Header::default() };
                assert_eq!(blob_fee(&header, params), Some(params.calc_blob_fee(e)), "{e}");
            }
        }
        // EIP-4844's own examples of the series.
        assert_eq!(fake_exponential(1, 0, 1), 1);
        assert_eq!(fake_exponential(2, 5, 2), 23);
        assert_eq!(fake_exponential(1, 2, 1), 6);
        assert_eq!(fake_exponential(u128::MAX, 1, 1), u128::MAX);
        let saturated = Header { excess_blob_gas: Some(192_204_553), ..Header::default() };
        assert_eq!(blob_fee(&saturated, BlobParams::cancun()), Some(u128::MAX));
        assert_eq!(fake_exponential(1, u128::from(u64::MAX), 1), u128::MAX);
        assert_eq!(blob_fee(&Header::default(), BlobParams::cancun()), None);
        for params in [BlobParams::cancun(), BlobParams::prague(), BlobParams::osaka()] {
            for &e in &excess[..excess.len() - 1] {
                for used in [0, 131_072, 393_216, 786_432, 1_179_648] {
                    for base_fee in [0, 7, 1_000_000_000, 300_000_000_000] {
                        let header = Header {
                            excess_blob_gas: Some(e),
                            blob_gas_used: Some(used),
                            base_fee_per_gas: Some(base_fee),
                            ..Header::default()
                        };
                        let expected = header.next_block_excess_blob_gas(params);
                        assert_eq!(next_excess_blob_gas(&header, params), expected, "{e} {used}");
                        assert_eq!(
                            next_block_blob_fee(&header, params),
                            header.next_block_blob_fee(params)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn raw_transactions_name_their_chain_and_hash() {
        for tx in every_type() {
            let raw = tx.encoded_2718();
            let (chain, hash) = served::raw_transaction(&raw).unwrap();
            assert_eq!((chain, hash), (tx.chain_id(), *tx.tx_hash()), "{tx:?}");
            for cut in [1, raw.len() / 2, raw.len() - 1] {
                assert!(served::raw_transaction(&raw[..cut]).is_err(), "{tx:?} cut at {cut}");
            }
            let mut longer = raw.clone();
            longer.push(0);
            assert!(served::raw_transaction(&longer).is_err());
        }
        let pre_eip155 = TxLegacy { chain_id: None, ..TxLegacy::default() }
            .into_signed(alloy_primitives::Signature::new(U256::from(1), U256::from(2), false));
        let pre_eip155 = TxEnvelope::from(pre_eip155);
        let raw = pre_eip155.encoded_2718();
        assert_eq!(served::raw_transaction(&raw).unwrap(), (None, *pre_eip155.tx_hash()));
        assert!(served::raw_transaction(&[]).is_err());
        assert!(served::raw_transaction(&[0x02, 0x05]).is_err());
        // A chain id spelled with a leading zero, or as a list, is not a number.
        assert!(served::raw_transaction(&[0x02, 0xc3, 0x82, 0x00, 0x01]).is_err());
        assert!(served::raw_transaction(&[0x02, 0xc2, 0xc1, 0x01]).is_err());

        // A blob transaction in its network form (the EIP-4844 wrapper with blobs, commitments
        // and proofs): the chain id and the hash are the signed transaction's.
        let blob = &every_type()[4];
        let TxEnvelope::Eip4844(signed) = blob else { panic!("not a blob transaction") };
        let mut signed_rlp = Vec::new();
        signed.rlp_encode(&mut signed_rlp);
        let mut wrapper_items = signed_rlp.clone();
        for item in [&[0xc1, 0x80][..], &[0xc0], &[0xc0]] {
            wrapper_items.extend_from_slice(item);
        }
        let mut network = vec![0x03];
        alloy_rlp::Header { list: true, payload_length: wrapper_items.len() }.encode(&mut network);
        network.extend_from_slice(&wrapper_items);
        assert_eq!(served::raw_transaction(&network).unwrap(), (blob.chain_id(), *blob.tx_hash()));
    }

    #[test]
    fn malformed_served_transactions_are_refused() {
        let decode = |edit: &dyn Fn(&mut Value)| {
            let mut served = serde_json::to_value(&every_type()[3]).unwrap();
            edit(&mut served);
            ServedTx::from_json(&served)?.into_envelope().map_err(str::to_string)
        };
        assert_eq!(decode(&|t| t["type"] = json!("0x7f")).unwrap_err(), "unknown transaction type");
        assert_eq!(
            decode(&|t| t["maxFeePerGas"] = Value::Null).unwrap_err(),
            "missing maxFeePerGas"
        );
        assert_eq!(
            decode(&|t| t["chainId"] = Value::Null).unwrap_err(),
            "typed transaction without chainId"
        );
        let no_parity = |t: &mut Value| {
            t["yParity"] = Value::Null;
            t["v"] = Value::Null;
        };
        assert_eq!(decode(&no_parity).unwrap_err(), "transaction without a signature parity");
        let huge_v = |t: &mut Value| {
            t["yParity"] = Value::Null;
            t["v"] = json!(format!("0x{}", "f".repeat(64)));
        };
        assert_eq!(decode(&huge_v).unwrap_err(), "transaction signature parity other than 0 or 1");
        assert!(decode(&|t| t["r"] = json!("0xzz")).is_err());
        assert!(decode(&|t| t["nonce"] = Value::Null).is_err());
        let mut blob = serde_json::to_value(&every_type()[4]).unwrap();
        blob["blobVersionedHashes"] = Value::Null;
        let blob = ServedTx::from_json(&blob).unwrap().into_envelope();
        assert_eq!(blob.unwrap_err(), "blob transaction without blobVersionedHashes");
        let mut legacy = serde_json::to_value(&every_type()[0]).unwrap();
        legacy["v"] = json!(format!("0x{}", "f".repeat(40)));
        let legacy = ServedTx::from_json(&legacy).unwrap().into_envelope();
        assert_eq!(legacy.unwrap_err(), "legacy transaction v out of range");
    }

    #[test]
    fn malformed_served_receipts_are_refused() {
        assert_eq!(receipt(json!({ "type": "0x7f" })).unwrap_err(), "unknown receipt type");
        assert_eq!(
            receipt(json!({ "status": "0x2" })).unwrap_err(),
            "receipt status other than 0x0 or 0x1"
        );
        assert_eq!(
            receipt(json!({ "status": null })).unwrap_err(),
            "receipt without status or root"
        );
        let topic = format!("0x{}", "11".repeat(32));
        let five = json!([{ "address": "0x00000000000000000000000000000000000000aa",
            "topics": [topic, topic, topic, topic, topic], "data": "0x" }]);
        assert_eq!(receipt(json!({ "logs": five })).unwrap_err(), "log with more than four topics");
        let short_bloom = json!({ "logsBloom": "0x00" });
        let mut value = json!({
            "type": "0x2", "status": "0x1", "cumulativeGasUsed": "0x1", "logs": []
        });
        value["logsBloom"] = short_bloom["logsBloom"].clone();
        assert!(ServedReceipt::from_json(&value).is_err());
    }
}
