//! The ECRECOVER precompile (address `0x01`, Yellow Paper appendix E) over libsecp256k1 where
//! the verifier links it (x86-64 and wasm32), instead of revm's pure-Rust k256 one: blocks call
//! it often (permits, meta-transactions, multisig wallets) and recovery dominates its cost.

use alloy_evm::precompiles::{DynPrecompile, PrecompileInput, PrecompilesMap};
use alloy_primitives::{Address, B256, Bytes, Signature};
use revm::precompile::{
    EthPrecompileOutput, EthPrecompileResult, PrecompileHalt, PrecompileId, call_eth_precompile,
    secp256k1::ECRECOVER,
};

/// The fixed gas cost of ECRECOVER.
const ECRECOVER_GAS: u64 = 3_000;

/// Replaces the ECRECOVER precompile of `precompiles` with [`ecrecover`].
pub(crate) fn install(precompiles: &mut PrecompilesMap) {
    precompiles.map_precompile(ECRECOVER.address(), |_| {
        DynPrecompile::from((PrecompileId::EcRec, |input: PrecompileInput<'_>| {
            Ok(call_eth_precompile(ecrecover, input.data, input.gas, input.reservoir))
        }))
    });
}

/// ECRECOVER: the input, right-padded with zeros to 128 bytes, is `hash ‖ v ‖ r ‖ s` (32 bytes
/// each). It costs 3,000 gas; `v` must be the 32-byte big-endian 27 or 28. The output is the
/// signer address left-padded to 32 bytes, or empty when `v` is malformed, `r`/`s` are not in
/// `[1, n-1]` or no key recovers. A high `s` is accepted (EIP-2 binds transactions only).
fn ecrecover(input: &[u8], gas_limit: u64) -> EthPrecompileResult {
    if gas_limit < ECRECOVER_GAS {
        return Err(PrecompileHalt::OutOfGas);
    }
    let mut padded = [0u8; 128];
    let used = input.len().min(padded.len());
    if let (Some(dst), Some(src)) = (padded.get_mut(..used), input.get(..used)) {
        dst.copy_from_slice(src);
    }
    let (hash, rest) = padded.split_at(32);
    let (v, rs) = rest.split_at(32);
    let signer = match v.split_last() {
        Some((&last @ (27 | 28), high)) if high.iter().all(|b| *b == 0) => {
            let signature = Signature::from_bytes_and_parity(rs, last == 28);
            signature.recover_address_from_prehash(&B256::from_slice(hash)).ok()
        }
        _ => None,
    };
    let output = signer.map(|address: Address| Bytes::copy_from_slice(&address.into_word().0));
    Ok(EthPrecompileOutput::new(ECRECOVER_GAS, output.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_consensus::crypto::secp256k1::{recover_signer_unchecked, sign_message};
    use alloy_primitives::{U256, keccak256};

    fn input(hash: B256, v: u8, signature: &Signature) -> Vec<u8> {
        let mut data = hash.to_vec();
        data.extend_from_slice(&U256::from(v).to_be_bytes::<32>());
        data.extend_from_slice(&signature.r().to_be_bytes::<32>());
        data.extend_from_slice(&signature.s().to_be_bytes::<32>());
        data
    }

    fn output(data: &[u8], gas: u64) -> EthPrecompileResult {
        ecrecover(data, gas)
    }

    #[test]
    fn agrees_with_revm_on_valid_and_malformed_inputs() {
        let secret = B256::repeat_byte(0x42);
        let hash = keccak256(b"mana");
        let signature = sign_message(secret, hash).unwrap();
        let v = 27 + u8::from(signature.v());
        let signer = recover_signer_unchecked(&signature, hash).unwrap();
        let good = input(hash, v, &signature);
        let result = output(&good, 3_000).unwrap();
        assert_eq!(result.gas_used, 3_000);
        assert_eq!(result.bytes.as_ref(), signer.into_word().as_slice());

        let mut cases = vec![good.clone(), good[..100].to_vec(), Vec::new()];
        // The other parity recovers another key; v of 0/1/29 and a non-zero high v byte are
        // malformed; r = 0, s = 0 and r ≥ n recover nothing.
        for (offset, value) in [(63, 55 - v), (63, 0), (63, 1), (63, 29), (32, 1)] {
            let mut case = good.clone();
            case[offset] = value;
            cases.push(case);
        }
        let mut zero_r = good.clone();
        zero_r[64..96].fill(0);
        let mut zero_s = good.clone();
        zero_s[96..128].fill(0);
        let mut big_r = good.clone();
        big_r[64..96].fill(0xff);
        cases.extend([zero_r, zero_s, big_r, good.iter().chain(&[1, 2, 3]).copied().collect()]);
        // A high s (n - s, other parity) still recovers the same signer.
        let n = U256::from_str_radix(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            16,
        )
        .unwrap();
        let high = Signature::new(signature.r(), n - signature.s(), !signature.v());
        let high_input = input(hash, 27 + u8::from(high.v()), &high);
        assert_eq!(
            output(&high_input, 3_000).unwrap().bytes.as_ref(),
            signer.into_word().as_slice()
        );
        cases.push(high_input);

        for case in &cases {
            let ours = output(case, 5_000).unwrap();
            let reference = revm::precompile::secp256k1::ec_recover_run(case, 5_000).unwrap();
            assert_eq!(ours, reference, "input {}", alloy_primitives::hex::encode(case));
        }
        assert_eq!(output(&good, 2_999), Err(PrecompileHalt::OutOfGas));
    }
}
