//! `mana verify-block`, and the verification core `mana serve` shares: a block and its execution
//! witness checked statelessly by `mana_stateless::verify_block` against one trust anchor.
//!
//! Inputs come from a fixture-shaped JSON file (`blockRlp`, `executionWitness`, optional
//! `publicKeys`, `blockHash`), from a raw block RLP plus a `debug_executionWitness` result, or from
//! an execution node over JSON-RPC (`debug_getRawBlock`, falling back to `eth_getBlockByNumber`,
//! and `debug_executionWitness`). An execution-spec-tests `blockchain_test` file is run whole
//! ([`mana_stateless::blockchain_test`]): every case, every block judged against the fixture's
//! expectation.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use alloy_primitives::{B256, Bytes};
use mana_client::execution::ExecutionRpc;
use mana_stateless::blockchain_test::{self, CaseFailure, CaseReport};
use mana_stateless::rules::ChainConfig;
use mana_stateless::witness::{BlockInput, Trusted, Witness, parse_public_keys};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Error;
use crate::config::{ChainName, VerifyBlockArgs};

/// Exit status of a valid block.
const EXIT_VALID: u8 = 0;
/// Exit status of an invalid block (or one the witness cannot prove).
const EXIT_INVALID: u8 = 1;
/// Exit status of a usage or input error.
const EXIT_USAGE: u8 = 2;

/// The execution-layer rules of a built-in network (see `ChainConfig::{mainnet, sepolia, hoodi}`
/// for the activation times).
pub(crate) const fn chain_config(chain: ChainName) -> ChainConfig {
    match chain {
        ChainName::Mainnet => ChainConfig::mainnet(),
        ChainName::Sepolia => ChainConfig::sepolia(),
        ChainName::Hoodi => ChainConfig::hoodi(),
    }
}

/// Where the trust anchor came from, for the output.
#[derive(Debug, Clone)]
pub(crate) struct Anchor {
    pub(crate) trusted: Trusted,
    /// The hash comes from a source independent of the input (a flag the user gave, or a
    /// previous block that verified against such an anchor). When it came with the input itself
    /// (the file's or request's own hashes, the node that served the block), a valid block is
    /// only execution-valid: its witness and re-execution agree, but nothing says it is the
    /// chain's block.
    pub(crate) anchored: bool,
    /// One line saying what is trusted and why.
    pub(crate) note: String,
}

impl Anchor {
    fn to_json(&self) -> Value {
        let (kind, hash) = match self.trusted {
            Trusted::BlockHash(h) => ("blockHash", h),
            Trusted::ParentHash(h) => ("parentHash", h),
        };
        json!({"kind": kind, "hash": hash, "anchored": self.anchored, "note": self.note})
    }
}

/// The verdict of a verified block anchored independently of its input.
pub(crate) const VERDICT_VALID: &str = "valid";
/// The verdict of a block that re-executes to its header but whose anchor came with the input.
pub(crate) const VERDICT_VALID_UNANCHORED: &str = "valid-unanchored";
/// The verdict of a block that fails a check (or that its witness cannot prove).
pub(crate) const VERDICT_INVALID: &str = "invalid";

/// Size of a witness.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WitnessStats {
    pub(crate) nodes: usize,
    pub(crate) codes: usize,
    pub(crate) headers: usize,
    /// Bytes of trie nodes plus bytes of codes.
    pub(crate) bytes: usize,
}

impl WitnessStats {
    pub(crate) fn of(witness: &Witness) -> Self {
        let sum = |list: &[Bytes]| list.iter().map(|b| b.len()).fold(0usize, usize::saturating_add);
        Self {
            nodes: witness.state.len(),
            codes: witness.codes.len(),
            headers: witness.headers.len(),
            bytes: sum(&witness.state).saturating_add(sum(&witness.codes)),
        }
    }
}

