//! Pre-state verification of an execution witness against a trusted root and the post-state
//! root recomputed from its state diff (EIP-6800 "Witness", notes §10).

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

use ark_ff::Zero;

use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::field::{Fr, fr_from_stem, fr_u64};
use crate::multiproof::{Opening, verify_with_bytes_list};
use crate::point::Element;
use crate::transcript::Transcript;
use crate::tree::{Stem, extension_commitment, half_commitment, subtree_commitment, value_scalars};
use crate::witness::{ExecutionWitness, SuffixDiff};

/// Transcript label of tree proofs (go-verkle, rust-verkle `VerkleProof::check`).
pub const TREE_PROOF_LABEL: &[u8] = b"vt";

/// A node path: the first `len` bytes of a stem, possibly followed by `2`/`3` for `C1`/`C2`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Path {
    len: u8,
    bytes: [u8; 32],
}

impl Path {
    const ROOT: Self = Self { len: 0, bytes: [0u8; 32] };

    fn of(stem: &Stem, len: u8) -> Self {
        let mut bytes = [0u8; 32];
        for (dst, src) in bytes.iter_mut().zip(stem.iter()).take(usize::from(len)) {
            *dst = *src;
        }
        Self { len: len.min(31), bytes }
    }

    fn child(&self, byte: u8) -> Self {
        let mut next = *self;
        if let Some(slot) = next.bytes.get_mut(usize::from(self.len)) {
            *slot = byte;
            next.len = self.len.saturating_add(1);
        }
        next
    }

    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// The parent path and this node's index in it.
    fn parent(&self) -> Option<(Self, u8)> {
        let len = self.len.checked_sub(1)?;
        let index = *self.bytes.get(usize::from(len))?;
        let mut parent = *self;
        if let Some(slot) = parent.bytes.get_mut(usize::from(len)) {
            *slot = 0;
        }
        parent.len = len;
        Some((parent, index))
    }
}

impl Ord for Path {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl PartialOrd for Path {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A stem's proven status (`ext = b & 3` of its depth/extension byte).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ext {
    AbsentEmpty,
    AbsentOther,
    Present,
}

#[derive(Clone, Copy, Debug)]
struct StemStatus {
    ext: Ext,
    depth: u8,
    /// For absent-other stems: the stem occupying the path.
    other: Option<Stem>,
}

/// Sizes of a verified witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WitnessStats {
    /// Keys in the state diff.
    pub keys: usize,
    /// Stems in the state diff.
    pub stems: usize,
    /// Commitments by path (root excluded).
    pub commitments: usize,
    /// Other stems.
    pub other_stems: usize,
    /// Distinct multiproof openings.
    pub openings: usize,
}

/// A verified pre-state: every key of the witness with its proven value (`None` = absent).
#[derive(Debug, Clone)]
pub struct PreState {
    /// Proven key → value (`None` when the key is absent from the tree).
    pub values: BTreeMap<[u8; 32], Option<[u8; 32]>>,
    /// Sizes.
    pub stats: WitnessStats,
    paths: Vec<Path>,
    commitments: Vec<Element>,
    maps: Vec<Fr>,
    statuses: Vec<StemStatus>,
}

/// What [`ExecutionWitness::verify`] checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Sizes of the witness.
    pub stats: WitnessStats,
    /// The recomputed post-state root (compressed root commitment).
    pub post_state_root: [u8; 32],
}

impl PreState {
    fn index(&self, path: &Path) -> Option<usize> {
        self.paths.binary_search(path).ok()
    }

    fn commitment(&self, path: &Path) -> Option<(Element, Fr)> {
        let i = self.index(path)?;
        Some((*self.commitments.get(i)?, *self.maps.get(i)?))
    }

    /// The value of `key` in the pre-state: `Some(None)` when proven absent, `None` when the
    /// witness does not cover the key.
    pub fn get(&self, key: &[u8; 32]) -> Option<Option<[u8; 32]>> {
        self.values.get(key).copied()
    }
}

