//! The `light_client/sync` case runner, shared by the native runner (files from disk) and the
//! wasm runner (files embedded at build time).

use mana_consensus::bls::BlstVerifier;
use mana_consensus::{
    ForceUpdatePolicy, LightClient, LightClientBootstrap, LightClientHeader, LightClientUpdate,
};
use mana_primitives::ChainSpec;
use serde_yaml::Value;

use mana_consensus::light_client::fork_of_digest;

use crate::{decompress_snappy, hex_array};

/// Reads a file of the case directory by name.
pub type Reader<'a> = &'a dyn Fn(&str) -> Result<Vec<u8>, String>;

fn snappy(read: Reader<'_>, name: &str) -> Result<Vec<u8>, String> {
    decompress_snappy(&read(name)?).map_err(|e| format!("{name}: {e}"))
}

fn yaml(read: Reader<'_>, name: &str) -> Result<Value, String> {
    serde_yaml::from_slice(&read(name)?).map_err(|e| format!("yaml {name}: {e}"))
}

/// A string field of a YAML map.
pub fn str_of<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| format!("missing `{key}`"))
}

/// An integer field of a YAML map.
pub fn u64_of(v: &Value, key: &str) -> Result<u64, String> {
    v.get(key).and_then(Value::as_u64).ok_or_else(|| format!("missing `{key}`"))
}

fn check_header(
    spec: &ChainSpec,
    step: usize,
    name: &str,
    header: &LightClientHeader,
    expected: &Value,
) -> Result<(), String> {
    let slot = u64_of(expected, "slot")?;
    if header.beacon.slot != slot {
        return Err(format!("step {step}: {name} slot {} != {slot}", header.beacon.slot));
    }
    let root: [u8; 32] = hex_array(str_of(expected, "beacon_root")?);
    if header.beacon_root() != root {
        return Err(format!("step {step}: {name} beacon_root differs"));
    }
    if let Some(exec) = expected.get("execution_root").and_then(Value::as_str)
        && header.execution_root(spec) != hex_array::<32>(exec)
    {
        return Err(format!("step {step}: {name} execution_root differs"));
    }
    Ok(())
}

/// Runs one sync case with committee size `S`, reading its files through `read`.
pub fn run_sync_case<const S: usize>(read: Reader<'_>) -> Result<(), String> {
    let config = String::from_utf8(read("config.yaml")?).map_err(|e| e.to_string())?;
    let spec = ChainSpec::from_config_yaml(&config).map_err(|e| e.to_string())?;
    let meta = yaml(read, "meta.yaml")?;
    let gvr: [u8; 32] = hex_array(str_of(&meta, "genesis_validators_root")?);
    let trusted: [u8; 32] = hex_array(str_of(&meta, "trusted_block_root")?);
    let fork_of =
        |digest: &str| fork_of_digest(&spec, &gvr, hex_array(digest)).map_err(|e| e.to_string());
    let bootstrap_fork = fork_of(str_of(&meta, "bootstrap_fork_digest")?)?;
    let bootstrap =
        LightClientBootstrap::<S>::from_ssz(bootstrap_fork, &snappy(read, "bootstrap.ssz_snappy")?)
            .map_err(|e| format!("bootstrap: {e}"))?;
    let mut client = LightClient::bootstrap(spec.clone(), gvr, &trusted, bootstrap, BlstVerifier)
        .map_err(|e| format!("bootstrap: {e}"))?;
    let steps = yaml(read, "steps.yaml")?;
    let steps = steps.as_sequence().ok_or("steps.yaml is not a list")?;
    for (i, step) in steps.iter().enumerate() {
        let checks = if let Some(s) = step.get("process_update") {
            let fork = fork_of(str_of(s, "update_fork_digest")?)?;
            let name = str_of(s, "update")?.trim();
            let bytes = snappy(read, &format!("{name}.ssz_snappy"))?;
            let update = LightClientUpdate::<S>::from_ssz(fork, &bytes)
                .map_err(|e| format!("step {i}: decode {name}: {e}"))?;
            // Re-encoding must give the same bytes back.
            let again = update.to_ssz(fork).map_err(|e| e.to_string())?;
            if again != bytes {
                return Err(format!("step {i}: {name} does not re-encode identically"));
            }
            client
                .process_update(update, u64_of(s, "current_slot")?)
                .map_err(|e| format!("step {i}: process_update {name}: {e}"))?;
            s.get("checks")
        } else if let Some(s) = step.get("force_update") {
            client
                .force_update(u64_of(s, "current_slot")?, ForceUpdatePolicy::SPEC)
                .map_err(|e| format!("step {i}: force_update: {e}"))?;
            s.get("checks")
        } else if let Some(s) = step.get("upgrade_store") {
            // The store keeps one fork-independent shape, so upgrading changes nothing but the
            // fork the data would be encoded as; the checks below still apply.
            fork_of(str_of(s, "store_fork_digest")?)?;
            s.get("checks")
        } else {
            return Err(format!("step {i}: unknown step kind {step:?}"));
        };
        let checks = checks.ok_or_else(|| format!("step {i}: no checks"))?;
        let store = client.store();
        check_header(
            &spec,
            i,
            "finalized_header",
            &store.finalized_header,
            &checks["finalized_header"],
        )?;
        check_header(
            &spec,
            i,
            "optimistic_header",
            &store.optimistic_header,
            &checks["optimistic_header"],
        )?;
    }
    Ok(())
}
