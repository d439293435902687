//! The verkle (EIP-6800) vectors of `verkle_vectors.rs` in wasm32 under node
//! (`cargo test -p mana-tests --target wasm32-unknown-unknown --test wasm_verkle`): crypto, CRS,
//! tree, genesis, curated, derived and the Kaustinen-6 witnesses with their mutations. wasm
//! cannot read files, so `build.rs` embeds the `verkle/` fixture files (all but `binary/`) from
//! `../shared/fixtures` at compile time; the runner is the native one, included as a module.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Component, Path, PathBuf};

use wasm_bindgen_test::{console_log, wasm_bindgen_test};

#[path = "verkle_vectors.rs"]
mod vectors;

include!(concat!(env!("OUT_DIR"), "/embedded_verkle_vectors.rs"));

/// The embedded file at `path` (`verkle/<dir>/<file>`, `..` resolved lexically).
fn embedded(path: &Path) -> Vec<u8> {
    let mut normal = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let key = normal.to_string_lossy();
    VERKLE_FILES
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, bytes)| bytes.to_vec())
        .unwrap_or_else(|| panic!("{key} is not embedded"))
}

#[wasm_bindgen_test]
fn verkle_vectors_wasm() {
    assert!(
        VERKLE_FILES.len() >= 20,
        "only {} embedded verkle files; are the fixtures present?",
        VERKLE_FILES.len()
    );
    let root = Path::new("verkle");
    let tally = vectors::run_suite(root, embedded);
    let all: Vec<PathBuf> = VERKLE_FILES
        .iter()
        .map(|(name, _)| PathBuf::from(name))
        .filter(|p| vectors::ROOTS.iter().any(|d| p.starts_with(root.join(d))))
        .collect();
    let untouched = tally.untouched(&all);
    console_log!(
        "verkle vectors (wasm): {} passed, {} failed",
        tally.passed(),
        tally.failures().len() + untouched.len()
    );
    assert!(
        tally.failures().is_empty() && untouched.is_empty() && tally.passed() > 0,
        "failures: {:#?}\nunhandled: {untouched:#?}",
        tally.failures()
    );
}