/// The result of one verification, valid or not.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// `keccak256(rlp(header))` of the block as given.
    pub(crate) block_hash: B256,
    pub(crate) number: u64,
    pub(crate) gas_used: u64,
    pub(crate) transactions: usize,
    pub(crate) elapsed: Duration,
    pub(crate) witness: WitnessStats,
    /// `None` when the block verified; otherwise the failing check.
    pub(crate) error: Option<mana_stateless::Error>,
}

impl Outcome {
    /// The block re-executed to its header from the witness, against the given anchor
    /// (whether that anchor is independent is [`Anchor::anchored`]).
    pub(crate) const fn valid(&self) -> bool {
        self.error.is_none()
    }

    /// [`VERDICT_VALID`], [`VERDICT_VALID_UNANCHORED`] or [`VERDICT_INVALID`].
    pub(crate) const fn verdict(&self, anchor: &Anchor) -> &'static str {
        match (self.valid(), anchor.anchored) {
            (false, _) => VERDICT_INVALID,
            (true, true) => VERDICT_VALID,
            (true, false) => VERDICT_VALID_UNANCHORED,
        }
    }

    pub(crate) fn mgas_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 { self.gas_used as f64 / 1e6 / secs } else { 0.0 }
    }

    pub(crate) fn elapsed_ms(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e3
    }

    /// The JSON verdict (`mana verify-block --json` and `POST /verify`): `verdict` is
    /// `valid`, `valid-unanchored` or `invalid`; `valid` is true only for an anchored valid
    /// block, `executionValid` for any block that re-executed to its header.
    pub(crate) fn to_json(&self, anchor: &Anchor) -> Value {
        let mut value = json!({
            "verdict": self.verdict(anchor),
            "valid": self.valid() && anchor.anchored,
            "executionValid": self.valid(),
            "anchored": anchor.anchored,
            "blockHash": self.block_hash,
            "number": self.number,
            "gasUsed": self.gas_used,
            "transactions": self.transactions,
            "elapsedMs": self.elapsed_ms(),
            "mgasPerSec": self.mgas_per_sec(),
            "trust": anchor.to_json(),
            "witness": {
                "nodes": self.witness.nodes,
                "codes": self.witness.codes,
                "headers": self.witness.headers,
                "bytes": self.witness.bytes,
            },
        });
        if let (Some(error), Some(object)) = (&self.error, value.as_object_mut()) {
            object.insert(
                "error".into(),
                json!({"kind": error_kind(error), "message": error.to_string()}),
            );
        }
        value
    }

    /// The human-readable verdict.
    fn print_text(&self, anchor: &Anchor) {
        println!(
            "block {} {} ({} txs, {} gas)",
            self.number, self.block_hash, self.transactions, self.gas_used
        );
        println!("trust: {}", anchor.note);
        println!(
            "witness: {} nodes, {} codes, {} headers, {} bytes",
            self.witness.nodes, self.witness.codes, self.witness.headers, self.witness.bytes
        );
        match &self.error {
            None if anchor.anchored => println!(
                "verdict: VALID in {:.1} ms ({:.1} Mgas/s)",
                self.elapsed_ms(),
                self.mgas_per_sec()
            ),
            None => println!(
                "verdict: VALID-UNANCHORED in {:.1} ms ({:.1} Mgas/s): execution valid, not \
                 anchored (the trusted hash came with the input)",
                self.elapsed_ms(),
                self.mgas_per_sec()
            ),
            Some(e) => println!(
                "verdict: INVALID ({}) after {:.1} ms: {e}",
                error_kind(e),
                self.elapsed_ms()
            ),
        }
    }
}

/// A stable name for the failing check.
pub(crate) const fn error_kind(error: &mana_stateless::Error) -> &'static str {
    use mana_stateless::Error as E;
    match error {
        E::MalformedWitness(_) => "malformed_witness",
        E::MissingNode(_) => "missing_node",
        E::MalformedNode { .. } => "malformed_node",
        E::MissingCode(_) => "missing_code",
        E::MalformedCode { .. } => "malformed_code",
        E::MalformedBlock(_) => "malformed_block",
        E::MissingAncestor(_) => "missing_ancestor",
        E::HeaderChain(_) => "header_chain",
        E::InvalidHeader { .. } => "invalid_header",
        E::InvalidTransaction { .. } => "invalid_transaction",
        E::InvalidBlock(_) => "invalid_block",
        E::BadPublicKey { .. } => "bad_public_key",
        E::InvalidConfig(_) => "invalid_config",
        E::Execution(_) => "execution",
        E::Mismatch { .. } => "mismatch",
        _ => "other",
    }
}

