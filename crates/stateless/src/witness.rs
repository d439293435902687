//! The verifier's inputs: the execution witness, the block, and the verified ancestor chain.
//!
//! - [`Witness`] is the `debug_executionWitness` shape (reth `ExecutionWitness`: `state`, `codes`,
//!   `keys`, `headers`). `headers` arrive as RLP hex strings (reth) or as JSON header objects
//!   (geth `core/stateless` `extWitness`), in ascending or descending order; both are accepted and
//!   decoded into [`Header`]s here, nothing else about them is trusted yet.
//! - [`BlockInput`] bundles the block, the witness, the chain id and the optional EIP-8025
//!   `public_keys` shortcut; [`BlockInput::from_fixture_json`] reads the
//!   `shared/fixtures/stateless/mainnet/*.json` shape.
//! - [`verify_ancestry`] anchors the block and the witness headers to a trusted hash (checklist
//!   A.1, A.2) and returns an [`AncestorChain`] that answers `BLOCKHASH` (checklist A.6).
//!
//! Every list and item is bounded ([`MAX_WITNESS_HEADERS`], [`MAX_NODE_BYTES`], ...); an input
//! beyond a bound is rejected with [`Error::MalformedWitness`] before any work is done on it.

use alloc::{format, string::String, vec::Vec};

use alloy_consensus::{Block, Header, TxEnvelope};
use alloy_primitives::{B256, Bytes, keccak256, map::B256Map};
use alloy_rlp::Decodable;
use serde::Deserialize;
use serde_json::Value;

use crate::{Error, Result};

/// At most this many ancestor headers: the `BLOCKHASH` window (EIP-8025
/// `MAX_WITNESS_HEADERS = 256`).
pub const MAX_WITNESS_HEADERS: usize = 256;
/// Largest accepted trie node. A real branch node is at most 532 bytes; EIP-8025 caps nodes at
/// 1024. This bound only rejects absurd inputs.
pub const MAX_NODE_BYTES: usize = 1 << 20;
/// Largest accepted bytecode (EIP-170 caps deployed code at 24,576 bytes; this bound leaves room
/// for future code-size increases and only rejects absurd inputs).
pub const MAX_CODE_BYTES: usize = 1 << 20;
/// Largest accepted key preimage (addresses are 20 bytes, slots 32, geth's combined keys 52).
pub const MAX_KEY_BYTES: usize = 1024;
/// Largest accepted RLP header (a Prague header is about 650 bytes).
pub const MAX_HEADER_BYTES: usize = 1 << 16;
/// Most items accepted in one witness list (`state`, `codes` or `keys`).
pub const MAX_WITNESS_ITEMS: usize = 1 << 22;
/// Length of an uncompressed SEC1 secp256k1 public key (`0x04 ‖ x ‖ y`).
pub const PUBLIC_KEY_BYTES: usize = 65;
/// `BLOCKHASH` answers for the 256 most recent ancestors only (Yellow Paper §9.4.3 / H.2).
pub const BLOCKHASH_WINDOW: u64 = 256;

/// An execution witness: everything besides the block that a stateless check may read.
///
/// Nothing here is trusted. `state` and `codes` are checked by hash when used, `keys` are a
/// hint that is never relied on, `headers` become trusted only through [`verify_ancestry`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Witness {
    /// RLP trie nodes of the state trie and of every touched storage trie, in one pool looked up
    /// by `keccak256(node)`.
    pub state: Vec<Bytes>,
    /// Contract bytecodes, looked up by `keccak256(code)`.
    pub codes: Vec<Bytes>,
    /// Address and slot preimages (a hint; never trusted, never required).
    pub keys: Vec<Bytes>,
    /// Ancestor headers, in the order received (normally ascending, ending at the parent).
    pub headers: Vec<Header>,
}

impl Witness {
    /// Builds a witness from its parts and checks the size bounds ([`Self::check_bounds`]).
    pub fn new(
        state: Vec<Bytes>,
        codes: Vec<Bytes>,
        keys: Vec<Bytes>,
        headers: Vec<Header>,
    ) -> Result<Self> {
        let witness = Self { state, codes, keys, headers };
        witness.check_bounds()?;
        Ok(witness)
    }

