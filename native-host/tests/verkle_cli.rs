//! `mana verify-verkle` on the Kaustinen-6 block-72 witnesses of the shared fixtures
//! (`verkle/witness`): the valid witness (exit 0, post root printed), the invalid one (exit 1), a
//! wrong `--post-root` (exit 1), and input errors (exit 2).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const MANA: &str = env!("CARGO_BIN_EXE_mana");
const PRE: &str = "0x64e1a647f42e5c2e3c434531ccf529e1b3e93363a40db9fc8eec81f492123510";
const POST: &str = "0x18d1dfcc6ccc6f34d14af48a865895bf34bde7f3571d9ba24a4b98122841048c";

fn witness(name: &str) -> PathBuf {
    mana_tests::fixtures().join("verkle/witness").join(name)
}

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out: Output = Command::new(MANA).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), stdout, stderr)
}

#[test]
fn valid_block72_witness_verifies_and_prints_the_post_root() {
    let file = witness("kaustinen6_block72_witness.json");
    let (code, stdout, stderr) =
        run(&["verify-verkle", file.to_str().unwrap(), "--pre-root", PRE, "--post-root", POST]);
    println!("{stdout}");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("verdict: VALID"), "{stdout}");
    assert!(stdout.contains(&format!("post-state root (computed): {POST} (matches")), "{stdout}");
    assert!(stdout.contains("multiproof openings") && stdout.contains("time: "), "{stdout}");

    // Without --post-root the computed root is still printed; JSON output carries the numbers.
    let (code, stdout, _) =
        run(&["verify-verkle", file.to_str().unwrap(), "--pre-root", PRE, "--json"]);
    assert_eq!(code, Some(0), "{stdout}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["postStateRoot"], POST);
    assert!(v["witness"]["openings"].as_u64().unwrap() > 0);
    assert!(v["error"].is_null());

    // The full block carrying the same witness.
    let block = witness("kaustinen6_block72_full.json");
    let (code, stdout, stderr) =
        run(&["verify-verkle", block.to_str().unwrap(), "--pre-root", PRE, "--post-root", POST]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
}

#[test]
fn invalid_witness_and_wrong_post_root_exit_1() {
    let invalid = witness("kaustinen6_block72_witness_INVALID.json");
    let (code, stdout, stderr) =
        run(&["verify-verkle", invalid.to_str().unwrap(), "--pre-root", PRE]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("verdict: INVALID"), "{stdout}");

    let valid = witness("kaustinen6_block72_witness.json");
    let wrong = PRE; // a valid root commitment, but not the post-state root
    let (code, stdout, stderr) = run(&[
        "verify-verkle",
        valid.to_str().unwrap(),
        "--pre-root",
        PRE,
        "--post-root",
        wrong,
        "--json",
    ]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["postStateRoot"], POST);
    assert!(v["error"].as_str().unwrap().contains("differs from --post-root"), "{stdout}");

    // The wrong trusted root: the proof does not verify against it.
    let (code, stdout, _) = run(&["verify-verkle", valid.to_str().unwrap(), "--pre-root", POST]);
    assert_eq!(code, Some(1), "{stdout}");
}

#[test]
fn input_errors_exit_2() {
    let valid = witness("kaustinen6_block72_witness.json");
    let missing =
        std::env::temp_dir().join(format!("mana-verkle-{}-missing.json", std::process::id()));
    let (code, _, stderr) = run(&["verify-verkle", missing.to_str().unwrap(), "--pre-root", PRE]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");

    for bad in ["0x1234", "not-hex", &format!("{PRE}00"), &format!("0x{}", "ff".repeat(32))] {
        let (code, _, stderr) = run(&["verify-verkle", valid.to_str().unwrap(), "--pre-root", bad]);
        assert_eq!(code, Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("--pre-root"), "{stderr}");
    }
    let (code, _, stderr) =
        run(&["verify-verkle", valid.to_str().unwrap(), "--pre-root", PRE, "--post-root", "0x12"]);
    assert_eq!(code, Some(2), "{stderr}");

    // Not a witness.
    let not_json =
        std::env::temp_dir().join(format!("mana-verkle-{}-bad.json", std::process::id()));
    std::fs::write(&not_json, b"{\"hello\": 1}").unwrap();
    let (code, _, stderr) = run(&["verify-verkle", not_json.to_str().unwrap(), "--pre-root", PRE]);
    std::fs::remove_file(&not_json).unwrap();
    assert_eq!(code, Some(2), "{stderr}");

    // Missing --pre-root is a usage error from the argument parser.
    let (code, _, _) = run(&["verify-verkle", valid.to_str().unwrap()]);
    assert_eq!(code, Some(2));
}
