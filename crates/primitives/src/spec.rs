//! Chain specifications: presets, fork schedules and the arithmetic built on them.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::config::{ConfigFile, ConfigValue, parse_hex_array, parse_u64};
use crate::{
    BlobParameters, Epoch, Error, FAR_FUTURE_EPOCH, Fork, ForkDigest, ForkSchedule, Period, Result,
    Root, Slot, Version, compute_fork_data_root, sha256,
};

/// The two presets of the consensus specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresetBase {
    /// `presets/mainnet`.
    Mainnet,
    /// `presets/minimal` (small committees and epochs, for tests and devnets).
    Minimal,
}

/// The preset values the light client depends on (`presets/<name>/{phase0,altair}.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Which preset this is.
    pub base: PresetBase,
    /// `SLOTS_PER_EPOCH`.
    pub slots_per_epoch: u64,
    /// `EPOCHS_PER_SYNC_COMMITTEE_PERIOD`.
    pub epochs_per_sync_committee_period: u64,
    /// `SYNC_COMMITTEE_SIZE`.
    pub sync_committee_size: usize,
    /// `MIN_SYNC_COMMITTEE_PARTICIPANTS`.
    pub min_sync_committee_participants: u64,
}

impl Preset {
    /// The mainnet preset.
    pub const MAINNET: Self = Self {
        base: PresetBase::Mainnet,
        slots_per_epoch: 32,
        epochs_per_sync_committee_period: 256,
        sync_committee_size: 512,
        min_sync_committee_participants: 1,
    };
    /// The minimal preset.
    pub const MINIMAL: Self = Self {
        base: PresetBase::Minimal,
        slots_per_epoch: 8,
        epochs_per_sync_committee_period: 8,
        sync_committee_size: 32,
        min_sync_committee_participants: 1,
    };

    /// The preset named by `PRESET_BASE`.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "mainnet" => Ok(Self::MAINNET),
            "minimal" => Ok(Self::MINIMAL),
            other => Err(Error::UnknownPreset(other.to_string())),
        }
    }

    /// Reads a preset from the concatenated text of its YAML files
    /// (`presets/<name>/phase0.yaml` and `altair.yaml` suffice).
    pub fn from_yaml(base: PresetBase, text: &str) -> Result<Self> {
        let file = ConfigFile::parse(text)?;
        let sync_committee_size = file.u64("SYNC_COMMITTEE_SIZE")?;
        Ok(Self {
            base,
            slots_per_epoch: file.u64("SLOTS_PER_EPOCH")?,
            epochs_per_sync_committee_period: file.u64("EPOCHS_PER_SYNC_COMMITTEE_PERIOD")?,
            sync_committee_size: usize::try_from(sync_committee_size)
                .map_err(|_| Error::ArithmeticOverflow)?,
            min_sync_committee_participants: file.u64("MIN_SYNC_COMMITTEE_PARTICIPANTS")?,
        })
    }

    /// `UPDATE_TIMEOUT` = `SLOTS_PER_EPOCH * EPOCHS_PER_SYNC_COMMITTEE_PERIOD`.
    pub fn update_timeout(&self) -> u64 {
        self.slots_per_epoch.saturating_mul(self.epochs_per_sync_committee_period)
    }
}

/// A network: preset, genesis and fork schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSpec {
    /// `CONFIG_NAME` (`mainnet`, `sepolia`, `hoodi`, ...).
    pub config_name: String,
    /// The preset values.
    pub preset: Preset,
    /// Genesis time in seconds since the Unix epoch. From a bare `config.yaml` this is
    /// `MIN_GENESIS_TIME + GENESIS_DELAY`, the earliest possible genesis.
    pub genesis_time: u64,
    /// The genesis validators root, when known (built-in networks know it).
    pub genesis_validators_root: Option<Root>,
    /// Slot duration in milliseconds (`SLOT_DURATION_MS`, or `SECONDS_PER_SLOT * 1000`).
    pub slot_duration_ms: u64,
    /// `GENESIS_FORK_VERSION`.
    pub genesis_fork_version: Version,
    /// Altair through Fulu, indexed by `Fork::index() - 1`.
    pub forks: [ForkSchedule; 6],
    /// `MAX_BLOBS_PER_BLOCK_ELECTRA`, the blob parameters before the first `BLOB_SCHEDULE` entry.
    pub max_blobs_per_block_electra: u64,
    /// `BLOB_SCHEDULE` (Fulu, EIP-7892), sorted by epoch.
    pub blob_schedule: Vec<BlobParameters>,
    /// `DEPOSIT_CHAIN_ID`, the execution chain id.
    pub deposit_chain_id: u64,
}

