//! Tree keys and account leaves (EIP-6800, "Tree embedding"; notes §5): the Pedersen hash of
//! `address32 ‖ tree_index`, stems, header/storage/code positions, BASIC_DATA and code chunks.

use alloc::vec::Vec;

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::field::fr_to_le;
use crate::point::Element;

/// Sub-index of BASIC_DATA (current layout) / VERSION (Kaustinen-6 layout).
pub const BASIC_DATA_LEAF_KEY: u8 = 0;
/// Sub-index of CODE_HASH in the current layout.
pub const CODE_HASH_LEAF_KEY: u8 = 1;
/// First header sub-index used by storage slots 0..63.
pub const HEADER_STORAGE_OFFSET: u8 = 64;
/// First code-chunk position.
pub const CODE_OFFSET: u64 = 128;

/// Which account layout the tree uses (notes §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// The current EIP-6800 text: BASIC_DATA (packed big-endian) at 0, CODE_HASH at 1.
    #[default]
    Current,
    /// devnet-6 / Kaustinen-6 (before EIP commit d46092bf, 2024-07-24): version 0, balance 1,
    /// nonce 2, code keccak 3, code size 4 (little-endian u256 each; no code size for EOAs).
    Kaustinen6,
}

/// `address32 = 12 zero bytes ‖ address20`.
pub fn address32(address: &[u8; 20]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(address);
    out
}

fn u128_limbs(bytes: &[u8]) -> [u64; 2] {
    let mut lo = [0u8; 8];
    let mut hi = [0u8; 8];
    for (i, b) in bytes.iter().take(16).enumerate() {
        if i < 8 {
            if let Some(slot) = lo.get_mut(i) {
                *slot = *b;
            }
        } else if let Some(slot) = hi.get_mut(i.saturating_sub(8)) {
            *slot = *b;
        }
    }
    [u64::from_le_bytes(lo), u64::from_le_bytes(hi)]
}

/// The cached address part of tree-key hashes: `16386·G₀ + LE128(a[0:16])·G₁ + LE128(a[16:32])·G₂`
/// (notes §15, geth's `evaluateAddressPoint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressPoint(Element);

impl AddressPoint {
    /// Evaluates the address part for `address32`.
    pub fn new(crs: &Crs, address32: &[u8; 32]) -> Self {
        let (lo, hi) = address32.split_at(16);
        Self(crs.key_msm(crs.key_constant, &[(1, u128_limbs(lo)), (2, u128_limbs(hi))]))
    }

    /// `pedersen_hash(address32 ‖ tree_index)` (tree index 32 bytes little-endian).
    pub fn hash(&self, crs: &Crs, tree_index_le: &[u8; 32]) -> [u8; 32] {
        let (lo, hi) = tree_index_le.split_at(16);
        let point = crs.key_msm(self.0, &[(3, u128_limbs(lo)), (4, u128_limbs(hi))]);
        fr_to_le(&point.map_to_scalar_field())
    }

    /// The tree key `hash[0:31] ‖ sub_index`.
    pub fn tree_key(&self, crs: &Crs, tree_index_le: &[u8; 32], sub_index: u8) -> [u8; 32] {
        let mut key = self.hash(crs, tree_index_le);
        key[31] = sub_index;
        key
    }
}

/// The EIP-6800 Pedersen hash of 64 bytes: commit `[16386, LE128(in[0:16]), …, LE128(in[48:64])]`
/// to `G₀..G₄` and return `fr_le(map_to_scalar_field(C))`.
pub fn pedersen_hash(crs: &Crs, input: &[u8; 64]) -> [u8; 32] {
    let (address, index) = input.split_at(32);
    let mut a = [0u8; 32];
    a.copy_from_slice(address);
    let mut t = [0u8; 32];
    t.copy_from_slice(index);
    AddressPoint::new(crs, &a).hash(crs, &t)
}

