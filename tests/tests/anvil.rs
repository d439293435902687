//! The verified execution provider against a real Anvil 1.7.1 dev node: a scenario
//! (`tests/execution/scenario.mjs`) deploys contracts and sends every transaction type, then
//! every verified answer is compared with Anvil's own answer for every block, transaction,
//! account and log filter. The only trusted input is Anvil's head block hash, injected as the
//! light client would supply it; every older block is reached through parent hashes.
//!
//! Needs `MANA_EXECUTION_NODE_DIR` (the npm install of `tests/execution/package.json`, done by
//! `cargo xtask setup`); without it the test says so and passes, unless `MANA_REQUIRE_E2E=1`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedBlock, TrustedHeads, VerifiedProvider,
};
use mana_tests::execution_node::{Anvil, node_dir, raw, raw_response, scenario};
use serde_json::{Value, json};

/// Fields Anvil returns that a verified answer leaves out, with why.
const UNVERIFIABLE_FIELDS: &[(&str, &str)] =
    &[("totalDifficulty", "not committed to by any post-merge header")];

/// Where Anvil 1.7.1 itself departs from the execution-apis definitions, and how the
/// comparison allows for it.
const ANVIL_QUIRKS: &[&str] = &[
    "block `size` leaves out the (empty) withdrawals list: one byte short of the block's RLP length",
    "`gasUsedRatio` floats may differ in the last binary digit (compared to 1e-12 relative)",
    "receipt `blockTimestamp` is a JSON number rather than a hex quantity",
    "`eth_feeHistory` below the head gives a last `baseFeePerGas` (the block after the newest) \
     that is not that block's base fee; it is compared with Anvil's header of that block",
    "receipts of non-blob transactions carry a `blobGasPrice` (execution-apis `ReceiptInfo`: \
     only for blob transactions); it is dropped from Anvil's answer",
];

/// An access list in a fixed order (Anvil builds it from a hash map).
fn sort_access_list(answer: &mut Value) {
    if let Some(list) = answer.get_mut("accessList").and_then(Value::as_array_mut) {
        list.sort_by_key(|item| item["address"].as_str().unwrap_or_default().to_lowercase());
    }
}

/// Compares a verified answer with Anvil's; returns the differences.
fn diff(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get(k) {
                    Some(mine) => diff(&format!("{path}.{k}"), mine, v, out),
                    None if UNVERIFIABLE_FIELDS.iter().any(|(f, _)| f == k) => {}
                    None => out.push(format!("{path}.{k}: missing (anvil: {v})")),
                }
            }
            for k in a.keys() {
                if !b.contains_key(k) {
                    out.push(format!("{path}.{k}: extra ({})", a[k]));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: {} items, anvil {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (Value::String(a), Value::String(b)) if a.eq_ignore_ascii_case(b) => {}
        (Value::Number(a), Value::Number(b))
            if a.as_f64()
                .zip(b.as_f64())
                .is_some_and(|(x, y)| (x - y).abs() <= 1e-12 * x.abs().max(y.abs())) => {}
        // Anvil writes some quantities as JSON numbers; the value is what counts.
        (Value::String(a), Value::Number(b))
            if a.strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok()) == b.as_u64() => {
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} (anvil: {b})")),
    }
}

struct Check {
    url: String,
    provider: VerifiedProvider<SharedHeads>,
    compared: usize,
    /// Answers where both sides failed, compared by JSON-RPC error code and data.
    errors: usize,
    methods: std::collections::BTreeMap<String, usize>,
    failures: Vec<String>,
}

