//! `verifyBlock`: stateless verification of a whole block in the page (re-execution from a
//! witness, see `mana-stateless`).

use alloy_primitives::B256;
use mana_stateless::rules::ChainConfig;
use mana_stateless::verify_block as verify;
use mana_stateless::witness::{BlockInput, Trusted, Witness};
use serde::Deserialize;
use serde_json::{Value, json};

/// What `verifyBlock` takes (JSON text besides the bytes).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOptions {
    /// `0x` hash the block itself must have (the trust anchor).
    #[serde(default)]
    pub trusted_block_hash: Option<String>,
    /// `0x` hash the block's parent must have (the block is then judged as a candidate).
    #[serde(default)]
    pub trusted_parent_hash: Option<String>,
}

fn hash(text: &str, what: &str) -> Result<B256, String> {
    crate::config::root(text, what).map(B256::from).map_err(|e| e.0)
}

/// Verifies `input`: the JSON of a block with its witness (`blockRlp` + `executionWitness`,
/// the shape `mana verify-block` reads), or, with `witness` given, `input` is the block's RLP
/// and `witness` the `debug_executionWitness` JSON. Returns the verdict as JSON:
/// `{ valid: true, blockHash, number, gasUsed, transactions, stateRoot, trusted }` or
/// `{ valid: false, error, trusted }`. Malformed options are an `Err`.
pub fn verify_block(input: &[u8], witness: Option<&[u8]>, options: &str) -> Result<Value, String> {
    let options: VerifyOptions = if options.trim().is_empty() {
        VerifyOptions::default()
    } else {
        serde_json::from_str(options).map_err(|e| format!("options: {e}"))?
    };
    let parsed = match witness {
        None => BlockInput::from_fixture_json(input),
        Some(witness) => BlockInput::decode_block(input).and_then(|block| {
            Ok(BlockInput {
                chain_id: 1,
                witness: Witness::from_json(witness)?,
                block,
                public_keys: None,
            })
        }),
    };
    let input = match parsed {
        Ok(input) => input,
        Err(e) => {
            return Ok(json!({"valid": false, "error": e.to_string(), "trusted": Value::Null}));
        }
    };
    let (trusted, anchor) = match (&options.trusted_block_hash, &options.trusted_parent_hash) {
        (Some(h), None) => (Trusted::BlockHash(hash(h, "trustedBlockHash")?), "blockHash"),
        (None, Some(h)) => (Trusted::ParentHash(hash(h, "trustedParentHash")?), "parentHash"),
        (Some(_), Some(_)) => {
            return Err("options: give trustedBlockHash or trustedParentHash, not both".into());
        }
        // No anchor given: the block's own hash, which proves the execution only, not that
        // the block is canonical. The verdict says so.
        (None, None) => (Trusted::BlockHash(input.block.header.hash_slow()), "self"),
    };
    let config = ChainConfig::by_chain_id(input.chain_id)
        .ok_or_else(|| format!("chain id {} is not a built-in network", input.chain_id))?;
    let trusted_json = match trusted {
        Trusted::BlockHash(h) | Trusted::ParentHash(h) => json!({"kind": anchor, "hash": h}),
    };
    Ok(match verify(&input, trusted, &config) {
        Ok(v) => json!({
            "valid": true,
            "blockHash": v.block_hash,
            "number": v.number,
            "gasUsed": v.gas_used,
            "transactions": v.transactions,
            "stateRoot": v.state_root,
            "trusted": trusted_json,
        }),
        Err(e) => json!({"valid": false, "error": e.to_string(), "trusted": trusted_json}),
    })
}

/// The wasm export of [`verify_block`]: the verdict as JSON text; bad options throw.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = verifyBlock)]
pub fn verify_block_js(
    input: &[u8],
    witness: Option<Vec<u8>>,
    options: &str,
) -> Result<String, wasm_bindgen::JsValue> {
    verify_block(input, witness.as_deref(), options)
        .map(|v| v.to_string())
        .map_err(|e| js_sys::Error::new(&e).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> Vec<std::path::PathBuf> {
        let dir = crate::fixtures().join("stateless/mainnet");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn verifies_a_mainnet_block_and_rejects_a_wrong_anchor() {
        let file = fixtures().into_iter().next().unwrap();
        let bytes = std::fs::read(file).unwrap();
        let verdict = verify_block(&bytes, None, "").unwrap();
        assert_eq!(verdict["valid"], true, "{verdict}");
        assert_eq!(verdict["trusted"]["kind"], "self");
        let block_hash = verdict["blockHash"].as_str().unwrap().to_string();
        let anchored =
            verify_block(&bytes, None, &json!({"trustedBlockHash": block_hash}).to_string())
                .unwrap();
        assert_eq!(anchored["valid"], true);
        let wrong = verify_block(
            &bytes,
            None,
            &json!({"trustedBlockHash": format!("0x{}", "11".repeat(32))}).to_string(),
        )
        .unwrap();
        assert_eq!(wrong["valid"], false);
        assert!(wrong["error"].as_str().unwrap().contains("hash"), "{wrong}");
        assert!(verify_block(&bytes, None, r#"{"trustedBlockHash":"0x12"}"#).is_err());
        assert!(verify_block(&bytes, None, r#"{"other":1}"#).is_err());
        let garbage = verify_block(b"{}", None, "").unwrap();
        assert_eq!(garbage["valid"], false);
    }
}
