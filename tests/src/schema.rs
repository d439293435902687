//! A small schema-driven SSZ engine for spec-test runners that need whole `BeaconState` and
//! `BeaconBlockBody` objects of every fork and preset without a typed definition of each.
//!
//! A [`Type`] describes an SSZ type (`ssz/simple-serialize.md`); [`Type::decode`] turns bytes
//! into a [`Value`] tree (bounded: malformed input is an `Err`, never a panic);
//! [`Type::hash_tree_root`] merkleizes it; [`Type::prove`] returns the node at a generalized
//! index together with its Merkle branch (`ssz/merkle-proofs.md`).
//!
//! [`beacon_state`] and [`beacon_block_body`] build the schemas of the consensus containers
//! (`specs/<fork>/beacon-chain.md`) for a preset ([`SszPreset`]).

use std::fmt;
use std::sync::OnceLock;

use mana_primitives::{Fork, sha256_pair};

/// One 32-byte Merkle node.
pub type Chunk = [u8; 32];

/// `BYTES_PER_LENGTH_OFFSET`.
const OFFSET_SIZE: usize = 4;
/// `BYTES_PER_CHUNK`.
const CHUNK_SIZE: usize = 32;
/// Deepest Merkle tree handled (every generalized index fits a `u64`).
const MAX_DEPTH: u32 = 63;

/// Why decoding, hashing or proving failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SszError {
    /// The bytes are not a valid serialization of the type.
    Malformed(&'static str),
    /// A list or bitlist holds more elements than its limit.
    Limit {
        /// Elements found.
        len: usize,
        /// The type's limit.
        limit: usize,
    },
    /// A value does not have the shape of the type it is hashed as.
    Mismatch,
    /// A generalized index that does not address a node of the type's tree (zero, or below
    /// a packed chunk, or inside the zero padding of a list).
    GIndex(u64),
    /// A tree too deep for 64-bit generalized indices.
    TooDeep,
}

impl fmt::Display for SszError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(why) => write!(f, "malformed SSZ: {why}"),
            Self::Limit { len, limit } => write!(f, "{len} elements exceed the limit {limit}"),
            Self::Mismatch => f.write_str("value does not match its type"),
            Self::GIndex(g) => write!(f, "generalized index {g} is not provable here"),
            Self::TooDeep => f.write_str("Merkle tree deeper than 63 levels"),
        }
    }
}

impl std::error::Error for SszError {}

/// Result alias of this module.
pub type Result<T> = std::result::Result<T, SszError>;

/// An SSZ type. `ByteVector[N]` / `BytesN` is `Vector[uint8, N]` ([`Type::bytes`]) and
/// `ByteList[N]` is `List[uint8, N]` ([`Type::byte_list`]): SSZ defines them as such aliases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `uintN`, with the size in bytes (1, 2, 4, 8, 16 or 32).
    Uint(usize),
    /// `boolean`.
    Boolean,
    /// `Vector[T, N]`.
    Vector(Box<Type>, usize),
    /// `List[T, N]`.
    List(Box<Type>, usize),
    /// `Bitvector[N]`.
    Bitvector(usize),
    /// `Bitlist[N]`.
    Bitlist(usize),
    /// A container: named fields in order.
    Container(Vec<(&'static str, Type)>),
}

/// A decoded SSZ value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A basic value (its serialization, `len` 1), the serialized elements of a vector or list
    /// of a basic type (`len` elements), or the bits of a bitvector or bitlist (`len` bits, the
    /// bitlist delimiter removed).
    Packed {
        /// The little-endian bytes.
        bytes: Vec<u8>,
        /// Element or bit count.
        len: usize,
    },
    /// The fields of a container or the elements of a vector or list of a composite type.
    Composite(Vec<Value>),
}

/// The chunks of one merkleization level of a value: `merkleize(chunks, 2**depth)`, then
/// `mix_in_length` when `length` is set.
#[derive(Debug)]
struct Level {
    chunks: Vec<Chunk>,
    depth: u32,
    length: Option<usize>,
}

impl Level {
    fn data_root(&self) -> Result<Chunk> {
        merkleize(&self.chunks, self.depth)
    }

    fn root(&self) -> Result<Chunk> {
        let data = self.data_root()?;
        Ok(match self.length {
            Some(len) => sha256_pair(&data, &length_chunk(len)),
            None => data,
        })
    }
}

impl Type {
    /// `ByteVector[n]` (`Bytes32`, `BLSPubkey`, ...).
    pub fn bytes(n: usize) -> Self {
        Self::Vector(Box::new(Self::Uint(1)), n)
    }

    /// `ByteList[n]`.
    pub fn byte_list(n: usize) -> Self {
        Self::List(Box::new(Self::Uint(1)), n)
    }

    /// `Vector[elem, n]`.
    pub fn vector(elem: Self, n: usize) -> Self {
        Self::Vector(Box::new(elem), n)
    }

    /// `List[elem, limit]`.
    pub fn list(elem: Self, limit: usize) -> Self {
        Self::List(Box::new(elem), limit)
    }

    /// Whether this is a basic type (`uintN`, `boolean`).
    pub fn is_basic(&self) -> bool {
        matches!(self, Self::Uint(_) | Self::Boolean)
    }

    /// The serialized size of a fixed-size type; `None` for variable-size types (or a size
    /// that overflows `usize`).
    pub fn fixed_size(&self) -> Option<usize> {
        match self {
            Self::Uint(n) => Some(*n),
            Self::Boolean => Some(1),
            Self::Vector(elem, n) => elem.fixed_size()?.checked_mul(*n),
            Self::Bitvector(n) => Some(n.div_ceil(8)),
            Self::List(..) | Self::Bitlist(_) => None,
            Self::Container(fields) => {
                fields.iter().try_fold(0usize, |acc, (_, t)| acc.checked_add(t.fixed_size()?))
            }
        }
    }

    /// Whether the type is variable-size (a list or bitlist, or contains one).
    pub fn is_variable_size(&self) -> bool {
        match self {
            Self::Uint(_) | Self::Boolean | Self::Bitvector(_) => false,
            Self::List(..) | Self::Bitlist(_) => true,
            Self::Vector(elem, _) => elem.is_variable_size(),
            Self::Container(fields) => fields.iter().any(|(_, t)| t.is_variable_size()),
        }
    }

    /// The serialized size of a fixed-size type, `Err` when it overflows `usize`.
    fn checked_fixed_size(&self) -> Result<usize> {
        self.fixed_size().ok_or(SszError::Malformed("type size overflows"))
    }

