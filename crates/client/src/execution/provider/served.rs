//! JSON-RPC values read field by field from their parsed [`Value`]: served blocks, headers,
//! transactions, receipts, withdrawals and account proofs, and the log filters of requests.
//!
//! Nothing served is trusted: every value read is re-encoded and checked against a verified
//! root or hash by the provider. The reader replaces serde-derived decoding of these types, whose
//! per-type visitors over `Value` were a large share of the browser build; the rules follow the
//! execution-apis schemas (`0x` quantities and data, with the decimal and bare-hex spellings
//! the alloy types also accept).

use core::str::FromStr;

use alloy_consensus::{
    Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, SignableTransaction,
    TxEip1559, TxEip2930, TxEip4844, TxEip4844Variant, TxEip7702, TxEnvelope, TxLegacy,
};
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_eips::eip4895::{Withdrawal, Withdrawals};
use alloy_eips::eip7702::{Authorization, SignedAuthorization};
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::ruint::Uint;
use alloy_primitives::{
    Address, B64, B256, Bloom, Bytes, FixedBytes, Log, TxKind, U8, U64, U128, U256, keccak256,
};
use alloy_rpc_types_eth::{
    EIP1186AccountProofResponse, EIP1186StorageProof, Filter, FilterBlockOption, FilterSet,
};
use alloy_serde::JsonStorageKey;
use serde_json::{Map, Value};

/// What is wrong with a served value.
type Bad = String;

/// A type read from a served JSON value.
pub(super) trait FromJson: Sized {
    /// Reads `value`, or says what is wrong with it.
    fn from_json(value: &Value) -> Result<Self, Bad>;
}

fn text(value: &Value) -> Result<&str, Bad> {
    value.as_str().ok_or_else(|| format!("expected a string, got {value}"))
}

fn parsed<T: FromStr>(value: &Value) -> Result<T, Bad>
where
    T::Err: core::fmt::Display,
{
    let s = text(value)?;
    s.parse().map_err(|e| format!("{s:?}: {e}"))
}

impl<const N: usize> FromJson for FixedBytes<N> {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        parsed(value)
    }
}

impl FromJson for Address {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        parsed(value)
    }
}

impl FromJson for Bloom {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        parsed(value)
    }
}

impl FromJson for Bytes {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        parsed(value)
    }
}

impl FromJson for JsonStorageKey {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        parsed(value)
    }
}

/// A quantity: `0x` hex or decimal text, or a JSON number.
impl<const BITS: usize, const LIMBS: usize> FromJson for Uint<BITS, LIMBS> {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        match value.as_u64() {
            Some(n) => Self::try_from(n).map_err(|_| format!("{n} exceeds {BITS} bits")),
            None => parsed(value),
        }
    }
}

impl FromJson for u64 {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        U64::from_json(value).map(|n| n.to())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let items = value.as_array().ok_or_else(|| format!("expected a list, got {value}"))?;
        items.iter().map(T::from_json).collect()
    }
}

/// The fields of a served JSON object.
#[derive(Clone, Copy)]
struct Fields<'a>(&'a Map<String, Value>);

impl<'a> Fields<'a> {
    fn of(value: &'a Value) -> Result<Self, Bad> {
        value.as_object().map(Fields).ok_or_else(|| format!("expected an object, got {value}"))
    }