const FORK_KEYS: [(&str, &str); 6] = [
    ("ALTAIR_FORK_VERSION", "ALTAIR_FORK_EPOCH"),
    ("BELLATRIX_FORK_VERSION", "BELLATRIX_FORK_EPOCH"),
    ("CAPELLA_FORK_VERSION", "CAPELLA_FORK_EPOCH"),
    ("DENEB_FORK_VERSION", "DENEB_FORK_EPOCH"),
    ("ELECTRA_FORK_VERSION", "ELECTRA_FORK_EPOCH"),
    ("FULU_FORK_VERSION", "FULU_FORK_EPOCH"),
];

const fn sched(version: Version, epoch: Epoch) -> ForkSchedule {
    ForkSchedule { version, epoch }
}

const fn blobs(epoch: Epoch, max_blobs_per_block: u64) -> BlobParameters {
    BlobParameters { epoch, max_blobs_per_block }
}

impl ChainSpec {
    /// Ethereum mainnet (consensus-specs `configs/mainnet.yaml`).
    pub fn mainnet() -> Self {
        Self {
            config_name: "mainnet".into(),
            preset: Preset::MAINNET,
            genesis_time: 1_606_824_023,
            genesis_validators_root: Some(hex32(
                "4b363db94e286120d76eb905340fdd4e54bfe9f06bf33ff6cf5ad27f511bfe95",
            )),
            slot_duration_ms: 12_000,
            genesis_fork_version: [0, 0, 0, 0],
            forks: [
                sched([1, 0, 0, 0], 74_240),
                sched([2, 0, 0, 0], 144_896),
                sched([3, 0, 0, 0], 194_048),
                sched([4, 0, 0, 0], 269_568),
                sched([5, 0, 0, 0], 364_032),
                sched([6, 0, 0, 0], 411_392),
            ],
            max_blobs_per_block_electra: 9,
            blob_schedule: alloc::vec![blobs(412_672, 15), blobs(419_072, 21)],
            deposit_chain_id: 1,
        }
    }

    /// The Sepolia testnet (eth-clients/sepolia `metadata/config.yaml`).
    pub fn sepolia() -> Self {
        Self {
            config_name: "sepolia".into(),
            preset: Preset::MAINNET,
            genesis_time: 1_655_733_600,
            genesis_validators_root: Some(hex32(
                "d8ea171f3c94aea21ebc42a1ed61052acf3f9209c00e4efbaaddac09ed9b8078",
            )),
            slot_duration_ms: 12_000,
            genesis_fork_version: [0x90, 0, 0, 0x69],
            forks: [
                sched([0x90, 0, 0, 0x70], 50),
                sched([0x90, 0, 0, 0x71], 100),
                sched([0x90, 0, 0, 0x72], 56_832),
                sched([0x90, 0, 0, 0x73], 132_608),
                sched([0x90, 0, 0, 0x74], 222_464),
                sched([0x90, 0, 0, 0x75], 272_640),
            ],
            max_blobs_per_block_electra: 9,
            blob_schedule: alloc::vec![blobs(274_176, 15), blobs(275_712, 21)],
            deposit_chain_id: 11_155_111,
        }
    }

