//! The options of `createManaProvider`, as the TypeScript layer hands them over (JSON text).

use std::time::Duration;

use mana_primitives::ChainSpec;
use serde_json::{Map, Value};

/// Where the client keeps its trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Storage {
    /// IndexedDB: a reload resumes without a checkpoint.
    #[default]
    IndexedDb,
    /// Nothing survives the page.
    Memory,
}

/// A network that is not built in: its consensus config and genesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomNetwork {
    /// The network's `config.yaml` text (with `PRESET_BASE`).
    pub config_yaml: String,
    /// Genesis time, Unix seconds.
    pub genesis_time: u64,
    /// `0x`-prefixed genesis validators root.
    pub genesis_validators_root: String,
    /// A short name for storage keys and status (default `custom`).
    pub name: Option<String>,
}

/// `network`: a built-in name or a custom network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// `mainnet`, `sepolia` or `hoodi`.
    Named(String),
    /// A custom network.
    Custom(CustomNetwork),
}

/// The options (see the package README for each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The network (default mainnet).
    pub network: Network,
    /// Beacon API base URLs (light-client routes), at least one.
    pub beacon_api: Vec<String>,
    /// Execution JSON-RPC URLs; none turns the verified provider off (sync only).
    pub execution_rpc: Vec<String>,
    /// `0x` beacon block root to bootstrap from; optional when the storage holds a store.
    pub checkpoint: Option<String>,
    /// Where trust persists.
    pub storage: Storage,
    /// IndexedDB database name (default `mana-<network>`).
    pub database_name: Option<String>,
    /// Per-request timeout, milliseconds (default 10 000).
    pub timeout_ms: Option<u64>,
    /// Head polling interval, milliseconds (default: once per slot).
    pub poll_interval_ms: Option<u64>,
    /// Accept a checkpoint older than the weak-subjectivity limit.
    pub allow_old_checkpoint: bool,
    /// When forced updates may apply (default [`ForceUpdate::Supermajority`]).
    pub force_update: ForceUpdate,
    /// Answers for `latest` are refused once the verified head lags the wall clock by more
    /// epochs (default 3).
    pub max_head_lag_epochs: Option<u64>,
    /// Methods forwarded unverified instead of refused (opt-in, see the README).
    pub forward_unverified: Vec<String>,
}

/// The fields of an options object, each taken once; whatever is left is an unknown field.
struct Fields {
    what: &'static str,
    map: Map<String, Value>,
}

impl Fields {
    fn of(value: Value, what: &'static str) -> Result<Self, OptionsError> {
        match value {
            Value::Object(map) => Ok(Self { what, map }),
            other => Err(OptionsError(format!("{what}: expected an object, got {other}"))),
        }
    }

    fn bad(&self, name: &str, why: &str) -> OptionsError {
        OptionsError(format!("{}: `{name}` {why}", self.what))
    }

    /// The field, or `None` when absent or `null`.
    fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name).filter(|v| !v.is_null())
    }

    fn string(&mut self, name: &str) -> Result<Option<String>, OptionsError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.bad(name, &format!("expected a string, got {other}"))),
        }
    }

    fn uint(&mut self, name: &str) -> Result<Option<u64>, OptionsError> {
        match self.take(name) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.bad(name, &format!("expected an unsigned integer, got {v}"))),
        }
    }

    fn flag(&mut self, name: &str) -> Result<bool, OptionsError> {
        match self.take(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(b),
            Some(other) => Err(self.bad(name, &format!("expected true or false, got {other}"))),
        }
    }

    fn strings(&mut self, name: &str) -> Result<Vec<String>, OptionsError> {
        let Some(value) = self.take(name) else { return Ok(Vec::new()) };
        let bad = || self.bad(name, "expected a list of strings");
        let Value::Array(items) = value else { return Err(bad()) };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(bad()),
            })
            .collect()
    }

    /// Refuses a field left over (a misspelt option would otherwise be silently ignored).
    fn finish(self) -> Result<(), OptionsError> {
        match self.map.keys().next() {
            Some(unknown) => Err(OptionsError(format!("{}: unknown field `{unknown}`", self.what))),
            None => Ok(()),
        }
    }
}