    /// The first of `names` present and not `null`.
    fn raw(self, names: &[&str]) -> Option<&'a Value> {
        names.iter().find_map(|name| self.0.get(*name).filter(|v| !v.is_null()))
    }

    /// A field that may be absent or `null`.
    fn opt<T: FromJson>(self, name: &str) -> Result<Option<T>, Bad> {
        self.opt_of(&[name])
    }

    /// A field spelled by any of `names` (aliases), which may be absent or `null`.
    fn opt_of<T: FromJson>(self, names: &[&str]) -> Result<Option<T>, Bad> {
        let name = names.first().copied().unwrap_or_default();
        self.raw(names).map(|v| T::from_json(v).map_err(|e| format!("`{name}`: {e}"))).transpose()
    }

    /// A required field.
    fn req<T: FromJson>(self, name: &str) -> Result<T, Bad> {
        self.req_of(&[name])
    }

    /// Refuses a field outside `known`.
    fn only(self, known: &[&str]) -> Result<(), Bad> {
        match self.0.keys().find(|key| !known.contains(&key.as_str())) {
            Some(unknown) => Err(format!("unknown field `{unknown}`, expected one of {known:?}")),
            None => Ok(()),
        }
    }

    /// A required field spelled by any of `names` (aliases).
    fn req_of<T: FromJson>(self, names: &[&str]) -> Result<T, Bad> {
        let name = names.first().copied().unwrap_or_default();
        self.opt_of(names)?.ok_or_else(|| format!("missing field `{name}`"))
    }
}

/// One RLP item at the front of `buf`: whether it is a list, its payload and its whole
/// encoding; `buf` moves past it.
fn rlp_item<'a>(buf: &mut &'a [u8]) -> Result<(bool, &'a [u8], &'a [u8]), Bad> {
    let start = *buf;
    let header = alloy_rlp::Header::decode(buf).map_err(|e| format!("bad RLP: {e}"))?;
    let (payload, rest) = buf.split_at_checked(header.payload_length).ok_or("truncated item")?;
    let whole = start.get(..start.len().saturating_sub(rest.len())).unwrap_or_default();
    *buf = rest;
    Ok((header.list, payload, whole))
}

/// A number field of at most 64 bits, big-endian without leading zeros.
fn rlp_u64(buf: &mut &[u8]) -> Result<u64, Bad> {
    match rlp_item(buf)? {
        (true, ..) => Err("a list where a number belongs".into()),
        (false, [0, ..], _) => Err("a number with a leading zero".into()),
        (false, bytes, _) => U64::try_from_be_slice(bytes)
            .map(|n| n.to())
            .ok_or_else(|| "a number of more than 64 bits".into()),
    }
}

/// What `eth_sendRawTransaction` needs of a raw signed transaction (EIP-2718 bytes): the chain
/// id it commits to (a typed transaction's first field, a legacy transaction's EIP-155 `v`;
/// `None` before EIP-155) and its hash. A blob transaction may come in its network form
/// (EIP-4844: `0x03 ‖ rlp([tx_payload_body, blobs, commitments, proofs])`, EIP-7594 adds a
/// wrapper version), whose hash covers `0x03 ‖ rlp(tx_payload_body)` only. Only the framing is
/// checked here; the node decodes the rest, and the hash it answers must be this one.
pub(super) fn raw_transaction(raw: &[u8]) -> Result<(Option<u64>, B256), Bad> {
    let (ty, mut body) = match raw.split_first() {
        None => return Err("empty".into()),
        Some((&ty, rest)) if ty < 0x7f => (Some(ty), rest),
        Some(_) => (None, raw),
    };
    let (is_list, mut fields, _) = rlp_item(&mut body)?;
    if !is_list || !body.is_empty() {
        return Err("not a single RLP list".into());
    }
    let Some(ty) = ty else {
        // Legacy: nonce, gasPrice, gas, to, value, data, then v.
        for _ in 0..6 {
            rlp_item(&mut fields)?;
        }
        let v = rlp_u64(&mut fields)?;
        return Ok(((v >= 35).then(|| v.saturating_sub(35) / 2), keccak256(raw)));
    };
    let mut peek = fields;
    if let (3, (true, _, signed)) = (ty, rlp_item(&mut peek)?) {
        // The network form of a blob transaction: the signed transaction is its first item.
        let mut inner = signed;
        let (_, mut signed_fields, _) = rlp_item(&mut inner)?;
        let chain = rlp_u64(&mut signed_fields)?;
        let mut canonical = Vec::with_capacity(signed.len().saturating_add(1));
        canonical.push(ty);
        canonical.extend_from_slice(signed);
        return Ok((Some(chain), keccak256(&canonical)));
    }
    Ok((Some(rlp_u64(&mut fields)?), keccak256(raw)))
}

