//! Real mainnet blocks (`../shared/fixtures/stateless/mainnet`, BPO2 rules) verified statelessly
//! end to end — ancestry, header, body and transaction rules, re-execution, receipts, bloom,
//! requests hash, post-state root — from the block hash alone; and tampered copies, each of
//! which must fail with the expected error and never panic. Every file of the fixture folder is a
//! case (the shared `Tally` fails on any other file).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;
use std::time::Instant;

use alloy_primitives::{B256, Bytes, keccak256};
use mana_stateless::rules::ChainConfig;
use mana_stateless::witness::{BlockInput, Trusted};
use mana_stateless::{Error, HeaderField, verify_block};
use mana_tests::{Tally, fixtures, mainnet_blocks};
use serde_json::Value;

struct Case {
    path: PathBuf,
    name: String,
    input: BlockInput,
    block_hash: B256,
}

/// The folder of the mainnet fixtures: every file in it is a case.
fn fixture_dir() -> PathBuf {
    fixtures().join("stateless/mainnet")
}

fn cases() -> Vec<Case> {
    mainnet_blocks()
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            let json: Value = serde_json::from_slice(&bytes).unwrap();
            Case {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
                input: BlockInput::from_fixture_json(&bytes).unwrap(),
                block_hash: json["blockHash"].as_str().unwrap().parse().unwrap(),
            }
        })
        .collect()
}

/// Verifies `case` with recovered senders and with the supplied keys; panics on a failure.
fn verify_case(case: &Case, config: &ChainConfig) {
    for keys in [false, true] {
        let mut input = case.input.clone();
        if !keys {
            input.public_keys = None;
        }
        let started = Instant::now();
        let verdict = verify_block(&input, Trusted::BlockHash(case.block_hash), config)
            .unwrap_or_else(|e| panic!("{} (keys: {keys}): {e}", case.name));
        let elapsed = started.elapsed();
        assert_eq!(verdict.block_hash, case.block_hash);
        assert_eq!(verdict.state_root, input.block.header.state_root);
        println!(
            "{}: block {} valid, {} txs, {} gas, {:.1} ms (debug build; keys supplied: {keys})",
            case.name,
            verdict.number,
            verdict.transactions,
            verdict.gas_used,
            elapsed.as_secs_f64() * 1e3
        );
    }
}

#[test]
fn real_mainnet_blocks_verify_with_recovered_senders_and_with_supplied_keys() {
    let config = ChainConfig::mainnet();
    let mut tally = Tally::new("stateless mainnet blocks");
    for case in cases() {
        tally.touch(&case.path);
        tally.run(&case.path, || {
            verify_case(&case, &config);
            Ok(())
        });
    }
    tally.finish(&[fixture_dir()]);
}

#[test]
fn tampered_mainnet_witnesses_fail_with_the_expected_error() {
    let config = ChainConfig::mainnet();
    let mut tally = Tally::new("stateless mainnet blocks, tampered");
    for case in cases() {
        tally.touch(&case.path);
        tally.run(&case.path, || {
            let verify = |input: &BlockInput| {
                verify_block(input, Trusted::BlockHash(case.block_hash), &config)
            };
            let mut failures: Vec<String> = Vec::new();
            let name = case.name.as_str();
            fn check<T>(
                failures: &mut Vec<String>,
                name: &str,
                what: &str,
                outcome: Result<T, Error>,
                ok: fn(&Error) -> bool,
            ) {
                match outcome {
                    Err(e) if ok(&e) => println!("  {name}: {what}: {e}"),
                    Err(e) => failures.push(format!("{what}: unexpected error {e}")),
                    Ok(_) => failures.push(format!("{what}: accepted")),
                }
            }

            // Every witness node the execution reads is needed: drop a few in turn.
            let state = &case.input.witness.state;
            let step = (state.len() / 7).max(1);
            let mut dropped_detected = 0;
            for i in (0..state.len()).step_by(step) {
                let mut input = case.input.clone();
                input.witness.state.remove(i);
                match verify(&input) {
                    Err(Error::MissingNode(h)) if h == keccak256(&state[i]) => {
                        dropped_detected += 1
                    }
                    // A node the block never touches (witnesses carry some extras) changes nothing.
                    Ok(_) => {}
                    Err(e) => failures.push(format!("drop node {i}: unexpected error {e}")),
                }
            }
            assert!(
                dropped_detected > 0,
                "{}: no dropped node was ever needed: {failures:#?}",
                case.name
            );

            // The root node itself.
            let mut input = case.input.clone();
            let pre_root = case.input.witness.headers.last().unwrap().state_root;
            input.witness.state.retain(|n| keccak256(n) != pre_root);
            check(&mut failures, name, "drop the state root node", verify(&input), |e| {
                matches!(e, Error::MissingNode(_))
            });

            // The largest code.
            let mut input = case.input.clone();
            let largest = (0..input.witness.codes.len())
                .max_by_key(|&i| input.witness.codes[i].len())
                .unwrap();
            input.witness.codes.remove(largest);
            check(&mut failures, name, "drop the largest code", verify(&input), |e| {
                matches!(e, Error::MissingCode(_))
            });

            // A flipped byte in a node: it no longer hashes to the reference that names it.
            let mut input = case.input.clone();
            let mut node = input.witness.state[0].to_vec();
            let last = node.len() - 1;
            node[last] ^= 1;
            input.witness.state[0] = Bytes::from(node);
            match verify(&input) {
                Err(Error::MissingNode(_) | Error::MalformedNode { .. }) | Ok(_) => {}
                Err(e) => failures.push(format!("flip a node byte: unexpected error {e}")),
            }

            // No ancestor headers: the chain to the trusted hash is broken.
            let mut input = case.input.clone();
            input.witness.headers.clear();
            check(&mut failures, name, "clear the headers", verify(&input), |e| {
                matches!(e, Error::HeaderChain(_))
            });

            // A receipt-affecting field: the header's gas used (so the block hash no longer matches
            // the trusted one, and with the new hash trusted, execution disagrees).
            let mut input = case.input.clone();
            input.block.header.gas_used += 1;
            check(&mut failures, name, "gas used + 1 against the old hash", verify(&input), |e| {
                matches!(e, Error::HeaderChain(_))
            });
            let new_hash = input.block.header.hash_slow();
            check(
                &mut failures,
                name,
                "gas used + 1 with its own hash trusted",
                verify_block(&input, Trusted::BlockHash(new_hash), &config),
                |e| matches!(e, Error::Mismatch { field: HeaderField::GasUsed, .. }),
            );
            let mut input = case.input.clone();
            input.block.header.receipts_root.0[0] ^= 1;
            let new_hash = input.block.header.hash_slow();
            check(
                &mut failures,
                name,
                "receipts root flipped with its own hash trusted",
                verify_block(&input, Trusted::BlockHash(new_hash), &config),
                |e| matches!(e, Error::Mismatch { field: HeaderField::ReceiptsRoot, .. }),
            );
            let mut input = case.input.clone();
            input.block.header.state_root.0[0] ^= 1;
            let new_hash = input.block.header.hash_slow();
            check(
                &mut failures,
                name,
                "state root flipped with its own hash trusted",
                verify_block(&input, Trusted::BlockHash(new_hash), &config),
                |e| matches!(e, Error::Mismatch { field: HeaderField::StateRoot, .. }),
            );
            assert!(failures.is_empty(), "{}: {failures:#?}", case.name);
            Ok(())
        });
    }
    tally.finish(&[fixture_dir()]);
}
