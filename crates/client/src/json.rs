//! JSON bodies of the Beacon API (`{version, data}` wrappers, numbers as decimal strings, bytes
//! as `0x` hex) turned into the core's types. Everything is checked: lengths, ranges, bitvector
//! padding.

use libssz::SszDecode;
use libssz_types::{SszBitvector, SszList, SszVector};
use mana_consensus::LightClientHeader;
use mana_consensus::types::common::{
    BeaconBlockHeader, ExecutionPayloadHeader, SyncAggregate, SyncCommittee,
};
use mana_consensus::{
    LightClientBootstrap, LightClientFinalityUpdate, LightClientOptimisticUpdate, LightClientUpdate,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{B256, Error, Result};

/// A JSON string holding `0x`-prefixed hex.
#[derive(Deserialize)]
#[serde(transparent)]
struct Hex(String);

/// A JSON unsigned integer, as a decimal string (the Beacon API form) or a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Uint {
    Text(String),
    Number(u64),
}

type Bad = String;

impl Hex {
    fn bytes(&self) -> Result<Vec<u8>, Bad> {
        let digits = self.0.strip_prefix("0x").ok_or_else(|| format!("{:?} lacks 0x", self.0))?;
        hex::decode(digits).map_err(|e| format!("bad hex {:?}: {e}", self.0))
    }
    fn array<const N: usize>(&self) -> Result<[u8; N], Bad> {
        let bytes = self.bytes()?;
        <[u8; N]>::try_from(bytes.as_slice())
            .map_err(|_| format!("expected {N} bytes, got {}", bytes.len()))
    }
}

impl Uint {
    fn get(&self) -> Result<u64, Bad> {
        match self {
            Self::Number(n) => Ok(*n),
            Self::Text(t) => t.parse().map_err(|_| format!("bad unsigned integer {t:?}")),
        }
    }
}