/// Verifies `input` against `trusted` and times it.
pub(crate) fn run(input: &BlockInput, trusted: Trusted, config: &ChainConfig) -> Outcome {
    let header = &input.block.header;
    let started = Instant::now();
    let result = mana_stateless::verify_block(input, trusted, config);
    let elapsed = started.elapsed();
    Outcome {
        block_hash: header.hash_slow(),
        number: header.number,
        gas_used: header.gas_used,
        transactions: input.block.body.transactions.len(),
        elapsed,
        witness: WitnessStats::of(&input.witness),
        error: result.err(),
    }
}

/// The small fields of a request or file, read without building the witness twice: the fixture
/// shape (`executionWitness`, `blockHash`) or the raw shape (`blockRlp`, `witness`), either with
/// optional `publicKeys` and an optional explicit anchor.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    block_hash: Option<B256>,
    trusted_block_hash: Option<B256>,
    trusted_parent_hash: Option<B256>,
    block_rlp: Option<Bytes>,
    witness: Option<Value>,
    execution_witness: Option<serde::de::IgnoredAny>,
    public_keys: Option<Vec<Bytes>>,
}

/// A parsed input and the hash it names (`blockHash` in the fixture shape; explicit anchors).
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) input: BlockInput,
    /// The `blockHash` of a fixture-shaped input (checked against the header when parsed).
    pub(crate) stated_hash: Option<B256>,
    pub(crate) trusted_block_hash: Option<B256>,
    pub(crate) trusted_parent_hash: Option<B256>,
}

/// A parsed document: one block to verify, or an EEST blockchain-test file.
#[derive(Debug)]
pub(crate) enum Request {
    /// One block with its witness (either shape).
    Block(Box<Parsed>),
    /// A `blockchain_test` file: test ids mapped to cases (see
    /// [`blockchain_test::is_blockchain_test`]).
    BlockchainTest(Value),
}

/// Parses a JSON document: one block in either shape, or an EEST blockchain-test file. An error
/// is an input error, not a verdict.
pub(crate) fn parse_json(bytes: &[u8], config: &ChainConfig) -> Result<Request, String> {
    let envelope: Envelope =
        serde_json::from_slice(bytes).map_err(|e| format!("not a verification request: {e}"))?;
    if envelope.execution_witness.is_none() && envelope.block_rlp.is_none() {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| format!("not a verification request: {e}"))?;
        if blockchain_test::is_blockchain_test(&value) {
            return Ok(Request::BlockchainTest(value));
        }
    }
    let input = if envelope.execution_witness.is_some() {
        let input = BlockInput::from_fixture_json(bytes).map_err(|e| e.to_string())?;
        if input.chain_id != config.chain_id {
            return Err(format!(
                "the input is for chain {}, the verifier runs chain {}",
                input.chain_id, config.chain_id
            ));
        }
        input
    } else {
        let (Some(rlp), Some(witness)) = (envelope.block_rlp, envelope.witness) else {
            return Err("expected the fixture shape (blockRlp, executionWitness), {blockRlp, \
                        witness}, or an EEST blockchain-test file ({testId: {pre, blocks, \
                        genesisRLP, ...}})"
                .into());
        };
        let block = BlockInput::decode_block(&rlp).map_err(|e| e.to_string())?;
        let witness = Witness::from_json_value(witness).map_err(|e| e.to_string())?;
        let public_keys = match envelope.public_keys {
            Some(keys) if !keys.is_empty() => {
                Some(parse_public_keys(&keys).map_err(|e| e.to_string())?)
            }
            _ => None,
        };
        BlockInput { block, witness, chain_id: config.chain_id, public_keys }
    };
    Ok(Request::Block(Box::new(Parsed {
        input,
        stated_hash: envelope.block_hash,
        trusted_block_hash: envelope.trusted_block_hash,
        trusted_parent_hash: envelope.trusted_parent_hash,
    })))
}