fn decode_status(stem: usize, byte: u8) -> Result<(Ext, u8)> {
    let ext = match byte & 3 {
        0 => Ext::AbsentEmpty,
        1 => Ext::AbsentOther,
        2 => Ext::Present,
        _ => return Err(Error::InvalidExtensionStatus { stem, byte }),
    };
    if byte & 4 != 0 {
        // Bit 2 is unused by every encoder; reject non-canonical bytes.
        return Err(Error::InvalidExtensionStatus { stem, byte });
    }
    let depth = byte >> 3;
    if depth == 0 || depth > 31 {
        return Err(Error::InvalidDepth { stem, depth });
    }
    Ok((ext, depth))
}

/// Openings keyed by `(path index, z)`; conflicting claims are an error.
struct OpeningSet {
    claims: BTreeMap<(usize, u8), Fr>,
}

impl OpeningSet {
    fn add(&mut self, path: usize, z: u8, y: Fr, stem: usize, depth: usize) -> Result<()> {
        match self.claims.get(&(path, z)) {
            Some(existing) if *existing != y => Err(Error::InconsistentOpening { stem, depth }),
            Some(_) => Ok(()),
            None => {
                self.claims.insert((path, z), y);
                Ok(())
            }
        }
    }
}

impl ExecutionWitness {
    /// Verifies the pre-state proof against the trusted parent state root (the compressed
    /// root commitment of the header), reconstructing the openings exactly as notes §10, and
    /// returns the proven values.
    pub fn verify_pre_state(&self, crs: &Crs, pre_root: &[u8; 32]) -> Result<PreState> {
        if let Some(parent) = &self.parent_state_root
            && parent != pre_root
        {
            return Err(Error::ParentRootMismatch);
        }
        let root = Element::from_bytes(pre_root)?;
        let proof = &self.proof;
        let stems = &self.state_diff;
        if proof.depth_extension_present.len() != stems.len() {
            return Err(Error::ExtensionCountMismatch {
                stems: stems.len(),
                bytes: proof.depth_extension_present.len(),
            });
        }
        // Statuses, and the present stems by leaf path.
        let mut statuses = Vec::with_capacity(stems.len());
        let mut present_at: BTreeMap<Path, usize> = BTreeMap::new();
        for (i, (diff, byte)) in stems.iter().zip(&proof.depth_extension_present).enumerate() {
            let (ext, depth) = decode_status(i, *byte)?;
            if ext == Ext::Present && present_at.insert(Path::of(&diff.stem, depth), i).is_some() {
                return Err(Error::InconsistentOpening { stem: i, depth: usize::from(depth) });
            }
            statuses.push(StemStatus { ext, depth, other: None });
        }
        // Resolve the other stem of every absent-other stem.
        let mut used = vec![false; proof.other_stems.len()];
        for (i, (diff, status)) in stems.iter().zip(statuses.iter_mut()).enumerate() {
            if status.ext != Ext::AbsentOther {
                continue;
            }
            let path = Path::of(&diff.stem, status.depth);
            let other = if let Some(&j) = present_at.get(&path) {
                stems.get(j).map(|s| s.stem).ok_or(Error::MissingOtherStem { stem: i })?
            } else {
                let prefix = path.as_slice();
                let depth = prefix.len();
                let lo =
                    proof.other_stems.partition_point(|s| s.get(..depth).unwrap_or(&[]) < prefix);
                let hi =
                    proof.other_stems.partition_point(|s| s.get(..depth).unwrap_or(&[]) <= prefix);
                match hi.checked_sub(lo) {
                    Some(1) => {
                        if let Some(flag) = used.get_mut(lo) {
                            *flag = true;
                        }
                        *proof.other_stems.get(lo).ok_or(Error::MissingOtherStem { stem: i })?
                    }
                    Some(0) | None => return Err(Error::MissingOtherStem { stem: i }),
                    Some(_) => return Err(Error::AmbiguousOtherStem { stem: i }),
                }
            };
            if other == diff.stem {
                return Err(Error::OtherStemIsStem { stem: i });
            }
            status.other = Some(other);
        }
        if let Some(index) = used.iter().position(|u| !u) {
            return Err(Error::UnusedOtherStem { index });
        }
        // Every opened path, sorted (the root first).
        let mut path_set: BTreeSet<Path> = BTreeSet::new();
        path_set.insert(Path::ROOT);
        for (diff, status) in stems.iter().zip(&statuses) {
            for i in 0..status.depth {
                path_set.insert(Path::of(&diff.stem, i));
            }
            let leaf = Path::of(&diff.stem, status.depth);
            if status.ext != Ext::AbsentEmpty {
                path_set.insert(leaf);
            }
            if status.ext == Ext::Present {
                for suffix in &diff.suffix_diffs {
                    path_set.insert(leaf.child(half_index(suffix.suffix)));
                }
            }
        }
        let paths: Vec<Path> = path_set.into_iter().collect();
        let expected = paths.len().saturating_sub(1);
        if proof.commitments.len() != expected {
            return Err(Error::CommitmentCountMismatch { expected, got: proof.commitments.len() });
        }
        let mut commitments = Vec::with_capacity(paths.len());
        commitments.push(root);
        commitments.extend_from_slice(&proof.commitments);
        let mut commitment_bytes = Vec::with_capacity(paths.len());
        commitment_bytes.push(*pre_root);
        commitment_bytes.extend_from_slice(&proof.commitments_by_path);
        let maps = Element::batch_map_to_scalar_field(&commitments);
        let index = |path: &Path| paths.binary_search(path).ok();
        let map_at = |i: usize| maps.get(i).copied().unwrap_or_default();

        let mut set = OpeningSet { claims: BTreeMap::new() };
        let mut values = BTreeMap::new();
        for (s, (diff, status)) in stems.iter().zip(&statuses).enumerate() {
            let depth = status.depth;
            let missing = Error::InconsistentOpening { stem: s, depth: usize::from(depth) };
            for i in 0..depth {
                let parent = index(&Path::of(&diff.stem, i)).ok_or(missing.clone())?;
                let z = *diff.stem.get(usize::from(i)).ok_or(missing.clone())?;
                let child_depth = i.saturating_add(1);
                let y = if child_depth < depth || status.ext != Ext::AbsentEmpty {
                    map_at(index(&Path::of(&diff.stem, child_depth)).ok_or(missing.clone())?)
                } else {
                    Fr::zero()
                };
                set.add(parent, z, y, s, usize::from(i))?;
            }
            let leaf_path = Path::of(&diff.stem, depth);
            match status.ext {
                Ext::Present | Ext::AbsentOther => {
                    let leaf = index(&leaf_path).ok_or(missing.clone())?;
                    let stem_value = match status.other {
                        Some(other) => fr_from_stem(&other),
                        None => fr_from_stem(&diff.stem),
                    };
                    set.add(leaf, 0, fr_u64(1), s, usize::from(depth))?;
                    set.add(leaf, 1, stem_value, s, usize::from(depth))?;
                    if status.ext == Ext::Present {
                        for sd in &diff.suffix_diffs {
                            let half = half_index(sd.suffix);
                            let c = index(&leaf_path.child(half)).ok_or(missing.clone())?;
                            set.add(leaf, half, map_at(c), s, usize::from(depth))?;
                            let (lo, hi) = match &sd.current_value {
                                Some(v) => value_scalars(v),
                                None => (Fr::zero(), Fr::zero()),
                            };
                            let slot = (sd.suffix % 128).saturating_mul(2);
                            set.add(c, slot, lo, s, usize::from(depth).saturating_add(1))?;
                            set.add(
                                c,
                                slot.saturating_add(1),
                                hi,
                                s,
                                usize::from(depth).saturating_add(1),
                            )?;
                        }
                    }
                }
                Ext::AbsentEmpty => {}
            }
            if status.ext != Ext::Present
                && let Some(sd) = diff.suffix_diffs.iter().find(|sd| sd.current_value.is_some())
            {
                return Err(Error::ValueInAbsentStem { stem: s, suffix: sd.suffix });
            }
            for sd in &diff.suffix_diffs {
                let mut key = [0u8; 32];
                key[..31].copy_from_slice(&diff.stem);
                key[31] = sd.suffix;
                values.insert(key, sd.current_value);
            }
        }
        let openings: Vec<Opening> =
            set.claims.iter().map(|(&(commitment, z), &y)| Opening { commitment, z, y }).collect();
        let mut transcript = Transcript::new(TREE_PROOF_LABEL);
        verify_with_bytes_list(
            crs,
            &mut transcript,
            &commitments,
            &commitment_bytes,
            &openings,
            &proof.multiproof,
        )?;
        let stats = WitnessStats {
            keys: values.len(),
            stems: stems.len(),
            commitments: proof.commitments.len(),
            other_stems: proof.other_stems.len(),
            openings: openings.len(),
        };
        Ok(PreState { values, stats, paths, commitments, maps, statuses })
    }

