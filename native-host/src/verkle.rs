//! `mana verify-verkle`: checks an EIP-6800 (verkle) execution witness against a trusted parent
//! state root — the pre-state multiproof, then the post-state root recomputed from the state
//! diff (optionally required to equal `--post-root`).
//!
//! Exit status: 0 the pre-state proof verifies (and the post root matches when given); 1 the
//! witness does not verify (bad proof, invalid points, inconsistent structure, wrong post root);
//! 2 usage or input errors (unreadable file, not witness JSON, a malformed root).

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use mana_verkle::{Crs, Element, Error as VerkleError, ExecutionWitness, WitnessStats};
use serde_json::json;

use crate::Error;
use crate::config::VerifyVerkleArgs;

const EXIT_VALID: u8 = 0;
const EXIT_INVALID: u8 = 1;
const EXIT_USAGE: u8 = 2;

/// Runs the command and maps the outcome to the exit status.
pub(crate) fn main(args: VerifyVerkleArgs) -> ExitCode {
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// What was checked and how long each step took.
struct Outcome {
    stats: Option<WitnessStats>,
    post_root: Option<[u8; 32]>,
    /// Why the witness does not verify; `None` when it does.
    failure: Option<String>,
    decode: Duration,
    pre_state: Duration,
    post_state: Duration,
}

fn hex32(bytes: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn parse_root(text: &str, flag: &str) -> Result<[u8; 32], Error> {
    let usage = || Error::Usage(format!("{flag} {text:?} is not 0x + 64 hex digits"));
    let bytes = hex::decode(text.strip_prefix("0x").unwrap_or(text)).map_err(|_| usage())?;
    let root: [u8; 32] = bytes.try_into().map_err(|_| usage())?;
    // A state root is a compressed banderwagon point; anything else cannot be a trusted root.
    Element::from_bytes(&root)
        .map_err(|e| Error::Usage(format!("{flag} {text}: not a verkle root commitment: {e}")))?;
    Ok(root)
}

/// Decoding errors that mean "this is not a witness file" rather than "this witness is invalid".
fn is_input_error(e: &VerkleError) -> bool {
    matches!(
        e,
        VerkleError::Json(_)
            | VerkleError::InvalidHex { .. }
            | VerkleError::WrongLength { .. }
            | VerkleError::TooMany { .. }
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn run(args: &VerifyVerkleArgs) -> Result<u8, Error> {
    let pre_root = parse_root(&args.pre_root, "--pre-root")?;
    let expected_post =
        args.post_root.as_deref().map(|r| parse_root(r, "--post-root")).transpose()?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", args.file.display())))?;
    let crs = Crs::new();

    let start = Instant::now();
    let decoded = ExecutionWitness::from_json(&bytes);
    let decode = start.elapsed();
    let mut outcome = Outcome {
        stats: None,
        post_root: None,
        failure: None,
        decode,
        pre_state: Duration::ZERO,
        post_state: Duration::ZERO,
    };
    match decoded {
        Err(e) if is_input_error(&e) => {
            return Err(Error::Usage(format!("{}: {e}", args.file.display())));
        }
        Err(e) => outcome.failure = Some(format!("decoding: {e}")),
        Ok(witness) => check(&crs, &witness, &pre_root, expected_post.as_ref(), &mut outcome),
    }
    print(args, &args.file, &pre_root, expected_post.as_ref(), &outcome);
    Ok(if outcome.failure.is_none() { EXIT_VALID } else { EXIT_INVALID })
}

fn check(
    crs: &Crs,
    witness: &ExecutionWitness,
    pre_root: &[u8; 32],
    expected_post: Option<&[u8; 32]>,
    outcome: &mut Outcome,
) {
    let start = Instant::now();
    let pre = witness.verify_pre_state(crs, pre_root);
    outcome.pre_state = start.elapsed();
    let pre = match pre {
        Ok(pre) => pre,
        Err(e) => {
            outcome.failure = Some(format!("pre-state proof: {e}"));
            return;
        }
    };
    outcome.stats = Some(pre.stats);
    let start = Instant::now();
    let post = witness.post_state_root_from(crs, &pre);
    outcome.post_state = start.elapsed();
    match post {
        Ok(post) => {
            outcome.post_root = Some(post);
            if let Some(expected) = expected_post
                && expected != &post
            {
                outcome.failure = Some(format!(
                    "post-state root {} differs from --post-root {}",
                    hex32(&post),
                    hex32(expected)
                ));
            }
        }
        Err(e) => outcome.failure = Some(format!("post-state root: {e}")),
    }
}

fn print(
    args: &VerifyVerkleArgs,
    file: &Path,
    pre_root: &[u8; 32],
    expected_post: Option<&[u8; 32]>,
    outcome: &Outcome,
) {
    let total = outcome.decode.saturating_add(outcome.pre_state).saturating_add(outcome.post_state);
    if args.json {
        let stats = outcome.stats.map(|s| {
            json!({
                "keys": s.keys,
                "stems": s.stems,
                "commitments": s.commitments,
                "otherStems": s.other_stems,
                "openings": s.openings,
            })
        });
        let value = json!({
            "valid": outcome.failure.is_none(),
            "file": file.display().to_string(),
            "preStateRoot": hex32(pre_root),
            "postStateRoot": outcome.post_root.as_ref().map(hex32),
            "expectedPostStateRoot": expected_post.map(hex32),
            "witness": stats,
            "error": outcome.failure,
            "timeMs": {
                "decode": ms(outcome.decode),
                "preState": ms(outcome.pre_state),
                "postState": ms(outcome.post_state),
                "total": ms(total),
            },
        });
        println!("{value}");
        return;
    }
    println!("verkle witness: {}", file.display());
    println!("pre-state root (trusted): {}", hex32(pre_root));
    if let Some(s) = outcome.stats {
        println!(
            "checked: {} keys in {} stems, {} commitments by path, {} other stems, {} multiproof openings",
            s.keys, s.stems, s.commitments, s.other_stems, s.openings
        );
        println!("pre-state proof: valid");
    }
    if let Some(post) = &outcome.post_root {
        let note = match expected_post {
            Some(expected) if expected == post => " (matches --post-root)",
            Some(_) => " (differs from --post-root)",
            None => "",
        };
        println!("post-state root (computed): {}{note}", hex32(post));
    }
    match &outcome.failure {
        None => println!("verdict: VALID"),
        Some(reason) => println!("verdict: INVALID: {reason}"),
    }
    println!(
        "time: {:.2} ms (decode {:.2} ms, pre-state proof {:.2} ms, post-state root {:.2} ms)",
        ms(total),
        ms(outcome.decode),
        ms(outcome.pre_state),
        ms(outcome.post_state)
    );
}