impl CustomNetwork {
    fn from_json(value: Value) -> Result<Self, OptionsError> {
        let mut f = Fields::of(value, "network")?;
        let missing = |name: &str| OptionsError(format!("network: missing field `{name}`"));
        let network = Self {
            config_yaml: f.string("configYaml")?.ok_or_else(|| missing("configYaml"))?,
            genesis_time: f.uint("genesisTime")?.ok_or_else(|| missing("genesisTime"))?,
            genesis_validators_root: f
                .string("genesisValidatorsRoot")?
                .ok_or_else(|| missing("genesisValidatorsRoot"))?,
            name: f.string("name")?,
        };
        f.finish()?;
        Ok(network)
    }
}

/// The `forceUpdate` option: when `process_light_client_store_force_update` may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForceUpdate {
    /// `"supermajority"`: only an update signed by 2/3 of the committee (the default).
    #[default]
    Supermajority,
    /// `"off"`: never; wait for finality however long it takes.
    Off,
}

/// Why options were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError(pub String);

impl core::fmt::Display for OptionsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a `0x`-hex 32-byte root.
pub fn root(text: &str, what: &str) -> Result<[u8; 32], OptionsError> {
    let bad = |why: &str| OptionsError(format!("{what}: {why} ({text:?})"));
    let digits = text.strip_prefix("0x").ok_or_else(|| bad("expected 0x-prefixed hex"))?;
    let bytes = hex::decode(digits).map_err(|_| bad("not hex"))?;
    bytes.try_into().map_err(|_| bad("expected 32 bytes"))
}