/// `get_tree_key(address32, tree_index, sub_index)` (tree index 32 bytes little-endian).
pub fn get_tree_key(
    crs: &Crs,
    address32: &[u8; 32],
    tree_index_le: &[u8; 32],
    sub_index: u8,
) -> [u8; 32] {
    AddressPoint::new(crs, address32).tree_key(crs, tree_index_le, sub_index)
}

/// A tree index from a small integer (32 bytes little-endian).
pub fn tree_index(value: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(&value.to_le_bytes());
    out
}

/// Position `(tree_index LE, sub_index)` of storage slot `slot` (32 bytes big-endian): slots
/// below 64 sit in the header stem at `64 + slot`; others at `2^248 + slot`, computed as tree
/// index `2^240 + slot / 256` and sub-index `slot mod 256` (dividing first: `2^248 + slot`
/// overflows 256 bits).
pub fn storage_slot_position(slot_be: &[u8; 32]) -> ([u8; 32], u8) {
    let small = slot_be[..31].iter().all(|b| *b == 0) && slot_be[31] < 64;
    if small {
        return ([0u8; 32], HEADER_STORAGE_OFFSET.saturating_add(slot_be[31]));
    }
    let mut le = *slot_be;
    le.reverse();
    // slot >> 8
    let mut index = [0u8; 32];
    index[..31].copy_from_slice(&le[1..]);
    // + 2^240 (bit 0 of byte 30), with carry into byte 31.
    let (sum, carry) = index[30].overflowing_add(1);
    index[30] = sum;
    if carry {
        index[31] = index[31].wrapping_add(1);
    }
    (index, le[0])
}

/// Position `(tree_index, sub_index)` of code chunk `i`: `((128 + i) / 256, (128 + i) mod 256)`.
pub fn code_chunk_position(chunk: u64) -> ([u8; 32], u8) {
    let position = u128::from(chunk).saturating_add(u128::from(CODE_OFFSET));
    let mut index = [0u8; 32];
    index[..16].copy_from_slice(&(position >> 8).to_le_bytes());
    (index, (position & 0xff) as u8)
}

/// Splits code into 32-byte chunks: one byte giving how many leading bytes of the chunk are
/// PUSHDATA continued from the previous chunk (capped at 31), then 31 code bytes (the last
/// chunk zero-padded) — EIP-6800 "Code".
pub fn chunkify_code(code: &[u8]) -> Vec<[u8; 32]> {
    let chunks = code.len().div_ceil(31);
    let mut out = Vec::with_capacity(chunks);
    // Remaining PUSHDATA bytes at the current position.
    let mut pushdata_left: usize = 0;
    for chunk_code in code.chunks(31) {
        let mut chunk = [0u8; 32];
        chunk[0] = pushdata_left.min(31) as u8;
        for (dst, src) in chunk.iter_mut().skip(1).zip(chunk_code) {
            *dst = *src;
        }
        for &op in chunk_code {
            if pushdata_left > 0 {
                pushdata_left = pushdata_left.saturating_sub(1);
            } else if (0x60..=0x7f).contains(&op) {
                pushdata_left = usize::from(op.saturating_sub(0x5f));
            }
        }
        out.push(chunk);
    }
    out
}

/// The BASIC_DATA leaf of the current layout (EIP-6800; fields big-endian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BasicData {
    /// Version byte (offset 0).
    pub version: u8,
    /// Code size (offset 5, 3 bytes).
    pub code_size: u32,
    /// Nonce (offset 8, 8 bytes).
    pub nonce: u64,
    /// Balance (offset 16, 16 bytes).
    pub balance: u128,
}

impl BasicData {
    /// The 32-byte leaf value.
    pub fn encode(&self) -> Result<[u8; 32]> {
        if self.code_size >= 1 << 24 {
            return Err(Error::TooMany {
                what: "code size",
                limit: (1 << 24) - 1,
                got: self.code_size as usize,
            });
        }
        let mut out = [0u8; 32];
        out[0] = self.version;
        out[5..8].copy_from_slice(&self.code_size.to_be_bytes()[1..]);
        out[8..16].copy_from_slice(&self.nonce.to_be_bytes());
        out[16..32].copy_from_slice(&self.balance.to_be_bytes());
        Ok(out)
    }

