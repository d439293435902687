//! consensus-spec-tests v1.6.1 `light_client/sync` and `light_client/update_ranking`, every fork
//! and preset present under `../shared/fixtures`.

use std::path::{Path, PathBuf};

use mana_consensus::bls::BlstVerifier;
use mana_consensus::light_client::is_better_update;
use mana_consensus::{LightClient, LightClientBootstrap, LightClientHeader, LightClientUpdate};
use mana_primitives::{ChainSpec, Fork};
use mana_tests::{Tally, consensus_tests, hex_array, read_ssz_snappy, read_yaml, subdirs};
use serde_yaml::Value;

const PRESETS: [&str; 2] = ["minimal", "mainnet"];
const FORKS: [&str; 6] = ["altair", "bellatrix", "capella", "deneb", "electra", "fulu"];

fn handler_dirs(handler: &str) -> Vec<(String, Fork, PathBuf)> {
    let mut out = Vec::new();
    for preset in PRESETS {
        for fork in FORKS {
            let dir = consensus_tests().join(preset).join(fork).join("light_client").join(handler);
            if dir.is_dir() {
                out.push((preset.to_string(), Fork::from_name(fork).expect("fork"), dir));
            }
        }
    }
    out
}

fn str_of<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| format!("missing `{key}`"))
}

fn u64_of(v: &Value, key: &str) -> Result<u64, String> {
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

fn run_sync_case<const S: usize>(case: &Path) -> Result<(), String> {
    let config = std::fs::read_to_string(case.join("config.yaml")).map_err(|e| e.to_string())?;
    let spec = ChainSpec::from_config_yaml(&config).map_err(|e| e.to_string())?;
    let meta = read_yaml(&case.join("meta.yaml"));
    let gvr: [u8; 32] = hex_array(str_of(&meta, "genesis_validators_root")?);
    let trusted: [u8; 32] = hex_array(str_of(&meta, "trusted_block_root")?);
    let digests = spec.fork_digests(&gvr);
    let fork_of = |digest: &str| -> Result<Fork, String> {
        let d: [u8; 4] = hex_array(digest);
        digests
            .iter()
            .find(|(x, _, _)| *x == d)
            .map(|(_, f, _)| *f)
            .ok_or_else(|| format!("unknown fork digest {digest}"))
    };
    let bootstrap_fork = fork_of(str_of(&meta, "bootstrap_fork_digest")?)?;
    let bootstrap = LightClientBootstrap::<S>::from_ssz(
        bootstrap_fork,
        &read_ssz_snappy(&case.join("bootstrap.ssz_snappy")),
    )
    .map_err(|e| format!("bootstrap: {e}"))?;
    let mut client = LightClient::bootstrap(spec.clone(), gvr, &trusted, bootstrap, BlstVerifier)
        .map_err(|e| format!("bootstrap: {e}"))?;
    let steps = read_yaml(&case.join("steps.yaml"));
    let steps = steps.as_sequence().ok_or("steps.yaml is not a list")?;
    for (i, step) in steps.iter().enumerate() {
        let checks = if let Some(s) = step.get("process_update") {
            let fork = fork_of(str_of(s, "update_fork_digest")?)?;
            let name = str_of(s, "update")?.trim();
            let bytes = read_ssz_snappy(&case.join(format!("{name}.ssz_snappy")));
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
                .force_update(u64_of(s, "current_slot")?)
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

#[test]
fn light_client_sync() {
    let mut tally = Tally::new("light_client/sync");
    let mut roots = Vec::new();
    for (preset, _fork, dir) in handler_dirs("sync") {
        roots.push(dir.clone());
        for case in subdirs(&dir.join("pyspec_tests")) {
            tally.touch_dir(&case);
            match preset.as_str() {
                "minimal" => tally.run(&case, || run_sync_case::<32>(&case)),
                _ => tally.run(&case, || run_sync_case::<512>(&case)),
            }
        }
    }
    tally.finish(&roots);
}

fn run_ranking_case<const S: usize>(fork: Fork, case: &Path) -> Result<(), String> {
    let preset = if S == 32 { "minimal" } else { "mainnet" };
    let config = std::fs::read_to_string(
        mana_tests::fixtures()
            .join(format!("consensus/consensus-specs@v1.6.1/configs/{preset}.yaml")),
    )
    .map_err(|e| e.to_string())?;
    let spec = ChainSpec::from_config_yaml(&config).map_err(|e| e.to_string())?;
    let meta = read_yaml(&case.join("meta.yaml"));
    let count = u64_of(&meta, "updates_count")?;
    let updates = (0..count)
        .map(|i| {
            let bytes = read_ssz_snappy(&case.join(format!("updates_{i}.ssz_snappy")));
            LightClientUpdate::<S>::from_ssz(fork, &bytes).map_err(|e| format!("updates_{i}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if updates.len() < 2 {
        return Err("fewer than two updates".into());
    }
    for (i, better) in updates.iter().enumerate() {
        for (j, worse) in updates.iter().enumerate().skip(i + 1) {
            if is_better_update(&spec, worse, better).map_err(|e| e.to_string())? {
                return Err(format!("updates_{j} ranks above updates_{i}"));
            }
        }
        if let Some(next) = updates.get(i + 1) {
            // Consecutive distinct updates are strictly ordered unless they tie on every rule.
            if next != better
                && !is_better_update(&spec, better, next).map_err(|e| e.to_string())?
                && is_better_update(&spec, next, better).map_err(|e| e.to_string())?
            {
                return Err(format!("updates_{i} does not outrank updates_{}", i + 1));
            }
        }
    }
    Ok(())
}

#[test]
fn light_client_update_ranking() {
    let mut tally = Tally::new("light_client/update_ranking");
    let mut roots = Vec::new();
    for (preset, fork, dir) in handler_dirs("update_ranking") {
        roots.push(dir.clone());
        for case in subdirs(&dir.join("pyspec_tests")) {
            tally.touch_dir(&case);
            match preset.as_str() {
                "minimal" => tally.run(&case, || run_ranking_case::<32>(fork, &case)),
                _ => tally.run(&case, || run_ranking_case::<512>(fork, &case)),
            }
        }
    }
    tally.finish(&roots);
}
