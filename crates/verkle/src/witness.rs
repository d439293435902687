//! The EIP-6800 execution witness (notes §10): the state diff and the verkle proof, decoded
//! from the geth/Kaustinen JSON or the verge SSZ containers.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::hex::{decode_array, decode_vec};
use crate::ipa::{IPA_ROUNDS, IpaProof};
use crate::multiproof::MultiProof;
use crate::point::Element;
use crate::tree::Stem;

/// `MAX_STEMS` of the verge SSZ containers.
pub const MAX_STEMS: usize = 1 << 16;
/// `MAX_COMMITMENTS_PER_STEM` of the verge SSZ containers.
pub const MAX_COMMITMENTS_PER_STEM: usize = 33;

/// One key of a stem: its pre-state value (`None` = absent) and its new value (`None` =
/// unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuffixDiff {
    /// The last key byte.
    pub suffix: u8,
    /// The pre-state value, `None` when absent.
    pub current_value: Option<[u8; 32]>,
    /// The post-state value, `None` when unchanged.
    pub new_value: Option<[u8; 32]>,
}

/// The accessed keys of one stem, suffixes strictly increasing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StemDiff {
    /// The stem.
    pub stem: Stem,
    /// The keys, sorted by suffix.
    pub suffix_diffs: Vec<SuffixDiff>,
}

/// The verkle proof of an execution witness (notes §10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerkleProof {
    /// Stems proving absences ("absent-other" paths without a present stem), sorted.
    pub other_stems: Vec<Stem>,
    /// One byte per stem of the state diff: `ext = b & 3`, `depth = b >> 3`.
    pub depth_extension_present: Vec<u8>,
    /// The commitments of every opened path but the root, sorted by path (compressed).
    pub commitments_by_path: Vec<[u8; 32]>,
    /// The same commitments, decoded and checked.
    pub(crate) commitments: Vec<Element>,
    /// `D` and the IPA proof.
    pub multiproof: MultiProof,
}

/// An execution witness: the state diff and its proof against the parent state root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionWitness {
    /// The accessed stems, strictly increasing.
    pub state_diff: Vec<StemDiff>,
    /// The proof.
    pub proof: VerkleProof,
    /// The parent state root carried by later witness versions (checked against the trusted
    /// root when present).
    pub parent_state_root: Option<[u8; 32]>,
}

impl VerkleProof {
    /// Builds a proof from its parts, decoding every point with full checks.
    pub fn new(
        other_stems: Vec<Stem>,
        depth_extension_present: Vec<u8>,
        commitments_by_path: Vec<[u8; 32]>,
        multiproof: MultiProof,
    ) -> Result<Self> {
        check_limit("otherStems", other_stems.len(), MAX_STEMS)?;
        check_limit("depthExtensionPresent", depth_extension_present.len(), MAX_STEMS)?;
        check_limit(
            "commitmentsByPath",
            commitments_by_path.len(),
            MAX_STEMS.saturating_mul(MAX_COMMITMENTS_PER_STEM),
        )?;
        for (index, pair) in other_stems.windows(2).enumerate() {
            if let [a, b] = pair
                && a >= b
            {
                return Err(Error::UnsortedOtherStems { index: index.saturating_add(1) });
            }
        }
        let commitments = Element::batch_from_bytes(&commitments_by_path)?;
        Ok(Self {
            other_stems,
            depth_extension_present,
            commitments_by_path,
            commitments,
            multiproof,
        })
    }
}

fn check_limit(what: &'static str, got: usize, limit: usize) -> Result<()> {
    if got > limit { Err(Error::TooMany { what, limit, got }) } else { Ok(()) }
}

impl ExecutionWitness {
    /// Builds a witness from its parts, enforcing the list bounds and strict ordering of stems
    /// and suffixes.
    pub fn new(
        state_diff: Vec<StemDiff>,
        proof: VerkleProof,
        parent_state_root: Option<[u8; 32]>,
    ) -> Result<Self> {
        check_limit("stateDiff", state_diff.len(), MAX_STEMS)?;
        for (index, pair) in state_diff.windows(2).enumerate() {
            if let [a, b] = pair
                && a.stem >= b.stem
            {
                return Err(Error::UnsortedStems { index: index.saturating_add(1) });
            }
        }
        for (stem, diff) in state_diff.iter().enumerate() {
            if diff.suffix_diffs.is_empty() {
                return Err(Error::EmptyStemDiff { stem });
            }
            for (index, pair) in diff.suffix_diffs.windows(2).enumerate() {
                if let [a, b] = pair
                    && a.suffix >= b.suffix
                {
                    return Err(Error::UnsortedSuffixes { stem, index: index.saturating_add(1) });
                }
            }
        }
        Ok(Self { state_diff, proof, parent_state_root })
    }

    /// Decodes the JSON witness (geth engine API / Kaustinen): either a bare
    /// `executionWitness` object or any object carrying one under `executionWitness`.
    /// Hex is `0x`-prefixed; `finalEvaluation` is big-endian in JSON; null values are absent.
    pub fn from_json(bytes: &[u8]) -> Result<Self> {
        let top: JsonTop = serde_json::from_slice(bytes).map_err(|e| Error::Json(e.to_string()))?;
        let json = match (top.execution_witness, top.state_diff, top.verkle_proof) {
            (Some(w), _, _) => w,
            (None, Some(state_diff), Some(verkle_proof)) => {
                JsonWitness { state_diff, verkle_proof, parent_state_root: top.parent_state_root }
            }
            _ => return Err(Error::Json("no executionWitness, stateDiff or verkleProof".into())),
        };
        json.into_witness()
    }

