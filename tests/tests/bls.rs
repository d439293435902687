//! BLS vectors: ethereum/bls12-381-tests (v0.1.2 json and yaml, master json) and the
//! consensus-spec-tests `general/altair/bls` Ethereum-specific cases, run through
//! `mana_consensus::bls`.

use std::path::Path;

use mana_consensus::bls::{BlsVerifier, BlstVerifier};
use mana_tests::{Tally, files_under, fixtures, subdirs};
use serde_json::Value;

const IETF_DST: &[u8] = b"QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";

fn text(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| format!("expected a string, got {v}"))
}

/// Decodes hex that may or may not carry `0x` (master's deserialization inputs gain the prefix).
fn bytes(v: &Value) -> Result<Vec<u8>, String> {
    let s = text(v)?;
    hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("hex {s}: {e}"))
}

fn fixed<const N: usize>(v: &Value) -> Option<[u8; N]> {
    bytes(v).ok()?.try_into().ok()
}

fn list<const N: usize>(v: &Value) -> Option<Vec<[u8; N]>> {
    v.as_array()?.iter().map(fixed::<N>).collect()
}

/// Runs one case: `Ok` when our answer equals the vector's `output`.
fn run_case(handler: &str, input: &Value, output: &Value) -> Result<(), String> {
    let bls = BlstVerifier;
    let got: Value = match handler {
        "verify" => {
            let ok = match (fixed::<48>(&input["pubkey"]), fixed::<96>(&input["signature"])) {
                (Some(pk), Some(sig)) => {
                    bls.verify(&pk, &bytes(&input["message"])?, &sig).unwrap_or(false)
                }
                _ => false,
            };
            Value::Bool(ok)
        }
        "fast_aggregate_verify" | "eth_fast_aggregate_verify" => {
            let ok = match (list::<48>(&input["pubkeys"]), fixed::<96>(&input["signature"])) {
                (Some(pks), Some(sig)) => {
                    let msg = bytes(&input["message"])?;
                    let result = if handler == "eth_fast_aggregate_verify" {
                        bls.eth_fast_aggregate_verify(&pks, &msg, &sig)
                    } else {
                        bls.fast_aggregate_verify(&pks, &msg, &sig)
                    };
                    result.unwrap_or(false)
                }
                _ => false,
            };
            Value::Bool(ok)
        }
        "aggregate_verify" => {
            let msgs = input["messages"]
                .as_array()
                .ok_or("messages")?
                .iter()
                .map(bytes)
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
            let ok = match (list::<48>(&input["pubkeys"]), fixed::<96>(&input["signature"])) {
                (Some(pks), Some(sig)) => bls.aggregate_verify(&pks, &refs, &sig).unwrap_or(false),
                _ => false,
            };
            Value::Bool(ok)
        }
        "batch_verify" => {
            let msgs = input["messages"]
                .as_array()
                .ok_or("messages")?
                .iter()
                .map(bytes)
                .collect::<Result<Vec<_>, _>>()?;
            let ok = match (list::<48>(&input["pubkeys"]), list::<96>(&input["signatures"])) {
                (Some(pks), Some(sigs)) if pks.len() == sigs.len() && pks.len() == msgs.len() => {
                    pks.iter()
                        .zip(&sigs)
                        .zip(&msgs)
                        .all(|((pk, sig), msg)| bls.verify(pk, msg, sig).unwrap_or(false))
                }
                _ => false,
            };
            Value::Bool(ok)
        }
        "aggregate" => match list::<96>(input) {
            Some(sigs) if !sigs.is_empty() => match bls.aggregate_signatures(&sigs) {
                Ok(sig) => Value::String(format!("0x{}", hex::encode(sig))),
                Err(_) => Value::Null,
            },
            _ => Value::Null,
        },
        "eth_aggregate_pubkeys" => match list::<48>(input) {
            Some(pks) => match bls.eth_aggregate_pubkeys(&pks) {
                Ok(pk) => Value::String(format!("0x{}", hex::encode(pk))),
                Err(_) => Value::Null,
            },
            None => Value::Null,
        },
        "sign" => match fixed::<32>(&input["privkey"]) {
            Some(sk) => match bls.sign(&sk, &bytes(&input["message"])?) {
                Ok(sig) => Value::String(format!("0x{}", hex::encode(sig))),
                Err(_) => Value::Null,
            },
            None => Value::Null,
        },
        "deserialization_G1" => Value::Bool(
            bytes(&input["pubkey"]).is_ok_and(|b| bls.check_pubkey_encoding(&b).is_ok()),
        ),
        "deserialization_G2" => Value::Bool(
            bytes(&input["signature"]).is_ok_and(|b| bls.check_signature_encoding(&b).is_ok()),
        ),
        "hash_to_G2" => {
            let msg = text(&input["msg"])?;
            let point = bls.hash_to_g2(msg.as_bytes(), IETF_DST);
            let h = |r: std::ops::Range<usize>| format!("0x{}", hex::encode(&point[r]));
            let mut map = serde_json::Map::new();
            map.insert("x".into(), Value::String(format!("{},{}", h(48..96), h(0..48))));
            map.insert("y".into(), Value::String(format!("{},{}", h(144..192), h(96..144))));
            Value::Object(map)
        }
        other => return Err(format!("no runner for handler {other}")),
    };
    let normalise = |v: &Value| -> Value {
        match v {
            Value::String(s) => Value::String(s.to_lowercase()),
            other => other.clone(),
        }
    };
    if normalise(&got) == normalise(output) {
        Ok(())
    } else {
        Err(format!("expected {output}, got {got}"))
    }
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read vector");
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).expect("json")
    } else {
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
        serde_json::to_value(yaml).expect("yaml as json")
    }
}

/// Files under `bls/` that are not vectors, each with the reason.
const BLS_SKIPS: &[(&str, &str)] = &[
    ("SOURCES.md", "provenance notes, not a vector"),
    ("README.md", "the upstream repository's readme, not a vector"),
    ("LICENSE", "the upstream licence, not a vector"),
    ("formats", "prose descriptions of the vector formats, not vectors"),
];

#[test]
fn bls12_381_tests() {
    let mut tally = Tally::new("bls12-381-tests");
    tally.skip_all(BLS_SKIPS);
    let root = fixtures().join("bls");
    for version in subdirs(&root) {
        for encoding in ["json", "yaml"] {
            let dir = version.join(encoding).join("bls");
            if !dir.is_dir() {
                continue;
            }
            for handler_dir in subdirs(&dir) {
                let handler =
                    handler_dir.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
                for file in files_under(&handler_dir) {
                    tally.touch(&file);
                    let case = load(&file);
                    tally.run(&file, || run_case(&handler, &case["input"], &case["output"]));
                }
            }
        }
    }
    // The whole `bls/` folder: any other encoding or file fails unless it is on the list.
    tally.finish(&[root]);
}

#[test]
fn consensus_general_bls() {
    let mut tally = Tally::new("general/altair/bls");
    let dir = mana_tests::consensus_tests().join("general/altair/bls");
    for handler_dir in subdirs(&dir) {
        let handler = handler_dir.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        for case in subdirs(&handler_dir.join("bls")) {
            tally.touch_dir(&case);
            let data = load(&case.join("data.yaml"));
            tally.run(&case, || run_case(&handler, &data["input"], &data["output"]));
        }
    }
    tally.finish(&[dir]);
}
