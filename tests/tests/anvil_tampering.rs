//! A tampering proxy between the verified provider and a real Anvil node corrupts one class of
//! response at a time. Each corruption must be detected with a precise error and nothing
//! tampered may ever be returned; with an honest second upstream the provider answers exactly
//! what an honest-only provider answers and penalises the tampering one.
//!
//! Needs `MANA_EXECUTION_NODE_DIR` (see `mana_tests::execution_node`).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use mana_client::Error;
use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedBlock, TrustedHeads, VerifiedProvider,
};
use mana_execution::Error as V;
use mana_tests::execution_node::{Anvil, head, node_dir, raw, scenario};
use mana_tests::tamper_proxy::{self, Tamper};
use serde_json::{Value, json};

fn provider(urls: &[String], trusted: TrustedBlock) -> VerifiedProvider<SharedHeads> {
    let heads = SharedHeads::new();
    heads.set(TrustedHeads {
        latest: Some(trusted),
        finalized: Some(trusted),
        ..TrustedHeads::default()
    });
    let rpcs =
        urls.iter().map(|u| ExecutionRpc::new(u, Duration::from_secs(10)).unwrap()).collect();
    VerifiedProvider::new(heads, rpcs, ProviderConfig::for_chain(31337)).unwrap()
}

/// What a tampered answer must produce.
enum Expect {
    /// This verification error.
    Rejected(fn(&V) -> bool),
    /// The honest answer (the corruption touches nothing the answer is built from).
    Honest,
}

