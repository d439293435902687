//! JSON bodies of the Beacon API (`{version, data}` wrappers, numbers as decimal strings, bytes
//! as `0x` hex) turned into the core's types. Everything is checked: lengths, ranges, bitvector
//! padding.
//!
//! Bodies are parsed into a [`Value`] and read field by field: the same JSON parser serves the
//! execution JSON-RPC, so the light-client containers add no parser code of their own to the
//! wasm download.

use libssz::SszDecode;
use libssz_types::{SszBitvector, SszList, SszVector};
use mana_consensus::LightClientHeader;
use mana_consensus::types::common::{
    BeaconBlockHeader, ExecutionPayloadHeader, SyncAggregate, SyncCommittee,
};
use mana_consensus::{
    LightClientBootstrap, LightClientFinalityUpdate, LightClientOptimisticUpdate, LightClientUpdate,
};
use serde_json::{Map, Value};

use crate::{B256, Error, Result};

type Bad = String;

/// A JSON object of a Beacon API body, read field by field.
#[derive(Clone, Copy)]
struct Obj<'a>(&'a Map<String, Value>);

impl<'a> Obj<'a> {
    fn of(value: &'a Value, what: &str) -> Result<Self, Bad> {
        value.as_object().map(Obj).ok_or_else(|| format!("{what} is not an object"))
    }

    /// A field that may be absent (or `null`).
    fn opt(self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    fn get(self, name: &str) -> Result<&'a Value, Bad> {
        self.opt(name).ok_or_else(|| format!("missing field `{name}`"))
    }

    fn obj(self, name: &str) -> Result<Obj<'a>, Bad> {
        Obj::of(self.get(name)?, name)
    }

    fn opt_obj(self, name: &str) -> Result<Option<Obj<'a>>, Bad> {
        self.opt(name).map(|v| Obj::of(v, name)).transpose()
    }

    fn str(self, name: &str) -> Result<&'a str, Bad> {
        self.get(name)?.as_str().ok_or_else(|| format!("`{name}` is not a string"))
    }

    /// `0x`-prefixed hex bytes.
    fn bytes(self, name: &str) -> Result<Vec<u8>, Bad> {
        hex_bytes(self.str(name)?)
    }

    fn array<const N: usize>(self, name: &str) -> Result<[u8; N], Bad> {
        hex_array(self.str(name)?)
    }

    /// An unsigned integer, as a decimal string (the Beacon API form) or a number.
    fn uint(self, name: &str) -> Result<u64, Bad> {
        uint(self.get(name)?).map_err(|e| format!("`{name}`: {e}"))
    }

    fn opt_uint(self, name: &str) -> Result<u64, Bad> {
        self.opt(name).map_or(Ok(0), |v| uint(v).map_err(|e| format!("`{name}`: {e}")))
    }

    /// A list of 32-byte roots; empty when absent.
    fn branch(self, name: &str) -> Result<Vec<B256>, Bad> {
        let Some(list) = self.opt(name) else { return Ok(Vec::new()) };
        let list = list.as_array().ok_or_else(|| format!("`{name}` is not a list"))?;
        list.iter()
            .map(|node| hex_array(node.as_str().ok_or_else(|| format!("`{name}`: not a string"))?))
            .collect()
    }
}

fn hex_bytes(text: &str) -> Result<Vec<u8>, Bad> {
    let digits = text.strip_prefix("0x").ok_or_else(|| format!("{text:?} lacks 0x"))?;
    hex::decode(digits).map_err(|e| format!("bad hex {text:?}: {e}"))
}

fn hex_array<const N: usize>(text: &str) -> Result<[u8; N], Bad> {
    let bytes = hex_bytes(text)?;
    <[u8; N]>::try_from(bytes.as_slice())
        .map_err(|_| format!("expected {N} bytes, got {}", bytes.len()))
}