    /// Verifies the pre-state and recomputes the post-state root from the state diff.
    pub fn post_state_root(&self, crs: &Crs, pre_root: &[u8; 32]) -> Result<[u8; 32]> {
        let pre = self.verify_pre_state(crs, pre_root)?;
        self.post_state_root_from(crs, &pre)
    }

    /// Verifies the pre-state, recomputes the post-state root and, when `expected_post_root`
    /// is given, requires it to match.
    pub fn verify(
        &self,
        crs: &Crs,
        pre_root: &[u8; 32],
        expected_post_root: Option<&[u8; 32]>,
    ) -> Result<Report> {
        let pre = self.verify_pre_state(crs, pre_root)?;
        let post = self.post_state_root_from(crs, &pre)?;
        if let Some(expected) = expected_post_root
            && expected != &post
        {
            return Err(Error::PostRootMismatch { expected: *expected, computed: post });
        }
        Ok(Report { stats: pre.stats, post_state_root: post })
    }

    // Operators on `Fr`/`Element` are field and curve arithmetic; integer arithmetic here is
    // saturating.
    #[allow(clippy::arithmetic_side_effects)]
    /// The post-state root from an already verified pre-state of this witness: applies every
    /// `newValue`, updates `C1`/`C2`, leaf and internal commitments by deltas, creates leaves for
    /// new stems and splits them against the stem already at their path.
    pub fn post_state_root_from(&self, crs: &Crs, pre: &PreState) -> Result<[u8; 32]> {
        let mut slots: BTreeMap<Path, Element> = BTreeMap::new();
        let mut new_stems: BTreeMap<Path, Vec<(Stem, Element)>> = BTreeMap::new();
        for (s, (diff, status)) in self.state_diff.iter().zip(&pre.statuses).enumerate() {
            let writes: Vec<&SuffixDiff> =
                diff.suffix_diffs.iter().filter(|sd| sd.new_value.is_some()).collect();
            if writes.is_empty() {
                continue;
            }
            let missing = Error::InconsistentOpening { stem: s, depth: usize::from(status.depth) };
            let leaf_path = Path::of(&diff.stem, status.depth);
            if status.ext == Ext::Present {
                let (mut leaf, _) = pre.commitment(&leaf_path).ok_or(missing.clone())?;
                for half in [2u8, 3] {
                    let mut terms: Vec<(usize, Fr)> = Vec::new();
                    for sd in writes.iter().filter(|sd| half_index(sd.suffix) == half) {
                        let Some(new) = &sd.new_value else { continue };
                        let (nlo, nhi) = value_scalars(new);
                        let (olo, ohi) = match &sd.current_value {
                            Some(v) => value_scalars(v),
                            None => (Fr::zero(), Fr::zero()),
                        };
                        let slot = usize::from(sd.suffix % 128).saturating_mul(2);
                        terms.push((slot, nlo - olo));
                        terms.push((slot.saturating_add(1), nhi - ohi));
                    }
                    if terms.is_empty() {
                        continue;
                    }
                    let (c, c_map) =
                        pre.commitment(&leaf_path.child(half)).ok_or(missing.clone())?;
                    let updated = c + crs.commit_sparse(&terms);
                    let delta = updated.map_to_scalar_field() - c_map;
                    leaf = crs.update(&leaf, usize::from(half), &delta);
                }
                slots.insert(leaf_path, leaf);
            } else {
                let low = writes.iter().filter(|sd| sd.suffix < 128);
                let high = writes.iter().filter(|sd| sd.suffix >= 128);
                let c1 = half_commitment(
                    crs,
                    low.filter_map(|sd| sd.new_value.as_ref().map(|v| (sd.suffix, v))),
                );
                let c2 = half_commitment(
                    crs,
                    high.filter_map(|sd| sd.new_value.as_ref().map(|v| (sd.suffix, v))),
                );
                let maps = Element::batch_map_to_scalar_field(&[c1, c2]);
                let (m1, m2) = match maps.as_slice() {
                    [m1, m2] => (*m1, *m2),
                    _ => return Err(missing),
                };
                let leaf = extension_commitment(crs, &diff.stem, &m1, &m2);
                new_stems.entry(leaf_path).or_default().push((diff.stem, leaf));
            }
        }
        // New stems: alone in an empty slot, or split against the stem already there.
        for (path, mut leaves) in new_stems {
            if let Some((old, _)) = pre.commitment(&path) {
                let resident = self
                    .state_diff
                    .iter()
                    .zip(&pre.statuses)
                    .find(|(d, st)| Path::of(&d.stem, st.depth) == path && st.other.is_some())
                    .and_then(|(_, st)| st.other)
                    .ok_or(Error::InconsistentOpening { stem: 0, depth: usize::from(path.len) })?;
                let current = slots.get(&path).copied().unwrap_or(old);
                leaves.push((resident, current));
            }
            leaves.sort_by_key(|leaf| leaf.0);
            slots.insert(path, subtree_commitment(crs, &leaves, usize::from(path.len)));
        }
        // Propagate deltas to the root, deepest level first.
        for len in (1..=31u8).rev() {
            let level: Vec<(Path, Element)> =
                slots.iter().filter(|(p, _)| p.len == len).map(|(p, c)| (*p, *c)).collect();
            if level.is_empty() {
                continue;
            }
            let points: Vec<Element> = level.iter().map(|(_, c)| *c).collect();
            let new_maps = Element::batch_map_to_scalar_field(&points);
            let mut parents: BTreeMap<Path, Vec<(usize, Fr)>> = BTreeMap::new();
            for ((path, _), new_map) in level.iter().zip(new_maps) {
                let old_map = pre.commitment(path).map(|(_, m)| m).unwrap_or_default();
                let (parent, index) =
                    path.parent().ok_or(Error::InconsistentOpening { stem: 0, depth: 0 })?;
                parents.entry(parent).or_default().push((usize::from(index), new_map - old_map));
            }
            for (parent, terms) in parents {
                let base = match slots.get(&parent) {
                    Some(c) => *c,
                    None => {
                        pre.commitment(&parent)
                            .ok_or(Error::InconsistentOpening {
                                stem: 0,
                                depth: usize::from(parent.len),
                            })?
                            .0
                    }
                };
                slots.insert(parent, base + crs.commit_sparse(&terms));
            }
        }
        let root = match slots.get(&Path::ROOT) {
            Some(c) => *c,
            None => pre.commitments.first().copied().unwrap_or_default(),
        };
        Ok(root.to_bytes())
    }
}

/// `2` for `C1` (suffix < 128), `3` for `C2`.
fn half_index(suffix: u8) -> u8 {
    if suffix < 128 { 2 } else { 3 }
}