    /// Total number of keys in the state diff.
    pub fn key_count(&self) -> usize {
        self.state_diff.iter().map(|s| s.suffix_diffs.len()).sum()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonTop {
    #[serde(default)]
    execution_witness: Option<JsonWitness>,
    #[serde(default)]
    state_diff: Option<Vec<JsonStemDiff>>,
    #[serde(default)]
    verkle_proof: Option<JsonProof>,
    #[serde(default)]
    parent_state_root: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonWitness {
    state_diff: Vec<JsonStemDiff>,
    verkle_proof: JsonProof,
    #[serde(default)]
    parent_state_root: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonStemDiff {
    stem: String,
    suffix_diffs: Vec<JsonSuffixDiff>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonByte {
    Number(u8),
    Text(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonSuffixDiff {
    suffix: JsonByte,
    current_value: Option<String>,
    #[serde(default)]
    new_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonProof {
    other_stems: Vec<String>,
    depth_extension_present: String,
    commitments_by_path: Vec<String>,
    d: String,
    ipa_proof: JsonIpa,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonIpa {
    cl: Vec<String>,
    cr: Vec<String>,
    final_evaluation: String,
}

fn points8(list: &[String], what: &'static str) -> Result<[[u8; 32]; IPA_ROUNDS]> {
    if list.len() != IPA_ROUNDS {
        return Err(Error::WrongLength { what, expected: IPA_ROUNDS, got: list.len() });
    }
    let mut out = [[0u8; 32]; IPA_ROUNDS];
    for (dst, src) in out.iter_mut().zip(list) {
        *dst = decode_array(src, what)?;
    }
    Ok(out)
}

fn json_byte(value: &JsonByte) -> Result<u8> {
    match value {
        JsonByte::Number(n) => Ok(*n),
        JsonByte::Text(text) => {
            let digits = text.strip_prefix("0x").ok_or(Error::InvalidHex { what: "suffix" })?;
            u8::from_str_radix(digits, 16).map_err(|_| Error::InvalidHex { what: "suffix" })
        }
    }
}

fn optional_value(value: &Option<String>, what: &'static str) -> Result<Option<[u8; 32]>> {
    value.as_deref().map(|v| decode_array::<32>(v, what)).transpose()
}

impl JsonWitness {
    fn into_witness(self) -> Result<ExecutionWitness> {
        check_limit("stateDiff", self.state_diff.len(), MAX_STEMS)?;
        let mut state_diff = Vec::with_capacity(self.state_diff.len());
        for stem in &self.state_diff {
            check_limit("suffixDiffs", stem.suffix_diffs.len(), crate::crs::WIDTH)?;
            let mut suffix_diffs = Vec::with_capacity(stem.suffix_diffs.len());
            for diff in &stem.suffix_diffs {
                suffix_diffs.push(SuffixDiff {
                    suffix: json_byte(&diff.suffix)?,
                    current_value: optional_value(&diff.current_value, "currentValue")?,
                    new_value: optional_value(&diff.new_value, "newValue")?,
                });
            }
            state_diff.push(StemDiff { stem: decode_array(&stem.stem, "stem")?, suffix_diffs });
        }
        let p = &self.verkle_proof;
        check_limit("otherStems", p.other_stems.len(), MAX_STEMS)?;
        check_limit(
            "commitmentsByPath",
            p.commitments_by_path.len(),
            MAX_STEMS.saturating_mul(MAX_COMMITMENTS_PER_STEM),
        )?;
        let other_stems = p
            .other_stems
            .iter()
            .map(|s| decode_array(s, "otherStems"))
            .collect::<Result<Vec<_>>>()?;
        let depth_extension_present =
            decode_vec(&p.depth_extension_present, "depthExtensionPresent")?;
        let commitments_by_path = p
            .commitments_by_path
            .iter()
            .map(|c| decode_array(c, "commitmentsByPath"))
            .collect::<Result<Vec<_>>>()?;
        let d: [u8; 32] = decode_array(&p.d, "d")?;
        let cl = points8(&p.ipa_proof.cl, "cl")?;
        let cr = points8(&p.ipa_proof.cr, "cr")?;
        // Big-endian in JSON, little-endian on the wire.
        let mut final_evaluation: [u8; 32] =
            decode_array(&p.ipa_proof.final_evaluation, "finalEvaluation")?;
        final_evaluation.reverse();
        let ipa = IpaProof::from_parts(&cl, &cr, &final_evaluation)?;
        let multiproof = MultiProof::from_parts(&d, ipa)?;
        let proof = VerkleProof::new(
            other_stems,
            depth_extension_present,
            commitments_by_path,
            multiproof,
        )?;
        let parent_state_root = self
            .parent_state_root
            .as_deref()
            .map(|r| decode_array(r, "parentStateRoot"))
            .transpose()?;
        ExecutionWitness::new(state_diff, proof, parent_state_root)
    }
}