    /// Rejects a witness beyond the bounds: more than [`MAX_WITNESS_HEADERS`] headers, more than
    /// [`MAX_WITNESS_ITEMS`] entries in a list, a node over [`MAX_NODE_BYTES`], a code over
    /// [`MAX_CODE_BYTES`] or a key over [`MAX_KEY_BYTES`].
    pub fn check_bounds(&self) -> Result<()> {
        if self.headers.len() > MAX_WITNESS_HEADERS {
            return Err(malformed(format!(
                "{} headers, at most {MAX_WITNESS_HEADERS} allowed",
                self.headers.len()
            )));
        }
        check_list("state", &self.state, MAX_NODE_BYTES)?;
        check_list("codes", &self.codes, MAX_CODE_BYTES)?;
        check_list("keys", &self.keys, MAX_KEY_BYTES)
    }

    /// Decodes one RLP header (the reth `headers` entry shape). The whole input must be one
    /// header: trailing bytes are rejected.
    pub fn decode_header_rlp(rlp: &[u8]) -> Result<Header> {
        if rlp.len() > MAX_HEADER_BYTES {
            return Err(malformed(format!(
                "header of {} bytes, at most {MAX_HEADER_BYTES} allowed",
                rlp.len()
            )));
        }
        let mut buf = rlp;
        let header = Header::decode(&mut buf)
            .map_err(|e| malformed(format!("header RLP does not decode: {e}")))?;
        if !buf.is_empty() {
            return Err(malformed(format!("{} trailing bytes after a header", buf.len())));
        }
        Ok(header)
    }

    /// The codes keyed by `keccak256(code)`. Extra codes are harmless; a code the execution
    /// needs but this map lacks is [`Error::MissingCode`] at the point of use (checklist A.4).
    pub fn codes_by_hash(&self) -> B256Map<Bytes> {
        let mut map = B256Map::default();
        map.reserve(self.codes.len());
        for code in &self.codes {
            map.insert(keccak256(code), code.clone());
        }
        map
    }

    /// Parses a `debug_executionWitness` JSON result (`{state, codes, keys, headers}`; missing
    /// lists count as empty). `headers` entries may be RLP hex strings (reth) or JSON header
    /// objects (geth), mixed and in any order.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        let raw: RawWitness =
            serde_json::from_slice(json).map_err(|e| malformed(format!("witness JSON: {e}")))?;
        raw.into_witness()
    }

    /// Like [`Self::from_json`], from an already parsed JSON value.
    pub fn from_json_value(value: Value) -> Result<Self> {
        let raw: RawWitness =
            serde_json::from_value(value).map_err(|e| malformed(format!("witness JSON: {e}")))?;
        raw.into_witness()
    }
}

/// One block to verify, with everything the verifier needs besides the trust anchor and the
/// chain configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInput {
    /// The full block (header, transactions, ommers, withdrawals).
    pub block: Block<TxEnvelope>,
    /// The execution witness.
    pub witness: Witness,
    /// The chain id the input claims; compare it with the chain configuration in use.
    pub chain_id: u64,
    /// Optional EIP-8025 `public_keys`: each transaction's signer as an uncompressed SEC1 key,
    /// in transaction order. A checked shortcut only (see `rules::recover_senders`).
    pub public_keys: Option<Vec<[u8; PUBLIC_KEY_BYTES]>>,
}

impl BlockInput {
    /// Decodes a full RLP block (`rlp([header, transactions, ommers, withdrawals?])`). An
    /// undecodable block or trailing bytes is [`Error::MalformedBlock`].
    pub fn decode_block(rlp: &[u8]) -> Result<Block<TxEnvelope>> {
        let mut buf = rlp;
        let block = Block::<TxEnvelope>::decode(&mut buf)
            .map_err(|e| Error::MalformedBlock(format!("block RLP does not decode: {e}")))?;
        if !buf.is_empty() {
            return Err(Error::MalformedBlock(format!(
                "{} trailing bytes after the block",
                buf.len()
            )));
        }
        Ok(block)
    }