impl FromJson for bool {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        value.as_bool().ok_or_else(|| format!("expected true or false, got {value}"))
    }
}

impl FromJson for f64 {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        value.as_f64().ok_or_else(|| format!("expected a number, got {value}"))
    }
}

/// A block number or tag: `latest`, `finalized`, `safe`, `earliest`, `pending` (any case) or a
/// `0x` hex number.
impl FromJson for BlockNumberOrTag {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let s = text(value)?;
        Ok(match s.to_ascii_lowercase().as_str() {
            "latest" => Self::Latest,
            "finalized" => Self::Finalized,
            "safe" => Self::Safe,
            "earliest" => Self::Earliest,
            "pending" => Self::Pending,
            other => {
                let digits = other
                    .strip_prefix("0x")
                    .ok_or_else(|| format!("{s:?} is neither a block tag nor 0x-prefixed hex"))?;
                Self::Number(u64::from_str_radix(digits, 16).map_err(|e| format!("{s:?}: {e}"))?)
            }
        })
    }
}

/// A block by number, tag or hash (EIP-1898: a string, or `{blockNumber}` or
/// `{blockHash, requireCanonical?}`).
impl FromJson for BlockId {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        if let Some(s) = value.as_str() {
            return if s.len() == 66 {
                B256::from_json(value).map(Self::from)
            } else {
                BlockNumberOrTag::from_json(value).map(Self::Number)
            };
        }
        let f = Fields::of(value)?;
        f.only(&["blockNumber", "blockHash", "requireCanonical"])?;
        let canonical: Option<bool> = f.opt("requireCanonical")?;
        match (f.opt("blockNumber")?, f.opt::<B256>("blockHash")?) {
            (Some(_), Some(_)) => Err("both blockNumber and blockHash".into()),
            (Some(_), None) if canonical.is_some() => {
                Err("requireCanonical goes with blockHash, not blockNumber".into())
            }
            (Some(number), None) => Ok(Self::Number(number)),
            (None, Some(hash)) => Ok(Self::from((hash, canonical))),
            (None, None) => Err("expected blockNumber or blockHash".into()),
        }
    }
}

/// One criterion of a log filter: a value, or a list of alternatives (`null`, or a list holding
/// `null`, matches anything).
fn filter_set<T: FromJson + Eq + core::hash::Hash>(
    value: Option<&Value>,
) -> Result<FilterSet<T>, Bad> {
    Ok(match value {
        None | Some(Value::Null) => FilterSet::default(),
        Some(Value::Array(items)) if items.iter().any(Value::is_null) => FilterSet::default(),
        Some(list @ Value::Array(_)) => Vec::<T>::from_json(list)?.into(),
        Some(one) => T::from_json(one)?.into(),
    })
}

/// The filter of `eth_getLogs` and `eth_newFilter`: a block hash or a block range, addresses
/// and up to four topic positions.
impl FromJson for Filter {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        f.only(&["fromBlock", "toBlock", "blockHash", "address", "topics"])?;
        let from_block = f.opt("fromBlock")?;
        let to_block = f.opt("toBlock")?;
        let block_option = match f.opt("blockHash")? {
            Some(_) if from_block.is_some() || to_block.is_some() => {
                return Err("blockHash together with fromBlock or toBlock".into());
            }
            Some(hash) => FilterBlockOption::AtBlockHash(hash),
            None => FilterBlockOption::Range { from_block, to_block },
        };
        let address = filter_set(f.raw(&["address"])).map_err(|e| format!("`address`: {e}"))?;
        let mut topics: [FilterSet<B256>; 4] = Default::default();
        if let Some(list) = f.raw(&["topics"]) {
            let list = list.as_array().ok_or("`topics` is not a list")?;
            if list.len() > topics.len() {
                return Err(format!("{} topic positions, at most 4", list.len()));
            }
            for (slot, item) in topics.iter_mut().zip(list) {
                *slot = filter_set(Some(item)).map_err(|e| format!("`topics`: {e}"))?;
            }
        }
        Ok(Self { block_option, address, topics })
    }
}