fn uint(value: &Value) -> Result<u64, Bad> {
    match value {
        Value::String(t) => t.parse().map_err(|_| format!("bad unsigned integer {t:?}")),
        other => other.as_u64().ok_or_else(|| format!("bad unsigned integer {other}")),
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

/// `LightClientHeader` (Altair's bare `beacon`; Capella on with `execution` and its branch).
fn header(h: Obj<'_>) -> Result<LightClientHeader, Bad> {
    let b = h.obj("beacon")?;
    let beacon = BeaconBlockHeader {
        slot: b.uint("slot")?,
        proposer_index: b.uint("proposer_index")?,
        parent_root: b.array("parent_root")?,
        state_root: b.array("state_root")?,
        body_root: b.array("body_root")?,
    };
    let mut out = LightClientHeader { beacon, ..LightClientHeader::default() };
    if let Some(e) = h.opt_obj("execution")? {
        out.execution = ExecutionPayloadHeader {
            parent_hash: e.array("parent_hash")?,
            fee_recipient: e.array("fee_recipient")?,
            state_root: e.array("state_root")?,
            receipts_root: e.array("receipts_root")?,
            logs_bloom: e.array("logs_bloom")?,
            prev_randao: e.array("prev_randao")?,
            block_number: e.uint("block_number")?,
            gas_limit: e.uint("gas_limit")?,
            gas_used: e.uint("gas_used")?,
            timestamp: e.uint("timestamp")?,
            extra_data: SszList::try_from(e.bytes("extra_data")?)
                .map_err(|_| "extra_data longer than 32 bytes".to_string())?,
            base_fee_per_gas: u256_le(e.str("base_fee_per_gas")?)?,
            block_hash: e.array("block_hash")?,
            transactions_root: e.array("transactions_root")?,
            withdrawals_root: e.array("withdrawals_root")?,
            blob_gas_used: e.opt_uint("blob_gas_used")?,
            excess_blob_gas: e.opt_uint("excess_blob_gas")?,
        };
    }
    if h.opt("execution_branch").is_some() {
        let nodes = h.branch("execution_branch")?;
        out.execution_branch = <[B256; 4]>::try_from(nodes.as_slice())
            .map_err(|_| format!("execution branch of {} nodes, expected 4", nodes.len()))?;
    }
    Ok(out)
}

fn committee<const S: usize>(c: Obj<'_>) -> Result<SyncCommittee<S>, Bad> {
    let keys = c
        .get("pubkeys")?
        .as_array()
        .ok_or("`pubkeys` is not a list")?
        .iter()
        .map(|k| hex_array::<48>(k.as_str().ok_or("`pubkeys`: not a string")?))
        .collect::<Result<Vec<_>, _>>()?;
    let count = keys.len();
    Ok(SyncCommittee {
        pubkeys: SszVector::try_from(keys)
            .map_err(|_| format!("committee of {count} keys, expected {S}"))?,
        aggregate_pubkey: c.array("aggregate_pubkey")?,
    })
}

fn aggregate<const S: usize>(a: Obj<'_>) -> Result<SyncAggregate<S>, Bad> {
    let bits = a.bytes("sync_committee_bits")?;
    Ok(SyncAggregate {
        sync_committee_bits: SszBitvector::<S>::from_ssz_bytes(&bits)
            .map_err(|e| format!("bad sync_committee_bits: {e:?}"))?,
        sync_committee_signature: a.array("sync_committee_signature")?,
    })
}

/// `LightClientUpdate`; the finality and optimistic updates are its field subsets.
fn update<const S: usize>(u: Obj<'_>) -> Result<LightClientUpdate<S>, Bad> {
    let next_sync_committee_branch = u.branch("next_sync_committee_branch")?;
    let has_next = next_sync_committee_branch.iter().any(|n| *n != [0; 32]);
    let next_sync_committee = match u.opt_obj("next_sync_committee")? {
        Some(c) => {
            let c = committee::<S>(c)?;
            let zero = c.aggregate_pubkey == [0; 48] && c.pubkeys.iter().all(|k| *k == [0; 48]);
            if zero && !has_next { None } else { Some(c) }
        }
        None => None,
    };
    Ok(LightClientUpdate {
        attested_header: header(u.obj("attested_header")?)?,
        next_sync_committee,
        next_sync_committee_branch,
        finalized_header: u
            .opt_obj("finalized_header")?
            .map_or(Ok(LightClientHeader::default()), header)?,
        finality_branch: u.branch("finality_branch")?,
        sync_aggregate: aggregate(u.obj("sync_aggregate")?)?,
        signature_slot: u.uint("signature_slot")?,
    })
}

fn parse(url: &str, bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::BadResponse { url: url.to_string(), reason: format!("JSON: {e}") })
}

fn bad(url: &str) -> impl Fn(Bad) -> Error + '_ {
    move |reason| Error::BadResponse { url: url.to_string(), reason }
}

