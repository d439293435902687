use crate::{Epoch, Version};

/// The consensus forks Mana understands, in activation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fork {
    /// Phase 0 (genesis).
    Phase0,
    /// Altair: sync committees and the light-client protocol.
    Altair,
    /// Bellatrix: the merge.
    Bellatrix,
    /// Capella: withdrawals; light-client headers carry the execution payload header.
    Capella,
    /// Deneb: blobs.
    Deneb,
    /// Electra: deeper `BeaconState`, so longer light-client branches.
    Electra,
    /// Fulu: PeerDAS and blob-parameter-only forks in the fork digest.
    Fulu,
}

impl Fork {
    /// Every fork, oldest first.
    pub const ALL: [Self; 7] = [
        Self::Phase0,
        Self::Altair,
        Self::Bellatrix,
        Self::Capella,
        Self::Deneb,
        Self::Electra,
        Self::Fulu,
    ];

    /// The lowercase name used by the specs, the Beacon API `version` field and test vectors.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Phase0 => "phase0",
            Self::Altair => "altair",
            Self::Bellatrix => "bellatrix",
            Self::Capella => "capella",
            Self::Deneb => "deneb",
            Self::Electra => "electra",
            Self::Fulu => "fulu",
        }
    }

    /// Parses a fork name as written by the Beacon API (`version`) or the spec tests.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|fork| fork.name().eq_ignore_ascii_case(name))
    }

    /// Position in [`Fork::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl core::fmt::Display for Fork {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// One fork's version and activation epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForkSchedule {
    /// `<FORK>_FORK_VERSION`.
    pub version: Version,
    /// `<FORK>_FORK_EPOCH` (`FAR_FUTURE_EPOCH` when not scheduled).
    pub epoch: Epoch,
}

/// One `BLOB_SCHEDULE` entry (Fulu `BlobParameters`, EIP-7892).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobParameters {
    /// First epoch at which the entry applies.
    pub epoch: Epoch,
    /// `MAX_BLOBS_PER_BLOCK` from that epoch on.
    pub max_blobs_per_block: u64,
}
