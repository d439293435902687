//! SSZ encoding of the execution witness: the verge containers of consensus-specs
//! `specs/_features/eip6800/beacon-chain.md` (notes §10). `Optional[Bytes32]` is encoded as the
//! SSZ union `Union[None, Bytes32]` (selector byte 0, or 1 followed by 32 bytes); the IPA final
//! evaluation is little-endian as in the binary proof. Every list is bounded before allocating
//! and every offset checked; sortedness is enforced by [`ExecutionWitness::new`].

use alloc::vec::Vec;

use crate::crs::WIDTH;
use crate::error::{Error, Result};
use crate::ipa::{IPA_ROUNDS, IpaProof};
use crate::multiproof::MultiProof;
use crate::tree::Stem;
use crate::witness::{
    ExecutionWitness, MAX_COMMITMENTS_PER_STEM, MAX_STEMS, StemDiff, SuffixDiff, VerkleProof,
};

const OFFSET: usize = 4;
const SUFFIX_FIXED: usize = 1 + 2 * OFFSET;
const STEM_FIXED: usize = 31 + OFFSET;
const IPA_SIZE: usize = 2 * IPA_ROUNDS * 32 + 32;
const PROOF_FIXED: usize = 3 * OFFSET + 32 + IPA_SIZE;
const WITNESS_FIXED: usize = 2 * OFFSET;

fn read_offset(bytes: &[u8], at: usize) -> Result<usize> {
    let end = at.checked_add(OFFSET).ok_or(Error::Ssz("offset out of range"))?;
    let raw: [u8; 4] = bytes
        .get(at..end)
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::Ssz("input too short for an offset"))?;
    usize::try_from(u32::from_le_bytes(raw)).map_err(|_| Error::Ssz("offset out of range"))
}

fn slice(bytes: &[u8], from: usize, to: usize) -> Result<&[u8]> {
    if from > to {
        return Err(Error::Ssz("offsets decrease"));
    }
    bytes.get(from..to).ok_or(Error::Ssz("offset past the end"))
}

/// Splits a container with `fixed` bytes of fixed part and variable fields at `offsets`
/// (positions within the fixed part) into the variable fields' byte ranges.
fn variable_fields<const N: usize>(
    bytes: &[u8],
    fixed: usize,
    offsets: [usize; N],
) -> Result<[&[u8]; N]> {
    if bytes.len() < fixed {
        return Err(Error::Ssz("container shorter than its fixed part"));
    }
    let mut starts = [0usize; N];
    for (start, at) in starts.iter_mut().zip(offsets) {
        *start = read_offset(bytes, at)?;
    }
    if starts.first() != Some(&fixed) && N > 0 {
        return Err(Error::Ssz("first offset does not end the fixed part"));
    }
    let mut out: [&[u8]; N] = [&[]; N];
    for (i, slot) in out.iter_mut().enumerate() {
        let from = *starts.get(i).ok_or(Error::Ssz("offset"))?;
        let to = match starts.get(i.saturating_add(1)) {
            Some(next) => *next,
            None => bytes.len(),
        };
        *slot = slice(bytes, from, to)?;
    }
    Ok(out)
}

/// A list of variable-size elements: an offset table, then the elements.
fn variable_list<'a>(bytes: &'a [u8], limit: usize, what: &'static str) -> Result<Vec<&'a [u8]>> {
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    let first = read_offset(bytes, 0)?;
    if first == 0 || first % OFFSET != 0 {
        return Err(Error::Ssz("bad first offset of a list"));
    }
    let count = first / OFFSET;
    if count > limit {
        return Err(Error::TooMany { what, limit, got: count });
    }
    let mut starts = Vec::with_capacity(count);
    for i in 0..count {
        starts.push(read_offset(bytes, i.saturating_mul(OFFSET))?);
    }
    let mut out = Vec::with_capacity(count);
    for (i, from) in starts.iter().enumerate() {
        let to = match starts.get(i.saturating_add(1)) {
            Some(next) => *next,
            None => bytes.len(),
        };
        out.push(slice(bytes, *from, to)?);
    }
    Ok(out)
}

fn fixed_list<const N: usize>(
    bytes: &[u8],
    limit: usize,
    what: &'static str,
) -> Result<Vec<[u8; N]>> {
    if N == 0 || !bytes.len().is_multiple_of(N) {
        return Err(Error::Ssz("list length is not a multiple of its element size"));
    }
    let count = bytes.len().checked_div(N).unwrap_or(0);
    if count > limit {
        return Err(Error::TooMany { what, limit, got: count });
    }
    Ok(bytes
        .chunks_exact(N)
        .map(|c| {
            let mut a = [0u8; N];
            a.copy_from_slice(c);
            a
        })
        .collect())
}

fn optional(bytes: &[u8]) -> Result<Option<[u8; 32]>> {
    match bytes.split_first() {
        Some((0, [])) => Ok(None),
        Some((1, rest)) => {
            let value: [u8; 32] =
                rest.try_into().map_err(|_| Error::Ssz("optional value is not 32 bytes"))?;
            Ok(Some(value))
        }
        _ => Err(Error::Ssz("bad optional selector")),
    }
}

fn decode_suffix(bytes: &[u8]) -> Result<SuffixDiff> {
    let [current, new] = variable_fields(bytes, SUFFIX_FIXED, [1, 1 + OFFSET])?;
    let suffix = *bytes.first().ok_or(Error::Ssz("empty suffix diff"))?;
    Ok(SuffixDiff { suffix, current_value: optional(current)?, new_value: optional(new)? })
}