/// One case of a blockchain-test file, run.
#[derive(Debug)]
pub(crate) struct CaseRun {
    pub(crate) name: String,
    /// The number of blocks the case lists.
    pub(crate) total_blocks: usize,
    pub(crate) report: CaseReport,
    pub(crate) elapsed: Duration,
}

impl CaseRun {
    /// `PASS name (N blocks)` or `FAIL name: <first failure>`.
    pub(crate) fn line(&self) -> String {
        match &self.report.result {
            Ok(()) => format!("PASS {} ({} blocks)", self.name, self.total_blocks),
            Err(failure) => format!("FAIL {}: {failure}", self.name),
        }
    }

    /// The case's JSON report: every judged block with Mana's verdict and the expectation.
    pub(crate) fn to_json(&self) -> Value {
        let blocks: Vec<Value> = self
            .report
            .blocks
            .iter()
            .map(|block| {
                let mut value = json!({
                    "index": block.index,
                    "number": block.number,
                    "hash": block.hash,
                    "expected": block.expected.as_deref().unwrap_or("valid"),
                    "verdict": if block.verdict.is_ok() { VERDICT_VALID } else { VERDICT_INVALID },
                    "asExpected": block.as_expected,
                    "witness": if block.own_witness { "executionWitness" } else { "pre-state" },
                });
                if let (Err(error), Some(object)) = (&block.verdict, value.as_object_mut()) {
                    object.insert(
                        "error".into(),
                        json!({"kind": error_kind(error), "message": error.to_string()}),
                    );
                }
                value
            })
            .collect();
        let failure = match &self.report.result {
            Ok(()) => Value::Null,
            Err(failure) => {
                let mut value = json!({"message": failure.to_string()});
                if let (CaseFailure::Block { index, expected, got }, Some(object)) =
                    (failure, value.as_object_mut())
                {
                    object.insert("block".into(), json!(index));
                    object.insert("expected".into(), json!(expected));
                    object.insert("got".into(), json!(got));
                }
                value
            }
        };
        json!({
            "name": self.name,
            "passed": self.report.passed(),
            "blockCount": self.total_blocks,
            "elapsedMs": self.elapsed.as_secs_f64() * 1e3,
            "blocks": blocks,
            "failure": failure,
        })
    }
}

/// Runs every case of a blockchain-test file in order; `None` when `stop` says so before a case.
pub(crate) fn run_blockchain_test(file: &Value, stop: impl Fn() -> bool) -> Option<Vec<CaseRun>> {
    let cases = file.as_object().map(|cases| cases.iter()).into_iter().flatten();
    let mut runs = Vec::new();
    for (name, case) in cases {
        if stop() {
            return None;
        }
        let started = Instant::now();
        let report = blockchain_test::run_case(case);
        runs.push(CaseRun {
            name: name.clone(),
            total_blocks: case.get("blocks").and_then(Value::as_array).map_or(0, Vec::len),
            report,
            elapsed: started.elapsed(),
        });
    }
    Some(runs)
}

/// `N passed, N failed`.
pub(crate) fn tally(runs: &[CaseRun]) -> (usize, usize) {
    let passed = runs.iter().filter(|run| run.report.passed()).count();
    (passed, runs.len().saturating_sub(passed))
}

/// The JSON report of a blockchain-test file (`--json`, `POST /verify`).
pub(crate) fn blockchain_test_json(runs: &[CaseRun]) -> Value {
    let (passed, failed) = tally(runs);
    json!({
        "format": "blockchain_test",
        "verdict": if failed == 0 { "passed" } else { "failed" },
        "passed": passed,
        "failed": failed,
        "cases": runs.iter().map(CaseRun::to_json).collect::<Vec<_>>(),
    })
}

