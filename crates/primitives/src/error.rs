use alloc::string::String;

/// Result alias for this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything that can go wrong in `mana-primitives`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A config line could not be parsed as `KEY: value` or as a list entry.
    #[error("config line {line}: {reason}")]
    ConfigSyntax {
        /// 1-based line number.
        line: usize,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// A key the chain spec needs is absent from the config or preset.
    #[error("config is missing `{0}`")]
    ConfigMissingKey(&'static str),
    /// A key is present but its value has the wrong shape (not a number, wrong hex length, ...).
    #[error("config value of `{key}` is invalid: `{value}`")]
    ConfigInvalidValue {
        /// The key.
        key: String,
        /// The offending value as written.
        value: String,
    },
    /// `PRESET_BASE` names a preset this build does not know.
    #[error("unknown preset `{0}` (expected `mainnet` or `minimal`)")]
    UnknownPreset(String),
    /// Slot, epoch or period arithmetic left the `u64` range.
    #[error("slot/epoch arithmetic overflowed")]
    ArithmeticOverflow,
    /// A fork is scheduled before the fork it follows.
    #[error("fork epochs must not decrease from Altair to Fulu")]
    ForkScheduleOutOfOrder,
    /// A chain spec parameter is zero where the spec divides by it.
    #[error("chain spec parameter `{0}` must not be zero")]
    ZeroParameter(&'static str),
}
