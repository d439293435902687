//! Shared plumbing for Mana's spec-test runners: locating `../shared/fixtures`, reading
//! `ssz_snappy` and YAML files, and a tally that fails on any vector file that is neither run
//! nor on the runner's explicit skip list (and on a skip entry that matches nothing).

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

/// Counts passed and failed cases, records every file a runner read, and holds the runner's
/// explicit skip list, so that a suite fails when a vector file under its roots was neither run
/// nor deliberately skipped, and when a skip entry no longer matches anything.
#[derive(Debug, Default)]
pub struct Tally {
    name: String,
    passed: usize,
    failures: Vec<String>,
    touched: BTreeSet<PathBuf>,
    skips: Vec<Skip>,
}

/// One entry of a [`Tally`]'s skip list.
#[derive(Debug, Clone)]
struct Skip {
    /// Trailing path components naming a file, or a folder whose files are all skipped.
    path: PathBuf,
    /// Why the files are not run.
    reason: String,
}

impl Skip {
    /// Whether `relative` (a file's path below a root) is this entry's file or lies in its
    /// folder: some leading part of it ends with the entry's components.
    fn covers(&self, relative: &Path) -> bool {
        relative.ancestors().any(|part| !part.as_os_str().is_empty() && part.ends_with(&self.path))
    }
}

