//! Body commitments of a trusted header: the transactions and receipts roots (ordered tries keyed
//! by `rlp(index)` over EIP-2718 encodings), the withdrawals root (EIP-4895, the same trie over
//! `rlp(withdrawal)`) and the ommers hash (`keccak256(rlp(ommer headers))`).

use alloc::vec::Vec;

use alloy_consensus::proofs::{calculate_ommers_root, calculate_withdrawals_root};
use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{Header, ReceiptEnvelope, ReceiptWithBloom, TxEnvelope, TxReceipt};
use alloy_eips::eip2718::Encodable2718;
use alloy_eips::eip4895::Withdrawal;
use alloy_primitives::{Address, B256, keccak256};
use alloy_trie::root::ordered_trie_root_with_encoder;

use crate::{Error, Result};

/// The hash of `tx`: `keccak256` of its EIP-2718 encoding, always computed from the transaction.
///
/// Use this for served transactions rather than `TxEnvelope::tx_hash` or `trie_hash`: those return
/// the hash cached in `Signed`, which deserialization (the `hash` field of a JSON-RPC transaction
/// object) sets without checking it.
pub fn transaction_hash(tx: &TxEnvelope) -> B256 {
    keccak256(tx.encoded_2718())
}

/// Root of the transactions trie of `transactions` (in block order).
pub fn transactions_root(transactions: &[TxEnvelope]) -> B256 {
    ordered_trie_root_with_encoder(transactions, |tx, out| tx.encode_2718(out))
}

/// Root of the receipts trie. Each receipt's bloom is recomputed from its logs, so a served
/// bloom never enters the root.
pub fn receipts_root(receipts: &[ReceiptEnvelope]) -> B256 {
    let rebuilt: Vec<ReceiptEnvelope> = receipts.iter().map(with_computed_bloom).collect();
    ordered_trie_root_with_encoder(&rebuilt, |r, out| r.encode_2718(out))
}

fn with_computed_bloom(receipt: &ReceiptEnvelope) -> ReceiptEnvelope {
    let mut rebuilt = receipt.clone();
    if let Some(inner) = rebuilt.as_receipt_with_bloom_mut() {
        *inner = ReceiptWithBloom::new(inner.receipt.clone(), inner.receipt.bloom());
    }
    rebuilt
}

/// Checks `transactions` against `header.transactions_root` and recovers every signer.
pub fn verify_transactions(header: &Header, transactions: &[TxEnvelope]) -> Result<Vec<Address>> {
    let computed = transactions_root(transactions);
    if computed != header.transactions_root {
        return Err(Error::TransactionsRootMismatch {
            expected: header.transactions_root,
            computed,
        });
    }
    transactions
        .iter()
        .enumerate()
        .map(|(index, tx)| tx.recover_signer().map_err(|_| Error::InvalidSignature { index }))
        .collect()
}

/// Checks `receipts` against `header.receipts_root`; returns them with blooms recomputed.
pub fn verify_receipts(
    header: &Header,
    receipts: &[ReceiptEnvelope],
) -> Result<Vec<ReceiptEnvelope>> {
    let rebuilt: Vec<ReceiptEnvelope> = receipts.iter().map(with_computed_bloom).collect();
    let computed = ordered_trie_root_with_encoder(&rebuilt, |r, out| r.encode_2718(out));
    if computed == header.receipts_root {
        Ok(rebuilt)
    } else {
        Err(Error::ReceiptsRootMismatch { expected: header.receipts_root, computed })
    }
}

/// Root of the withdrawals trie of `withdrawals` (in block order).
pub fn withdrawals_root(withdrawals: &[Withdrawal]) -> B256 {
    calculate_withdrawals_root(withdrawals)
}

/// Checks a block body's withdrawals against `header.withdrawals_root`. `None` means the body has
/// no withdrawals list at all (blocks before Shanghai), which is distinct from an empty list.
pub fn verify_withdrawals(header: &Header, withdrawals: Option<&[Withdrawal]>) -> Result<()> {
    match (header.withdrawals_root, withdrawals) {
        (None, None) => Ok(()),
        (Some(expected), Some(withdrawals)) => {
            let computed = withdrawals_root(withdrawals);
            if computed == expected {
                Ok(())
            } else {
                Err(Error::WithdrawalsRootMismatch { expected, computed })
            }
        }
        (root, _) => Err(Error::WithdrawalsPresenceMismatch { in_header: root.is_some() }),
    }
}

/// `keccak256(rlp(ommers))`, the `ommersHash` (`sha3Uncles`) a header commits to.
pub fn ommers_hash(ommers: &[Header]) -> B256 {
    calculate_ommers_root(ommers)
}

/// Checks a block body's ommer headers against `header.ommers_hash`.
pub fn verify_ommers(header: &Header, ommers: &[Header]) -> Result<()> {
    let computed = ommers_hash(ommers);
    if computed == header.ommers_hash {
        Ok(())
    } else {
        Err(Error::OmmersHashMismatch { expected: header.ommers_hash, computed })
    }
}

#[cfg(test)]
mod tests {
    use alloy_consensus::constants::EMPTY_OMMER_ROOT_HASH;
    use alloy_consensus::{Eip658Value, Receipt, Signed, TxLegacy};
    use alloy_primitives::{Address, Bloom, Bytes, Log, LogData, Signature, TxKind, U256};
    use alloy_trie::EMPTY_ROOT_HASH;

    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn withdrawal(index: u64) -> Withdrawal {
        Withdrawal {
            index,
            validator_index: index + 100,
            address: Address::repeat_byte(7),
            amount: 32_000_000_000 + index,
        }
    }