/// A decimal string as a little-endian 256-bit integer (`base_fee_per_gas`).
fn u256_le(text: &str) -> Result<[u8; 32], Bad> {
    if text.is_empty() || text.len() > 78 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad uint256 {text:?}"));
    }
    let mut out = [0u8; 32];
    for digit in text.bytes() {
        let mut carry = u32::from(digit.wrapping_sub(b'0'));
        for byte in &mut out {
            let v = u32::from(*byte).wrapping_mul(10).wrapping_add(carry);
            *byte = (v & 0xff) as u8;
            carry = v >> 8;
        }
        if carry != 0 {
            return Err(format!("uint256 {text:?} overflows"));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Versioned<T> {
    version: String,
    data: T,
}

#[derive(Deserialize)]
struct JBeacon {
    slot: Uint,
    proposer_index: Uint,
    parent_root: Hex,
    state_root: Hex,
    body_root: Hex,
}

#[derive(Deserialize)]
struct JExecution {
    parent_hash: Hex,
    fee_recipient: Hex,
    state_root: Hex,
    receipts_root: Hex,
    logs_bloom: Hex,
    prev_randao: Hex,
    block_number: Uint,
    gas_limit: Uint,
    gas_used: Uint,
    timestamp: Uint,
    extra_data: Hex,
    base_fee_per_gas: String,
    block_hash: Hex,
    transactions_root: Hex,
    withdrawals_root: Hex,
    #[serde(default)]
    blob_gas_used: Option<Uint>,
    #[serde(default)]
    excess_blob_gas: Option<Uint>,
}

#[derive(Deserialize)]
struct JHeader {
    beacon: JBeacon,
    #[serde(default)]
    execution: Option<JExecution>,
    #[serde(default)]
    execution_branch: Option<Vec<Hex>>,
}

#[derive(Deserialize)]
struct JCommittee {
    pubkeys: Vec<Hex>,
    aggregate_pubkey: Hex,
}

#[derive(Deserialize)]
struct JAggregate {
    sync_committee_bits: Hex,
    sync_committee_signature: Hex,
}

#[derive(Deserialize)]
struct JBootstrap {
    header: JHeader,
    current_sync_committee: JCommittee,
    current_sync_committee_branch: Vec<Hex>,
}

#[derive(Deserialize)]
struct JUpdate {
    attested_header: JHeader,
    #[serde(default)]
    next_sync_committee: Option<JCommittee>,
    #[serde(default)]
    next_sync_committee_branch: Option<Vec<Hex>>,
    #[serde(default)]
    finalized_header: Option<JHeader>,
    #[serde(default)]
    finality_branch: Option<Vec<Hex>>,
    sync_aggregate: JAggregate,
    signature_slot: Uint,
}

fn branch(nodes: &[Hex]) -> Result<Vec<B256>, Bad> {
    nodes.iter().map(Hex::array::<32>).collect()
}

fn header(h: &JHeader) -> Result<LightClientHeader, Bad> {
    let beacon = BeaconBlockHeader {
        slot: h.beacon.slot.get()?,
        proposer_index: h.beacon.proposer_index.get()?,
        parent_root: h.beacon.parent_root.array()?,
        state_root: h.beacon.state_root.array()?,
        body_root: h.beacon.body_root.array()?,
    };
    let mut out = LightClientHeader { beacon, ..LightClientHeader::default() };
    if let Some(e) = &h.execution {
        out.execution = ExecutionPayloadHeader {
            parent_hash: e.parent_hash.array()?,
            fee_recipient: e.fee_recipient.array()?,
            state_root: e.state_root.array()?,
            receipts_root: e.receipts_root.array()?,
            logs_bloom: e.logs_bloom.array()?,
            prev_randao: e.prev_randao.array()?,
            block_number: e.block_number.get()?,
            gas_limit: e.gas_limit.get()?,
            gas_used: e.gas_used.get()?,
            timestamp: e.timestamp.get()?,
            extra_data: SszList::try_from(e.extra_data.bytes()?)
                .map_err(|_| "extra_data longer than 32 bytes".to_string())?,
            base_fee_per_gas: u256_le(&e.base_fee_per_gas)?,
            block_hash: e.block_hash.array()?,
            transactions_root: e.transactions_root.array()?,
            withdrawals_root: e.withdrawals_root.array()?,
            blob_gas_used: e.blob_gas_used.as_ref().map_or(Ok(0), Uint::get)?,
            excess_blob_gas: e.excess_blob_gas.as_ref().map_or(Ok(0), Uint::get)?,
        };
    }
    if let Some(nodes) = &h.execution_branch {
        let nodes = branch(nodes)?;
        out.execution_branch = <[B256; 4]>::try_from(nodes.as_slice())
            .map_err(|_| format!("execution branch of {} nodes, expected 4", nodes.len()))?;
    }
    Ok(out)
}

fn committee<const S: usize>(c: &JCommittee) -> Result<SyncCommittee<S>, Bad> {
    let keys = c.pubkeys.iter().map(Hex::array::<48>).collect::<Result<Vec<_>, _>>()?;
    let count = keys.len();
    Ok(SyncCommittee {
        pubkeys: SszVector::try_from(keys)
            .map_err(|_| format!("committee of {count} keys, expected {S}"))?,
        aggregate_pubkey: c.aggregate_pubkey.array()?,
    })
}

fn aggregate<const S: usize>(a: &JAggregate) -> Result<SyncAggregate<S>, Bad> {
    let bits = a.sync_committee_bits.bytes()?;
    Ok(SyncAggregate {
        sync_committee_bits: SszBitvector::<S>::from_ssz_bytes(&bits)
            .map_err(|e| format!("bad sync_committee_bits: {e:?}"))?,
        sync_committee_signature: a.sync_committee_signature.array()?,
    })
}

fn update<const S: usize>(u: &JUpdate) -> Result<LightClientUpdate<S>, Bad> {
    let next_sync_committee_branch =
        u.next_sync_committee_branch.as_deref().map_or(Ok(Vec::new()), branch)?;
    let has_next = next_sync_committee_branch.iter().any(|n| *n != [0; 32]);
    let next_sync_committee = match &u.next_sync_committee {
        Some(c) => {
            let c = committee::<S>(c)?;
            let zero = c.aggregate_pubkey == [0; 48] && c.pubkeys.iter().all(|k| *k == [0; 48]);
            if zero && !has_next { None } else { Some(c) }
        }
        None => None,
    };
    Ok(LightClientUpdate {
        attested_header: header(&u.attested_header)?,
        next_sync_committee,
        next_sync_committee_branch,
        finalized_header: u
            .finalized_header
            .as_ref()
            .map_or(Ok(LightClientHeader::default()), header)?,
        finality_branch: u.finality_branch.as_deref().map_or(Ok(Vec::new()), branch)?,
        sync_aggregate: aggregate(&u.sync_aggregate)?,
        signature_slot: u.signature_slot.get()?,
    })
}

fn parse<T: DeserializeOwned>(url: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::BadResponse { url: url.to_string(), reason: format!("JSON: {e}") })
}

fn bad(url: &str) -> impl Fn(Bad) -> Error + '_ {
    move |reason| Error::BadResponse { url: url.to_string(), reason }
}