    /// Decodes `bytes` (exactly one serialized object) into a [`Value`].
    pub fn decode(&self, bytes: &[u8]) -> Result<Value> {
        match self {
            Self::Uint(n) => {
                if !matches!(n, 1 | 2 | 4 | 8 | 16 | 32) {
                    return Err(SszError::Malformed("unsupported uint size"));
                }
                if bytes.len() != *n {
                    return Err(SszError::Malformed("uint of wrong length"));
                }
                Ok(Value::Packed { bytes: bytes.to_vec(), len: 1 })
            }
            Self::Boolean => match bytes {
                [0] | [1] => Ok(Value::Packed { bytes: bytes.to_vec(), len: 1 }),
                [_] => Err(SszError::Malformed("boolean not 0 or 1")),
                _ => Err(SszError::Malformed("boolean of wrong length")),
            },
            Self::Bitvector(n) => {
                if *n == 0 {
                    return Err(SszError::Malformed("empty bitvector type"));
                }
                if bytes.len() != n.div_ceil(8) {
                    return Err(SszError::Malformed("bitvector of wrong length"));
                }
                let used = n % 8;
                if used != 0 && bytes.last().is_some_and(|last| last >> used != 0) {
                    return Err(SszError::Malformed("bitvector bits set beyond its length"));
                }
                Ok(Value::Packed { bytes: bytes.to_vec(), len: *n })
            }
            Self::Bitlist(limit) => {
                let Some((&last, _)) = bytes.split_last() else {
                    return Err(SszError::Malformed("bitlist without delimiter byte"));
                };
                if last == 0 {
                    return Err(SszError::Malformed("bitlist last byte has no delimiter bit"));
                }
                let delimiter = last.ilog2() as usize;
                let bits = (bytes.len() - 1)
                    .checked_mul(8)
                    .and_then(|b| b.checked_add(delimiter))
                    .ok_or(SszError::Malformed("bitlist too long"))?;
                if bits > *limit {
                    return Err(SszError::Limit { len: bits, limit: *limit });
                }
                let mut out = bytes.to_vec();
                if let Some(byte) = out.last_mut() {
                    *byte &= !(1u8 << delimiter);
                }
                out.truncate(bits.div_ceil(8));
                Ok(Value::Packed { bytes: out, len: bits })
            }
            Self::Vector(elem, n) => decode_sequence(elem, *n, false, bytes),
            Self::List(elem, limit) => decode_sequence(elem, *limit, true, bytes),
            Self::Container(fields) => {
                let types: Vec<&Type> = fields.iter().map(|(_, t)| t).collect();
                Ok(Value::Composite(decode_parts(&types, bytes)?))
            }
        }
    }

    /// `hash_tree_root(value)` with `value` of this type.
    pub fn hash_tree_root(&self, value: &Value) -> Result<Chunk> {
        self.level(value)?.root()
    }

    /// The merkleization level of `value`: its chunks, tree depth and length mix-in.
    fn level(&self, value: &Value) -> Result<Level> {
        let (chunks, chunk_limit, length) = match (self, value) {
            (Self::Uint(_) | Self::Boolean, Value::Packed { bytes, .. }) => {
                if bytes.len() > CHUNK_SIZE {
                    return Err(SszError::Mismatch);
                }
                (pack(bytes), 1, None)
            }
            (Self::Bitvector(n), Value::Packed { bytes, .. }) => {
                (pack(bytes), n.div_ceil(256), None)
            }
            (Self::Bitlist(n), Value::Packed { bytes, len }) => {
                (pack(bytes), n.div_ceil(256), Some(*len))
            }
            (Self::Vector(elem, n) | Self::List(elem, n), Value::Packed { bytes, len })
                if elem.is_basic() =>
            {
                let size = elem.fixed_size().ok_or(SszError::Mismatch)?;
                let limit =
                    n.checked_mul(size).map(|b| b.div_ceil(CHUNK_SIZE)).ok_or(SszError::TooDeep)?;
                let length = matches!(self, Self::List(..)).then_some(*len);
                (pack(bytes), limit, length)
            }
            (Self::Vector(elem, n) | Self::List(elem, n), Value::Composite(items))
                if !elem.is_basic() =>
            {
                let roots =
                    items.iter().map(|item| elem.hash_tree_root(item)).collect::<Result<_>>()?;
                let length = matches!(self, Self::List(..)).then_some(items.len());
                (roots, *n, length)
            }
            (Self::Container(fields), Value::Composite(items)) => {
                if fields.len() != items.len() {
                    return Err(SszError::Mismatch);
                }
                let roots = fields
                    .iter()
                    .zip(items)
                    .map(|((_, t), item)| t.hash_tree_root(item))
                    .collect::<Result<_>>()?;
                (roots, fields.len(), None)
            }
            _ => return Err(SszError::Mismatch),
        };
        let depth = ceil_log2(chunk_limit);
        if depth > MAX_DEPTH {
            return Err(SszError::TooDeep);
        }
        if chunks.len() > 1usize << depth {
            return Err(SszError::Mismatch);
        }
        Ok(Level { chunks, depth, length })
    }

    /// The type and value of child `index` of a composite value (a container field or a
    /// composite element), the subtree whose root is chunk `index`.
    fn child<'a>(&'a self, value: &'a Value, index: u64) -> Option<(&'a Type, &'a Value)> {
        let index = usize::try_from(index).ok()?;
        match (self, value) {
            (Self::Container(fields), Value::Composite(items)) => {
                Some((&fields.get(index)?.1, items.get(index)?))
            }
            (Self::Vector(elem, _) | Self::List(elem, _), Value::Composite(items)) => {
                Some((elem.as_ref(), items.get(index)?))
            }
            _ => None,
        }
    }

    /// The node at generalized index `gindex` of `value`'s tree and its Merkle branch (the
    /// sibling nodes from the leaf up to the root, as `is_valid_merkle_branch` takes them).
    pub fn prove(&self, value: &Value, gindex: u64) -> Result<(Chunk, Vec<Chunk>)> {
        let Some(depth) = gindex.checked_ilog2() else { return Err(SszError::GIndex(gindex)) };
        let level = self.level(value)?;
        if depth == 0 {
            return Ok((level.root()?, Vec::new()));
        }
        // For lists the root is `hash(data_root, length)`: descend left into the data tree,
        // or stop at the length on the right (gindex 3).
        let (data_gindex, data_depth, length_sibling) = match level.length {
            Some(len) => {
                let rest = depth - 1;
                if (gindex >> rest) & 1 == 1 {
                    if rest != 0 {
                        return Err(SszError::GIndex(gindex));
                    }
                    return Ok((length_chunk(len), vec![level.data_root()?]));
                }
                ((gindex & low_mask(rest)) | (1 << rest), rest, Some(length_chunk(len)))
            }
            None => (gindex, depth, None),
        };
        let tree_depth = level.depth;
        let (leaf, mut branch, node_gindex) = if data_depth <= tree_depth {
            (node(&level.chunks, tree_depth, data_gindex)?, Vec::new(), data_gindex)
        } else {
            let below = data_depth - tree_depth;
            let top = data_gindex >> below;
            let index = top - (1u64 << tree_depth);
            let rest = (data_gindex & low_mask(below)) | (1 << below);
            let (child_type, child_value) =
                self.child(value, index).ok_or(SszError::GIndex(gindex))?;
            let (leaf, branch) = child_type.prove(child_value, rest)?;
            (leaf, branch, top)
        };
        let mut g = node_gindex;
        while g > 1 {
            branch.push(node(&level.chunks, tree_depth, g ^ 1)?);
            g >>= 1;
        }
        branch.extend(length_sibling);
        Ok((leaf, branch))
    }

    /// The generalized index of a path of container field names
    /// (`get_generalized_index(Type, *path)` restricted to containers).
    pub fn field_gindex(&self, path: &[&str]) -> Option<u64> {
        let mut gindex = 1u64;
        let mut ty = self;
        for name in path {
            let Self::Container(fields) = ty else { return None };
            let position = fields.iter().position(|(field, _)| field == name)?;
            let depth = ceil_log2(fields.len());
            gindex = gindex.checked_mul(1u64.checked_shl(depth)?)?.checked_add(position as u64)?;
            ty = &fields.get(position)?.1;
        }
        Some(gindex)
    }
}