/// `mana verify-block` on a blockchain-test file: one line per case and the tally (or the JSON
/// report); exit 0 only when every case passed.
fn verify_blockchain_test(file: &Value, args: &VerifyBlockArgs) -> Result<u8, Error> {
    if args.trust_block_hash.is_some() || args.trust_parent_hash.is_some() {
        return Err(Error::Usage(
            "an EEST blockchain-test file anchors each block at its verified parent, from the \
             case's genesis: --trust-block-hash and --trust-parent-hash do not apply"
                .into(),
        ));
    }
    let runs = run_blockchain_test(file, || false).unwrap_or_default();
    let (passed, failed) = tally(&runs);
    if args.json {
        println!("{}", blockchain_test_json(&runs));
    } else {
        for run in &runs {
            println!("{}", run.line());
        }
        println!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 { EXIT_VALID } else { EXIT_INVALID })
}

/// Reads a hex (optional `0x`, surrounding whitespace allowed) or binary file.
fn read_hex_or_binary(path: &Path) -> Result<Vec<u8>, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let text = text.trim();
        let digits = text.strip_prefix("0x").unwrap_or(text);
        if let Ok(decoded) = hex::decode(digits) {
            return Ok(decoded);
        }
    }
    Ok(bytes)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))
}

fn parse_hash(text: &str, flag: &str) -> Result<B256, Error> {
    text.parse().map_err(|_| Error::Usage(format!("{flag} {text:?} is not 0x + 64 hex digits")))
}

/// The explicit anchor of the flags, if any.
fn flag_anchor(args: &VerifyBlockArgs) -> Result<Option<Anchor>, Error> {
    if let Some(text) = &args.trust_block_hash {
        let hash = parse_hash(text, "--trust-block-hash")?;
        return Ok(Some(Anchor {
            trusted: Trusted::BlockHash(hash),
            anchored: true,
            note: format!("trusting the block hash given with --trust-block-hash ({hash})"),
        }));
    }
    if let Some(text) = &args.trust_parent_hash {
        let hash = parse_hash(text, "--trust-parent-hash")?;
        return Ok(Some(Anchor {
            trusted: Trusted::ParentHash(hash),
            anchored: true,
            note: format!("trusting the parent hash given with --trust-parent-hash ({hash})"),
        }));
    }
    Ok(None)
}