    /// The Hoodi testnet (eth-clients/hoodi `metadata/config.yaml`).
    pub fn hoodi() -> Self {
        Self {
            config_name: "hoodi".into(),
            preset: Preset::MAINNET,
            genesis_time: 1_742_213_400,
            genesis_validators_root: Some(hex32(
                "212f13fc4df078b6cb7db228f1c8307566dcecf900867401a92023d7ba99cb5f",
            )),
            slot_duration_ms: 12_000,
            genesis_fork_version: [0x10, 0, 0x09, 0x10],
            forks: [
                sched([0x20, 0, 0x09, 0x10], 0),
                sched([0x30, 0, 0x09, 0x10], 0),
                sched([0x40, 0, 0x09, 0x10], 0),
                sched([0x50, 0, 0x09, 0x10], 0),
                sched([0x60, 0, 0x09, 0x10], 2_048),
                sched([0x70, 0, 0x09, 0x10], 50_688),
            ],
            max_blobs_per_block_electra: 9,
            blob_schedule: alloc::vec![blobs(52_480, 15), blobs(54_016, 21)],
            deposit_chain_id: 560_048,
        }
    }

    /// A built-in network by name (`mainnet`, `sepolia`, `hoodi`).
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "mainnet" => Some(Self::mainnet()),
            "sepolia" => Some(Self::sepolia()),
            "hoodi" => Some(Self::hoodi()),
            _ => None,
        }
    }

    /// Builds a spec from the text of a consensus-specs `config.yaml`; the preset is the one its
    /// `PRESET_BASE` names (use [`ChainSpec::from_config_with_preset`] for a custom preset).
    pub fn from_config_yaml(text: &str) -> Result<Self> {
        let file = ConfigFile::parse(text)?;
        let base = file.scalar("PRESET_BASE").ok_or(Error::ConfigMissingKey("PRESET_BASE"))?;
        let preset = Preset::from_name(base)?;
        Self::from_config_with_preset(&file, preset)
    }

    /// Builds a spec from a parsed config and an explicit preset.
    pub fn from_config_with_preset(file: &ConfigFile, preset: Preset) -> Result<Self> {
        let mut forks = [sched([0; 4], FAR_FUTURE_EPOCH); 6];
        for (slot, (version_key, epoch_key)) in forks.iter_mut().zip(FORK_KEYS) {
            // A config may predate a fork; such a fork is simply not scheduled.
            if file.scalar(version_key).is_some() {
                slot.version = file.bytes4(version_key)?;
                slot.epoch = file.u64(epoch_key)?;
            }
        }
        let slot_duration_ms = match file.scalar("SLOT_DURATION_MS") {
            Some(v) => parse_u64("SLOT_DURATION_MS", v)?,
            None => {
                file.u64("SECONDS_PER_SLOT")?.checked_mul(1000).ok_or(Error::ArithmeticOverflow)?
            }
        };
        let genesis_time = file
            .u64("MIN_GENESIS_TIME")?
            .checked_add(file.u64("GENESIS_DELAY").unwrap_or(0))
            .ok_or(Error::ArithmeticOverflow)?;
        let mut blob_schedule = Vec::new();
        if let Some(ConfigValue::List(items)) = file.get("BLOB_SCHEDULE") {
            for item in items {
                let field = |key: &'static str| -> Result<u64> {
                    let value = item.get(key).ok_or(Error::ConfigMissingKey(key))?;
                    parse_u64(key, value)
                };
                blob_schedule.push(blobs(field("EPOCH")?, field("MAX_BLOBS_PER_BLOCK")?));
            }
        }
        blob_schedule.sort_by_key(|entry| entry.epoch);
        let genesis_validators_root = match file.scalar("GENESIS_VALIDATORS_ROOT") {
            Some(v) => Some(parse_hex_array::<32>("GENESIS_VALIDATORS_ROOT", v)?),
            None => None,
        };
        let spec = Self {
            config_name: file.scalar("CONFIG_NAME").unwrap_or("custom").to_string(),
            preset,
            genesis_time,
            genesis_validators_root,
            slot_duration_ms,
            genesis_fork_version: file.bytes4("GENESIS_FORK_VERSION")?,
            forks,
            // Fulu fork digests mix in the blob parameters, so a network that schedules Fulu
            // must state them.
            max_blobs_per_block_electra: match file.u64("MAX_BLOBS_PER_BLOCK_ELECTRA") {
                Ok(v) => v,
                Err(e) if forks[5].epoch != FAR_FUTURE_EPOCH => return Err(e),
                Err(_) => 9,
            },
            blob_schedule,
            deposit_chain_id: file.u64("DEPOSIT_CHAIN_ID").unwrap_or(0),
        };
        spec.check()?;
        Ok(spec)
    }

    fn check(&self) -> Result<()> {
        if self.preset.slots_per_epoch == 0 {
            return Err(Error::ZeroParameter("SLOTS_PER_EPOCH"));
        }
        if self.preset.epochs_per_sync_committee_period == 0 {
            return Err(Error::ZeroParameter("EPOCHS_PER_SYNC_COMMITTEE_PERIOD"));
        }
        if self.slot_duration_ms == 0 {
            return Err(Error::ZeroParameter("SLOT_DURATION_MS"));
        }
        // The specs test each fork epoch on its own (`epoch >= ELECTRA_FORK_EPOCH`); a schedule
        // where a later fork activates before an earlier one has no consistent reading.
        if self.forks.windows(2).any(|pair| matches!(pair, [a, b] if b.epoch < a.epoch)) {
            return Err(Error::ForkScheduleOutOfOrder);
        }
        Ok(())
    }

    /// The schedule entry of `fork` (Phase 0 has the genesis version at epoch 0).
    pub fn fork_schedule(&self, fork: Fork) -> ForkSchedule {
        match fork.index().checked_sub(1).and_then(|i| self.forks.get(i)) {
            Some(entry) => *entry,
            None => sched(self.genesis_fork_version, 0),
        }
    }

    /// The fork active at `epoch`.
    pub fn fork_at_epoch(&self, epoch: Epoch) -> Fork {
        Fork::ALL
            .into_iter()
            .rev()
            .find(|fork| *fork == Fork::Phase0 || epoch >= self.fork_schedule(*fork).epoch)
            .unwrap_or(Fork::Phase0)
    }

    /// The fork active at `slot`.
    pub fn fork_at_slot(&self, slot: Slot) -> Fork {
        self.fork_at_epoch(self.epoch_at_slot(slot))
    }

    /// `compute_fork_version(epoch)`.
    pub fn fork_version_at_epoch(&self, epoch: Epoch) -> Version {
        self.fork_schedule(self.fork_at_epoch(epoch)).version
    }

    /// `compute_epoch_at_slot(slot)`.
    pub fn epoch_at_slot(&self, slot: Slot) -> Epoch {
        slot.checked_div(self.preset.slots_per_epoch).unwrap_or(0)
    }

    /// `compute_start_slot_at_epoch(epoch)`.
    pub fn start_slot_at_epoch(&self, epoch: Epoch) -> Result<Slot> {
        epoch.checked_mul(self.preset.slots_per_epoch).ok_or(Error::ArithmeticOverflow)
    }

    /// `compute_sync_committee_period(epoch)`.
    pub fn sync_committee_period_at_epoch(&self, epoch: Epoch) -> Period {
        epoch.checked_div(self.preset.epochs_per_sync_committee_period).unwrap_or(0)
    }

    /// `compute_sync_committee_period_at_slot(slot)`.
    pub fn sync_committee_period_at_slot(&self, slot: Slot) -> Result<Period> {
        Ok(self.sync_committee_period_at_epoch(self.epoch_at_slot(slot)))
    }

    /// First slot of sync-committee period `period`.
    pub fn start_slot_of_period(&self, period: Period) -> Result<Slot> {
        period
            .checked_mul(self.preset.epochs_per_sync_committee_period)
            .and_then(|epoch| epoch.checked_mul(self.preset.slots_per_epoch))
            .ok_or(Error::ArithmeticOverflow)
    }

    /// The slot at Unix time `unix_seconds`, or `None` before genesis. The core reads no clock:
    /// callers pass their own time in.
    pub fn slot_at_time(&self, unix_seconds: u64) -> Option<Slot> {
        let since = unix_seconds.checked_sub(self.genesis_time)?;
        since.checked_mul(1000)?.checked_div(self.slot_duration_ms)
    }

    /// `get_blob_parameters(epoch)` (Fulu `beacon-chain.md`).
    pub fn blob_parameters(&self, epoch: Epoch) -> BlobParameters {
        self.blob_schedule.iter().rev().find(|entry| epoch >= entry.epoch).copied().unwrap_or(
            BlobParameters {
                epoch: self.fork_schedule(Fork::Electra).epoch,
                max_blobs_per_block: self.max_blobs_per_block_electra,
            },
        )
    }

    /// `compute_fork_digest(genesis_validators_root, epoch)`: before Fulu the first four bytes of
    /// the fork data root (phase0 `beacon-chain.md`); from Fulu on XOR-masked with the hash of the
    /// active blob parameters (Fulu `beacon-chain.md`, "Modified `compute_fork_digest`", EIP-7892).
    pub fn fork_digest(&self, genesis_validators_root: &Root, epoch: Epoch) -> ForkDigest {
        let version = self.fork_version_at_epoch(epoch);
        let base = compute_fork_data_root(version, genesis_validators_root);
        let mut digest = [0u8; 4];
        digest.copy_from_slice(&base[..4]);
        if self.fork_at_epoch(epoch) >= Fork::Fulu {
            let params = self.blob_parameters(epoch);
            let mut preimage = [0u8; 16];
            preimage[..8].copy_from_slice(&params.epoch.to_le_bytes());
            preimage[8..].copy_from_slice(&params.max_blobs_per_block.to_le_bytes());
            let mask = sha256(&preimage);
            for (d, m) in digest.iter_mut().zip(mask) {
                *d ^= m;
            }
        }
        digest
    }

    /// Every distinct fork digest this network uses (each fork and each blob-schedule entry from
    /// its first epoch) with the fork active there, oldest first. Useful to recognise the
    /// `ForkDigest` context of a response chunk.
    pub fn fork_digests(&self, genesis_validators_root: &Root) -> Vec<(ForkDigest, Fork, Epoch)> {
        let mut epochs: Vec<Epoch> = Fork::ALL
            .into_iter()
            .map(|fork| self.fork_schedule(fork).epoch)
            .chain(self.blob_schedule.iter().map(|entry| entry.epoch))
            .filter(|epoch| *epoch != FAR_FUTURE_EPOCH)
            .collect();
        epochs.sort_unstable();
        epochs.dedup();
        let mut out: Vec<(ForkDigest, Fork, Epoch)> = Vec::new();
        for epoch in epochs {
            let digest = self.fork_digest(genesis_validators_root, epoch);
            if !out.iter().any(|(d, _, _)| *d == digest) {
                out.push((digest, self.fork_at_epoch(epoch), epoch));
            }
        }
        out
    }
}