/// Decodes a vector (`count` = length) or list (`count` = limit) of `elem`.
fn decode_sequence(elem: &Type, count: usize, is_list: bool, bytes: &[u8]) -> Result<Value> {
    if !is_list && count == 0 {
        return Err(SszError::Malformed("empty vector type"));
    }
    let check_len = |len: usize| -> Result<()> {
        if is_list && len > count {
            Err(SszError::Limit { len, limit: count })
        } else if !is_list && len != count {
            Err(SszError::Malformed("vector of wrong length"))
        } else {
            Ok(())
        }
    };
    if !elem.is_variable_size() {
        let size = elem.checked_fixed_size()?;
        if size == 0 {
            return Err(SszError::Malformed("zero-size element type"));
        }
        if !bytes.len().is_multiple_of(size) {
            return Err(SszError::Malformed("sequence not a multiple of its element size"));
        }
        let len = bytes.len() / size;
        check_len(len)?;
        if elem.is_basic() {
            if *elem == Type::Boolean && bytes.iter().any(|b| *b > 1) {
                return Err(SszError::Malformed("boolean not 0 or 1"));
            }
            if let Type::Uint(n) = elem
                && !matches!(n, 1 | 2 | 4 | 8 | 16 | 32)
            {
                return Err(SszError::Malformed("unsupported uint size"));
            }
            return Ok(Value::Packed { bytes: bytes.to_vec(), len });
        }
        let items = bytes.chunks_exact(size).map(|c| elem.decode(c)).collect::<Result<Vec<_>>>()?;
        return Ok(Value::Composite(items));
    }
    // Variable-size elements: the offsets come first, the first one gives their count.
    if bytes.is_empty() {
        check_len(0)?;
        return Ok(Value::Composite(Vec::new()));
    }
    let first = read_offset(bytes, 0)?;
    if first == 0 || !first.is_multiple_of(OFFSET_SIZE) || first > bytes.len() {
        return Err(SszError::Malformed("bad first offset"));
    }
    let len = first / OFFSET_SIZE;
    check_len(len)?;
    let types = vec![elem; len];
    Ok(Value::Composite(decode_parts(&types, bytes)?))
}

/// Splits the `bytes` of a sequence of `types` laid out as fixed parts (fixed-size values and
/// offsets of variable-size ones) followed by the variable parts, and decodes each.
fn decode_parts(types: &[&Type], bytes: &[u8]) -> Result<Vec<Value>> {
    let mut fixed_len = 0usize;
    for t in types {
        let size = if t.is_variable_size() { OFFSET_SIZE } else { t.checked_fixed_size()? };
        fixed_len = fixed_len.checked_add(size).ok_or(SszError::Malformed("size overflows"))?;
    }
    if fixed_len > bytes.len() {
        return Err(SszError::Malformed("input shorter than the fixed part"));
    }
    // Spans: `Ok(range)` for fixed-size parts, `Err(offset)` for variable ones (end unknown).
    let mut spans: Vec<std::result::Result<(usize, usize), usize>> =
        Vec::with_capacity(types.len());
    let mut offsets = Vec::new();
    let mut pos = 0usize;
    for t in types {
        if !t.is_variable_size() {
            let size = t.checked_fixed_size()?;
            spans.push(Ok((pos, pos + size)));
            pos += size;
            continue;
        }
        let offset = read_offset(bytes, pos)?;
        let previous = offsets.last().copied().unwrap_or(fixed_len);
        if offsets.is_empty() && offset != fixed_len {
            return Err(SszError::Malformed("first offset does not end the fixed part"));
        }
        if offset < previous || offset > bytes.len() {
            return Err(SszError::Malformed("offset out of order or out of range"));
        }
        offsets.push(offset);
        spans.push(Err(offset));
        pos += OFFSET_SIZE;
    }
    if offsets.is_empty() && fixed_len != bytes.len() {
        return Err(SszError::Malformed("trailing bytes after a fixed-size object"));
    }
    let mut values = Vec::with_capacity(types.len());
    let mut next_offsets = offsets.iter().skip(1);
    for (t, span) in types.iter().zip(spans) {
        let (start, end) = match span {
            Ok(range) => range,
            Err(start) => (start, next_offsets.next().copied().unwrap_or(bytes.len())),
        };
        let part = bytes.get(start..end).ok_or(SszError::Malformed("part out of range"))?;
        values.push(t.decode(part)?);
    }
    Ok(values)
}

/// Reads the little-endian `uint32` offset at `pos`.
fn read_offset(bytes: &[u8], pos: usize) -> Result<usize> {
    let raw: [u8; OFFSET_SIZE] = pos
        .checked_add(OFFSET_SIZE)
        .and_then(|end| bytes.get(pos..end))
        .and_then(|s| s.try_into().ok())
        .ok_or(SszError::Malformed("truncated offset"))?;
    usize::try_from(u32::from_le_bytes(raw)).map_err(|_| SszError::Malformed("offset too large"))
}

/// `pack`: right-pads `bytes` with zeros into 32-byte chunks.
fn pack(bytes: &[u8]) -> Vec<Chunk> {
    bytes
        .chunks(CHUNK_SIZE)
        .map(|c| {
            let mut chunk = [0u8; CHUNK_SIZE];
            chunk[..c.len()].copy_from_slice(c);
            chunk
        })
        .collect()
}

/// The `uint256` chunk of a list length for `mix_in_length`.
fn length_chunk(len: usize) -> Chunk {
    let mut chunk = [0u8; CHUNK_SIZE];
    chunk[..8].copy_from_slice(&(len as u64).to_le_bytes());
    chunk
}

