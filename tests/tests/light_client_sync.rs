//! consensus-spec-tests v1.6.1 `light_client/sync` and `light_client/update_ranking`, every fork
//! and preset present under `../shared/fixtures`.

use std::path::{Path, PathBuf};

use mana_consensus::LightClientUpdate;
use mana_consensus::light_client::is_better_update;
use mana_primitives::{ChainSpec, Fork};
use mana_tests::light_client::{run_sync_case, u64_of};
use mana_tests::{Tally, consensus_tests, read_ssz_snappy, read_yaml, subdirs};

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

#[test]
fn light_client_sync() {
    let mut tally = Tally::new("light_client/sync");
    let mut roots = Vec::new();
    for (preset, _fork, dir) in handler_dirs("sync") {
        roots.push(dir.clone());
        for case in subdirs(&dir.join("pyspec_tests")) {
            tally.touch_dir(&case);
            let read =
                |name: &str| std::fs::read(case.join(name)).map_err(|e| format!("{name}: {e}"));
            match preset.as_str() {
                "minimal" => tally.run(&case, || run_sync_case::<32>(&read)),
                _ => tally.run(&case, || run_sync_case::<512>(&read)),
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