    /// Parses the `shared/fixtures/stateless/mainnet/*.json` shape: `chainId`, `blockRlp`,
    /// `executionWitness{state, codes, keys, headers}` and optional `publicKeys` (an empty list
    /// means "recover", as in EIP-8025). The summary fields `blockNumber`, `blockHash`,
    /// `stateRoot`, `parentHash`, `gasUsed` and `txCount`, when present, must agree with the
    /// decoded block (they are conveniences, never a trust anchor); other keys are ignored.
    pub fn from_fixture_json(json: &[u8]) -> Result<Self> {
        let raw: RawFixture =
            serde_json::from_slice(json).map_err(|e| malformed(format!("fixture JSON: {e}")))?;
        let block = Self::decode_block(&raw.block_rlp)?;
        let header = &block.header;
        check_summary("blockNumber", raw.block_number.map(|q| q.0), header.number)?;
        check_summary("gasUsed", raw.gas_used.map(|q| q.0), header.gas_used)?;
        check_summary(
            "txCount",
            raw.tx_count.map(|q| q.0),
            u64::try_from(block.body.transactions.len()).unwrap_or(u64::MAX),
        )?;
        check_summary("stateRoot", raw.state_root, header.state_root)?;
        check_summary("parentHash", raw.parent_hash, header.parent_hash)?;
        if raw.block_hash.is_some() {
            check_summary("blockHash", raw.block_hash, header.hash_slow())?;
        }
        let witness = raw.execution_witness.into_witness()?;
        let public_keys = match raw.public_keys {
            None => None,
            Some(keys) if keys.is_empty() => None,
            Some(keys) => Some(parse_public_keys(&keys)?),
        };
        Ok(Self { block, witness, chain_id: raw.chain_id.0, public_keys })
    }
}

/// Parses 65-byte uncompressed public keys. Only the length is checked here; whether each is a
/// curve point signing its transaction is checked by `rules::recover_senders`.
pub fn parse_public_keys(keys: &[Bytes]) -> Result<Vec<[u8; PUBLIC_KEY_BYTES]>> {
    keys.iter()
        .enumerate()
        .map(|(index, key)| {
            <[u8; PUBLIC_KEY_BYTES]>::try_from(key.as_ref()).map_err(|_| Error::BadPublicKey {
                index,
                reason: format!("{} bytes, expected {PUBLIC_KEY_BYTES}", key.len()),
            })
        })
        .collect()
}

/// What the caller trusts, from outside the input (a light client's verified execution header,
/// or a user-supplied hash): the block's own hash or its parent's (checklist A.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trusted {
    /// `keccak256(rlp(block.header))` must equal this hash.
    BlockHash(B256),
    /// The block's parent (and so the pre-state) must hash to this value; the block itself is
    /// then judged as a candidate child.
    ParentHash(B256),
}

/// The block's verified ancestors: a contiguous chain of headers ending at the parent, linked by
/// hash to the trust anchor. Answers `BLOCKHASH` for the part of the 256-block window it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AncestorChain {
    /// The block's number.
    number: u64,
    /// `keccak256(rlp(block header))`.
    block_hash: B256,
    /// The parent header: its `state_root` is the pre-state root (checklist A.3).
    parent: Header,
    /// Verified headers, ascending by number, the parent last.
    headers: Vec<Header>,
    /// Verified hashes of blocks `first_known ..= number - 1`, ascending.
    hashes: Vec<B256>,
    /// Number of the block whose hash is `hashes[0]`.
    first_known: u64,
}

impl AncestorChain {
    /// The block's number.
    pub const fn number(&self) -> u64 {
        self.number
    }

    /// The block's hash, `keccak256(rlp(header))`.
    pub const fn block_hash(&self) -> B256 {
        self.block_hash
    }

    /// The verified parent header.
    pub const fn parent(&self) -> &Header {
        &self.parent
    }

    /// The pre-state root: the parent's `state_root` (checklist A.3).
    pub const fn pre_state_root(&self) -> B256 {
        self.parent.state_root
    }

    /// The verified headers, ascending by number, the parent last.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// The oldest block number whose hash this chain knows (one below the oldest header: that
    /// header's `parent_hash` is verified too).
    pub const fn oldest_known(&self) -> u64 {
        self.first_known
    }

