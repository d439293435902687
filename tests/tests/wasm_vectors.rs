//! The minimal-preset `light_client/sync` vectors, runnable natively and as wasm under node
//! (`cargo test --target wasm32-unknown-unknown -p mana-tests --test wasm_vectors`), so the
//! browser build of the core is checked against the official vectors too.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeMap;

use mana_tests::light_client::run_sync_case;

include!(concat!(env!("OUT_DIR"), "/embedded_sync_vectors.rs"));

#[test]
fn minimal_sync_vectors() {
    let mut cases: BTreeMap<&str, BTreeMap<&str, &[u8]>> = BTreeMap::new();
    for (path, bytes) in FILES {
        let (case, file) = path.rsplit_once('/').expect("case/file");
        cases.entry(case).or_default().insert(file, bytes);
    }
    assert!(
        cases.len() >= 39,
        "only {} embedded sync cases; are the fixtures present?",
        cases.len()
    );
    let mut failures = Vec::new();
    for (case, files) in &cases {
        let read = |name: &str| {
            files.get(name).map(|b| b.to_vec()).ok_or_else(|| format!("{case}: no file {name}"))
        };
        if let Err(e) = run_sync_case::<32>(&read) {
            failures.push(format!("{case}: {e}"));
        }
    }
    println!(
        "wasm light_client/sync: {} passed, {} failed",
        cases.len() - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