/// `ceil(log2(n))`, with 0 and 1 giving 0 (`next_pow_of_two` maps 0 to 1).
fn ceil_log2(n: usize) -> u32 {
    if n <= 1 { 0 } else { (n - 1).ilog2() + 1 }
}

/// The `bits` low bits set.
fn low_mask(bits: u32) -> u64 {
    1u64.checked_shl(bits).map_or(u64::MAX, |b| b - 1)
}

/// Roots of all-zero trees: `zero_hashes()[d]` is the root of a depth-`d` tree of zero chunks.
fn zero_hashes() -> &'static [Chunk] {
    static ZEROS: OnceLock<Vec<Chunk>> = OnceLock::new();
    ZEROS.get_or_init(|| {
        let mut zeros = vec![[0u8; CHUNK_SIZE]];
        for d in 0..MAX_DEPTH as usize {
            let below = zeros[d];
            zeros.push(sha256_pair(&below, &below));
        }
        zeros
    })
}

fn zero_hash(depth: u32) -> Result<Chunk> {
    zero_hashes().get(depth as usize).copied().ok_or(SszError::TooDeep)
}

/// `merkleize(chunks, limit=2**depth)`: the root of `chunks` padded with zero chunks.
fn merkleize(chunks: &[Chunk], depth: u32) -> Result<Chunk> {
    if depth > MAX_DEPTH || chunks.len() > 1usize << depth {
        return Err(SszError::TooDeep);
    }
    if chunks.is_empty() {
        return zero_hash(depth);
    }
    let mut layer = chunks.to_vec();
    for height in 0..depth {
        if layer.len() % 2 == 1 {
            layer.push(zero_hash(height)?);
        }
        layer = layer.chunks_exact(2).map(|pair| sha256_pair(&pair[0], &pair[1])).collect();
    }
    layer.first().copied().ok_or(SszError::Mismatch)
}

/// The node at `gindex` (depth at most `depth`) of the depth-`depth` tree over `chunks`.
fn node(chunks: &[Chunk], depth: u32, gindex: u64) -> Result<Chunk> {
    let Some(level) = gindex.checked_ilog2().filter(|l| *l <= depth) else {
        return Err(SszError::GIndex(gindex));
    };
    let height = depth - level;
    let index = usize::try_from(gindex - (1u64 << level)).map_err(|_| SszError::GIndex(gindex))?;
    let width = 1usize << height;
    let start = index.checked_mul(width).ok_or(SszError::GIndex(gindex))?;
    if start >= chunks.len() {
        return zero_hash(height);
    }
    let end = start.saturating_add(width).min(chunks.len());
    merkleize(chunks.get(start..end).ok_or(SszError::GIndex(gindex))?, height)
}

/// The preset constants the consensus container schemas depend on.
///
/// Values from `consensus-specs@v1.6.1/presets/{minimal,mainnet}/{phase0,altair,bellatrix,
/// capella,deneb,electra}.yaml` (fulu changes none of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SszPreset {
    /// `MAX_COMMITTEES_PER_SLOT`.
    pub max_committees_per_slot: usize,
    /// `MAX_VALIDATORS_PER_COMMITTEE`.
    pub max_validators_per_committee: usize,
    /// `SLOTS_PER_EPOCH`.
    pub slots_per_epoch: usize,
    /// `MIN_SEED_LOOKAHEAD`.
    pub min_seed_lookahead: usize,
    /// `EPOCHS_PER_ETH1_VOTING_PERIOD`.
    pub epochs_per_eth1_voting_period: usize,
    /// `SLOTS_PER_HISTORICAL_ROOT`.
    pub slots_per_historical_root: usize,
    /// `EPOCHS_PER_HISTORICAL_VECTOR`.
    pub epochs_per_historical_vector: usize,
    /// `EPOCHS_PER_SLASHINGS_VECTOR`.
    pub epochs_per_slashings_vector: usize,
    /// `HISTORICAL_ROOTS_LIMIT`.
    pub historical_roots_limit: usize,
    /// `VALIDATOR_REGISTRY_LIMIT`.
    pub validator_registry_limit: usize,
    /// `MAX_PROPOSER_SLASHINGS`.
    pub max_proposer_slashings: usize,
    /// `MAX_ATTESTER_SLASHINGS`.
    pub max_attester_slashings: usize,
    /// `MAX_ATTESTATIONS`.
    pub max_attestations: usize,
    /// `MAX_DEPOSITS`.
    pub max_deposits: usize,
    /// `MAX_VOLUNTARY_EXITS`.
    pub max_voluntary_exits: usize,
    /// `SYNC_COMMITTEE_SIZE` (altair).
    pub sync_committee_size: usize,
    /// `MAX_BYTES_PER_TRANSACTION` (bellatrix).
    pub max_bytes_per_transaction: usize,
    /// `MAX_TRANSACTIONS_PER_PAYLOAD` (bellatrix).
    pub max_transactions_per_payload: usize,
    /// `BYTES_PER_LOGS_BLOOM` (bellatrix).
    pub bytes_per_logs_bloom: usize,
    /// `MAX_EXTRA_DATA_BYTES` (bellatrix).
    pub max_extra_data_bytes: usize,
    /// `MAX_BLS_TO_EXECUTION_CHANGES` (capella).
    pub max_bls_to_execution_changes: usize,
    /// `MAX_WITHDRAWALS_PER_PAYLOAD` (capella).
    pub max_withdrawals_per_payload: usize,
    /// `MAX_BLOB_COMMITMENTS_PER_BLOCK` (deneb).
    pub max_blob_commitments_per_block: usize,
    /// `PENDING_DEPOSITS_LIMIT` (electra).
    pub pending_deposits_limit: usize,
    /// `PENDING_PARTIAL_WITHDRAWALS_LIMIT` (electra).
    pub pending_partial_withdrawals_limit: usize,
    /// `PENDING_CONSOLIDATIONS_LIMIT` (electra).
    pub pending_consolidations_limit: usize,
    /// `MAX_ATTESTER_SLASHINGS_ELECTRA`.
    pub max_attester_slashings_electra: usize,
    /// `MAX_ATTESTATIONS_ELECTRA`.
    pub max_attestations_electra: usize,
    /// `MAX_DEPOSIT_REQUESTS_PER_PAYLOAD` (electra).
    pub max_deposit_requests_per_payload: usize,
    /// `MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD` (electra).
    pub max_withdrawal_requests_per_payload: usize,
    /// `MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD` (electra).
    pub max_consolidation_requests_per_payload: usize,
}