/// Decodes a built-in 64-digit hex root (checked by the `built_in_roots_decode` test).
fn hex32(text: &str) -> Root {
    parse_hex_array::<32>("root", &alloc::format!("0x{text}")).unwrap_or([0; 32])
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn mainnet_forks_and_periods() {
        let spec = ChainSpec::mainnet();
        assert_eq!(spec.fork_at_epoch(0), Fork::Phase0);
        assert_eq!(spec.fork_at_epoch(74_239), Fork::Phase0);
        assert_eq!(spec.fork_at_epoch(74_240), Fork::Altair);
        assert_eq!(spec.fork_at_epoch(364_032), Fork::Electra);
        assert_eq!(spec.fork_at_epoch(u64::MAX), Fork::Fulu);
        assert_eq!(spec.sync_committee_period_at_slot(8191).unwrap(), 0);
        assert_eq!(spec.sync_committee_period_at_slot(8192).unwrap(), 1);
        assert_eq!(spec.slot_at_time(spec.genesis_time + 24), Some(2));
        assert_eq!(spec.slot_at_time(spec.genesis_time - 1), None);
        assert!(spec.start_slot_of_period(u64::MAX).is_err());
    }

    #[test]
    fn built_in_roots_decode() {
        for spec in [ChainSpec::mainnet(), ChainSpec::sepolia(), ChainSpec::hoodi()] {
            assert_ne!(spec.genesis_validators_root, Some([0; 32]), "{}", spec.config_name);
            assert_eq!(ChainSpec::by_name(&spec.config_name), Some(spec.clone()));
            spec.check().unwrap();
        }
    }

    #[test]
    fn rejects_out_of_order_forks() {
        let text = "PRESET_BASE: 'minimal'\nMIN_GENESIS_TIME: 0\nGENESIS_FORK_VERSION: 0x00000001\n\
            SECONDS_PER_SLOT: 6\nELECTRA_FORK_VERSION: 0x05000001\nELECTRA_FORK_EPOCH: 10\n\
            FULU_FORK_VERSION: 0x06000001\nFULU_FORK_EPOCH: 5\nMAX_BLOBS_PER_BLOCK_ELECTRA: 9\n";
        assert_eq!(ChainSpec::from_config_yaml(text), Err(Error::ForkScheduleOutOfOrder));
        let no_blobs =
            text.replace("MAX_BLOBS_PER_BLOCK_ELECTRA: 9\n", "").replace("EPOCH: 5", "EPOCH: 12");
        assert_eq!(
            ChainSpec::from_config_yaml(&no_blobs),
            Err(Error::ConfigMissingKey("MAX_BLOBS_PER_BLOCK_ELECTRA"))
        );
    }

    #[test]
    fn blob_parameters_follow_the_schedule() {
        let spec = ChainSpec::mainnet();
        assert_eq!(spec.blob_parameters(411_392), blobs(364_032, 9));
        assert_eq!(spec.blob_parameters(412_672), blobs(412_672, 15));
        assert_eq!(spec.blob_parameters(500_000), blobs(419_072, 21));
    }

    #[test]
    fn fulu_digests_change_at_each_blob_fork() {
        let spec = ChainSpec::mainnet();
        let gvr = spec.genesis_validators_root.unwrap();
        let digests = spec.fork_digests(&gvr);
        // Phase0..Fulu plus two BPO forks.
        assert_eq!(digests.len(), 9);
        // Published mainnet digests of Deneb and Electra.
        assert_eq!(spec.fork_digest(&gvr, 269_568), [0x6a, 0x95, 0xa1, 0xa9]);
        assert_eq!(spec.fork_digest(&gvr, 364_032), [0xad, 0x53, 0x2c, 0xeb]);
        assert_ne!(spec.fork_digest(&gvr, 411_392), spec.fork_digest(&gvr, 412_672));
    }

    #[test]
    fn reads_the_official_configs() {
        let text = "PRESET_BASE: 'minimal'\nCONFIG_NAME: 'minimal'\nMIN_GENESIS_TIME: 10\n\
            GENESIS_DELAY: 5\nGENESIS_FORK_VERSION: 0x00000001\nSECONDS_PER_SLOT: 6\n\
            ALTAIR_FORK_VERSION: 0x01000001\nALTAIR_FORK_EPOCH: 0\n\
            FULU_FORK_VERSION: 0x06000001\nFULU_FORK_EPOCH: 18446744073709551615\nBLOB_SCHEDULE: []\n";
        let spec = ChainSpec::from_config_yaml(text).unwrap();
        assert_eq!(spec.preset, Preset::MINIMAL);
        assert_eq!(spec.genesis_time, 15);
        assert_eq!(spec.slot_duration_ms, 6000);
        assert_eq!(spec.fork_at_epoch(3), Fork::Altair);
        assert_eq!(spec.fork_schedule(Fork::Capella).epoch, FAR_FUTURE_EPOCH);
        assert!(matches!(
            ChainSpec::from_config_yaml("PRESET_BASE: 'huge'\n"),
            Err(Error::UnknownPreset(_))
        ));
    }
}