/// A block header from a served block object (its other fields are ignored).
impl FromJson for Header {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self {
            parent_hash: f.req("parentHash")?,
            ommers_hash: f.req_of(&["sha3Uncles", "ommersHash"])?,
            beneficiary: f.req_of(&["miner", "beneficiary"])?,
            state_root: f.req("stateRoot")?,
            transactions_root: f.req("transactionsRoot")?,
            receipts_root: f.req("receiptsRoot")?,
            logs_bloom: f.req("logsBloom")?,
            difficulty: f.req("difficulty")?,
            number: f.req("number")?,
            gas_limit: f.req("gasLimit")?,
            gas_used: f.req("gasUsed")?,
            timestamp: f.req("timestamp")?,
            extra_data: f.req("extraData")?,
            mix_hash: f.req("mixHash")?,
            nonce: f.req::<B64>("nonce")?,
            base_fee_per_gas: f.opt("baseFeePerGas")?,
            withdrawals_root: f.opt("withdrawalsRoot")?,
            blob_gas_used: f.opt("blobGasUsed")?,
            excess_blob_gas: f.opt("excessBlobGas")?,
            parent_beacon_block_root: f.opt("parentBeaconBlockRoot")?,
            requests_hash: f.opt("requestsHash")?,
            block_access_list_hash: f.opt("blockAccessListHash")?,
            slot_number: f.opt("slotNumber")?,
        })
    }
}

impl FromJson for Withdrawal {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self {
            index: f.req("index")?,
            validator_index: f.req("validatorIndex")?,
            address: f.req("address")?,
            amount: f.req("amount")?,
        })
    }
}

impl FromJson for Withdrawals {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        Vec::from_json(value).map(Self::new)
    }
}

impl FromJson for AccessListItem {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self { address: f.req("address")?, storage_keys: f.req("storageKeys")? })
    }
}

impl FromJson for AccessList {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        Vec::from_json(value).map(Self)
    }
}

/// `eth_getProof`'s answer (EIP-1186).
impl FromJson for EIP1186AccountProofResponse {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self {
            address: f.req("address")?,
            balance: f.req("balance")?,
            code_hash: f.req("codeHash")?,
            nonce: f.req("nonce")?,
            storage_hash: f.req("storageHash")?,
            account_proof: f.req("accountProof")?,
            storage_proof: f.req("storageProof")?,
        })
    }
}

impl FromJson for EIP1186StorageProof {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self { key: f.req("key")?, value: f.req("value")?, proof: f.req("proof")? })
    }
}

/// The consensus fields of a served receipt (`eth_getBlockReceipts`), decoded without the
/// flattened layers of alloy's RPC and envelope types (smaller in the browser build).
pub(super) struct ServedReceipt {
    /// EIP-2718 type; absent on pre-Berlin receipts of some servers.
    ty: U8,
    /// EIP-658 status; pre-Byzantium receipts carry `root` instead.
    status: Option<U8>,
    root: Option<B256>,
    cumulative_gas_used: U64,
    logs: Vec<ServedLog>,
    logs_bloom: Bloom,
}

/// The consensus fields of a served log.
struct ServedLog {
    address: Address,
    topics: Vec<B256>,
    data: Bytes,
}

impl ServedReceipt {
    /// The consensus receipt, or what is wrong with the served one.
    pub(super) fn into_envelope(self) -> core::result::Result<ReceiptEnvelope, &'static str> {
        let status = match (self.status, self.root) {
            (Some(status), _) if status <= U8::from(1) => {
                Eip658Value::Eip658(status == U8::from(1))
            }
            (Some(_), _) => return Err("receipt status other than 0x0 or 0x1"),
            (None, Some(root)) => Eip658Value::PostState(root),
            (None, None) => return Err("receipt without status or root"),
        };
        let logs = self
            .logs
            .into_iter()
            .map(|l| Log::new(l.address, l.topics, l.data))
            .collect::<Option<Vec<Log>>>()
            .ok_or("log with more than four topics")?;
        let receipt = ReceiptWithBloom {
            receipt: Receipt { status, cumulative_gas_used: self.cumulative_gas_used.to(), logs },
            logs_bloom: self.logs_bloom,
        };
        Ok(match self.ty.to::<u8>() {
            0 => ReceiptEnvelope::Legacy(receipt),
            1 => ReceiptEnvelope::Eip2930(receipt),
            2 => ReceiptEnvelope::Eip1559(receipt),
            3 => ReceiptEnvelope::Eip4844(receipt),
            4 => ReceiptEnvelope::Eip7702(receipt),
            _ => return Err("unknown receipt type"),
        })
    }
}