    /// The `BLOCKHASH(n)` answer (checklist A.6): for `n` in `[number - 256, number - 1]` the
    /// verified hash, or [`Error::MissingAncestor`] when the witness's chain does not reach back
    /// to `n` (never zero). Outside that window the opcode yields zero (Yellow Paper, `BLOCKHASH`),
    /// and so does this.
    pub fn blockhash(&self, n: u64) -> Result<B256> {
        let Some(distance) = self.number.checked_sub(n) else { return Ok(B256::ZERO) };
        if distance == 0 || distance > BLOCKHASH_WINDOW {
            return Ok(B256::ZERO);
        }
        let offset = n.checked_sub(self.first_known).ok_or(Error::MissingAncestor(n))?;
        usize::try_from(offset)
            .ok()
            .and_then(|i| self.hashes.get(i))
            .copied()
            .ok_or(Error::MissingAncestor(n))
    }
}

/// Anchors `block_header` and the witness `headers` to `trusted` (checklist A.1, A.2, A.6).
///
/// - [`Trusted::BlockHash`]: `keccak256(rlp(block_header))` must equal it;
///   [`Trusted::ParentHash`]: the parent must hash to it (and `block_header.parent_hash` equal it).
/// - `headers` (any order; exact duplicates are dropped) sorted by number must be at most
///   [`MAX_WITNESS_HEADERS`], strictly contiguous (`keccak256(rlp(h[i])) == h[i+1].parent_hash`
///   and numbers `+1`), the last one hashing to `block_header.parent_hash` with number
///   `block_header.number - 1`. A missing parent or any gap is [`Error::HeaderChain`]; extra
///   older contiguous headers are fine.
pub fn verify_ancestry(
    block_header: &Header,
    headers: &[Header],
    trusted: Trusted,
) -> Result<AncestorChain> {
    if headers.len() > MAX_WITNESS_HEADERS {
        return Err(malformed(format!(
            "{} headers, at most {MAX_WITNESS_HEADERS} allowed",
            headers.len()
        )));
    }
    let block_hash = block_header.hash_slow();
    if let Trusted::BlockHash(expected) = trusted
        && block_hash != expected
    {
        return Err(chain(format!(
            "block {} hashes to {block_hash}, the trusted hash is {expected}",
            block_header.number
        )));
    }
    if let Trusted::ParentHash(expected) = trusted
        && block_header.parent_hash != expected
    {
        return Err(chain(format!(
            "block {} names parent {}, the trusted parent hash is {expected}",
            block_header.number, block_header.parent_hash
        )));
    }

    let mut hashed: Vec<(Header, B256)> =
        headers.iter().map(|h| (h.clone(), h.hash_slow())).collect();
    hashed.sort_by_key(|(h, _)| h.number);
    hashed.dedup_by(|later, earlier| later.1 == earlier.1);

    // Contiguity, oldest to newest; `hashes` collects the verified hash of every block from one
    // below the oldest header up to the parent.
    let mut hashes = Vec::with_capacity(hashed.len().saturating_add(1));
    let mut first_known = 0;
    let mut previous: Option<&(Header, B256)> = None;
    for entry in &hashed {
        let (header, hash) = entry;
        match previous {
            None => {
                if let Some(parent_number) = header.number.checked_sub(1) {
                    hashes.push(header.parent_hash);
                    first_known = parent_number;
                } else {
                    first_known = header.number;
                }
            }
            Some((prev, prev_hash)) => {
                if prev.number.checked_add(1) != Some(header.number) {
                    return Err(chain(format!(
                        "witness headers jump from block {} to block {}",
                        prev.number, header.number
                    )));
                }
                if header.parent_hash != *prev_hash {
                    return Err(chain(format!(
                        "witness header {} names parent {}, header {} hashes to {prev_hash}",
                        header.number, header.parent_hash, prev.number
                    )));
                }
            }
        }
        hashes.push(*hash);
        previous = Some(entry);
    }

    let Some((parent, parent_hash)) = previous else {
        return Err(chain(format!(
            "the witness has no headers: block {}'s parent is missing",
            block_header.number
        )));
    };
    if parent.number.checked_add(1) != Some(block_header.number) {
        return Err(chain(format!(
            "the newest witness header is block {}, block {}'s parent is missing",
            parent.number, block_header.number
        )));
    }
    if *parent_hash != block_header.parent_hash {
        return Err(chain(format!(
            "witness header {} hashes to {parent_hash}, block {} names parent {}",
            parent.number, block_header.number, block_header.parent_hash
        )));
    }
    let parent = parent.clone();
    Ok(AncestorChain {
        number: block_header.number,
        block_hash,
        parent,
        headers: hashed.into_iter().map(|(h, _)| h).collect(),
        hashes,
        first_known,
    })
}

