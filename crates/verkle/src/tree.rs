//! Leaf, extension and internal-node commitments (EIP-6800 "Commitments"; notes §6) and an
//! in-memory tree that computes roots.

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::crs::Crs;
use crate::field::{Fr, fr_from_stem, fr_from_u128_le, fr_u64, two_pow_128};
use crate::point::Element;

/// A stem: the first 31 bytes of a key.
pub type Stem = [u8; 31];

/// The two scalars of a present leaf value at its slot: `(LE128(v[0:16]) + 2^128, LE128(v[16:32]))`.
pub(crate) fn value_scalars(value: &[u8; 32]) -> (Fr, Fr) {
    let (lo, hi) = value.split_at(16);
    (fr_from_u128_le(lo) + two_pow_128(), fr_from_u128_le(hi))
}

/// `C1` (suffixes `< 128`) or `C2` (suffixes `≥ 128`) of a leaf from its present values
/// (notes §6); `values` yields `(suffix, value)` for one half.
pub(crate) fn half_commitment<'a>(
    crs: &Crs,
    values: impl Iterator<Item = (u8, &'a [u8; 32])>,
) -> Element {
    let mut terms: Vec<(usize, Fr)> = Vec::new();
    for (suffix, value) in values {
        let slot = usize::from(suffix % 128).saturating_mul(2);
        let (lo, hi) = value_scalars(value);
        terms.push((slot, lo));
        terms.push((slot.saturating_add(1), hi));
    }
    crs.commit_sparse(&terms)
}

/// The extension (leaf-node) commitment `1·G₀ + LE(stem)·G₁ + map(C1)·G₂ + map(C2)·G₃`.
pub(crate) fn extension_commitment(crs: &Crs, stem: &Stem, c1_map: &Fr, c2_map: &Fr) -> Element {
    let terms = [(0usize, fr_u64(1)), (1, fr_from_stem(stem)), (2, *c1_map), (3, *c2_map)];
    crs.commit_sparse(&terms)
}

/// An in-memory verkle tree: key/value inserts and the root commitment (for tests, genesis
/// roots and benchmarks; verification does not need it).
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    leaves: BTreeMap<Stem, BTreeMap<u8, [u8; 32]>>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts (or overwrites) `key → value`; values shorter than 32 bytes are right-padded
    /// with zeros, longer ones truncated to 32.
    pub fn insert(&mut self, key: &[u8; 32], value: &[u8]) {
        let mut stem = [0u8; 31];
        stem.copy_from_slice(&key[..31]);
        let mut padded = [0u8; 32];
        for (dst, src) in padded.iter_mut().zip(value) {
            *dst = *src;
        }
        self.leaves.entry(stem).or_default().insert(key[31], padded);
    }

    /// The value at `key`, if present.
    pub fn get(&self, key: &[u8; 32]) -> Option<&[u8; 32]> {
        let mut stem = [0u8; 31];
        stem.copy_from_slice(&key[..31]);
        self.leaves.get(&stem).and_then(|leaf| leaf.get(&key[31]))
    }

    /// Number of stems.
    pub fn stems(&self) -> usize {
        self.leaves.len()
    }

    /// The root commitment (the identity for an empty tree).
    pub fn root_commitment(&self, crs: &Crs) -> Element {
        let mut c1s = Vec::with_capacity(self.leaves.len());
        let mut c2s = Vec::with_capacity(self.leaves.len());
        for values in self.leaves.values() {
            c1s.push(half_commitment(crs, values.range(..128).map(|(s, v)| (*s, v))));
            c2s.push(half_commitment(crs, values.range(128..).map(|(s, v)| (*s, v))));
        }
        let c1m = Element::batch_map_to_scalar_field(&c1s);
        let c2m = Element::batch_map_to_scalar_field(&c2s);
        let leaves: Vec<(Stem, Element)> = self
            .leaves
            .keys()
            .zip(c1m.iter().zip(&c2m))
            .map(|(stem, (m1, m2))| (*stem, extension_commitment(crs, stem, m1, m2)))
            .collect();
        internal_commitment(crs, &leaves, 0)
    }

    /// The root as a header `stateRoot`: the compressed root commitment.
    pub fn root(&self, crs: &Crs) -> [u8; 32] {
        self.root_commitment(crs).to_bytes()
    }
}

/// The commitment of the internal node at `depth` over sorted `(stem, leaf commitment)` pairs
/// sharing their first `depth` bytes.
pub(crate) fn internal_commitment(crs: &Crs, leaves: &[(Stem, Element)], depth: usize) -> Element {
    let mut children: Vec<(usize, Element)> = Vec::new();
    let mut rest = leaves;
    while let Some((first, _)) = rest.first() {
        let index = first.get(depth).copied().unwrap_or(0);
        let count =
            rest.iter().take_while(|(s, _)| s.get(depth).copied() == Some(index)).count().max(1);
        let (group, tail) = rest.split_at(count.min(rest.len()));
        rest = tail;
        children
            .push((usize::from(index), subtree_commitment(crs, group, depth.saturating_add(1))));
    }
    let points: Vec<Element> = children.iter().map(|(_, c)| *c).collect();
    let maps = Element::batch_map_to_scalar_field(&points);
    let terms: Vec<(usize, Fr)> = children.iter().map(|(i, _)| *i).zip(maps).collect();
    crs.commit_sparse(&terms)
}

/// The commitment of the slot at `depth` holding `leaves`: the leaf itself when it is alone,
/// else an internal node.
pub(crate) fn subtree_commitment(crs: &Crs, leaves: &[(Stem, Element)], depth: usize) -> Element {
    match leaves {
        [(_, single)] => *single,
        _ if depth >= 31 => Element::IDENTITY,
        _ => internal_commitment(crs, leaves, depth),
    }
}