impl Options {
    /// Parses the JSON text of the options.
    pub fn parse(json: &str) -> Result<Self, OptionsError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| OptionsError(format!("options: {e}")))?;
        let mut f = Fields::of(value, "options")?;
        let network = match f.take("network") {
            None => Network::Named("mainnet".into()),
            Some(Value::String(name)) => Network::Named(name),
            Some(custom) => Network::Custom(CustomNetwork::from_json(custom)?),
        };
        let storage = match f.string("storage")?.as_deref() {
            None | Some("indexeddb") => Storage::IndexedDb,
            Some("memory") => Storage::Memory,
            Some(other) => {
                return Err(f.bad("storage", &format!("{other:?} is not indexeddb or memory")));
            }
        };
        let options = Self {
            network,
            beacon_api: f.strings("beaconApi")?,
            execution_rpc: f.strings("executionRpc")?,
            checkpoint: f.string("checkpoint")?,
            storage,
            database_name: f.string("databaseName")?,
            timeout_ms: f.uint("timeoutMs")?,
            poll_interval_ms: f.uint("pollIntervalMs")?,
            allow_old_checkpoint: f.flag("allowOldCheckpoint")?,
            force_update: match f.string("forceUpdate")?.as_deref() {
                None | Some("supermajority") => ForceUpdate::Supermajority,
                Some("off") => ForceUpdate::Off,
                Some(other) => {
                    return Err(f.bad(
                        "forceUpdate",
                        &format!(
                            "{other:?} is not supermajority or off (a forced update signed by \
                             fewer than 2/3 of the committee is never applied)"
                        ),
                    ));
                }
            },
            max_head_lag_epochs: f.uint("maxHeadLagEpochs")?,
            forward_unverified: f.strings("forwardUnverified")?,
        };
        f.finish()?;
        if options.beacon_api.is_empty() {
            return Err(OptionsError("options: beaconApi needs at least one URL".into()));
        }
        if let Some(checkpoint) = &options.checkpoint {
            root(checkpoint, "checkpoint")?;
        }
        Ok(options)
    }

    /// The network's name (storage keys, status).
    pub fn network_name(&self) -> String {
        match &self.network {
            Network::Named(name) => name.clone(),
            Network::Custom(custom) => custom.name.clone().unwrap_or_else(|| "custom".into()),
        }
    }

    /// The chain spec with its genesis (built-in networks carry theirs).
    pub fn spec(&self) -> Result<ChainSpec, OptionsError> {
        match &self.network {
            Network::Named(name) => ChainSpec::by_name(name).ok_or_else(|| {
                OptionsError(format!(
                    "network: unknown {name:?} (mainnet, sepolia, hoodi or a custom network)"
                ))
            }),
            Network::Custom(custom) => {
                let mut spec = ChainSpec::from_config_yaml(&custom.config_yaml)
                    .map_err(|e| OptionsError(format!("network.configYaml: {e}")))?;
                spec.genesis_time = custom.genesis_time;
                spec.genesis_validators_root =
                    Some(root(&custom.genesis_validators_root, "network.genesisValidatorsRoot")?);
                Ok(spec)
            }
        }
    }

    /// The checkpoint root, if one was given (checked by [`Options::parse`]).
    pub fn checkpoint_root(&self) -> Option<[u8; 32]> {
        self.checkpoint.as_deref().and_then(|c| root(c, "checkpoint").ok())
    }

    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.unwrap_or(10_000))
    }

    /// The IndexedDB database name.
    pub fn database_name(&self) -> String {
        self.database_name.clone().unwrap_or_else(|| format!("mana-{}", self.network_name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_built_in_networks() {
        let options = Options::parse(r#"{"beaconApi":["http://b"]}"#).unwrap();
        assert_eq!(options.network_name(), "mainnet");
        assert_eq!(options.storage, Storage::IndexedDb);
        assert_eq!(options.database_name(), "mana-mainnet");
        assert_eq!(options.spec().unwrap().deposit_chain_id, 1);
        let sepolia =
            Options::parse(r#"{"network":"sepolia","beaconApi":["x"],"storage":"memory"}"#)
                .unwrap();
        assert_eq!(sepolia.spec().unwrap().deposit_chain_id, 11_155_111);
        assert_eq!(sepolia.storage, Storage::Memory);
        // The safe force-update policy is the default; `off` is the only other choice.
        assert_eq!(options.force_update, ForceUpdate::Supermajority);
        assert_eq!(options.max_head_lag_epochs, None);
        let off = Options::parse(r#"{"beaconApi":["x"],"forceUpdate":"off","maxHeadLagEpochs":5}"#)
            .unwrap();
        assert_eq!(off.force_update, ForceUpdate::Off);
        assert_eq!(off.max_head_lag_epochs, Some(5));
    }

    #[test]
    fn refuses_bad_options_with_the_field_named() {
        for (json, expected) in [
            (r#"{"beaconApi":[]}"#, "beaconApi"),
            (r#"{"beaconApi":["x"],"checkpoint":"0x12"}"#, "checkpoint"),
            (r#"{"beaconApi":["x"],"storage":"disk"}"#, "disk"),
            (r#"{"beaconApi":["x"],"beaconAPI":["y"]}"#, "beaconAPI"),
            (r#"{"beaconApi":["x"],"network":"ropsten"}"#, "ropsten"),
            (r#"{"beaconApi":["x"],"forceUpdate":"spec"}"#, "forceUpdate"),
            (r#"{"beaconApi":["x"],"maxHeadLagEpochs":-1}"#, "maxHeadLagEpochs"),
        ] {
            let error = Options::parse(json).and_then(|o| o.spec().map(|_| ())).unwrap_err();
            assert!(error.0.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn custom_network_takes_its_genesis() {
        let yaml = std::fs::read_to_string(crate::fixtures().join(
            "consensus/consensus-spec-tests/tests/minimal/deneb/light_client/data_collection/\
             pyspec_tests/light_client_data_collection/config.yaml",
        ))
        .unwrap();
        let json = serde_json::json!({
            "network": {
                "configYaml": yaml,
                "genesisTime": 1_700_000_000u64,
                "genesisValidatorsRoot": format!("0x{}", "ab".repeat(32)),
                "name": "devnet"
            },
            "beaconApi": ["http://b"]
        });
        let options = Options::parse(&json.to_string()).unwrap();
        let spec = options.spec().unwrap();
        assert_eq!(spec.genesis_time, 1_700_000_000);
        assert_eq!(spec.genesis_validators_root, Some([0xab; 32]));
        assert_eq!(spec.preset.sync_committee_size, 32);
        assert_eq!(options.database_name(), "mana-devnet");
    }
}