/// The signed fields of a served transaction (a block's `transactions` with full objects),
/// decoded without alloy's tagged and flattened transaction types (smaller in the browser
/// build). Whatever is decoded here is re-encoded, and the block's transactions root decides.
pub(super) struct ServedTx {
    /// EIP-2718 type; absent on legacy transactions of some servers.
    ty: U8,
    chain_id: Option<U64>,
    nonce: U64,
    gas: U64,
    gas_price: Option<U128>,
    max_fee_per_gas: Option<U128>,
    max_priority_fee_per_gas: Option<U128>,
    max_fee_per_blob_gas: Option<U128>,
    to: Option<Address>,
    value: U256,
    input: Bytes,
    access_list: Option<AccessList>,
    blob_versioned_hashes: Option<Vec<B256>>,
    authorization_list: Option<Vec<ServedAuthorization>>,
    v: Option<U256>,
    y_parity: Option<U8>,
    r: U256,
    s: U256,
}

/// One signed EIP-7702 authorization as served.
struct ServedAuthorization {
    chain_id: U256,
    address: Address,
    nonce: U64,
    y_parity: U8,
    r: U256,
    s: U256,
}

impl ServedTx {
    /// The signed consensus transaction, or what is missing or malformed.
    pub(super) fn into_envelope(self) -> core::result::Result<TxEnvelope, &'static str> {
        let parity = |v: U256| -> core::result::Result<bool, &'static str> {
            match u8::try_from(v) {
                Ok(0 | 27) => Ok(false),
                Ok(1 | 28) => Ok(true),
                _ => Err("transaction signature parity other than 0 or 1"),
            }
        };
        let ty = self.ty.to::<u8>();
        let (y_parity, legacy_chain_id) = match (ty, self.y_parity, self.v) {
            (_, Some(y), _) if ty != 0 => (parity(U256::from(y))?, None),
            (0, _, Some(v)) if v >= U256::from(35) => {
                // EIP-155: v = 35 + 2·chain_id + parity.
                let v = u64::try_from(v).map_err(|_| "legacy transaction v out of range")?;
                (v.saturating_sub(35) % 2 == 1, Some(v.saturating_sub(35) / 2))
            }
            (_, _, Some(v)) => (parity(v)?, None),
            _ => return Err("transaction without a signature parity"),
        };
        let signature = alloy_primitives::Signature::new(self.r, self.s, y_parity);
        let chain_id = self.chain_id.map(|c| c.to::<u64>());
        let typed_chain_id = chain_id.ok_or("typed transaction without chainId");
        let nonce = self.nonce.to::<u64>();
        let gas_limit = self.gas.to::<u64>();
        let fee = |f: Option<U128>, name: &'static str| f.map(|f| f.to::<u128>()).ok_or(name);
        let dynamic_fees = match (self.max_fee_per_gas, self.max_priority_fee_per_gas) {
            (Some(max), Some(tip)) => Ok((max.to::<u128>(), tip.to::<u128>())),
            (None, _) => Err("missing maxFeePerGas"),
            (_, None) => Err("missing maxPriorityFeePerGas"),
        };
        let to_address = self.to.ok_or("transaction type requires a recipient");
        let access_list = self.access_list.unwrap_or_default();
        let (value, input) = (self.value, self.input);
        let kind = self.to.map_or(TxKind::Create, TxKind::Call);
        Ok(match ty {
            0 => TxEnvelope::Legacy(
                TxLegacy {
                    chain_id: legacy_chain_id,
                    nonce,
                    gas_price: fee(self.gas_price, "legacy transaction without gasPrice")?,
                    gas_limit,
                    to: kind,
                    value,
                    input,
                }
                .into_signed(signature),
            ),
            1 => TxEnvelope::Eip2930(
                TxEip2930 {
                    chain_id: typed_chain_id?,
                    nonce,
                    gas_price: fee(self.gas_price, "access-list transaction without gasPrice")?,
                    gas_limit,
                    to: kind,
                    value,
                    access_list,
                    input,
                }
                .into_signed(signature),
            ),
            2 => TxEnvelope::Eip1559(
                TxEip1559 {
                    chain_id: typed_chain_id?,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: dynamic_fees?.0,
                    max_priority_fee_per_gas: dynamic_fees?.1,
                    to: kind,
                    value,
                    access_list,
                    input,
                }
                .into_signed(signature),
            ),
            3 => TxEnvelope::Eip4844(
                TxEip4844Variant::TxEip4844(TxEip4844 {
                    chain_id: typed_chain_id?,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: dynamic_fees?.0,
                    max_priority_fee_per_gas: dynamic_fees?.1,
                    to: to_address?,
                    value,
                    access_list,
                    blob_versioned_hashes: self
                        .blob_versioned_hashes
                        .ok_or("blob transaction without blobVersionedHashes")?,
                    max_fee_per_blob_gas: fee(
                        self.max_fee_per_blob_gas,
                        "missing maxFeePerBlobGas",
                    )?,
                    input,
                })
                .into_signed(signature),
            ),
            4 => TxEnvelope::Eip7702(
                TxEip7702 {
                    chain_id: typed_chain_id?,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: dynamic_fees?.0,
                    max_priority_fee_per_gas: dynamic_fees?.1,
                    to: to_address?,
                    value,
                    access_list,
                    authorization_list: self
                        .authorization_list
                        .ok_or("set-code transaction without authorizationList")?
                        .into_iter()
                        .map(|a| {
                            SignedAuthorization::new_unchecked(
                                Authorization {
                                    chain_id: a.chain_id,
                                    address: a.address,
                                    nonce: a.nonce.to(),
                                },
                                a.y_parity.to(),
                                a.r,
                                a.s,
                            )
                        })
                        .collect(),
                    input,
                }
                .into_signed(signature),
            ),
            _ => return Err("unknown transaction type"),
        })
    }
}