fn malformed(detail: String) -> Error {
    Error::MalformedWitness(detail)
}

fn chain(detail: String) -> Error {
    Error::HeaderChain(detail)
}

fn check_list(name: &str, items: &[Bytes], max_item: usize) -> Result<()> {
    if items.len() > MAX_WITNESS_ITEMS {
        return Err(malformed(format!(
            "{} {name} entries, at most {MAX_WITNESS_ITEMS} allowed",
            items.len()
        )));
    }
    if let Some((index, item)) = items.iter().enumerate().find(|(_, item)| item.len() > max_item) {
        return Err(malformed(format!(
            "{name}[{index}] has {} bytes, at most {max_item} allowed",
            item.len()
        )));
    }
    Ok(())
}

fn check_summary<T: PartialEq + core::fmt::Display>(
    field: &str,
    claimed: Option<T>,
    actual: T,
) -> Result<()> {
    match claimed {
        Some(claimed) if claimed != actual => {
            Err(malformed(format!("fixture field {field} is {claimed}, the block gives {actual}")))
        }
        _ => Ok(()),
    }
}

/// A header entry: RLP hex (reth) or a JSON header object (geth).
fn header_from_json(index: usize, value: Value) -> Result<Header> {
    match value {
        Value::String(hex) => {
            if hex.len() > MAX_HEADER_BYTES.saturating_mul(2).saturating_add(2) {
                return Err(malformed(format!("headers[{index}] is too long")));
            }
            let rlp = alloy_primitives::hex::decode(&hex)
                .map_err(|e| malformed(format!("headers[{index}] is not hex: {e}")))?;
            Witness::decode_header_rlp(&rlp)
                .map_err(|e| malformed(format!("headers[{index}]: {e}")))
        }
        Value::Object(mut object) => {
            let served_hash = match object.remove("hash") {
                None | Some(Value::Null) => None,
                Some(value) => Some(
                    serde_json::from_value::<B256>(value)
                        .map_err(|e| malformed(format!("headers[{index}].hash: {e}")))?,
                ),
            };
            let header: Header = serde_json::from_value(Value::Object(object))
                .map_err(|e| malformed(format!("headers[{index}] is not a header: {e}")))?;
            // A field this decoder does not know would silently change the hash: compare with the
            // served hash to say so here rather than as a broken chain later.
            if let Some(served) = served_hash {
                let computed = header.hash_slow();
                if served != computed {
                    return Err(malformed(format!(
                        "headers[{index}] claims hash {served}, its fields hash to {computed}"
                    )));
                }
            }
            Ok(header)
        }
        other => Err(malformed(format!(
            "headers[{index}] is neither RLP hex nor a header object: {}",
            json_kind(&other)
        ))),
    }
}

const fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The JSON `debug_executionWitness` result before decoding the headers.
#[derive(Deserialize)]
struct RawWitness {
    #[serde(default)]
    state: Vec<Bytes>,
    #[serde(default)]
    codes: Vec<Bytes>,
    #[serde(default)]
    keys: Vec<Bytes>,
    #[serde(default)]
    headers: Vec<Value>,
}

impl RawWitness {
    fn into_witness(self) -> Result<Witness> {
        if self.headers.len() > MAX_WITNESS_HEADERS {
            return Err(malformed(format!(
                "{} headers, at most {MAX_WITNESS_HEADERS} allowed",
                self.headers.len()
            )));
        }
        let headers = self
            .headers
            .into_iter()
            .enumerate()
            .map(|(index, value)| header_from_json(index, value))
            .collect::<Result<Vec<_>>>()?;
        Witness::new(self.state, self.codes, self.keys, headers)
    }
}