impl SszPreset {
    /// The `mainnet` preset.
    pub const MAINNET: Self = Self {
        max_committees_per_slot: 64,
        max_validators_per_committee: 2048,
        slots_per_epoch: 32,
        min_seed_lookahead: 1,
        epochs_per_eth1_voting_period: 64,
        slots_per_historical_root: 8192,
        epochs_per_historical_vector: 65536,
        epochs_per_slashings_vector: 8192,
        historical_roots_limit: 16_777_216,
        validator_registry_limit: 1_099_511_627_776,
        max_proposer_slashings: 16,
        max_attester_slashings: 2,
        max_attestations: 128,
        max_deposits: 16,
        max_voluntary_exits: 16,
        sync_committee_size: 512,
        max_bytes_per_transaction: 1_073_741_824,
        max_transactions_per_payload: 1_048_576,
        bytes_per_logs_bloom: 256,
        max_extra_data_bytes: 32,
        max_bls_to_execution_changes: 16,
        max_withdrawals_per_payload: 16,
        max_blob_commitments_per_block: 4096,
        pending_deposits_limit: 134_217_728,
        pending_partial_withdrawals_limit: 134_217_728,
        pending_consolidations_limit: 262_144,
        max_attester_slashings_electra: 1,
        max_attestations_electra: 8,
        max_deposit_requests_per_payload: 8192,
        max_withdrawal_requests_per_payload: 16,
        max_consolidation_requests_per_payload: 2,
    };

    /// The `minimal` preset.
    pub const MINIMAL: Self = Self {
        max_committees_per_slot: 4,
        max_validators_per_committee: 2048,
        slots_per_epoch: 8,
        min_seed_lookahead: 1,
        epochs_per_eth1_voting_period: 4,
        slots_per_historical_root: 64,
        epochs_per_historical_vector: 64,
        epochs_per_slashings_vector: 64,
        historical_roots_limit: 16_777_216,
        validator_registry_limit: 1_099_511_627_776,
        max_proposer_slashings: 16,
        max_attester_slashings: 2,
        max_attestations: 128,
        max_deposits: 16,
        max_voluntary_exits: 16,
        sync_committee_size: 32,
        max_bytes_per_transaction: 1_073_741_824,
        max_transactions_per_payload: 1_048_576,
        bytes_per_logs_bloom: 256,
        max_extra_data_bytes: 32,
        max_bls_to_execution_changes: 16,
        max_withdrawals_per_payload: 4,
        max_blob_commitments_per_block: 4096,
        pending_deposits_limit: 134_217_728,
        pending_partial_withdrawals_limit: 64,
        pending_consolidations_limit: 64,
        max_attester_slashings_electra: 1,
        max_attestations_electra: 8,
        max_deposit_requests_per_payload: 8192,
        max_withdrawal_requests_per_payload: 16,
        max_consolidation_requests_per_payload: 2,
    };

    /// The preset named `minimal` or `mainnet`.
    pub fn by_name(name: &str) -> Option<&'static Self> {
        match name {
            "mainnet" => Some(&Self::MAINNET),
            "minimal" => Some(&Self::MINIMAL),
            _ => None,
        }
    }
}

/// `JUSTIFICATION_BITS_LENGTH` (phase0 constant).
const JUSTIFICATION_BITS_LENGTH: usize = 4;
/// `DEPOSIT_CONTRACT_TREE_DEPTH` (phase0 constant).
const DEPOSIT_CONTRACT_TREE_DEPTH: usize = 32;

fn uint8() -> Type {
    Type::Uint(1)
}
fn uint64() -> Type {
    Type::Uint(8)
}
fn uint256() -> Type {
    Type::Uint(32)
}
fn bytes32() -> Type {
    Type::bytes(32)
}
fn pubkey() -> Type {
    Type::bytes(48)
}
fn signature() -> Type {
    Type::bytes(96)
}
fn address() -> Type {
    Type::bytes(20)
}
fn version() -> Type {
    Type::bytes(4)
}

fn fork_info() -> Type {
    Type::Container(vec![
        ("previous_version", version()),
        ("current_version", version()),
        ("epoch", uint64()),
    ])
}

fn checkpoint() -> Type {
    Type::Container(vec![("epoch", uint64()), ("root", bytes32())])
}

fn validator() -> Type {
    Type::Container(vec![
        ("pubkey", pubkey()),
        ("withdrawal_credentials", bytes32()),
        ("effective_balance", uint64()),
        ("slashed", Type::Boolean),
        ("activation_eligibility_epoch", uint64()),
        ("activation_epoch", uint64()),
        ("exit_epoch", uint64()),
        ("withdrawable_epoch", uint64()),
    ])
}

fn attestation_data() -> Type {
    Type::Container(vec![
        ("slot", uint64()),
        ("index", uint64()),
        ("beacon_block_root", bytes32()),
        ("source", checkpoint()),
        ("target", checkpoint()),
    ])
}

fn beacon_block_header() -> Type {
    Type::Container(vec![
        ("slot", uint64()),
        ("proposer_index", uint64()),
        ("parent_root", bytes32()),
        ("state_root", bytes32()),
        ("body_root", bytes32()),
    ])
}

fn eth1_data() -> Type {
    Type::Container(vec![
        ("deposit_root", bytes32()),
        ("deposit_count", uint64()),
        ("block_hash", bytes32()),
    ])
}

fn sync_committee(p: &SszPreset) -> Type {
    Type::Container(vec![
        ("pubkeys", Type::vector(pubkey(), p.sync_committee_size)),
        ("aggregate_pubkey", pubkey()),
    ])
}

fn sync_aggregate(p: &SszPreset) -> Type {
    Type::Container(vec![
        ("sync_committee_bits", Type::Bitvector(p.sync_committee_size)),
        ("sync_committee_signature", signature()),
    ])
}

/// Attesting-indices / aggregation-bits limit: electra widened it to a whole slot.
fn attesters_limit(fork: Fork, p: &SszPreset) -> usize {
    if fork >= Fork::Electra {
        p.max_validators_per_committee * p.max_committees_per_slot
    } else {
        p.max_validators_per_committee
    }
}

fn indexed_attestation(fork: Fork, p: &SszPreset) -> Type {
    Type::Container(vec![
        ("attesting_indices", Type::list(uint64(), attesters_limit(fork, p))),
        ("data", attestation_data()),
        ("signature", signature()),
    ])
}

fn attestation(fork: Fork, p: &SszPreset) -> Type {
    let mut fields = vec![
        ("aggregation_bits", Type::Bitlist(attesters_limit(fork, p))),
        ("data", attestation_data()),
        ("signature", signature()),
    ];
    if fork >= Fork::Electra {
        fields.push(("committee_bits", Type::Bitvector(p.max_committees_per_slot)));
    }
    Type::Container(fields)
}

fn proposer_slashing() -> Type {
    let signed_header =
        Type::Container(vec![("message", beacon_block_header()), ("signature", signature())]);
    Type::Container(vec![
        ("signed_header_1", signed_header.clone()),
        ("signed_header_2", signed_header),
    ])
}

fn attester_slashing(fork: Fork, p: &SszPreset) -> Type {
    Type::Container(vec![
        ("attestation_1", indexed_attestation(fork, p)),
        ("attestation_2", indexed_attestation(fork, p)),
    ])
}