    #[test]
    fn withdrawals_must_match_the_root_and_its_presence() {
        let list = [withdrawal(1), withdrawal(2)];
        let header =
            Header { withdrawals_root: Some(withdrawals_root(&list)), ..Header::default() };
        assert_eq!(verify_withdrawals(&header, Some(&list)), Ok(()));
        let mut changed = list;
        changed[1].amount += 1;
        assert!(matches!(
            verify_withdrawals(&header, Some(&changed)),
            Err(Error::WithdrawalsRootMismatch { .. })
        ));
        assert!(verify_withdrawals(&header, Some(&list[..1])).is_err());
        assert_eq!(
            verify_withdrawals(&header, None),
            Err(Error::WithdrawalsPresenceMismatch { in_header: true })
        );
        let empty = Header { withdrawals_root: Some(EMPTY_ROOT_HASH), ..Header::default() };
        assert_eq!(verify_withdrawals(&empty, Some(&[])), Ok(()));
        let before_shanghai = Header::default();
        assert_eq!(verify_withdrawals(&before_shanghai, None), Ok(()));
        assert_eq!(
            verify_withdrawals(&before_shanghai, Some(&[])),
            Err(Error::WithdrawalsPresenceMismatch { in_header: false })
        );
    }

    #[test]
    fn ommers_must_hash_to_the_ommers_hash() {
        let header = Header::default();
        assert_eq!(header.ommers_hash, EMPTY_OMMER_ROOT_HASH);
        assert_eq!(verify_ommers(&header, &[]), Ok(()));
        let uncle = Header { number: 5, ..Header::default() };
        assert!(matches!(
            verify_ommers(&header, core::slice::from_ref(&uncle)),
            Err(Error::OmmersHashMismatch { .. })
        ));
        let with_uncle =
            Header { ommers_hash: ommers_hash(core::slice::from_ref(&uncle)), ..Header::default() };
        assert_eq!(verify_ommers(&with_uncle, &[uncle]), Ok(()));
        assert!(verify_ommers(&with_uncle, &[]).is_err());
    }

    fn legacy(nonce: u64) -> TxEnvelope {
        let tx = TxLegacy {
            chain_id: Some(1),
            nonce,
            gas_price: 1,
            gas_limit: 21_000,
            to: TxKind::Call(Address::repeat_byte(2)),
            value: U256::from(1),
            input: Bytes::new(),
        };
        // An arbitrary valid-looking signature; recovery yields some address.
        let signature = Signature::new(U256::from(1), U256::from(1), false);
        TxEnvelope::Legacy(Signed::new_unhashed(tx, signature))
    }

    #[test]
    fn transaction_hashes_are_computed_not_cached() {
        let tx = legacy(0);
        let TxEnvelope::Legacy(signed) = &tx else { unreachable!() };
        let computed = keccak256(tx.encoded_2718());
        assert_eq!(transaction_hash(&tx), computed);
        // A deserialized transaction carries whatever hash was served.
        let forged = TxEnvelope::Legacy(Signed::new_unchecked(
            signed.tx().clone(),
            *signed.signature(),
            B256::repeat_byte(9),
        ));
        assert_eq!(*forged.tx_hash(), B256::repeat_byte(9));
        assert_eq!(transaction_hash(&forged), computed);
    }

    #[test]
    fn transactions_must_build_the_root() {
        let txs = [legacy(0), legacy(1)];
        let header = Header { transactions_root: transactions_root(&txs), ..Header::default() };
        assert!(verify_transactions(&header, &txs).is_ok());
        assert!(matches!(
            verify_transactions(&header, &txs[..1]),
            Err(Error::TransactionsRootMismatch { .. })
        ));
        let reordered = [legacy(1), legacy(0)];
        assert!(verify_transactions(&header, &reordered).is_err());
    }

    fn receipt(cumulative: u64, data: u8) -> ReceiptEnvelope {
        let log = Log {
            address: Address::repeat_byte(3),
            data: LogData::new_unchecked(
                alloc::vec![B256::repeat_byte(4)],
                Bytes::from(alloc::vec![data]),
            ),
        };
        let receipt = Receipt {
            status: Eip658Value::Eip658(true),
            cumulative_gas_used: cumulative,
            logs: alloc::vec![log],
        };
        ReceiptEnvelope::Eip1559(ReceiptWithBloom::new(receipt, Default::default()))
    }

    #[test]
    fn receipts_root_ignores_served_blooms_and_catches_any_change() {
        let receipts = [receipt(21_000, 1), receipt(42_000, 2)];
        let header = Header { receipts_root: receipts_root(&receipts), ..Header::default() };
        let rebuilt = verify_receipts(&header, &receipts).unwrap();
        // The zero blooms served above were replaced by the ones the logs give.
        assert!(rebuilt.iter().all(|r| *r.logs_bloom() != Bloom::default()));
        assert_eq!(rebuilt[0].logs_bloom(), &rebuilt[0].as_receipt().unwrap().bloom());
        let changed = [receipt(21_000, 1), receipt(42_000, 3)];
        assert!(matches!(
            verify_receipts(&header, &changed),
            Err(Error::ReceiptsRootMismatch { .. })
        ));
        let gas = [receipt(21_000, 1), receipt(42_001, 2)];
        assert!(verify_receipts(&header, &gas).is_err());
    }
}