/// Where a served transaction says it is (the fields of `eth_getTransactionByHash` used to
/// locate it; `null` while pending).
pub(super) struct Placement {
    pub(super) block_hash: Option<B256>,
    pub(super) block_number: Option<U64>,
    pub(super) transaction_index: Option<U64>,
}

impl FromJson for ServedReceipt {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self {
            ty: f.opt("type")?.unwrap_or_default(),
            status: f.opt("status")?,
            root: f.opt("root")?,
            cumulative_gas_used: f.req("cumulativeGasUsed")?,
            logs: f.req("logs")?,
            logs_bloom: f.req("logsBloom")?,
        })
    }
}

impl FromJson for ServedLog {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self { address: f.req("address")?, topics: f.req("topics")?, data: f.req("data")? })
    }
}

impl FromJson for ServedTx {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self {
            ty: f.opt("type")?.unwrap_or_default(),
            chain_id: f.opt("chainId")?,
            nonce: f.req("nonce")?,
            gas: f.req("gas")?,
            gas_price: f.opt("gasPrice")?,
            max_fee_per_gas: f.opt("maxFeePerGas")?,
            max_priority_fee_per_gas: f.opt("maxPriorityFeePerGas")?,
            max_fee_per_blob_gas: f.opt("maxFeePerBlobGas")?,
            to: f.opt("to")?,
            value: f.req("value")?,
            input: f.req("input")?,
            access_list: f.opt("accessList")?,
            blob_versioned_hashes: f.opt("blobVersionedHashes")?,
            authorization_list: f.opt("authorizationList")?,
            v: f.opt("v")?,
            y_parity: f.opt("yParity")?,
            r: f.req("r")?,
            s: f.req("s")?,
        })
    }
}