fn deposit() -> Type {
    let data = Type::Container(vec![
        ("pubkey", pubkey()),
        ("withdrawal_credentials", bytes32()),
        ("amount", uint64()),
        ("signature", signature()),
    ]);
    Type::Container(vec![
        ("proof", Type::vector(bytes32(), DEPOSIT_CONTRACT_TREE_DEPTH + 1)),
        ("data", data),
    ])
}

fn signed_voluntary_exit() -> Type {
    let exit = Type::Container(vec![("epoch", uint64()), ("validator_index", uint64())]);
    Type::Container(vec![("message", exit), ("signature", signature())])
}

fn withdrawal() -> Type {
    Type::Container(vec![
        ("index", uint64()),
        ("validator_index", uint64()),
        ("address", address()),
        ("amount", uint64()),
    ])
}

fn signed_bls_to_execution_change() -> Type {
    let change = Type::Container(vec![
        ("validator_index", uint64()),
        ("from_bls_pubkey", pubkey()),
        ("to_execution_address", address()),
    ]);
    Type::Container(vec![("message", change), ("signature", signature())])
}

/// The fields shared by `ExecutionPayload` and `ExecutionPayloadHeader` (bellatrix onwards)
/// up to `block_hash`.
fn execution_payload_prefix(p: &SszPreset) -> Vec<(&'static str, Type)> {
    vec![
        ("parent_hash", bytes32()),
        ("fee_recipient", address()),
        ("state_root", bytes32()),
        ("receipts_root", bytes32()),
        ("logs_bloom", Type::bytes(p.bytes_per_logs_bloom)),
        ("prev_randao", bytes32()),
        ("block_number", uint64()),
        ("gas_limit", uint64()),
        ("gas_used", uint64()),
        ("timestamp", uint64()),
        ("extra_data", Type::byte_list(p.max_extra_data_bytes)),
        ("base_fee_per_gas", uint256()),
        ("block_hash", bytes32()),
    ]
}

/// `ExecutionPayload` (bellatrix, capella, deneb; unchanged in electra and fulu).
fn execution_payload(fork: Fork, p: &SszPreset) -> Type {
    let mut fields = execution_payload_prefix(p);
    let transaction = Type::byte_list(p.max_bytes_per_transaction);
    fields.push(("transactions", Type::list(transaction, p.max_transactions_per_payload)));
    if fork >= Fork::Capella {
        fields.push(("withdrawals", Type::list(withdrawal(), p.max_withdrawals_per_payload)));
    }
    if fork >= Fork::Deneb {
        fields.push(("blob_gas_used", uint64()));
        fields.push(("excess_blob_gas", uint64()));
    }
    Type::Container(fields)
}

/// `ExecutionPayloadHeader` (bellatrix, capella, deneb; unchanged in electra and fulu).
fn execution_payload_header(fork: Fork, p: &SszPreset) -> Type {
    let mut fields = execution_payload_prefix(p);
    fields.push(("transactions_root", bytes32()));
    if fork >= Fork::Capella {
        fields.push(("withdrawals_root", bytes32()));
    }
    if fork >= Fork::Deneb {
        fields.push(("blob_gas_used", uint64()));
        fields.push(("excess_blob_gas", uint64()));
    }
    Type::Container(fields)
}

/// `ExecutionRequests` (electra).
fn execution_requests(p: &SszPreset) -> Type {
    let deposit_request = Type::Container(vec![
        ("pubkey", pubkey()),
        ("withdrawal_credentials", bytes32()),
        ("amount", uint64()),
        ("signature", signature()),
        ("index", uint64()),
    ]);
    let withdrawal_request = Type::Container(vec![
        ("source_address", address()),
        ("validator_pubkey", pubkey()),
        ("amount", uint64()),
    ]);
    let consolidation_request = Type::Container(vec![
        ("source_address", address()),
        ("source_pubkey", pubkey()),
        ("target_pubkey", pubkey()),
    ]);
    Type::Container(vec![
        ("deposits", Type::list(deposit_request, p.max_deposit_requests_per_payload)),
        ("withdrawals", Type::list(withdrawal_request, p.max_withdrawal_requests_per_payload)),
        (
            "consolidations",
            Type::list(consolidation_request, p.max_consolidation_requests_per_payload),
        ),
    ])
}

/// `BeaconBlockBody` of `fork` (altair through fulu; `None` for phase0, which the light-client
/// suites do not use).
pub fn beacon_block_body(fork: Fork, p: &SszPreset) -> Option<Type> {
    if fork < Fork::Altair {
        return None;
    }
    let electra = fork >= Fork::Electra;
    let max_attester_slashings =
        if electra { p.max_attester_slashings_electra } else { p.max_attester_slashings };
    let max_attestations = if electra { p.max_attestations_electra } else { p.max_attestations };
    let mut fields = vec![
        ("randao_reveal", signature()),
        ("eth1_data", eth1_data()),
        ("graffiti", bytes32()),
        ("proposer_slashings", Type::list(proposer_slashing(), p.max_proposer_slashings)),
        ("attester_slashings", Type::list(attester_slashing(fork, p), max_attester_slashings)),
        ("attestations", Type::list(attestation(fork, p), max_attestations)),
        ("deposits", Type::list(deposit(), p.max_deposits)),
        ("voluntary_exits", Type::list(signed_voluntary_exit(), p.max_voluntary_exits)),
        ("sync_aggregate", sync_aggregate(p)),
    ];
    if fork >= Fork::Bellatrix {
        fields.push(("execution_payload", execution_payload(fork, p)));
    }
    if fork >= Fork::Capella {
        fields.push((
            "bls_to_execution_changes",
            Type::list(signed_bls_to_execution_change(), p.max_bls_to_execution_changes),
        ));
    }
    if fork >= Fork::Deneb {
        fields.push((
            "blob_kzg_commitments",
            Type::list(Type::bytes(48), p.max_blob_commitments_per_block),
        ));
    }
    if electra {
        fields.push(("execution_requests", execution_requests(p)));
    }
    Some(Type::Container(fields))
}

