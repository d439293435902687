//! Embeds the minimal-preset `light_client/sync` vectors for the wasm runner
//! (`tests/wasm_vectors.rs`), which cannot read files under node. The vectors stay in
//! `../shared/fixtures`; only the generated `include_bytes!` list lands in `OUT_DIR`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    println!("cargo::rerun-if-env-changed=MANA_FIXTURES");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let fixtures = std::env::var("MANA_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| manifest.join("../../shared/fixtures"));
    let tests = fixtures.join("consensus/consensus-spec-tests/tests/minimal");
    let mut list = Vec::new();
    if let Ok(forks) = std::fs::read_dir(&tests) {
        for fork in forks.flatten() {
            let dir = fork.path().join("light_client/sync/pyspec_tests");
            println!("cargo::rerun-if-changed={}", dir.display());
            files(&dir, &mut list);
        }
    }
    list.sort();
    let mut code = String::from(
        "/// Embedded minimal `light_client/sync` files: (path under `minimal/`, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for path in &list {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let rel = path.strip_prefix(&tests).unwrap_or(path);
        let _ = writeln!(
            code,
            "    ({:?}, include_bytes!({:?})),",
            rel.display().to_string(),
            abs.display().to_string()
        );
    }
    code.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let out = out_dir.join("embedded_sync_vectors.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo::warning=cannot write {}: {e}", out.display());
    }

    // The real mainnet blocks for the stateless verifier's wasm test (`tests/wasm_stateless.rs`).
    let blocks = fixtures.join("stateless/mainnet");
    println!("cargo::rerun-if-changed={}", blocks.display());
    let mut list = Vec::new();
    files(&blocks, &mut list);
    list.retain(|p| p.extension().is_some_and(|e| e == "json"));
    list.sort();
    let mut code = String::from(
        "/// Embedded real mainnet blocks with witnesses: (file name, bytes).\npub static BLOCKS: &[(&str, &[u8])] = &[\n",
    );
    for path in &list {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let _ = writeln!(code, "    ({name:?}, include_bytes!({:?})),", abs.display().to_string());
    }
    code.push_str("];\n");
    let out = out_dir.join("embedded_stateless_blocks.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo::warning=cannot write {}: {e}", out.display());
    }

    // The verkle vectors for the wasm runner (`tests/wasm_verkle.rs`): every file under
    // `verkle/` except `binary/` (binary-tree vectors the verkle suite does not read).
    let verkle = fixtures.join("verkle");
    println!("cargo::rerun-if-changed={}", verkle.display());
    let mut list = Vec::new();
    files(&verkle, &mut list);
    list.retain(|p| !p.starts_with(verkle.join("binary")));
    list.sort();
    let mut code = String::from(
        "/// Embedded verkle fixture files: (path `verkle/...`, bytes).\npub static VERKLE_FILES: &[(&str, &[u8])] = &[\n",
    );
    for path in &list {
        let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
        let rel = path.strip_prefix(&fixtures).unwrap_or(path);
        let _ = writeln!(
            code,
            "    ({:?}, include_bytes!({:?})),",
            rel.display().to_string(),
            abs.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = out_dir.join("embedded_verkle_vectors.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo::warning=cannot write {}: {e}", out.display());
    }
}