fn decode_stem(bytes: &[u8]) -> Result<StemDiff> {
    let [diffs] = variable_fields(bytes, STEM_FIXED, [31])?;
    let mut stem: Stem = [0u8; 31];
    stem.copy_from_slice(bytes.get(..31).ok_or(Error::Ssz("short stem"))?);
    let suffix_diffs = variable_list(diffs, WIDTH, "suffixDiffs")?
        .into_iter()
        .map(decode_suffix)
        .collect::<Result<Vec<_>>>()?;
    Ok(StemDiff { stem, suffix_diffs })
}

fn decode_proof(bytes: &[u8]) -> Result<VerkleProof> {
    let [others, ext, commitments] = variable_fields(bytes, PROOF_FIXED, [0, OFFSET, 2 * OFFSET])?;
    let other_stems = fixed_list::<31>(others, MAX_STEMS, "otherStems")?;
    if ext.len() > MAX_STEMS {
        return Err(Error::TooMany {
            what: "depthExtensionPresent",
            limit: MAX_STEMS,
            got: ext.len(),
        });
    }
    let commitments_by_path = fixed_list::<32>(
        commitments,
        MAX_STEMS.saturating_mul(MAX_COMMITMENTS_PER_STEM),
        "commitmentsByPath",
    )?;
    let d: [u8; 32] = bytes
        .get(3 * OFFSET..3 * OFFSET + 32)
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::Ssz("short proof"))?;
    let ipa = bytes.get(3 * OFFSET + 32..PROOF_FIXED).ok_or(Error::Ssz("short proof"))?;
    let multiproof = MultiProof::from_parts(&d, IpaProof::from_bytes(ipa)?)?;
    VerkleProof::new(other_stems, ext.to_vec(), commitments_by_path, multiproof)
}

impl ExecutionWitness {
    /// Decodes the SSZ `ExecutionWitness` container (bounded, exact, sorted).
    pub fn from_ssz(bytes: &[u8]) -> Result<Self> {
        let [diffs, proof] = variable_fields(bytes, WITNESS_FIXED, [0, OFFSET])?;
        let state_diff = variable_list(diffs, MAX_STEMS, "stateDiff")?
            .into_iter()
            .map(decode_stem)
            .collect::<Result<Vec<_>>>()?;
        Self::new(state_diff, decode_proof(proof)?, None)
    }

    /// Encodes the SSZ `ExecutionWitness` container (the parent state root is not part of it).
    pub fn to_ssz(&self) -> Vec<u8> {
        let stems: Vec<Vec<u8>> = self.state_diff.iter().map(encode_stem).collect();
        let diffs = encode_variable_list(&stems);
        let proof = encode_proof(&self.proof);
        let mut out = Vec::with_capacity(
            WITNESS_FIXED.saturating_add(diffs.len()).saturating_add(proof.len()),
        );
        push_offset(&mut out, WITNESS_FIXED);
        push_offset(&mut out, WITNESS_FIXED.saturating_add(diffs.len()));
        out.extend_from_slice(&diffs);
        out.extend_from_slice(&proof);
        out
    }
}

fn push_offset(out: &mut Vec<u8>, offset: usize) {
    out.extend_from_slice(&u32::try_from(offset).unwrap_or(u32::MAX).to_le_bytes());
}

fn encode_variable_list(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offset = items.len().saturating_mul(OFFSET);
    for item in items {
        push_offset(&mut out, offset);
        offset = offset.saturating_add(item.len());
    }
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

fn encode_optional(out: &mut Vec<u8>, value: &Option<[u8; 32]>) {
    match value {
        None => out.push(0),
        Some(v) => {
            out.push(1);
            out.extend_from_slice(v);
        }
    }
}

fn encode_stem(stem: &StemDiff) -> Vec<u8> {
    let suffixes: Vec<Vec<u8>> = stem
        .suffix_diffs
        .iter()
        .map(|sd| {
            let mut current = Vec::new();
            encode_optional(&mut current, &sd.current_value);
            let mut out = Vec::with_capacity(SUFFIX_FIXED + 66);
            out.push(sd.suffix);
            push_offset(&mut out, SUFFIX_FIXED);
            push_offset(&mut out, SUFFIX_FIXED.saturating_add(current.len()));
            out.extend_from_slice(&current);
            encode_optional(&mut out, &sd.new_value);
            out
        })
        .collect();
    let mut out = Vec::new();
    out.extend_from_slice(&stem.stem);
    push_offset(&mut out, STEM_FIXED);
    out.extend_from_slice(&encode_variable_list(&suffixes));
    out
}

fn encode_proof(proof: &VerkleProof) -> Vec<u8> {
    let others: Vec<u8> = proof.other_stems.iter().flatten().copied().collect();
    let commitments: Vec<u8> = proof.commitments_by_path.iter().flatten().copied().collect();
    let ext = &proof.depth_extension_present;
    let mut out = Vec::new();
    push_offset(&mut out, PROOF_FIXED);
    push_offset(&mut out, PROOF_FIXED.saturating_add(others.len()));
    push_offset(&mut out, PROOF_FIXED.saturating_add(others.len()).saturating_add(ext.len()));
    out.extend_from_slice(proof.multiproof.d_bytes());
    out.extend_from_slice(&proof.multiproof.ipa().to_bytes());
    out.extend_from_slice(&others);
    out.extend_from_slice(ext);
    out.extend_from_slice(&commitments);
    out
}