impl Tally {
    /// A tally for the suite `name`.
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), ..Self::default() }
    }

    /// Puts `path` on the skip list for `reason`: the files it names are deliberately not run.
    /// `path` is a file's or a folder's trailing path components below a root (`"binary"`,
    /// `"formats"`, `"eth_getLogs/topic-wildcard.io"`); a folder covers every file below it.
    /// [`Tally::finish`] fails when an entry matches no file (a stale list) or matches a file
    /// that ran.
    pub fn skip(&mut self, path: &str, reason: &str) -> &mut Self {
        self.skips.push(Skip { path: PathBuf::from(path), reason: reason.to_string() });
        self
    }

    /// [`Tally::skip`] for each `(path, reason)` of `list`.
    pub fn skip_all(&mut self, list: &[(&str, &str)]) -> &mut Self {
        for (path, reason) in list {
            self.skip(path, reason);
        }
        self
    }

    /// The reason `path` is on the skip list, if it is (its components are matched, so a runner
    /// can ask before running a file or a case folder).
    pub fn skip_reason(&self, path: &Path) -> Option<&str> {
        self.skips.iter().find(|skip| skip.covers(path)).map(|skip| skip.reason.as_str())
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

    /// Prints `N passed, N failed, N skipped files, N unhandled files` with the skip list's
    /// reasons, and panics if anything failed, nothing ran, a file below any of `roots` was
    /// neither touched nor on the skip list, a skip entry matches no file below `roots`, or a
    /// file on the skip list was touched.
    pub fn finish(self, roots: &[PathBuf]) {
        let mut skipped = vec![0usize; self.skips.len()];
        let mut untouched = Vec::new();
        let mut ran_but_skipped = Vec::new();
        for root in roots {
            for file in files_under(root) {
                let relative = file.strip_prefix(root).unwrap_or(&file);
                let entry = self.skips.iter().position(|skip| skip.covers(relative));
                match (self.touched.contains(&file), entry) {
                    (true, None) => {}
                    (true, Some(_)) => ran_but_skipped.push(file),
                    (false, Some(i)) => skipped[i] += 1,
                    (false, None) => untouched.push(file),
                }
            }
        }
        let stale: Vec<&Skip> =
            self.skips.iter().zip(&skipped).filter(|(_, n)| **n == 0).map(|(s, _)| s).collect();
        let total_skipped: usize = skipped.iter().sum();
        let summary = format!(
            "{}: {} passed, {} failed, {total_skipped} skipped files, {} unhandled files",
            self.name,
            self.passed,
            self.failures.len(),
            untouched.len()
        );
        println!("{summary}");
        for (skip, count) in self.skips.iter().zip(&skipped) {
            println!("  skipped {count} files at {}: {}", skip.path.display(), skip.reason);
        }
        let mut report = String::new();
        for failure in self.failures.iter().take(50) {
            let _ = writeln!(report, "  FAILED {failure}");
        }
        for file in untouched.iter().take(50) {
            let _ = writeln!(
                report,
                "  UNHANDLED (neither run nor on the skip list) {}",
                file.display()
            );
        }
        for skip in &stale {
            let _ =
                writeln!(report, "  STALE skip entry {} (matches no file)", skip.path.display());
        }
        for file in ran_but_skipped.iter().take(50) {
            let _ = writeln!(report, "  RAN although on the skip list {}", file.display());
        }
        assert!(
            self.failures.is_empty()
                && untouched.is_empty()
                && stale.is_empty()
                && ran_but_skipped.is_empty()
                && self.passed > 0,
            "{summary}, {} stale skip entries, {} skipped files that ran\n{report}",
            stale.len(),
            ran_but_skipped.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder holding `files` (relative paths), removed when dropped.
    struct Fixture(PathBuf);

    impl Fixture {
        fn new(name: &str, files: &[&str]) -> Self {
            let dir =
                std::env::temp_dir().join(format!("mana-tally-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            for file in files {
                let path = dir.join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, b"x").unwrap();
            }
            Self(dir)
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Runs `finish` over `fixture` and returns its panic message, or `None` when it passed.
    fn finish(tally: Tally, fixture: &Fixture) -> Option<String> {
        let roots = [fixture.0.clone()];
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tally.finish(&roots)))
            .err()
            .map(|p| p.downcast_ref::<String>().cloned().unwrap_or_else(|| "panicked".to_string()))
    }

    /// A tally that ran `a/case.json` and lists `docs` and `b/skip.json` as skipped.
    fn tally(fixture: &Fixture) -> Tally {
        let mut tally = Tally::new("t");
        tally.skip("docs", "prose").skip("b/skip.json", "not yet");
        tally.touch(&fixture.0.join("a/case.json"));
        tally.record(Path::new("a/case.json"), Ok(()));
        tally
    }

    #[test]
    fn every_file_is_run_or_listed() {
        let files = ["a/case.json", "docs/x.md", "docs/y/z.md", "b/skip.json"];
        let fixture = Fixture::new("ok", &files);
        let t = tally(&fixture);
        assert_eq!(t.skip_reason(Path::new("v1/docs/x.md")), Some("prose"));
        assert_eq!(t.skip_reason(Path::new("b/skip.json")), Some("not yet"));
        assert_eq!(t.skip_reason(Path::new("bb/skip.json")), None);
        assert_eq!(t.skip_reason(Path::new("a/case.json")), None);
        assert_eq!(finish(t, &fixture), None);
    }

    #[test]
    fn an_unlisted_file_fails() {
        let fixture = Fixture::new("unhandled", &["a/case.json", "docs/x.md", "b/skip.json", "c"]);
        let message = finish(tally(&fixture), &fixture).expect("an unhandled file fails");
        assert!(message.contains("UNHANDLED") && message.contains("/c"), "{message}");
    }

    #[test]
    fn a_stale_entry_fails() {
        let fixture = Fixture::new("stale", &["a/case.json", "docs/x.md"]);
        let message = finish(tally(&fixture), &fixture).expect("a stale entry fails");
        assert!(message.contains("STALE skip entry b/skip.json"), "{message}");
    }

    #[test]
    fn a_listed_file_that_ran_fails() {
        let fixture = Fixture::new("ran", &["a/case.json", "docs/x.md", "b/skip.json"]);
        let mut t = tally(&fixture);
        t.touch(&fixture.0.join("b/skip.json"));
        let message = finish(t, &fixture).expect("a listed file that ran fails");
        assert!(message.contains("RAN although on the skip list"), "{message}");
    }

    #[test]
    fn a_failure_or_nothing_run_fails() {
        let fixture = Fixture::new("fail", &["a/case.json", "docs/x.md", "b/skip.json"]);
        let mut t = tally(&fixture);
        t.record(Path::new("a/other"), Err("wrong".into()));
        assert!(finish(t, &fixture).expect("a failure fails").contains("FAILED a/other: wrong"));
        let mut t = Tally::new("t");
        t.skip("docs", "prose").skip("a", "all").skip("b", "all");
        assert!(finish(t, &fixture).is_some(), "nothing ran");
    }
}
