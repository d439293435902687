//! Shared plumbing for Mana's spec-test runners: locating `../shared/fixtures`, reading
//! `ssz_snappy` and YAML files, and a tally that fails on any unhandled vector file.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[cfg(not(target_arch = "wasm32"))]
pub mod beacon_server;
#[cfg(not(target_arch = "wasm32"))]
pub mod execution_node;
pub mod light_client;
#[cfg(not(target_arch = "wasm32"))]
pub mod schema;
#[cfg(not(target_arch = "wasm32"))]
pub mod synthetic_chain;
#[cfg(not(target_arch = "wasm32"))]
pub mod tamper_proxy;

/// The fixture root: `$MANA_FIXTURES`, else `<workspace>/../shared/fixtures`.
pub fn fixtures() -> PathBuf {
    if let Ok(dir) = std::env::var("MANA_FIXTURES") {
        return PathBuf::from(dir);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidate = workspace.join("../shared/fixtures");
    if candidate.is_dir() {
        return candidate;
    }
    panic!(
        "fixture directory not found at {}; set MANA_FIXTURES to the shared fixtures folder",
        candidate.display()
    );
}

/// The real mainnet blocks with witnesses (`stateless/mainnet/*.json`), sorted; exactly two.
pub fn mainnet_blocks() -> Vec<PathBuf> {
    let dir = fixtures().join("stateless/mainnet");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "expected the two mainnet fixtures in {}", dir.display());
    files
}

/// `consensus-spec-tests/tests` under the fixture root.
pub fn consensus_tests() -> PathBuf {
    fixtures().join("consensus/consensus-spec-tests/tests")
}

/// Decompresses snappy's raw block format (the `ssz_snappy` files of the spec tests).
pub fn decompress_snappy(compressed: &[u8]) -> Result<Vec<u8>, String> {
    snap::raw::Decoder::new().decompress_vec(compressed).map_err(|e| format!("snappy: {e}"))
}

/// Reads and snappy-decompresses an `.ssz_snappy` file.
pub fn read_ssz_snappy(path: &Path) -> Vec<u8> {
    let compressed =
        std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    decompress_snappy(&compressed).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a YAML file into a generic value.
pub fn read_yaml(path: &Path) -> serde_yaml::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("yaml {}: {e}", path.display()))
}

/// Decodes `0x`-prefixed hex.
pub fn hex_bytes(text: &str) -> Vec<u8> {
    hex::decode(text.trim_start_matches("0x")).unwrap_or_else(|e| panic!("hex {text}: {e}"))
}

/// Decodes `0x`-prefixed hex into a fixed array.
pub fn hex_array<const N: usize>(text: &str) -> [u8; N] {
    hex_bytes(text).try_into().unwrap_or_else(|_| panic!("hex {text}: expected {N} bytes"))
}

/// Every file below `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("listing {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Sorted subdirectories of `dir` (empty when `dir` does not exist).
pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> =
        entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    out.sort();
    out
}

/// Counts passed and failed cases and records every file a runner read, so that a suite can
/// fail when a vector file under its root was never handled.
#[derive(Debug, Default)]
pub struct Tally {
    name: String,
    passed: usize,
    failures: Vec<String>,
    touched: BTreeSet<PathBuf>,
}

impl Tally {
    /// A tally for the suite `name`.
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), ..Self::default() }
    }

    /// Marks `path` as handled.
    pub fn touch(&mut self, path: &Path) {
        self.touched.insert(path.to_path_buf());
    }

    /// Marks every file of a case directory as handled.
    pub fn touch_dir(&mut self, dir: &Path) {
        for file in files_under(dir) {
            self.touched.insert(file);
        }
    }

    /// Records a case result.
    pub fn record(&mut self, case: &Path, result: Result<(), String>) {
        match result {
            Ok(()) => self.passed += 1,
            Err(reason) => self.failures.push(format!("{}: {reason}", case.display())),
        }
    }

    /// Runs `f` for `case`, turning panics into failures, and records the result.
    pub fn run(&mut self, case: &Path, f: impl FnOnce() -> Result<(), String>) {
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|p| {
                Err(p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panicked".into()))
            });
        self.record(case, result);
    }

    /// Number of passed cases.
    pub fn passed(&self) -> usize {
        self.passed
    }

    /// The failed cases, each with its reason.
    pub fn failures(&self) -> &[String] {
        &self.failures
    }

    /// The files of `all` that no case touched.
    pub fn untouched(&self, all: &[PathBuf]) -> Vec<PathBuf> {
        all.iter().filter(|f| !self.touched.contains(*f)).cloned().collect()
    }

    /// Prints `N passed, N failed` and panics if anything failed, nothing ran, or a file
    /// below any of `roots` was never touched.
    pub fn finish(self, roots: &[PathBuf]) {
        let all: Vec<PathBuf> = roots.iter().flat_map(|root| files_under(root)).collect();
        let untouched = self.untouched(&all);
        println!(
            "{}: {} passed, {} failed, {} unhandled files",
            self.name,
            self.passed,
            self.failures.len(),
            untouched.len()
        );
        let mut report = String::new();
        for failure in self.failures.iter().take(50) {
            let _ = writeln!(report, "  FAILED {failure}");
        }
        for file in untouched.iter().take(50) {
            let _ = writeln!(report, "  UNHANDLED {}", file.display());
        }
        assert!(
            self.failures.is_empty() && untouched.is_empty() && self.passed > 0,
            "{}: {} passed, {} failed, {} unhandled files\n{report}",
            self.name,
            self.passed,
            self.failures.len(),
            untouched.len()
        );
    }
}
