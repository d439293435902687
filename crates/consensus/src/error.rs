use mana_primitives::{Fork, Slot};

use crate::types::common::B256;

/// Result alias for this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why a header fails `is_valid_light_client_header`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// A header from before Capella carries execution data or an execution branch.
    ExecutionBeforeCapella,
    /// A header from before Deneb carries non-zero blob gas fields.
    BlobGasBeforeDeneb,
    /// `execution_branch` does not prove the execution payload header under `body_root`.
    InvalidExecutionBranch,
}

impl core::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::ExecutionBeforeCapella => "execution data in a header from before Capella",
            Self::BlobGasBeforeDeneb => "blob gas fields in a header from before Deneb",
            Self::InvalidExecutionBranch => "execution branch does not match the body root",
        })
    }
}

/// Which light-client header of an update an error refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderRole {
    /// The bootstrap's checkpoint header.
    Bootstrap,
    /// The signed (attested) header.
    Attested,
    /// The finalized header.
    Finalized,
}

impl core::fmt::Display for HeaderRole {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Bootstrap => "bootstrap",
            Self::Attested => "attested",
            Self::Finalized => "finalized",
        })
    }
}

/// Which BLS input was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlsError {
    /// A public key does not decode to a G1 point (bad encoding, not on the curve).
    InvalidPubkey {
        /// Index of the key in the list given to the verifier.
        index: usize,
    },
    /// A public key is the point at infinity, which Ethereum's `KeyValidate` rejects.
    InfinityPubkey {
        /// Index of the key.
        index: usize,
    },
    /// A public key is not in the prime-order subgroup.
    PubkeyNotInGroup {
        /// Index of the key.
        index: usize,
    },
    /// The signature does not decode to a G2 point in the prime-order subgroup.
    InvalidSignatureEncoding,
    /// No public keys were given to an aggregate operation.
    EmptyPubkeys,
    /// The signature does not verify.
    VerificationFailed,
    /// The participation bitfield does not match the committee size.
    CommitteeSizeMismatch,
    /// A secret key is zero or not below the group order.
    InvalidSecretKey,
}

impl core::fmt::Display for BlsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::InvalidPubkey { index } => {
                write!(f, "public key {index} is not a valid G1 point")
            }
            Self::InfinityPubkey { index } => {
                write!(f, "public key {index} is the point at infinity")
            }
            Self::PubkeyNotInGroup { index } => {
                write!(f, "public key {index} is not in the G1 subgroup")
            }
            Self::InvalidSignatureEncoding => f.write_str("signature is not a valid G2 point"),
            Self::EmptyPubkeys => f.write_str("no public keys to aggregate"),
            Self::VerificationFailed => f.write_str("signature does not verify"),
            Self::CommitteeSizeMismatch => f.write_str("participation bits do not match committee"),
            Self::InvalidSecretKey => f.write_str("secret key is out of range"),
        }
    }
}

