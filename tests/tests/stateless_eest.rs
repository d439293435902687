//! The EEST `blockchain_test` fixtures (`../shared/fixtures/eest`, see its `SOURCES.md`) run
//! statelessly: for every case the full pre-state trie is built from `pre` and handed over whole
//! as the witness (every node, every code, the verified ancestors ending at the parent), then the
//! blocks are verified one by one with `Trusted::ParentHash`, the runner carrying the state
//! forward from each valid block's reported changes. A block with `expectException` must be
//! rejected **for one of the expected reasons**: each EEST exception name maps to the typed Mana
//! verdicts that mean the same rule ([`EXCEPTIONS`]); a block rejected for another reason fails,
//! and so does an exception name the table does not know. Rejected blocks leave the state as it
//! was; at the end the carried state's root must equal the root of `postState` and the head must
//! be `lastblockhash`.
//!
//! The running itself is `mana_stateless::blockchain_test` (the same code `mana verify-block`
//! runs on an EEST file); this runner walks the files and tallies the verdicts.
//!
//! Every file under `eest/` is run or is on the explicit skip list ([`SKIPS`]); the shared
//! [`Tally`] fails on any other file and on a skip entry that matches nothing.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use alloy_primitives::U256;
use mana_stateless::blockchain_test::{EXCEPTIONS, meets, run_case};
use mana_stateless::{Error, TxRule};
use mana_tests::{Tally, files_under, fixtures};
use serde_json::Value;

/// Files and folders under `eest/` that are not run, each with the reason (matched by trailing
/// path components; a folder covers every file below it).
const SKIPS: &[(&str, &str)] = &[
    ("SOURCES.md", "provenance notes, not a fixture"),
    (
        "blockchain_tests_devnet/for_amsterdam",
        "Amsterdam devnet fixtures (EIP-7928 block access lists and the other Amsterdam EIPs): \
         Mana refuses Amsterdam blocks until it verifies them",
    ),
    (
        "blockchain_tests_devnet/for_bpo2toamsterdamattime15k",
        "transitions into Amsterdam (BPO2ToAmsterdamAtTime15k), not verified yet",
    ),
];

/// What a run of the suite saw besides passes and failures.
#[derive(Debug, Default)]
struct Seen {
    /// Invalid blocks rejected for an expected reason, by `expectException`.
    rejected: BTreeMap<String, usize>,
    /// Exception names without a mapping.
    unknown: BTreeMap<String, usize>,
}

/// Runs one case through `mana_stateless::blockchain_test`; `Err` describes the first failure.
fn run(case: &Value, seen: &mut Seen) -> Result<(), String> {
    let report = run_case(case);
    for block in &report.blocks {
        if let (Some(exception), true) = (&block.expected, block.as_expected) {
            *seen.rejected.entry(exception.clone()).or_default() += 1;
        }
    }
    for name in &report.unknown {
        *seen.unknown.entry(name.clone()).or_default() += 1;
    }
    report.result.map_err(|failure| failure.to_string())
}

#[test]
fn eest_blockchain_tests_verify_statelessly() {
    let root = fixtures().join("eest");
    let mut tally = Tally::new("EEST blockchain tests (stateless)");
    tally.skip_all(SKIPS);
    let started = Instant::now();
    // Per directory (the EIP folder, or the test folder below it): passed, failed.
    let mut per_dir: BTreeMap<String, [usize; 2]> = BTreeMap::new();
    let mut seen = Seen::default();
    for path in files_under(&root) {
        let relative = path.strip_prefix(&root).unwrap();
        // Not touched: `finish` fails on a file neither run nor on the skip list.
        if tally.skip_reason(relative).is_some() || path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        tally.touch(&path);
        let dir = relative.parent().unwrap_or(relative);
        let json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for (id, case) in json.as_object().unwrap() {
            let result = run(case, &mut seen);
            let counts = per_dir.entry(dir.display().to_string()).or_default();
            counts[usize::from(result.is_err())] += 1;
            tally.record(&PathBuf::from(format!("{} {id}", relative.display())), result);
        }
    }
    for (dir, [passed, failed]) in &per_dir {
        println!("{dir}: {passed} passed, {failed} failed");
    }
    println!(
        "invalid blocks rejected for an expected reason ({} exception names mapped):",
        EXCEPTIONS.len()
    );
    for (exception, count) in &seen.rejected {
        println!("  {count:4} {exception}");
    }
    for (name, count) in &seen.unknown {
        println!("  UNMAPPED exception name {name} ({count} blocks)");
    }
    println!("{:.1} s", started.elapsed().as_secs_f64());
    assert!(seen.unknown.is_empty(), "exception names without a mapping: {:?}", seen.unknown);
    tally.finish(&[root]);
}

#[test]
fn the_exception_table_is_strict() {
    let mut names: Vec<&str> = EXCEPTIONS.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EXCEPTIONS.len(), "an exception name is mapped twice");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("BlockException.") || n.starts_with("TransactionException."))
    );
    let funds = Error::InvalidTransaction {
        index: 0,
        sender: None,
        rule: TxRule::InsufficientFunds { cost: U256::from(2), balance: U256::from(1) },
    };
    assert_eq!(meets("TransactionException.INSUFFICIENT_ACCOUNT_FUNDS", &funds), Ok(true));
    // Any rejection is not enough: another rule does not meet the expectation.
    assert_eq!(meets("TransactionException.NONCE_MISMATCH_TOO_LOW", &funds), Ok(false));
    assert_eq!(
        meets(
            "BlockException.INVALID_REQUESTS|TransactionException.INSUFFICIENT_ACCOUNT_FUNDS",
            &funds
        ),
        Ok(true)
    );
    // An unknown name fails even next to a matching one.
    assert_eq!(
        meets("TransactionException.INSUFFICIENT_ACCOUNT_FUNDS|BlockException.NOT_A_NAME", &funds),
        Err(vec![String::from("BlockException.NOT_A_NAME")])
    );
}
