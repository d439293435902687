//! The crate's one error type.

use alloc::string::String;

/// Result alias for this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why verkle data was rejected. Every decoder and verifier returns one of these; nothing in
/// the crate panics on untrusted input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An encoded item does not have its exact length.
    #[error("{what}: expected {expected} bytes, got {got}")]
    WrongLength {
        /// What was being decoded.
        what: &'static str,
        /// The exact length required.
        expected: usize,
        /// The length supplied.
        got: usize,
    },
    /// A point's x coordinate is not below the base-field modulus p (non-canonical encoding).
    #[error("point x coordinate is not below the field modulus p")]
    PointNotCanonical,
    /// No curve point has this x coordinate: `(1 − a·x²)/(1 − d·x²)` is not a square.
    #[error("point is not on the bandersnatch curve")]
    PointNotOnCurve,
    /// The point is on the curve but not in the banderwagon subgroup (`1 − a·x²` is not a square).
    #[error("point is not in the banderwagon subgroup")]
    PointNotInSubgroup,
    /// An uncompressed point does not carry the lexicographically largest y (the canonical one).
    #[error("uncompressed point does not use the lexicographically largest y")]
    PointNotLargestY,
    /// A scalar (little-endian) is not below the group order r.
    #[error("{what}: scalar is not below the group order r")]
    ScalarNotCanonical {
        /// Which scalar.
        what: &'static str,
    },
    /// Text is not `0x`-prefixed hexadecimal of the right size.
    #[error("{what}: invalid hex")]
    InvalidHex {
        /// Which field.
        what: &'static str,
    },
    /// The JSON witness is malformed.
    #[error("witness JSON: {0}")]
    Json(String),
    /// The SSZ witness is malformed.
    #[error("witness SSZ: {0}")]
    Ssz(&'static str),
    /// Input continues after the last expected item.
    #[error("{what}: {extra} trailing bytes")]
    TrailingBytes {
        /// What was being decoded.
        what: &'static str,
        /// How many bytes were left over.
        extra: usize,
    },
    /// A list is longer than its bound.
    #[error("{what}: {got} items exceed the limit {limit}")]
    TooMany {
        /// Which list.
        what: &'static str,
        /// The bound.
        limit: usize,
        /// The length supplied.
        got: usize,
    },
    /// The state-diff stems are not strictly increasing.
    #[error("stem {index} is not strictly greater than the previous stem")]
    UnsortedStems {
        /// Index of the offending stem.
        index: usize,
    },
    /// A stem of the state diff has no keys.
    #[error("stem {stem} has no suffix diffs")]
    EmptyStemDiff {
        /// Index of the stem.
        stem: usize,
    },
    /// The suffixes of one stem are not strictly increasing.
    #[error("stem {stem}: suffix {index} is not strictly greater than the previous suffix")]
    UnsortedSuffixes {
        /// Index of the stem.
        stem: usize,
        /// Index of the offending suffix diff.
        index: usize,
    },
    /// The proof's other stems are not strictly increasing.
    #[error("other stem {index} is not strictly greater than the previous one")]
    UnsortedOtherStems {
        /// Index of the offending other stem.
        index: usize,
    },
    /// `depthExtensionPresent` does not have exactly one byte per stem.
    #[error("{stems} stems but {bytes} depth/extension bytes")]
    ExtensionCountMismatch {
        /// Number of distinct stems.
        stems: usize,
        /// Number of depth/extension bytes.
        bytes: usize,
    },
    /// An extension status of 3 (undefined).
    #[error("stem {stem}: invalid extension status 3 (byte {byte:#04x})")]
    InvalidExtensionStatus {
        /// Index of the stem.
        stem: usize,
        /// The depth/extension byte.
        byte: u8,
    },
    /// A depth that cannot hold the stem (0, or more than 31).
    #[error("stem {stem}: invalid depth {depth}")]
    InvalidDepth {
        /// Index of the stem.
        stem: usize,
        /// The claimed depth.
        depth: u8,
    },
    /// A key is claimed to have a pre-state value but the proof says its stem is absent.
    #[error("stem {stem} is absent but suffix {suffix} has a current value")]
    ValueInAbsentStem {
        /// Index of the stem.
        stem: usize,
        /// The suffix.
        suffix: u8,
    },
    /// An absent-other stem has no other stem to point to.
    #[error("stem {stem} is absent-other but no other stem sits at its path")]
    MissingOtherStem {
        /// Index of the stem.
        stem: usize,
    },
    /// More than one other stem (or a present stem and an other stem) sits at one path.
    #[error("stem {stem}: several stems claim its path")]
    AmbiguousOtherStem {
        /// Index of the stem.
        stem: usize,
    },
    /// The other stem proving an absence equals the absent stem itself.
    #[error("stem {stem}: the other stem equals the stem")]
    OtherStemIsStem {
        /// Index of the stem.
        stem: usize,
    },
    /// An entry of `otherStems` is not used by any absent-other stem.
    #[error("other stem {index} is not used")]
    UnusedOtherStem {
        /// Index into `otherStems`.
        index: usize,
    },
    /// Two stems make contradicting claims about the same opening.
    #[error("conflicting openings at depth {depth} (stem {stem})")]
    InconsistentOpening {
        /// Index of the stem whose claim conflicts.
        stem: usize,
        /// Path length of the node.
        depth: usize,
    },
    /// `commitmentsByPath` does not have one commitment per non-root path.
    #[error("expected {expected} commitments by path, got {got}")]
    CommitmentCountMismatch {
        /// Distinct paths minus the root.
        expected: usize,
        /// Commitments supplied.
        got: usize,
    },
    /// The witness names a parent state root other than the trusted one.
    #[error("witness parent state root differs from the trusted root")]
    ParentRootMismatch,
    /// A polynomial in evaluation form does not have 256 entries.
    #[error("polynomial has {0} evaluations, expected 256")]
    PolynomialLength(usize),
    /// The numbers of commitments, points and values of a multiproof's queries differ.
    #[error("query lists have different lengths")]
    QueryLengthMismatch,
    /// The inner-product argument (or the multiproof around it) does not verify.
    #[error("the proof does not verify")]
    ProofFailed,
    /// The recomputed post-state root is not the expected one.
    #[error("post-state root {computed:02x?} differs from the expected {expected:02x?}")]
    PostRootMismatch {
        /// The expected (header) root.
        expected: [u8; 32],
        /// The root recomputed from the witness.
        computed: [u8; 32],
    },
}