/// A `{version, data}` object: its version label and its `data` object.
fn versioned(v: &Value) -> Result<(String, Obj<'_>), Bad> {
    let v = Obj::of(v, "the body")?;
    Ok((v.str("version")?.to_string(), v.obj("data")?))
}

pub(crate) fn bootstrap<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<(LightClientBootstrap<S>, String)> {
    let body = parse(url, bytes)?;
    let decode = || {
        let (version, b) = versioned(&body)?;
        let out = LightClientBootstrap {
            header: header(b.obj("header")?)?,
            current_sync_committee: committee(b.obj("current_sync_committee")?)?,
            current_sync_committee_branch: b
                .get("current_sync_committee_branch")
                .and_then(|_| b.branch("current_sync_committee_branch"))?,
        };
        Ok((out, version))
    };
    decode().map_err(bad(url))
}

pub(crate) fn updates<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<Vec<(LightClientUpdate<S>, String)>> {
    let body = parse(url, bytes)?;
    let list = body.as_array().ok_or_else(|| bad(url)("the body is not a list".into()))?;
    list.iter().map(versioned_update).collect::<Result<_, Bad>>().map_err(bad(url))
}

/// A `{version, data}` object whose data is a `LightClientUpdate` or one of its field subsets
/// (the finality and optimistic updates), with its version label.
fn versioned_update<const S: usize>(v: &Value) -> Result<(LightClientUpdate<S>, String), Bad> {
    let (version, u) = versioned(v)?;
    Ok((update(u)?, version))
}

pub(crate) fn finality_update<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<(LightClientFinalityUpdate<S>, String)> {
    let (u, version) = versioned_update::<S>(&parse(url, bytes)?).map_err(bad(url))?;
    let out = LightClientFinalityUpdate {
        attested_header: u.attested_header,
        finalized_header: u.finalized_header,
        finality_branch: u.finality_branch,
        sync_aggregate: u.sync_aggregate,
        signature_slot: u.signature_slot,
    };
    Ok((out, version))
}

pub(crate) fn optimistic_update<const S: usize>(
    url: &str,
    bytes: &[u8],
) -> Result<(LightClientOptimisticUpdate<S>, String)> {
    let (u, version) = versioned_update::<S>(&parse(url, bytes)?).map_err(bad(url))?;
    let out = LightClientOptimisticUpdate {
        attested_header: u.attested_header,
        sync_aggregate: u.sync_aggregate,
        signature_slot: u.signature_slot,
    };
    Ok((out, version))
}

/// The `data` object of a `{data}` body.
fn data<'a>(url: &str, body: &'a Value) -> Result<Obj<'a>> {
    Obj::of(body, "the body").and_then(|b| b.obj("data")).map_err(bad(url))
}

pub(crate) fn finalized_checkpoint(url: &str, bytes: &[u8]) -> Result<(u64, B256)> {
    let body = parse(url, bytes)?;
    let finalized = data(url, &body)?.obj("finalized").map_err(bad(url))?;
    let epoch = finalized.uint("epoch").map_err(bad(url))?;
    let root = finalized.array("root").map_err(bad(url))?;
    Ok((epoch, root))
}

pub(crate) fn genesis(url: &str, bytes: &[u8]) -> Result<(u64, B256)> {
    let body = parse(url, bytes)?;
    let d = data(url, &body)?;
    Ok((
        d.uint("genesis_time").map_err(bad(url))?,
        d.array("genesis_validators_root").map_err(bad(url))?,
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
        assert!(hex_array::<2>("0x0102").is_ok());
        assert!(hex_array::<3>("0x0102").is_err());
        assert!(hex_array::<2>("0102").is_err());
        assert!(hex_bytes("0x010").is_err());
    }
}