/// A JSON quantity: a number or a `0x` hex string.
struct Quantity(u64);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> core::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Number(u64),
            Hex(String),
        }
        match Repr::deserialize(deserializer)? {
            Repr::Number(n) => Ok(Self(n)),
            Repr::Hex(s) => {
                let digits = s
                    .strip_prefix("0x")
                    .ok_or_else(|| serde::de::Error::custom("quantity without 0x prefix"))?;
                u64::from_str_radix(digits, 16).map(Self).map_err(serde::de::Error::custom)
            }
        }
    }
}

/// The stateless fixture file shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFixture {
    chain_id: Quantity,
    block_number: Option<Quantity>,
    block_hash: Option<B256>,
    state_root: Option<B256>,
    parent_hash: Option<B256>,
    gas_used: Option<Quantity>,
    tx_count: Option<Quantity>,
    block_rlp: Bytes,
    execution_witness: RawWitness,
    public_keys: Option<Vec<Bytes>>,
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use alloy_primitives::{U256, b256};

    use super::*;

    /// A chain of `len` post-merge headers ending at number `last`, each linked to the previous.
    fn header_chain(last: u64, len: u64) -> Vec<Header> {
        let mut out: Vec<Header> = Vec::new();
        let mut parent_hash = B256::repeat_byte(0xaa);
        for number in (last + 1 - len)..=last {
            let header = Header {
                parent_hash,
                number,
                gas_limit: 30_000_000,
                timestamp: 1_700_000_000 + number * 12,
                base_fee_per_gas: Some(7),
                difficulty: U256::ZERO,
                ..Header::default()
            };
            parent_hash = header.hash_slow();
            out.push(header);
        }
        out
    }

    fn child_of(parent: &Header) -> Header {
        Header {
            parent_hash: parent.hash_slow(),
            number: parent.number + 1,
            timestamp: parent.timestamp + 12,
            ..parent.clone()
        }
    }

    #[test]
    fn a_contiguous_chain_verifies_from_either_anchor() {
        let headers = header_chain(100, 5);
        let block = child_of(headers.last().unwrap());
        let hash = block.hash_slow();
        let chain = verify_ancestry(&block, &headers, Trusted::BlockHash(hash)).unwrap();
        assert_eq!(chain.block_hash(), hash);
        assert_eq!(chain.parent(), headers.last().unwrap());
        assert_eq!(chain.pre_state_root(), headers[4].state_root);
        assert_eq!(chain.oldest_known(), 95);
        let by_parent =
            verify_ancestry(&block, &headers, Trusted::ParentHash(block.parent_hash)).unwrap();
        assert_eq!(by_parent, chain);
        // Any order is accepted; exact duplicates are dropped.
        let mut shuffled = headers.clone();
        shuffled.reverse();
        shuffled.push(headers[2].clone());
        assert_eq!(verify_ancestry(&block, &shuffled, Trusted::BlockHash(hash)).unwrap(), chain);
    }

    #[test]
    fn the_anchor_must_match() {
        let headers = header_chain(100, 2);
        let block = child_of(headers.last().unwrap());
        let wrong = B256::repeat_byte(1);
        assert!(matches!(
            verify_ancestry(&block, &headers, Trusted::BlockHash(wrong)),
            Err(Error::HeaderChain(_))
        ));
        assert!(matches!(
            verify_ancestry(&block, &headers, Trusted::ParentHash(wrong)),
            Err(Error::HeaderChain(_))
        ));
    }

    #[test]
    fn gaps_forgeries_and_a_missing_parent_fail() {
        let headers = header_chain(100, 4);
        let block = child_of(headers.last().unwrap());
        let anchor = Trusted::BlockHash(block.hash_slow());
        // No headers at all.
        assert!(matches!(verify_ancestry(&block, &[], anchor), Err(Error::HeaderChain(_))));
        // Parent missing: only older headers.
        assert!(matches!(
            verify_ancestry(&block, &headers[..3], anchor),
            Err(Error::HeaderChain(_))
        ));
        // A gap.
        let gapped = [headers[0].clone(), headers[2].clone(), headers[3].clone()];
        assert!(matches!(verify_ancestry(&block, &gapped, anchor), Err(Error::HeaderChain(_))));
        // A changed field in an older header breaks its link.
        let mut forged = headers.clone();
        forged[1].gas_used += 1;
        assert!(matches!(verify_ancestry(&block, &forged, anchor), Err(Error::HeaderChain(_))));
        // A changed parent breaks the block's link.
        let mut forged = headers.clone();
        forged[3].state_root = B256::repeat_byte(9);
        assert!(matches!(verify_ancestry(&block, &forged, anchor), Err(Error::HeaderChain(_))));
        // Two different headers with one number.
        let mut twin = headers.clone();
        let mut other = headers[1].clone();
        other.extra_data = Bytes::from_static(b"x");
        twin.push(other);
        assert!(matches!(verify_ancestry(&block, &twin, anchor), Err(Error::HeaderChain(_))));
    }

    #[test]
    fn more_than_256_headers_are_malformed() {
        let headers = header_chain(1000, 257);
        let block = child_of(headers.last().unwrap());
        assert!(matches!(
            verify_ancestry(&block, &headers, Trusted::BlockHash(block.hash_slow())),
            Err(Error::MalformedWitness(_))
        ));
        let ok = &headers[1..];
        let chain = verify_ancestry(&block, ok, Trusted::BlockHash(block.hash_slow())).unwrap();
        // 256 headers reach the whole window.
        assert_eq!(chain.blockhash(block.number - 256).unwrap(), ok[0].hash_slow());
        assert_eq!(chain.oldest_known(), block.number - 257);
        assert_eq!(chain.blockhash(block.number - 257).unwrap(), B256::ZERO);
    }

    #[test]
    fn blockhash_answers_only_from_the_verified_chain() {
        let headers = header_chain(1000, 3);
        let block = child_of(headers.last().unwrap());
        let chain =
            verify_ancestry(&block, &headers, Trusted::BlockHash(block.hash_slow())).unwrap();
        assert_eq!(chain.number(), 1001);
        assert_eq!(chain.blockhash(1000).unwrap(), headers[2].hash_slow());
        assert_eq!(chain.blockhash(999).unwrap(), headers[1].hash_slow());
        assert_eq!(chain.blockhash(998).unwrap(), headers[0].hash_slow());
        // The oldest header's parent hash is verified too.
        assert_eq!(chain.blockhash(997).unwrap(), headers[0].parent_hash);
        // Inside the window but not covered: an error, never zero.
        assert_eq!(chain.blockhash(996), Err(Error::MissingAncestor(996)));
        assert_eq!(chain.blockhash(1001 - 256), Err(Error::MissingAncestor(1001 - 256)));
        // Outside the window: zero, as the opcode gives.
        assert_eq!(chain.blockhash(1001 - 257), Ok(B256::ZERO));
        assert_eq!(chain.blockhash(1001), Ok(B256::ZERO));
        assert_eq!(chain.blockhash(5000), Ok(B256::ZERO));
    }

    #[test]
    fn chains_starting_at_genesis_know_no_older_hash() {
        let headers = header_chain(1, 2);
        assert_eq!(headers[0].number, 0);
        let block = child_of(headers.last().unwrap());
        let chain =
            verify_ancestry(&block, &headers, Trusted::BlockHash(block.hash_slow())).unwrap();
        assert_eq!(chain.oldest_known(), 0);
        assert_eq!(chain.blockhash(0).unwrap(), headers[0].hash_slow());
    }

    #[test]
    fn witness_json_accepts_rlp_and_json_headers() {
        let headers = header_chain(10, 2);
        let rlp = alloy_rlp::encode(&headers[0]);
        let mut object = serde_json::to_value(&headers[1]).unwrap();
        object
            .as_object_mut()
            .unwrap()
            .insert("hash".into(), serde_json::to_value(headers[1].hash_slow()).unwrap());
        let json = serde_json::json!({
            "headers": [object, alloy_primitives::hex::encode_prefixed(&rlp)],
            "state": ["0x80", "0xc0"],
            "codes": ["0x", "0x6000"],
        });
        let witness = Witness::from_json(&serde_json::to_vec(&json).unwrap()).unwrap();
        assert_eq!(witness.headers, vec![headers[1].clone(), headers[0].clone()]);
        assert_eq!(witness.state.len(), 2);
        assert!(witness.keys.is_empty());
        let codes = witness.codes_by_hash();
        assert_eq!(codes.get(&keccak256([0x60u8, 0x00])).unwrap().as_ref(), &[0x60, 0x00]);
        assert_eq!(
            codes.get(&b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")),
            Some(&Bytes::new())
        );
    }

    #[test]
    fn witness_json_rejects_bad_entries() {
        for bad in [
            serde_json::json!({"headers": [17]}),
            serde_json::json!({"headers": ["0xzz"]}),
            serde_json::json!({"headers": ["0xc0"]}),
            serde_json::json!({"state": ["not hex"]}),
            serde_json::json!({"headers": [{"number": "0x1"}]}),
        ] {
            assert!(
                matches!(Witness::from_json_value(bad.clone()), Err(Error::MalformedWitness(_))),
                "{bad}"
            );
        }
        // A JSON header whose served hash disagrees with its fields.
        let header = header_chain(3, 1).remove(0);
        let mut object = serde_json::to_value(&header).unwrap();
        object.as_object_mut().unwrap().insert("hash".into(), serde_json::json!(B256::ZERO));
        assert!(matches!(
            Witness::from_json_value(serde_json::json!({ "headers": [object] })),
            Err(Error::MalformedWitness(_))
        ));
        // Trailing bytes after an RLP header.
        let mut rlp = alloy_rlp::encode(&header);
        rlp.push(0);
        assert!(matches!(Witness::decode_header_rlp(&rlp), Err(Error::MalformedWitness(_))));
    }

    #[test]
    fn absurd_sizes_are_rejected() {
        let big = Bytes::from(vec![0u8; MAX_NODE_BYTES + 1]);
        assert!(matches!(
            Witness::new(vec![big.clone()], vec![], vec![], vec![]),
            Err(Error::MalformedWitness(_))
        ));
        assert!(matches!(
            Witness::new(vec![], vec![big], vec![], vec![]),
            Err(Error::MalformedWitness(_))
        ));
        let key = Bytes::from(vec![0u8; MAX_KEY_BYTES + 1]);
        assert!(matches!(
            Witness::new(vec![], vec![], vec![key], vec![]),
            Err(Error::MalformedWitness(_))
        ));
        let headers = header_chain(300, 257);
        assert!(matches!(
            Witness::new(vec![], vec![], vec![], headers),
            Err(Error::MalformedWitness(_))
        ));
        let many: Vec<Value> = (0..257).map(|_| Value::String("0xc0".into())).collect();
        assert!(matches!(
            Witness::from_json_value(serde_json::json!({ "headers": many })),
            Err(Error::MalformedWitness(_))
        ));
        assert!(matches!(
            Witness::decode_header_rlp(&vec![0u8; MAX_HEADER_BYTES + 1]),
            Err(Error::MalformedWitness(_))
        ));
    }

    #[test]
    fn blocks_must_decode_whole() {
        let block =
            Block::<TxEnvelope> { header: header_chain(5, 1).remove(0), body: Default::default() };
        let mut rlp = alloy_rlp::encode(&block);
        assert_eq!(BlockInput::decode_block(&rlp).unwrap(), block);
        rlp.push(0x80);
        assert!(matches!(BlockInput::decode_block(&rlp), Err(Error::MalformedBlock(_))));
        assert!(matches!(BlockInput::decode_block(&[0xc1]), Err(Error::MalformedBlock(_))));
    }

    #[test]
    fn public_keys_must_be_65_bytes() {
        let good = Bytes::from(vec![4u8; 65]);
        let bad = Bytes::from(vec![4u8; 64]);
        assert_eq!(parse_public_keys(core::slice::from_ref(&good)).unwrap(), vec![[4u8; 65]]);
        assert!(matches!(
            parse_public_keys(&[good, bad]),
            Err(Error::BadPublicKey { index: 1, .. })
        ));
    }
}