pub(crate) fn bootstrap<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<(LightClientBootstrap<S>, String)> {
    let v: Versioned<JBootstrap> = parse(url, bytes)?;
    let b = &v.data;
    let out = LightClientBootstrap {
        header: header(&b.header).map_err(bad(url))?,
        current_sync_committee: committee(&b.current_sync_committee).map_err(bad(url))?,
        current_sync_committee_branch: branch(&b.current_sync_committee_branch)
            .map_err(bad(url))?,
    };
    Ok((out, v.version))
}

pub(crate) fn updates<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<Vec<(LightClientUpdate<S>, String)>> {
    let list: Vec<Versioned<JUpdate>> = parse(url, bytes)?;
    list.into_iter().map(|v| Ok((update(&v.data).map_err(bad(url))?, v.version))).collect()
}

pub(crate) fn finality_update<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<(LightClientFinalityUpdate<S>, String)> {
    let v: Versioned<JUpdate> = parse(url, bytes)?;
    let u = update::<S>(&v.data).map_err(bad(url))?;
    let out = LightClientFinalityUpdate {
        attested_header: u.attested_header,
        finalized_header: u.finalized_header,
        finality_branch: u.finality_branch,
        sync_aggregate: u.sync_aggregate,
        signature_slot: u.signature_slot,
    };
    Ok((out, v.version))
}

pub(crate) fn optimistic_update<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<(LightClientOptimisticUpdate<S>, String)> {
    let v: Versioned<JUpdate> = parse(url, bytes)?;
    let u = update::<S>(&v.data).map_err(bad(url))?;
    let out = LightClientOptimisticUpdate {
        attested_header: u.attested_header,
        sync_aggregate: u.sync_aggregate,
        signature_slot: u.signature_slot,
    };
    Ok((out, v.version))
}

#[derive(Deserialize)]
struct JCheckpoint {
    epoch: Uint,
    root: Hex,
}

#[derive(Deserialize)]
struct JFinality {
    finalized: JCheckpoint,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

pub(crate) fn finalized_checkpoint(url: &str, bytes: &[u8]) -> Result<(u64, B256)> {
    let v: Data<JFinality> = parse(url, bytes)?;
    let epoch = v.data.finalized.epoch.get().map_err(bad(url))?;
    let root = v.data.finalized.root.array().map_err(bad(url))?;
    Ok((epoch, root))
}

#[derive(Deserialize)]
struct JGenesis {
    genesis_time: Uint,
    genesis_validators_root: Hex,
}

pub(crate) fn genesis(url: &str, bytes: &[u8]) -> Result<(u64, B256)> {
    let v: Data<JGenesis> = parse(url, bytes)?;
    Ok((
        v.data.genesis_time.get().map_err(bad(url))?,
        v.data.genesis_validators_root.array().map_err(bad(url))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uint256_decimal_round_trips() {
        assert_eq!(u256_le("0").unwrap(), [0; 32]);
        let mut seven = [0; 32];
        seven[0] = 7;
        assert_eq!(u256_le("7").unwrap(), seven);
        let mut v = [0; 32];
        v[0] = 0x00;
        v[1] = 0x01; // 256
        assert_eq!(u256_le("256").unwrap(), v);
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        assert_eq!(u256_le(max).unwrap(), [0xff; 32]);
        assert!(
            u256_le(
                "115792089237316195423570985008687907853269984665640564039457584007913129639936"
            )
            .is_err()
        );
        assert!(u256_le("").is_err());
        assert!(u256_le("12a").is_err());
        assert!(u256_le("-1").is_err());
    }

    #[test]
    fn hex_lengths_are_checked() {
        assert!(Hex("0x0102".into()).array::<2>().is_ok());
        assert!(Hex("0x0102".into()).array::<3>().is_err());
        assert!(Hex("0102".into()).array::<2>().is_err());
        assert!(Hex("0x010".into()).bytes().is_err());
    }
}