fn selector(signature: &str) -> String {
    hex::encode(&alloy_primitives::keccak256(signature.as_bytes())[..4])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tampering_is_detected_and_nothing_tampered_is_returned() {
    let Some(dir) = node_dir() else { return };
    let anvil = Anvil::start(&dir);
    let made = scenario(&dir, &anvil.url);
    let (number, hash) = head(&anvil.url).await;
    let trusted = TrustedBlock { number, hash };

    // A block whose first receipt has logs, and a transaction with logs.
    let mut log_block = None;
    for n in 1..=number {
        let receipts = raw(&anvil.url, "eth_getBlockReceipts", json!([format!("{n:#x}")])).await;
        if receipts[0]["logs"].as_array().is_some_and(|l| !l.is_empty()) {
            log_block = Some((format!("{n:#x}"), receipts[0]["transactionHash"].clone()));
            break;
        }
    }
    let (log_block, log_tx) = log_block.expect("a block with logs");
    let alice = made["accounts"][0].clone();
    let bob = made["accounts"][1].as_str().unwrap().trim_start_matches("0x").to_string();
    let token = made["contracts"]["token"].clone();
    let emitter = made["contracts"]["emitter"].clone();
    let balance_of = format!("0x{}{:0>64}", selector("balanceOf(address)"), bob);
    let total_supply_slot = format!("{:#066x}", 2);

    let cases: Vec<(Tamper, &str, Value, Expect)> = vec![
        (
            Tamper::Balance,
            "eth_getBalance",
            json!([alice, "latest"]),
            Expect::Rejected(|e| matches!(e, V::InvalidAccountProof { .. })),
        ),
        (
            Tamper::Nonce,
            "eth_getTransactionCount",
            json!([alice, "latest"]),
            Expect::Rejected(|e| matches!(e, V::InvalidAccountProof { .. })),
        ),
        (
            Tamper::Code,
            "eth_getCode",
            json!([token, "latest"]),
            Expect::Rejected(|e| matches!(e, V::CodeHashMismatch { .. })),
        ),
        (
            Tamper::StorageValue,
            "eth_getStorageAt",
            json!([token, total_supply_slot, "latest"]),
            Expect::Rejected(|e| matches!(e, V::InvalidStorageProof(_))),
        ),
        (
            Tamper::ProofNode,
            "eth_getBalance",
            json!([alice, "0x2"]),
            Expect::Rejected(|e| matches!(e, V::InvalidAccountProof { .. })),
        ),
        (
            Tamper::BlockField,
            "eth_getBlockByNumber",
            json!(["0x1", false]),
            Expect::Rejected(|e| matches!(e, V::BlockHashMismatch { .. })),
        ),
        (
            Tamper::TransactionField,
            "eth_getBlockByNumber",
            json!(["0x1", true]),
            Expect::Rejected(|e| matches!(e, V::TransactionsRootMismatch { .. })),
        ),
        (
            Tamper::TransactionHash,
            "eth_getTransactionByBlockNumberAndIndex",
            json!(["0x1", "0x0"]),
            Expect::Honest,
        ),
        (
            Tamper::ReceiptStatus,
            "eth_getBlockReceipts",
            json!([log_block]),
            Expect::Rejected(|e| matches!(e, V::ReceiptsRootMismatch { .. })),
        ),
        (
            Tamper::LogData,
            "eth_getLogs",
            json!([{"fromBlock": "0x0", "address": emitter}]),
            Expect::Rejected(|e| matches!(e, V::ReceiptsRootMismatch { .. })),
        ),
        (
            Tamper::OmittedLog,
            "eth_getLogs",
            json!([{"fromBlock": "0x0", "toBlock": "latest"}]),
            Expect::Rejected(|e| matches!(e, V::ReceiptsRootMismatch { .. })),
        ),
        (
            Tamper::ExtraLog,
            "eth_getTransactionReceipt",
            json!([log_tx]),
            Expect::Rejected(|e| matches!(e, V::ReceiptsRootMismatch { .. })),
        ),
        (
            Tamper::WrongAccessList,
            "eth_call",
            json!([{"to": token, "data": balance_of}, "latest"]),
            Expect::Honest,
        ),
    ];
    assert_eq!(cases.len(), Tamper::ALL.len(), "one case per tampering class");

    let honest = provider(std::slice::from_ref(&anvil.url), trusted);
    let (mut detected, mut failures) = (0, Vec::new());
    for (kind, method, params, expect) in cases {
        let truth = honest.request(method, params.clone()).await.unwrap_or_else(|e| {
            panic!("{kind:?}: honest {method} failed: {e}");
        });
        let proxy = tamper_proxy::start(&anvil.url, kind, Duration::ZERO).await;
        let alone = provider(&[proxy.url()], trusted);
        let outcome = alone.request(method, params.clone()).await;
        let verdict = match (&expect, &outcome) {
            (Expect::Rejected(is), Err(Error::Execution { source, .. })) if is(source) => Ok(()),
            (Expect::Rejected(_), Err(e)) => Err(format!("wrong error: {e}")),
            (Expect::Rejected(_), Ok(v)) => Err(format!("tampered answer returned: {v}")),
            (Expect::Honest, Ok(v)) if *v == truth => Ok(()),
            (Expect::Honest, Ok(v)) => Err(format!("answer differs from the honest one: {v}")),
            (Expect::Honest, Err(e)) => Err(format!("error: {e}")),
        };
        if proxy.tampered() == 0 {
            failures.push(format!("{kind:?}: the proxy never found a {method} answer to corrupt"));
        }
        // With an honest second upstream: the honest answer, the tamperer penalised.
        let both = provider(&[proxy.url(), anvil.url.clone()], trusted);
        let answer = both.request(method, params).await;
        let penalised = both.upstreams()[0].invalid;
        match (verdict, answer) {
            (Ok(()), Ok(v)) if v == truth => {
                detected += 1;
                let error = outcome.err().map(|e| e.to_string()).unwrap_or_else(|| "-".into());
                println!("  {kind:?} via {method}: {error}");
                if matches!(expect, Expect::Rejected(_)) && penalised == 0 {
                    failures.push(format!("{kind:?}: the tampering upstream was not penalised"));
                }
            }
            (Ok(()), other) => {
                failures.push(format!("{kind:?}: with an honest upstream: {other:?}"))
            }
            (Err(e), _) => failures.push(format!("{kind:?} via {method}: {e}")),
        }
    }
    println!("tampering: {detected} of {} classes handled", Tamper::ALL.len());
    for f in &failures {
        println!("  FAIL {f}");
    }
    assert!(failures.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_error_fails_over_and_never_reads_as_a_revert() {
    let Some(dir) = node_dir() else { return };
    let anvil = Anvil::start(&dir);
    // Anvil's genesis block reports the empty state root: mine past it first.
    scenario(&dir, &anvil.url);
    let (number, hash) = head(&anvil.url).await;
    let trusted = TrustedBlock { number, hash };
    let proxy = tamper_proxy::start(&anvil.url, Tamper::RevertError, Duration::ZERO).await;
    let account = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    // Alone: an upstream fault answered with Mana's own code, never a revert (code 3).
    let alone = provider(&[proxy.url()], trusted);
    let err = alone.request("eth_getBalance", json!([account, "latest"])).await.unwrap_err();
    assert!(!matches!(err, Error::Reverted { .. }), "{err}");
    assert_ne!(err.json_rpc_code(), 3, "{err}");
    // With an honest second upstream: it fails over, answers, and penalises the first.
    let both = provider(&[proxy.url(), anvil.url.clone()], trusted);
    let balance = both.request("eth_getBalance", json!([account, "latest"])).await.unwrap();
    assert_eq!(balance, raw(&anvil.url, "eth_getBalance", json!([account, "latest"])).await);
    assert!(proxy.tampered() >= 2);
    let status = both.upstreams();
    let faulty = status.iter().find(|s| s.url.starts_with(&proxy.url())).unwrap();
    assert!(faulty.failures + faulty.invalid > 0, "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashes_cached_under_a_head_that_loses_are_dropped() {
    let Some(dir) = node_dir() else { return };
    let anvil = Anvil::start(&dir);
    scenario(&dir, &anvil.url);
    let (f, f_hash) = head(&anvil.url).await;
    let finalized = TrustedBlock { number: f, hash: f_hash };
    let snapshot = raw(&anvil.url, "evm_snapshot", json!([])).await;
    // Chain A: three blocks a minute apart.
    raw(&anvil.url, "anvil_mine", json!(["0x3", "0x3c"])).await;
    let (n, a_hash) = head(&anvil.url).await;
    let heads = SharedHeads::new();
    heads.set(TrustedHeads {
        latest: Some(TrustedBlock { number: n, hash: a_hash }),
        finalized: Some(finalized),
        ..TrustedHeads::default()
    });
    let rpcs = vec![ExecutionRpc::new(&anvil.url, Duration::from_secs(10)).unwrap()];
    let provider =
        VerifiedProvider::new(heads.clone(), rpcs, ProviderConfig::for_chain(31337)).unwrap();
    let number = format!("{:#x}", f + 1);
    let on_a = provider.request("eth_getBlockByNumber", json!([number, false])).await.unwrap();
    // Chain B replaces it: the same heights, other timestamps, other hashes.
    assert_eq!(raw(&anvil.url, "evm_revert", json!([snapshot])).await, json!(true));
    raw(&anvil.url, "anvil_mine", json!(["0x3", "0x5"])).await;
    let (m, b_hash) = head(&anvil.url).await;
    assert_eq!(m, n);
    assert_ne!(b_hash, a_hash);
    heads.set(TrustedHeads {
        latest: Some(TrustedBlock { number: m, hash: b_hash }),
        finalized: Some(finalized),
        ..TrustedHeads::default()
    });
    let on_b = provider.request("eth_getBlockByNumber", json!([number, false])).await.unwrap();
    let served = raw(&anvil.url, "eth_getBlockByNumber", json!([number, false])).await;
    assert_ne!(on_a["hash"], on_b["hash"], "a hash cached under the losing head was served");
    assert_eq!(on_b["hash"], served["hash"]);
}