impl FromJson for ServedAuthorization {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self {
            chain_id: f.req("chainId")?,
            address: f.req("address")?,
            nonce: f.req("nonce")?,
            y_parity: f.req_of(&["yParity", "v"])?,
            r: f.req("r")?,
            s: f.req("s")?,
        })
    }
}

impl FromJson for Placement {
    fn from_json(value: &Value) -> Result<Self, Bad> {
        let f = Fields::of(value)?;
        Ok(Self {
            block_hash: f.opt("blockHash")?,
            block_number: f.opt("blockNumber")?,
            transaction_index: f.opt("transactionIndex")?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    /// Reads `value` both ways: by [`FromJson`] and by the alloy type's own serde decoding.
    fn both<T>(value: &Value) -> (Result<T, Bad>, Result<T, String>)
    where
        T: FromJson + serde::de::DeserializeOwned,
    {
        (T::from_json(value), serde_json::from_value(value.clone()).map_err(|e| e.to_string()))
    }

    #[test]
    fn headers_read_as_alloy_reads_them() {
        let mut header = Header {
            number: 0x1234,
            gas_limit: 30_000_000,
            gas_used: 21_000,
            timestamp: 1_700_000_000,
            difficulty: U256::from(7),
            extra_data: Bytes::from_static(b"mana"),
            base_fee_per_gas: Some(7),
            withdrawals_root: Some(B256::repeat_byte(1)),
            blob_gas_used: Some(0x20000),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::repeat_byte(2)),
            requests_hash: Some(B256::repeat_byte(3)),
            ..Header::default()
        };
        header.logs_bloom.0[7] = 0x80;
        let mut served = serde_json::to_value(&header).unwrap();
        served["hash"] = json!(header.hash_slow());
        served["transactions"] = json!([]);
        let (ours, alloys) = both::<Header>(&served);
        assert_eq!(ours.unwrap(), header);
        assert_eq!(alloys.unwrap(), header);
        // A pre-London header has none of the optional fields.
        let old = Header { number: 1, ..Header::default() };
        assert_eq!(Header::from_json(&serde_json::to_value(&old).unwrap()).unwrap(), old);
        for (field, value) in [
            ("stateRoot", Value::Null),
            ("number", json!("0xzz")),
            ("nonce", json!("0x01")),
            ("logsBloom", json!("0x00")),
            ("number", json!(format!("0x1{}", "0".repeat(16)))),
        ] {
            let mut bad = serde_json::to_value(&header).unwrap();
            bad[field] = value;
            let (ours, alloys) = both::<Header>(&bad);
            let error = ours.unwrap_err();
            assert!(error.contains(field), "{field}: {error}");
            assert!(alloys.is_err(), "{field}");
        }
    }

    #[test]
    fn proofs_and_withdrawals_read_as_alloy_reads_them() {
        let proof = json!({
            "address": "0x00000000000000000000000000000000000000aa",
            "balance": "0x10",
            "codeHash": format!("0x{}", "11".repeat(32)),
            "nonce": "0x2",
            "storageHash": format!("0x{}", "22".repeat(32)),
            "accountProof": ["0x01", "0x0203"],
            "storageProof": [
                { "key": format!("0x{}", "33".repeat(32)), "value": "0x5", "proof": ["0x04"] },
                { "key": "0x1", "value": "0x0", "proof": [] }
            ]
        });
        let (ours, alloys) = both::<EIP1186AccountProofResponse>(&proof);
        assert_eq!(ours.unwrap(), alloys.unwrap());
        let mut bad = proof.clone();
        bad["storageProof"][0]["value"] = json!("0x1".to_string() + &"0".repeat(64));
        let (ours, alloys) = both::<EIP1186AccountProofResponse>(&bad);
        assert!(ours.unwrap_err().contains("storageProof"));
        assert!(alloys.is_err());

        let withdrawals = json!([{
            "index": "0x10", "validatorIndex": "0x20",
            "address": "0x00000000000000000000000000000000000000bb", "amount": "0x30"
        }]);
        let (ours, alloys) = both::<Withdrawals>(&withdrawals);
        assert_eq!(ours.unwrap(), alloys.unwrap());
        let (ours, alloys) = both::<Withdrawals>(&json!([{ "index": "0x1" }]));
        assert!(ours.unwrap_err().contains("validatorIndex"));
        assert!(alloys.is_err());
    }

    #[test]
    fn block_ids_read_as_alloy_reads_them() {
        let hash = json!(B256::repeat_byte(7));
        let accepted = [
            json!("latest"),
            json!("FINALIZED"),
            json!("Safe"),
            json!("earliest"),
            json!("pending"),
            json!("0x0"),
            json!("0X1B4"),
            json!("0xffffffffffffffff"),
            hash.clone(),
            json!({ "blockNumber": "0x10" }),
            json!({ "blockNumber": "latest" }),
            json!({ "blockHash": hash }),
            json!({ "blockHash": hash, "requireCanonical": true }),
            json!({ "requireCanonical": false, "blockHash": hash }),
        ];
        for value in accepted {
            let (ours, alloys) = both::<BlockId>(&value);
            assert_eq!(ours.unwrap(), alloys.unwrap(), "{value}");
            if value.is_string() && value.as_str().unwrap().len() != 66 {
                let (ours, alloys) = both::<BlockNumberOrTag>(&value);
                assert_eq!(ours.unwrap(), alloys.unwrap(), "{value}");
            }
        }
        let refused = [
            json!("10"),
            json!("0x"),
            json!("0x10000000000000000"),
            json!("newest"),
            json!(16),
            json!({}),
            json!({ "blockNumber": "0x1", "blockHash": hash }),
            json!({ "blockNumber": "0x1", "requireCanonical": true }),
            json!({ "blockNumber": "0x1", "extra": 1 }),
            json!(format!("0x{}", "zz".repeat(32))),
        ];
        for value in refused {
            let (ours, alloys) = both::<BlockId>(&value);
            assert!(ours.is_err(), "{value}: {ours:?}");
            assert!(alloys.is_err(), "{value}");
        }
    }

    #[test]
    fn log_filters_read_as_alloy_reads_them() {
        let topic = |b: u8| json!(B256::repeat_byte(b));
        let address = json!(Address::repeat_byte(0xaa));
        let accepted = [
            json!({}),
            json!({ "fromBlock": "0x10", "toBlock": "latest" }),
            json!({ "fromBlock": "EARLIEST", "toBlock": "finalized", "address": address }),
            json!({ "blockHash": topic(1), "address": [address, Address::repeat_byte(0xbb)] }),
            json!({ "blockHash": topic(1), "fromBlock": null }),
            json!({ "topics": [topic(1), null, [topic(2), topic(3)], [topic(4), null]] }),
            json!({ "topics": [], "address": null }),
            json!({ "address": [address, null] }),
        ];
        for value in accepted {
            let (ours, alloys) = both::<Filter>(&value);
            assert_eq!(ours.unwrap(), alloys.unwrap(), "{value}");
        }
        let refused = [
            (json!({ "blockHash": topic(1), "toBlock": "latest" }), "blockHash"),
            (json!({ "topics": [null, null, null, null, null] }), "5 topic positions"),
            (json!({ "fromBlock": "soon" }), "fromBlock"),
            (json!({ "address": "0x12" }), "address"),
            (json!({ "topics": ["0x12"] }), "topics"),
            (json!({ "topic": [] }), "unknown field `topic`"),
            (json!([]), "expected an object"),
        ];
        for (value, expected) in refused {
            let (ours, alloys) = both::<Filter>(&value);
            let error = ours.unwrap_err();
            assert!(error.contains(expected), "{value}: {error}");
            assert!(alloys.is_err(), "{value}");
        }
    }
}