/// Everything the light-client core can reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes do not decode as the SSZ type of the given fork (truncated, bad offsets, trailing
    /// bytes, ...).
    #[error("cannot decode {what} ({fork}): {reason:?}")]
    Decode {
        /// The container being decoded.
        what: &'static str,
        /// The fork whose type was used.
        fork: Fork,
        /// The SSZ decoder's reason.
        reason: libssz::DecodeError,
    },
    /// Input is larger than the largest valid encoding of its type; rejected before decoding.
    #[error("{what} of {len} bytes exceeds the maximum of {max}")]
    Oversized {
        /// The container being decoded.
        what: &'static str,
        /// Bytes received.
        len: usize,
        /// Largest valid size.
        max: usize,
    },
    /// The container does not exist at this fork (light-client data starts at Altair).
    #[error("{what} does not exist at fork {fork}")]
    UnsupportedFork {
        /// The container.
        what: &'static str,
        /// The fork asked for.
        fork: Fork,
    },
    /// A fork digest does not belong to this network.
    #[error("fork digest 0x{} is not one of this network's", hex4(.0))]
    UnknownForkDigest([u8; 4]),
    /// The data was sent under a fork digest other than the one its slot requires.
    #[error("fork digest mismatch: expected {expected}, got {got}")]
    WrongForkDigest {
        /// Fork of the data's slot.
        expected: Fork,
        /// Fork named by the digest.
        got: Fork,
    },
    /// `hash_tree_root(bootstrap.header.beacon)` is not the trusted block root.
    #[error("bootstrap header root does not match the trusted block root")]
    TrustedRootMismatch {
        /// The trusted root.
        expected: B256,
        /// The bootstrap header's root.
        got: B256,
    },
    /// A header fails `is_valid_light_client_header`.
    #[error("invalid {role} header: {reason}")]
    InvalidHeader {
        /// Which header.
        role: HeaderRole,
        /// Why.
        reason: HeaderError,
    },
    /// `current_sync_committee_branch` does not prove the committee under the state root.
    #[error("current sync committee branch is invalid")]
    InvalidCurrentSyncCommitteeBranch,
    /// `next_sync_committee_branch` does not prove the committee under the state root.
    #[error("next sync committee branch is invalid")]
    InvalidNextSyncCommitteeBranch,
    /// `finality_branch` does not prove the finalized header under the state root.
    #[error("finality branch is invalid")]
    InvalidFinalityBranch,
    /// Fewer participants than `MIN_SYNC_COMMITTEE_PARTICIPANTS`.
    #[error("{participants} sync committee participants, at least {min} required")]
    TooFewParticipants {
        /// Participants in the aggregate.
        participants: u64,
        /// Required minimum.
        min: u64,
    },
    /// `signature_slot` is after the caller's current slot.
    #[error("signature slot {signature_slot} is in the future (current slot {current_slot})")]
    SignatureSlotInFuture {
        /// The update's signature slot.
        signature_slot: Slot,
        /// The caller's current slot.
        current_slot: Slot,
    },
    /// `signature_slot > attested slot >= finalized slot` does not hold.
    #[error(
        "slots not increasing: finalized {finalized_slot}, attested {attested_slot}, signature {signature_slot}"
    )]
    NonIncreasingSlots {
        /// Finalized header slot.
        finalized_slot: Slot,
        /// Attested header slot.
        attested_slot: Slot,
        /// Signature slot.
        signature_slot: Slot,
    },
    /// The signature period is neither the store's period nor (with the next committee known)
    /// the one after it.
    #[error("signature period {signature_period} is not usable from store period {store_period}")]
    SignaturePeriodOutOfRange {
        /// Period of the signature slot.
        signature_period: u64,
        /// Period of the store's finalized header.
        store_period: u64,
    },
    /// The update neither advances the finalized slot nor supplies a missing next committee.
    #[error(
        "update is not newer than the store (attested slot {attested_slot}, finalized slot {store_finalized_slot})"
    )]
    NotRelevant {
        /// The update's attested slot.
        attested_slot: Slot,
        /// The store's finalized slot.
        store_finalized_slot: Slot,
    },
    /// A field that must be empty for this kind of update is not.
    #[error("{0} must be empty when its branch is empty")]
    NonEmptyWithoutBranch(&'static str),
    /// The update's next committee contradicts the one the store already knows.
    #[error("next sync committee differs from the known one")]
    NextSyncCommitteeMismatch,
    /// A signature or key failed BLS checks.
    #[error("sync committee signature: {0}")]
    Bls(BlsError),
    /// Restored assurance marks claim headers newer than the store holds.
    #[error("assurance marks claim more than the store holds")]
    AssuranceBeyondStore,
    /// A forced update was asked for but is not due or there is nothing to apply.
    #[error("no forced update: {0}")]
    ForceUpdateNotApplicable(&'static str),
    /// `apply_light_client_update` precondition: a missing next committee may only be learned from
    /// an update finalized in the store's period.
    #[error("cannot learn the next committee from a finalized header outside the store period")]
    FinalizedPeriodMismatch,
    /// A branch cannot be fitted to the length a fork's container requires (it is longer and
    /// its extra leading nodes are not zero).
    #[error("branch of {got} nodes does not fit the {expected} the fork requires")]
    BranchLength {
        /// Length the fork requires.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// The client's committee size differs from the preset's `SYNC_COMMITTEE_SIZE`.
    #[error("preset committee size {preset} does not match the client's {client}")]
    CommitteeSizeMismatch {
        /// `SYNC_COMMITTEE_SIZE` of the chain spec.
        preset: usize,
        /// The client's committee size.
        client: usize,
    },
    /// The genesis validators root given differs from the network's.
    #[error("genesis validators root does not match the network's")]
    GenesisValidatorsRootMismatch,
    /// Chain-spec arithmetic failed.
    #[error(transparent)]
    Spec(#[from] mana_primitives::Error),
}

impl From<BlsError> for Error {
    fn from(e: BlsError) -> Self {
        Self::Bls(e)
    }
}

struct Hex4<'a>(&'a [u8; 4]);
impl core::fmt::Display for Hex4<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}
fn hex4(bytes: &[u8; 4]) -> Hex4<'_> {
    Hex4(bytes)
}