/// `BeaconState` of `fork` (altair through fulu; `None` for phase0).
pub fn beacon_state(fork: Fork, p: &SszPreset) -> Option<Type> {
    if fork < Fork::Altair {
        return None;
    }
    let registry = p.validator_registry_limit;
    let mut fields = vec![
        ("genesis_time", uint64()),
        ("genesis_validators_root", bytes32()),
        ("slot", uint64()),
        ("fork", fork_info()),
        ("latest_block_header", beacon_block_header()),
        ("block_roots", Type::vector(bytes32(), p.slots_per_historical_root)),
        ("state_roots", Type::vector(bytes32(), p.slots_per_historical_root)),
        ("historical_roots", Type::list(bytes32(), p.historical_roots_limit)),
        ("eth1_data", eth1_data()),
        (
            "eth1_data_votes",
            Type::list(eth1_data(), p.epochs_per_eth1_voting_period * p.slots_per_epoch),
        ),
        ("eth1_deposit_index", uint64()),
        ("validators", Type::list(validator(), registry)),
        ("balances", Type::list(uint64(), registry)),
        ("randao_mixes", Type::vector(bytes32(), p.epochs_per_historical_vector)),
        ("slashings", Type::vector(uint64(), p.epochs_per_slashings_vector)),
        ("previous_epoch_participation", Type::list(uint8(), registry)),
        ("current_epoch_participation", Type::list(uint8(), registry)),
        ("justification_bits", Type::Bitvector(JUSTIFICATION_BITS_LENGTH)),
        ("previous_justified_checkpoint", checkpoint()),
        ("current_justified_checkpoint", checkpoint()),
        ("finalized_checkpoint", checkpoint()),
        ("inactivity_scores", Type::list(uint64(), registry)),
        ("current_sync_committee", sync_committee(p)),
        ("next_sync_committee", sync_committee(p)),
    ];
    if fork >= Fork::Bellatrix {
        fields.push(("latest_execution_payload_header", execution_payload_header(fork, p)));
    }
    if fork >= Fork::Capella {
        let historical_summary = Type::Container(vec![
            ("block_summary_root", bytes32()),
            ("state_summary_root", bytes32()),
        ]);
        fields.push(("next_withdrawal_index", uint64()));
        fields.push(("next_withdrawal_validator_index", uint64()));
        fields.push((
            "historical_summaries",
            Type::list(historical_summary, p.historical_roots_limit),
        ));
    }
    if fork >= Fork::Electra {
        let pending_deposit = Type::Container(vec![
            ("pubkey", pubkey()),
            ("withdrawal_credentials", bytes32()),
            ("amount", uint64()),
            ("signature", signature()),
            ("slot", uint64()),
        ]);
        let pending_partial_withdrawal = Type::Container(vec![
            ("validator_index", uint64()),
            ("amount", uint64()),
            ("withdrawable_epoch", uint64()),
        ]);
        let pending_consolidation =
            Type::Container(vec![("source_index", uint64()), ("target_index", uint64())]);
        fields.extend([
            ("deposit_requests_start_index", uint64()),
            ("deposit_balance_to_consume", uint64()),
            ("exit_balance_to_consume", uint64()),
            ("earliest_exit_epoch", uint64()),
            ("consolidation_balance_to_consume", uint64()),
            ("earliest_consolidation_epoch", uint64()),
            ("pending_deposits", Type::list(pending_deposit, p.pending_deposits_limit)),
            (
                "pending_partial_withdrawals",
                Type::list(pending_partial_withdrawal, p.pending_partial_withdrawals_limit),
            ),
            (
                "pending_consolidations",
                Type::list(pending_consolidation, p.pending_consolidations_limit),
            ),
        ]);
    }
    if fork >= Fork::Fulu {
        let lookahead = (p.min_seed_lookahead + 1) * p.slots_per_epoch;
        fields.push(("proposer_lookahead", Type::vector(uint64(), lookahead)));
    }
    Some(Type::Container(fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mana_primitives::sha256;

    fn chunk_of(bytes: &[u8]) -> Chunk {
        let mut c = [0u8; 32];
        c[..bytes.len()].copy_from_slice(bytes);
        c
    }

    fn hash_concat(a: &Chunk, b: &Chunk) -> Chunk {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(a);
        buf[32..].copy_from_slice(b);
        sha256(&buf)
    }

    /// `Container { a: uint64, b: List[uint16, 32], c: boolean }`.
    fn small() -> Type {
        Type::Container(vec![
            ("a", uint64()),
            ("b", Type::list(Type::Uint(2), 32)),
            ("c", Type::Boolean),
        ])
    }

    #[test]
    fn small_container_decode_root_and_proofs() {
        // a = 5, offset(b) = 13, c = true, b = [1, 2, 3]
        let mut bytes = 5u64.to_le_bytes().to_vec();
        bytes.extend(13u32.to_le_bytes());
        bytes.push(1);
        bytes.extend([1, 0, 2, 0, 3, 0]);
        let ty = small();
        let value = ty.decode(&bytes).unwrap();

        // b: 32 uint16 = 64 bytes = 2 chunks; data root = hash(chunk, zero), then mix-in 3.
        let b_data = hash_concat(&chunk_of(&[1, 0, 2, 0, 3, 0]), &[0; 32]);
        let b_root = hash_concat(&b_data, &chunk_of(&[3]));
        let a_root = chunk_of(&5u64.to_le_bytes());
        let c_root = chunk_of(&[1]);
        // Three fields pad to four leaves.
        let left = hash_concat(&a_root, &b_root);
        let right = hash_concat(&c_root, &[0; 32]);
        let root = hash_concat(&left, &right);
        assert_eq!(ty.hash_tree_root(&value).unwrap(), root);

        assert_eq!(ty.field_gindex(&["b"]), Some(5));
        assert_eq!(ty.prove(&value, 1).unwrap(), (root, vec![]));
        assert_eq!(ty.prove(&value, 5).unwrap(), (b_root, vec![a_root, right]));
        // Length mix-in of `b` is the right child of its root: 5 * 2 + 1.
        assert_eq!(ty.prove(&value, 11).unwrap(), (chunk_of(&[3]), vec![b_data, a_root, right]));
        // First data chunk of `b`: 5 -> 10 (data root) -> 20 (chunk 0).
        let (leaf, branch) = ty.prove(&value, 20).unwrap();
        assert_eq!(leaf, chunk_of(&[1, 0, 2, 0, 3, 0]));
        assert_eq!(branch, vec![[0; 32], chunk_of(&[3]), a_root, right]);
        let mut g = 20u64;
        let mut node = leaf;
        for sibling in &branch {
            node =
                if g & 1 == 1 { hash_concat(sibling, &node) } else { hash_concat(&node, sibling) };
            g >>= 1;
        }
        assert_eq!(node, root);
        // Padding leaf 7 is a zero node; below a packed chunk or into padding is refused.
        assert_eq!(ty.prove(&value, 7).unwrap().0, [0; 32]);
        assert!(ty.prove(&value, 40).is_err());
        assert!(ty.prove(&value, 0).is_err());
    }

    #[test]
    fn list_of_containers_mixes_in_length() {
        let ty = Type::list(checkpoint(), 4);
        let mut bytes = Vec::new();
        for epoch in [7u64, 9] {
            bytes.extend(epoch.to_le_bytes());
            bytes.extend([epoch as u8; 32]);
        }
        let value = ty.decode(&bytes).unwrap();
        let roots: Vec<Chunk> = [7u64, 9]
            .iter()
            .map(|e| hash_concat(&chunk_of(&e.to_le_bytes()), &[*e as u8; 32]))
            .collect();
        let data =
            hash_concat(&hash_concat(&roots[0], &roots[1]), &hash_concat(&[0; 32], &[0; 32]));
        let root = hash_concat(&data, &chunk_of(&[2]));
        assert_eq!(ty.hash_tree_root(&value).unwrap(), root);
        assert_eq!(ty.prove(&value, 3).unwrap(), (chunk_of(&[2]), vec![data]));
        // Element 1 is at 2 (data) -> 9 (depth 2 of the data tree: 4 + 1 = 5 -> gindex 2*4+1).
        let (leaf, branch) = ty.prove(&value, 9).unwrap();
        assert_eq!(leaf, roots[1]);
        assert_eq!(branch.len(), 3);
        // Element 1 field `root`: 9 * 2 + 1 = 19.
        assert_eq!(ty.prove(&value, 19).unwrap().0, [9; 32]);
        // Element 2 does not exist (padding): cannot descend into it.
        assert!(ty.prove(&value, 20).is_err());
        // Empty list.
        let empty = ty.decode(&[]).unwrap();
        let zero_data = zero_hash(2).unwrap();
        assert_eq!(ty.hash_tree_root(&empty).unwrap(), hash_concat(&zero_data, &[0; 32]));
        // Over the limit.
        assert_eq!(ty.decode(&[0u8; 40 * 5]), Err(SszError::Limit { len: 5, limit: 4 }));
    }

    #[test]
    fn bitlist_and_bitvector() {
        let ty = Type::Bitlist(10);
        // Bits 1,0,1 then delimiter at bit 3: 0b1101.
        let value = ty.decode(&[0b1101]).unwrap();
        assert_eq!(value, Value::Packed { bytes: vec![0b101], len: 3 });
        let root = hash_concat(&chunk_of(&[0b101]), &chunk_of(&[3]));
        assert_eq!(ty.hash_tree_root(&value).unwrap(), root);
        // Delimiter alone: empty bitlist.
        let empty = ty.decode(&[1]).unwrap();
        assert_eq!(empty, Value::Packed { bytes: vec![], len: 0 });
        assert_eq!(ty.hash_tree_root(&empty).unwrap(), hash_concat(&[0; 32], &[0; 32]));
        // Exactly 8 bits: the delimiter spills into a second byte that is then dropped.
        let eight = ty.decode(&[0xff, 1]).unwrap();
        assert_eq!(eight, Value::Packed { bytes: vec![0xff], len: 8 });
        // Missing delimiter, empty input, over the limit.
        assert!(ty.decode(&[0xff, 0]).is_err());
        assert!(ty.decode(&[]).is_err());
        assert_eq!(ty.decode(&[0xff, 0b1000]), Err(SszError::Limit { len: 11, limit: 10 }));

        let bv = Type::Bitvector(4);
        assert!(bv.decode(&[0b1111]).is_ok());
        assert!(bv.decode(&[0b1_0000]).is_err());
        assert!(bv.decode(&[0, 0]).is_err());
    }

    #[test]
    fn malformed_input_is_an_error() {
        let ty = small();
        let mut good = 5u64.to_le_bytes().to_vec();
        good.extend(13u32.to_le_bytes());
        good.push(1);
        good.extend([1, 0, 2, 0]);
        assert!(ty.decode(&good).is_ok());
        // Every truncation fails or decodes consistently; none panics.
        for len in 0..good.len() {
            let _ = ty.decode(&good[..len]);
        }
        assert!(ty.decode(&good[..12]).is_err());
        // Odd-length uint16 list.
        assert!(ty.decode(&good[..good.len() - 1]).is_err());
        // First offset not at the end of the fixed part.
        let mut bad = good.clone();
        bad[8] = 12;
        assert!(ty.decode(&bad).is_err());
        // Offset past the end.
        bad[8] = 200;
        assert!(ty.decode(&bad).is_err());
        // Invalid boolean.
        let mut bad = good.clone();
        bad[12] = 2;
        assert!(ty.decode(&bad).is_err());
        // Trailing bytes after a fixed-size container.
        assert!(checkpoint().decode(&[0u8; 41]).is_err());
        assert!(checkpoint().decode(&[0u8; 39]).is_err());
        // List of variable-size elements with bad offsets.
        let lists = Type::list(Type::byte_list(8), 4);
        assert_eq!(lists.decode(&[8, 0, 0, 0, 8, 0, 0, 0]).unwrap(), {
            let empty = Value::Packed { bytes: vec![], len: 0 };
            Value::Composite(vec![empty.clone(), empty])
        });
        assert!(lists.decode(&[8, 0, 0, 0, 7, 0, 0, 0]).is_err());
        assert!(lists.decode(&[6, 0, 0, 0, 8, 0]).is_err());
        assert!(lists.decode(&[0, 0, 0, 0]).is_err());
        assert!(lists.decode(&[4, 0, 0]).is_err());
        assert!(lists.decode(&[255, 255, 255, 255]).is_err());
        // Fuzz-ish: every single-byte corruption of a real-shaped object never panics.
        let state = beacon_state(Fork::Fulu, &SszPreset::MINIMAL).unwrap();
        for len in [0usize, 1, 3, 100, 1000] {
            assert!(state.decode(&vec![0xffu8; len]).is_err());
        }
    }

    #[test]
    fn light_client_gindices_match_the_specs() {
        for preset in [&SszPreset::MINIMAL, &SszPreset::MAINNET] {
            for fork in [Fork::Altair, Fork::Bellatrix, Fork::Capella, Fork::Deneb] {
                let state = beacon_state(fork, preset).unwrap();
                assert_eq!(state.field_gindex(&["finalized_checkpoint", "root"]), Some(105));
                assert_eq!(state.field_gindex(&["current_sync_committee"]), Some(54));
                assert_eq!(state.field_gindex(&["next_sync_committee"]), Some(55));
            }
            for fork in [Fork::Electra, Fork::Fulu] {
                let state = beacon_state(fork, preset).unwrap();
                assert_eq!(state.field_gindex(&["finalized_checkpoint", "root"]), Some(169));
                assert_eq!(state.field_gindex(&["current_sync_committee"]), Some(86));
                assert_eq!(state.field_gindex(&["next_sync_committee"]), Some(87));
            }
            for fork in [Fork::Capella, Fork::Deneb, Fork::Electra, Fork::Fulu] {
                let body = beacon_block_body(fork, preset).unwrap();
                assert_eq!(body.field_gindex(&["execution_payload"]), Some(25));
            }
            let deneb = beacon_block_body(Fork::Deneb, preset).unwrap();
            assert_eq!(deneb.field_gindex(&["blob_kzg_commitments"]), Some(27));
        }
        assert!(beacon_state(Fork::Phase0, &SszPreset::MAINNET).is_none());
    }
}