/// `mana verify-block`: 0 for a valid block, 1 for an invalid one, 2 for usage or input errors.
pub(crate) fn main(args: VerifyBlockArgs) -> ExitCode {
    let result = if args.rpc.is_some() {
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime.block_on(verify_rpc(&args)),
            Err(e) => Err(Error::Io(format!("cannot start the runtime: {e}"))),
        }
    } else {
        verify_local(&args)
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn print(outcome: &Outcome, anchor: &Anchor, json: bool) {
    if json {
        println!("{}", outcome.to_json(anchor));
    } else {
        outcome.print_text(anchor);
    }
}

/// File mode: a fixture-shaped JSON file, or `--block-rlp` with `--witness`.
fn verify_local(args: &VerifyBlockArgs) -> Result<u8, Error> {
    if args.block.is_some() || args.from.is_some() || args.to.is_some() {
        return Err(Error::Usage("--block, --from and --to need --rpc".into()));
    }
    let config = chain_config(args.chain);
    let (mut input, stated) = match (&args.file, &args.block_rlp, &args.witness) {
        (Some(file), None, None) => {
            match parse_json(&read(file)?, &config)
                .map_err(|e| Error::Usage(format!("{}: {e}", file.display())))?
            {
                Request::Block(parsed) => (parsed.input, parsed.stated_hash),
                Request::BlockchainTest(value) => return verify_blockchain_test(&value, args),
            }
        }
        (None, Some(rlp), Some(witness)) => {
            let block = BlockInput::decode_block(&read_hex_or_binary(rlp)?)
                .map_err(|e| Error::Usage(format!("{}: {e}", rlp.display())))?;
            let witness = Witness::from_json(&read(witness)?)
                .map_err(|e| Error::Usage(format!("{}: {e}", witness.display())))?;
            (BlockInput { block, witness, chain_id: config.chain_id, public_keys: None }, None)
        }
        _ => {
            return Err(Error::Usage(
                "give one input: FILE, --block-rlp FILE --witness FILE, or --rpc URL --block N"
                    .into(),
            ));
        }
    };
    if args.no_public_keys {
        input.public_keys = None;
    }
    let anchor = match flag_anchor(args)? {
        Some(anchor) => anchor,
        None => {
            let (hash, source) = match stated {
                Some(hash) => (hash, "its blockHash field"),
                None => (input.block.header.hash_slow(), "the hash of its header"),
            };
            Anchor {
                trusted: Trusted::BlockHash(hash),
                anchored: false,
                note: format!(
                    "trusting the block hash from the file ({source}: {hash}); pass \
                     --trust-block-hash or --trust-parent-hash to anchor it independently"
                ),
            }
        }
    };
    let outcome = run(&input, anchor.trusted, &config);
    print(&outcome, &anchor, args.json);
    Ok(if outcome.valid() { EXIT_VALID } else { EXIT_INVALID })
}

/// Fetches block `number` and its witness: the block by `debug_getRawBlock`, or by
/// `eth_getBlockByNumber` (full transactions, converted to the consensus type) where the node
/// lacks it. Returns the input and the hash the node gives for the block.
pub(crate) async fn fetch(
    rpc: &ExecutionRpc,
    number: u64,
    chain_id: u64,
) -> Result<(BlockInput, B256), Error> {
    let tag = format!("{number:#x}");
    let (raw, witness) = tokio::join!(
        rpc.call("debug_getRawBlock", json!([tag])),
        rpc.call("debug_executionWitness", json!([tag]))
    );
    let block = match raw {
        Ok(Value::String(text)) => {
            let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(&text))
                .map_err(|e| Error::Usage(format!("debug_getRawBlock({number}): not hex: {e}")))?;
            BlockInput::decode_block(&bytes)
                .map_err(|e| Error::Usage(format!("debug_getRawBlock({number}): {e}")))?
        }
        Ok(other) => {
            return Err(Error::Usage(format!(
                "debug_getRawBlock({number}): expected a hex string, got {other}"
            )));
        }
        Err(mana_client::Error::Rpc { .. }) => {
            let value = rpc.call("eth_getBlockByNumber", json!([tag, true])).await?;
            if value.is_null() {
                return Err(Error::Usage(format!("the node does not have block {number}")));
            }
            let block: alloy_rpc_types_eth::Block = serde_json::from_value(value)
                .map_err(|e| Error::Usage(format!("eth_getBlockByNumber({number}): {e}")))?;
            if !block.transactions.is_full() && !block.transactions.is_empty() {
                return Err(Error::Usage(format!(
                    "eth_getBlockByNumber({number}): transactions are not full objects"
                )));
            }
            block.map_transactions(|tx| tx.into_inner()).into_consensus()
        }
        Err(e) => return Err(e.into()),
    };
    if block.header.number != number {
        return Err(Error::Usage(format!(
            "asked for block {number}, the node served block {}",
            block.header.number
        )));
    }
    let witness = Witness::from_json_value(witness?)
        .map_err(|e| Error::Usage(format!("debug_executionWitness({number}): {e}")))?;
    let hash = block.header.hash_slow();
    Ok((BlockInput { block, witness, chain_id, public_keys: None }, hash))
}