    /// Decodes a 32-byte leaf value (reserved bytes 1..5 are ignored).
    pub fn decode(value: &[u8; 32]) -> Self {
        let mut size = [0u8; 4];
        size[1..].copy_from_slice(&value[5..8]);
        let mut nonce = [0u8; 8];
        nonce.copy_from_slice(&value[8..16]);
        let mut balance = [0u8; 16];
        balance.copy_from_slice(&value[16..32]);
        Self {
            version: value[0],
            code_size: u32::from_be_bytes(size),
            nonce: u64::from_be_bytes(nonce),
            balance: u128::from_be_bytes(balance),
        }
    }
}

/// An account as written into the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account<'a> {
    /// Nonce.
    pub nonce: u64,
    /// Balance, 32 bytes big-endian (must fit 16 bytes in the current layout).
    pub balance: [u8; 32],
    /// `keccak256(code)` (the crate has no Keccak; the caller supplies it).
    pub code_hash: [u8; 32],
    /// The code (empty for an EOA).
    pub code: &'a [u8],
}

fn le_u256_from_be(be: &[u8; 32]) -> [u8; 32] {
    let mut le = *be;
    le.reverse();
    le
}

/// The `(key, value)` leaves of an account header and its code chunks under `layout`.
pub fn account_leaves(
    crs: &Crs,
    layout: Layout,
    address: &[u8; 20],
    account: &Account<'_>,
) -> Result<Vec<([u8; 32], [u8; 32])>> {
    let point = AddressPoint::new(crs, &address32(address));
    let header = tree_index(0);
    let mut leaves = Vec::new();
    let code_size = account.code.len();
    match layout {
        Layout::Current => {
            if account.balance[..16].iter().any(|b| *b != 0) {
                return Err(Error::TooMany { what: "balance bytes", limit: 16, got: 32 });
            }
            let mut balance = [0u8; 16];
            balance.copy_from_slice(&account.balance[16..]);
            let basic = BasicData {
                version: 0,
                code_size: u32::try_from(code_size).map_err(|_| Error::TooMany {
                    what: "code size",
                    limit: (1 << 24) - 1,
                    got: code_size,
                })?,
                nonce: account.nonce,
                balance: u128::from_be_bytes(balance),
            };
            leaves.push((point.tree_key(crs, &header, BASIC_DATA_LEAF_KEY), basic.encode()?));
            leaves.push((point.tree_key(crs, &header, CODE_HASH_LEAF_KEY), account.code_hash));
        }
        Layout::Kaustinen6 => {
            leaves.push((point.tree_key(crs, &header, 0), [0u8; 32]));
            leaves.push((point.tree_key(crs, &header, 1), le_u256_from_be(&account.balance)));
            let mut nonce = [0u8; 32];
            nonce[..8].copy_from_slice(&account.nonce.to_le_bytes());
            leaves.push((point.tree_key(crs, &header, 2), nonce));
            leaves.push((point.tree_key(crs, &header, 3), account.code_hash));
            if code_size > 0 {
                let mut size = [0u8; 32];
                size[..8].copy_from_slice(&(code_size as u64).to_le_bytes());
                leaves.push((point.tree_key(crs, &header, 4), size));
            }
        }
    }
    for (i, chunk) in chunkify_code(account.code).into_iter().enumerate() {
        let (index, sub) = code_chunk_position(i as u64);
        leaves.push((point.tree_key(crs, &index, sub), chunk));
    }
    Ok(leaves)
}

/// The tree key of storage slot `slot` (32 bytes big-endian) of `address`.
pub fn storage_key(crs: &Crs, address: &[u8; 20], slot_be: &[u8; 32]) -> [u8; 32] {
    let (index, sub) = storage_slot_position(slot_be);
    get_tree_key(crs, &address32(address), &index, sub)
}