impl Check {
    async fn same(&mut self, method: &str, params: Value) {
        let response = raw_response(&self.url, method, params.clone()).await;
        if let Some(error) = response.get("error") {
            // Anvil refused: the verified provider must fail alike, with the same JSON-RPC
            // error code and data (a revert's output).
            let label = format!("{method}({params})");
            match self.provider.request(method, params).await {
                Ok(ours) => {
                    self.failures.push(format!("{label}: answered {ours}, anvil failed: {error}"))
                }
                Err(e) => {
                    let ours = json!({"code": e.json_rpc_code(), "data": e.json_rpc_data()});
                    let theirs = json!({"code": error["code"], "data": error.get("data")});
                    let mut d = Vec::new();
                    diff(&format!("{label} error ({e})"), &ours, &theirs, &mut d);
                    self.failures.extend(d);
                }
            }
            self.compared += 1;
            self.errors += 1;
            *self.methods.entry(method.to_string()).or_default() += 1;
            return;
        }
        let mut theirs =
            response.get("result").cloned().unwrap_or_else(|| panic!("{method}: {response}"));
        if method == "eth_createAccessList" {
            sort_access_list(&mut theirs);
        }
        if method.starts_with("eth_getBlockBy") && theirs["withdrawals"] == json!([]) {
            // ANVIL_QUIRKS[0]: add the byte of the empty withdrawals list.
            let size = theirs["size"].as_str().unwrap().trim_start_matches("0x");
            let size = u64::from_str_radix(size, 16).unwrap() + 1;
            theirs["size"] = json!(format!("{size:#x}"));
        }
        if matches!(method, "eth_getTransactionReceipt" | "eth_getBlockReceipts") {
            // ANVIL_QUIRKS[4]: no blob gas price on a non-blob transaction's receipt.
            let receipts = match &mut theirs {
                Value::Array(items) => items.iter_mut().collect::<Vec<_>>(),
                single => vec![single],
            };
            for receipt in receipts {
                if receipt["type"] != json!("0x3")
                    && let Some(fields) = receipt.as_object_mut()
                {
                    fields.remove("blobGasPrice");
                }
            }
        }
        if method == "eth_feeHistory" && params[1] != json!("latest") {
            // ANVIL_QUIRKS[3]: the next block's base fee, from Anvil's own header.
            let newest = params[1].as_str().unwrap().trim_start_matches("0x");
            let next = u64::from_str_radix(newest, 16).unwrap() + 1;
            let header =
                raw(&self.url, "eth_getBlockByNumber", json!([format!("{next:#x}"), false])).await;
            let fees = theirs["baseFeePerGas"].as_array_mut().unwrap();
            *fees.last_mut().unwrap() = header["baseFeePerGas"].clone();
        }
        let label = format!("{method}({params})");
        match self.provider.request(method, params).await {
            Ok(mut ours) => {
                if method == "eth_createAccessList" {
                    sort_access_list(&mut ours);
                }
                let mut d = Vec::new();
                diff(&label, &ours, &theirs, &mut d);
                self.failures.extend(d);
            }
            Err(e) => self.failures.push(format!("{label}: {e}")),
        }
        self.compared += 1;
        *self.methods.entry(method.to_string()).or_default() += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_answers_equal_anvils_for_every_block_transaction_account_and_filter() {
    let Some(dir) = node_dir() else { return };
    let anvil = Anvil::start(&dir);
    let made = scenario(&dir, &anvil.url);
    let head = raw(&anvil.url, "eth_blockNumber", json!([])).await;
    let head = u64::from_str_radix(head.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    assert!(head >= made["head"].as_u64().unwrap());
    let head_block =
        raw(&anvil.url, "eth_getBlockByNumber", json!([format!("{head:#x}"), false])).await;
    let head_hash = head_block["hash"].as_str().unwrap().parse().unwrap();
    let heads = SharedHeads::new();
    let trusted = TrustedBlock { number: head, hash: head_hash };
    heads.set(TrustedHeads {
        latest: Some(trusted),
        finalized: Some(trusted),
        ..TrustedHeads::default()
    });
    let rpc = ExecutionRpc::new(&anvil.url, Duration::from_secs(10)).unwrap();
    let provider =
        VerifiedProvider::new(heads, vec![rpc], ProviderConfig::for_chain(31337)).unwrap();
    let mut check = Check {
        url: anvil.url.clone(),
        provider,
        compared: 0,
        errors: 0,
        methods: Default::default(),
        failures: Vec::new(),
    };

    for method in ["eth_chainId", "net_version", "eth_blockNumber"] {
        check.same(method, json!([])).await;
    }
    let mut transactions = Vec::new();
    for n in 0..=head {
        let number = format!("{n:#x}");
        let block = raw(&anvil.url, "eth_getBlockByNumber", json!([number, false])).await;
        let hash = block["hash"].clone();
        for full in [false, true] {
            check.same("eth_getBlockByNumber", json!([number, full])).await;
            check.same("eth_getBlockByHash", json!([hash, full])).await;
        }
        check.same("eth_getBlockReceipts", json!([number])).await;
        check.same("eth_getBlockTransactionCountByNumber", json!([number])).await;
        check.same("eth_getBlockTransactionCountByHash", json!([hash])).await;
        check.same("eth_getUncleCountByBlockNumber", json!([number])).await;
        check.same("eth_getUncleCountByBlockHash", json!([hash])).await;
        for (i, tx) in block["transactions"].as_array().unwrap().iter().enumerate() {
            let index = format!("{i:#x}");
            check.same("eth_getTransactionByBlockNumberAndIndex", json!([number, index])).await;
            check.same("eth_getTransactionByBlockHashAndIndex", json!([hash, index])).await;
            transactions.push(tx.clone());
        }
    }
    for tx in &transactions {
        check.same("eth_getTransactionByHash", json!([tx])).await;
        check.same("eth_getTransactionReceipt", json!([tx])).await;
    }

    let mut accounts: Vec<Value> = made["accounts"].as_array().unwrap().clone();
    for key in ["token", "emitter", "delegate", "quoter"] {
        accounts.push(made["contracts"][key].clone());
    }
    accounts.extend(made["contracts"]["tokens"].as_array().unwrap().iter().cloned());
    accounts.extend(made["contracts"]["pairs"].as_array().unwrap().iter().cloned());
    accounts.push(json!("0x000000000000000000000000000000000000dead"));
    let slots: Vec<String> = (0..6).map(|i| format!("{:#066x}", i)).collect();
    for block in [json!("latest"), json!("0x1"), json!(format!("{:#x}", head / 2))] {
        for account in &accounts {
            check.same("eth_getBalance", json!([account, block])).await;
            check.same("eth_getTransactionCount", json!([account, block])).await;
            check.same("eth_getCode", json!([account, block])).await;
            for slot in &slots {
                check.same("eth_getStorageAt", json!([account, slot, block])).await;
            }
            check.same("eth_getProof", json!([account, slots, block])).await;
        }
    }

    let transfer = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
    let emitter = made["contracts"]["emitter"].clone();
    let token = made["contracts"]["token"].clone();
    let bob_topic =
        format!("0x000000000000000000000000{}", &made["accounts"][1].as_str().unwrap()[2..]);
    let filters = [
        json!({"fromBlock": "0x0", "toBlock": "latest"}),
        json!({"fromBlock": "0x0", "toBlock": "latest", "address": emitter}),
        json!({"fromBlock": "0x0", "toBlock": "latest", "address": [emitter, token]}),
        json!({"fromBlock": "0x0", "toBlock": "latest", "topics": [transfer]}),
        json!({"fromBlock": "0x0", "toBlock": "latest", "topics": [transfer, bob_topic]}),
        json!({"fromBlock": "0x0", "toBlock": "latest", "topics": [null, null, bob_topic]}),
        json!({"fromBlock": "0x0", "toBlock": "latest", "topics": [[transfer, null], null]}),
        json!({"fromBlock": "0x3", "toBlock": "0x8"}),
        json!({"blockHash": head_block["hash"]}),
    ];
    for filter in filters {
        check.same("eth_getLogs", json!([filter])).await;
    }
    check.same("eth_feeHistory", json!([format!("{head:#x}"), "latest", [10.0, 50.0, 90.0]])).await;
    check.same("eth_feeHistory", json!(["0x5", "0x8", []])).await;

    let round_trips = simulated_calls(&mut check, &made, head).await;

    println!("anvil: {} answers compared across {} methods", check.compared, check.methods.len());
    println!("  of which {} errors, compared by JSON-RPC code and data", check.errors);
    for (what, n) in &round_trips {
        println!("  round trips for {what}: {n}");
    }
    for (method, n) in &check.methods {
        println!("  {method}: {n}");
    }
    println!("  fields left out as unverifiable: {UNVERIFIABLE_FIELDS:?}");
    println!("  allowed for Anvil quirks: {ANVIL_QUIRKS:?}");
    // One example of each kind of mismatch (by method and field), with its count.
    let mut kinds: std::collections::BTreeMap<String, (usize, &String)> = Default::default();
    for f in &check.failures {
        let method = f.split('(').next().unwrap_or_default();
        let field = f.rsplit(").").next().unwrap_or_default();
        let field: String = field
            .split(':')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_ascii_digit())
            .collect();
        kinds.entry(format!("{method} {field}")).or_insert((0, f)).0 += 1;
    }
    for (kind, (n, example)) in &kinds {
        println!("  MISMATCH x{n} {kind}: {}", example.chars().take(400).collect::<String>());
    }
    assert!(check.failures.is_empty(), "{} mismatches", check.failures.len());
    let upstream = &check.provider.upstreams()[0];
    assert_eq!(upstream.invalid, 0, "an honest upstream was penalised: {upstream:?}");
    drop(anvil);
}

/// ABI calldata: the selector of `signature` and the given 32-byte words (hex, no prefix).
fn calldata(signature: &str, words: &[String]) -> String {
    let selector = alloy_primitives::keccak256(signature.as_bytes());
    format!("0x{}{}", hex::encode(&selector[..4]), words.concat())
}

/// An address or number as one ABI word.
fn word(value: &Value) -> String {
    let hex = value.as_str().unwrap().trim_start_matches("0x").to_lowercase();
    format!("{hex:0>64}")
}

fn uint(n: u128) -> String {
    format!("{n:064x}")
}

/// `eth_call`, `eth_estimateGas` and `eth_createAccessList` answered by local execution over
/// verified state, compared with Anvil's: ERC-20 reads, a two-pair quote, a revert, calls to
/// the EIP-7702-delegated account, state and block overrides, `BLOCKHASH`, at the head and at
/// older blocks. Returns the round trips a few calls took.
async fn simulated_calls(check: &mut Check, made: &Value, head: u64) -> Vec<(String, u64)> {
    let accounts = made["accounts"].as_array().unwrap();
    let (alice, bob, carol) = (&accounts[0], &accounts[1], &accounts[2]);
    let dave = &made["delegated"];
    let c = &made["contracts"];
    let (token, emitter, quoter) = (&c["token"], &c["emitter"], &c["quoter"]);
    let (tokens, pairs) = (c["tokens"].as_array().unwrap(), c["pairs"].as_array().unwrap());
    let call = |to: &Value, data: String| json!({"to": to, "input": data});
    let from =
        |who: &Value, to: &Value, data: String| json!({"from": who, "to": to, "input": data});
    let quote = |hops: &[&Value], amount: u128| {
        let mut words = vec![uint(0x40), uint(amount), uint(hops.len() as u128)];
        words.extend(hops.iter().map(|p| word(p)));
        calldata("quote(address[],uint256)", &words)
    };
    let reads = [
        call(token, calldata("balanceOf(address)", &[word(bob)])),
        call(token, calldata("balanceOf(address)", &[word(dave)])),
        call(token, calldata("totalSupply()", &[])),
        call(token, calldata("name()", &[])),
        call(&tokens[1], calldata("balanceOf(address)", &[word(&pairs[0])])),
        call(quoter, quote(&[&pairs[0], &pairs[1]], 10u128.pow(21))),
        call(quoter, quote(&[&pairs[1]], 10u128.pow(18))),
        call(emitter, calldata("count()", &[])),
        call(emitter, calldata("fail()", &[])),
        call(dave, calldata("whoAmI()", &[])),
        call(dave, calldata("calls()", &[])),
        from(
            alice,
            token,
            calldata("transfer(address,uint256)", &[word(bob), uint(10u128.pow(18))]),
        ),
        // More than carol holds: reverts with Error("balance").
        from(
            carol,
            token,
            calldata("transfer(address,uint256)", &[word(bob), uint(10u128.pow(30))]),
        ),
    ];
    // The Quoter is deployed in the head block; at the block before, its code comes in as a
    // state override, so the quote runs over that block's verified pairs and tokens.
    let quoter_code = raw(&check.url, "eth_getCode", json!([quoter, "latest"])).await;
    let with_quoter = json!({ quoter.as_str().unwrap(): {"code": quoter_code} });
    let before_head = json!(format!("{:#x}", head - 1));

    // Round trips of single requests, measured before anything else ran at these blocks (the
    // head's header is cached by the checks above, the block before's is not).
    let mut trips = Vec::new();
    for (what, method, params) in [
        ("eth_call Quoter.quote at the head", "eth_call", json!([reads[5], "latest"])),
        (
            "eth_call Quoter.quote at the block before (first call there, code override)",
            "eth_call",
            json!([reads[5], before_head, with_quoter]),
        ),
        ("eth_call Token.balanceOf at the head", "eth_call", json!([reads[0], "latest"])),
        (
            "eth_call Delegate.calls() on the delegated EOA",
            "eth_call",
            json!([reads[10], "latest"]),
        ),
        ("eth_estimateGas Token.transfer", "eth_estimateGas", json!([reads[11], "latest"])),
        ("eth_createAccessList Quoter.quote", "eth_createAccessList", json!([reads[5], "latest"])),
    ] {
        let before = check.provider.round_trips();
        check.provider.request(method, params).await.unwrap();
        trips.push((what.to_string(), check.provider.round_trips() - before));
    }

    let older = json!(format!("{:#x}", head / 2));
    let recent = json!(format!("{:#x}", head - 3));
    check.same("eth_call", json!([reads[5], before_head, with_quoter])).await;
    check.same("eth_estimateGas", json!([reads[5], before_head, with_quoter])).await;
    for block in [json!("latest"), recent.clone(), older.clone()] {
        for request in &reads {
            check.same("eth_call", json!([request, block])).await;
        }
    }

    // State overrides: bob's token balance (slot keccak(bob ‖ 3)), the emitter's whole storage.
    let mut key = [0u8; 64];
    key[12..32].copy_from_slice(&hex::decode(&word(bob)[24..]).unwrap());
    key[63] = 3;
    let bob_slot = format!("{}", alloy_primitives::keccak256(key));
    let balance_override = json!({ token.as_str().unwrap(): {"stateDiff": {bob_slot: format!("0x{}", uint(0x1234))}} });
    check
        .same(
            "eth_call",
            json!([
                call(token, calldata("balanceOf(address)", &[word(bob)])),
                "latest",
                balance_override
            ]),
        )
        .await;
    let emitter_override = json!({ emitter.as_str().unwrap(): {"state": {format!("0x{}", uint(0)): format!("0x{}", uint(99))}} });
    check
        .same(
            "eth_call",
            json!([call(emitter, calldata("count()", &[])), "latest", emitter_override]),
        )
        .await;
    // Code overrides reading the (overridden) block: TIMESTAMP, NUMBER, COINBASE; then
    // BLOCKHASH(number - 1) at older blocks (verified through parent hashes).
    let probe = json!("0x00000000000000000000000000000000000c0de1");
    let code =
        |op: &str| json!({ probe.as_str().unwrap(): {"code": format!("0x{op}60005260206000f3")} });
    let block_override = json!({"time": "0x7fffffff", "number": "0x1234", "coinbase": bob});
    // The last one, CLZ(1), exists from Osaka on: the fork both sides run is the same.
    for op in ["42", "43", "41", "60011e"] {
        check
            .same(
                "eth_call",
                json!([call(&probe, "0x".into()), "latest", code(op), block_override]),
            )
            .await;
    }
    // NUMBER PUSH1 1 SWAP1 SUB BLOCKHASH, returned.
    let blockhash_code =
        json!({ probe.as_str().unwrap(): {"code": "0x43600190034060005260206000f3"} });
    for block in [older.clone(), recent.clone()] {
        check.same("eth_call", json!([call(&probe, "0x".into()), block, blockhash_code])).await;
    }

    // Gas estimates (exactly Anvil's: both search for the least gas that succeeds).
    let writes = [
        from(
            alice,
            token,
            calldata("transfer(address,uint256)", &[word(bob), uint(10u128.pow(18))]),
        ),
        from(alice, emitter, calldata("ping()", &[])),
        from(
            bob,
            emitter,
            calldata(
                "burst(bytes32,uint256,bytes)",
                &[uint(7), uint(3), uint(0x60), uint(3), format!("{:0<64}", "abcdef")],
            ),
        ),
        from(bob, dave, calldata("poke()", &[])),
        from(alice, quoter, quote(&[&pairs[0], &pairs[1]], 10u128.pow(21))),
        json!({"from": alice, "to": bob, "value": "0x1"}),
        // Reverts: no receive function behind the delegation, Error(string), Error("balance").
        json!({"from": alice, "to": dave, "value": "0x1"}),
        from(alice, emitter, calldata("fail()", &[])),
        from(
            carol,
            token,
            calldata("transfer(address,uint256)", &[word(bob), uint(10u128.pow(30))]),
        ),
    ];
    for block in [json!("latest"), recent.clone()] {
        for request in &writes {
            check.same("eth_estimateGas", json!([request, block])).await;
        }
    }
    let carol_rich = {
        let mut key = [0u8; 64];
        key[12..32].copy_from_slice(&hex::decode(&word(carol)[24..]).unwrap());
        key[63] = 3;
        let slot = format!("{}", alloy_primitives::keccak256(key));
        json!({ token.as_str().unwrap(): {"stateDiff": {slot: format!("0x{}", uint(10u128.pow(31)))}} })
    };
    check.same("eth_estimateGas", json!([writes[8], "latest", carol_rich])).await;

    // Access lists (compared in address order).
    for request in [&writes[0], &writes[2], &writes[3], &writes[4], &reads[5]] {
        check.same("eth_createAccessList", json!([request, "latest"])).await;
    }
    check.same("eth_createAccessList", json!([reads[5], recent])).await;

    trips
}