/// RPC mode: one block (`--block`) or a range (`--from`, `--to`), consecutive blocks linked by
/// their parent hashes. An explicit anchor names the last block (`--trust-block-hash`) or the
/// parent of the first (`--trust-parent-hash`); without one, the node's hashes are trusted and
/// valid blocks are `valid-unanchored`. A range anchored at its last block is checked against
/// that hash at the end (its blocks print as unanchored, the summary says whether it held).
async fn verify_rpc(args: &VerifyBlockArgs) -> Result<u8, Error> {
    if args.file.is_some() || args.block_rlp.is_some() || args.witness.is_some() {
        return Err(Error::Usage("--rpc takes no FILE, --block-rlp or --witness".into()));
    }
    let url = args.rpc.as_deref().unwrap_or_default();
    let (from, to) = match (args.block, args.from, args.to) {
        (Some(n), None, None) => (n, n),
        (None, Some(from), Some(to)) if from <= to => (from, to),
        (None, Some(_), Some(_)) => return Err(Error::Usage("--from must not exceed --to".into())),
        _ => return Err(Error::Usage("--rpc needs --block N, or --from N --to M".into())),
    };
    let config = chain_config(args.chain);
    let rpc = ExecutionRpc::new(url, Duration::from_millis(args.request_timeout_ms))?;
    let explicit = flag_anchor(args)?;
    if explicit.is_none() {
        eprintln!(
            "warning: no --trust-block-hash or --trust-parent-hash: trusting the node ({url}) for \
             the block hash; this proves the block matches the witness, not that it is canonical"
        );
    }
    let total = to.saturating_sub(from).saturating_add(1);
    let (mut valid, mut invalid) = (0u64, 0u64);
    // The last block that verified, and whether its anchor was independent.
    let mut previous: Option<(B256, bool)> = None;
    let mut total_gas = 0u64;
    let mut total_time = Duration::ZERO;
    for (index, number) in (from..=to).enumerate() {
        if total > 1 {
            eprintln!("[{}/{total}] fetching block {number}", index.saturating_add(1));
        }
        let (mut input, node_hash) = fetch(&rpc, number, config.chain_id).await?;
        if args.no_public_keys {
            input.public_keys = None;
        }
        let anchor = match (&explicit, previous) {
            // Linked to the previous block, which verified against its own anchor.
            (_, Some((prev, anchored))) => Anchor {
                trusted: Trusted::ParentHash(prev),
                anchored,
                note: format!("trusting the verified previous block ({prev})"),
            },
            (Some(a), None) if matches!(a.trusted, Trusted::ParentHash(_)) || to == from => {
                a.clone()
            }
            _ => Anchor {
                trusted: Trusted::BlockHash(node_hash),
                anchored: false,
                note: format!("trusting the node for the block hash ({node_hash})"),
            },
        };
        let outcome = run(&input, anchor.trusted, &config);
        print(&outcome, &anchor, args.json);
        total_gas = total_gas.saturating_add(outcome.gas_used);
        total_time = total_time.saturating_add(outcome.elapsed);
        if outcome.valid() {
            valid = valid.saturating_add(1);
            previous = Some((outcome.block_hash, anchor.anchored));
        } else {
            invalid = invalid.saturating_add(1);
            previous = None;
        }
    }
    // A range anchored at its last block: the chain of parent hashes carries the anchor back.
    if let Some(Anchor { trusted: Trusted::BlockHash(want), .. }) = &explicit
        && to > from
    {
        if previous.map(|(hash, _)| hash) == Some(*want) {
            println!(
                "range anchored: block {to} hashes to the trusted {want}, and every block of the \
                 range links to it by parent hash"
            );
        } else {
            println!(
                "verdict: INVALID (header_chain): block {to} does not hash to the trusted {want}"
            );
            invalid = invalid.saturating_add(1);
        }
    }
    if total > 1 {
        let secs = total_time.as_secs_f64();
        let mgas = if secs > 0.0 { total_gas as f64 / 1e6 / secs } else { 0.0 };
        println!(
            "range {from}..={to}: {valid} valid, {invalid} invalid, {total_gas} gas in {:.1} ms \
             ({mgas:.1} Mgas/s)",
            secs * 1e3
        );
    }
    Ok(if invalid == 0 { EXIT_VALID } else { EXIT_INVALID })
}
