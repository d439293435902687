//! Containers shared by every fork from Altair on (phase0/altair `beacon-chain.md`).

use alloc::vec::Vec;

use libssz_derive::{HashTreeRoot, SszDecode, SszEncode};
use libssz_types::{SszBitvector, SszList, SszVector};

/// `Root` / `Bytes32` / `Hash32`.
pub type B256 = [u8; 32];
/// `BLSPubkey`: a compressed G1 point.
pub type BlsPubkey = [u8; 48];
/// `BLSSignature`: a compressed G2 point.
pub type BlsSignature = [u8; 96];
/// `ExecutionAddress`.
pub type ExecutionAddress = [u8; 20];
/// `uint256`, little-endian as SSZ serialises it.
pub type U256Le = [u8; 32];
/// `BYTES_PER_LOGS_BLOOM` = 256.
pub type LogsBloom = [u8; 256];
/// `MAX_EXTRA_DATA_BYTES` = 32.
pub type ExtraData = SszList<u8, 32>;

/// `BeaconBlockHeader` (phase0).
#[derive(Debug, Clone, Default, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct BeaconBlockHeader {
    /// Slot of the block.
    pub slot: u64,
    /// Index of the proposer.
    pub proposer_index: u64,
    /// Root of the parent block.
    pub parent_root: B256,
    /// Root of the post-state.
    pub state_root: B256,
    /// Root of the block body.
    pub body_root: B256,
}

/// `SignedBeaconBlockHeader` (phase0).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SignedBeaconBlockHeader {
    /// The header.
    pub message: BeaconBlockHeader,
    /// The proposer's signature.
    pub signature: BlsSignature,
}

/// `Checkpoint` (phase0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Checkpoint {
    /// Epoch.
    pub epoch: u64,
    /// Block root.
    pub root: B256,
}

/// `Fork` (phase0): the state's fork record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ForkInfo {
    /// Previous fork version.
    pub previous_version: [u8; 4],
    /// Current fork version.
    pub current_version: [u8; 4],
    /// Epoch of the last fork.
    pub epoch: u64,
}

/// `ForkData` (phase0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ForkData {
    /// Fork version.
    pub current_version: [u8; 4],
    /// Genesis validators root.
    pub genesis_validators_root: B256,
}

/// `SigningData` (phase0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SigningData {
    /// Root of the signed object.
    pub object_root: B256,
    /// Signature domain.
    pub domain: B256,
}

/// `SyncCommittee` (altair) with `S` = `SYNC_COMMITTEE_SIZE` members.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SyncCommittee<const S: usize> {
    /// Member public keys (compressed).
    pub pubkeys: SszVector<BlsPubkey, S>,
    /// Aggregate of all member keys.
    pub aggregate_pubkey: BlsPubkey,
}

/// `SyncAggregate` (altair).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SyncAggregate<const S: usize> {
    /// Participation bits, one per committee member.
    pub sync_committee_bits: SszBitvector<S>,
    /// Aggregate signature of the participants.
    pub sync_committee_signature: BlsSignature,
}

impl<const S: usize> Default for SyncAggregate<S> {
    fn default() -> Self {
        Self { sync_committee_bits: SszBitvector::default(), sync_committee_signature: [0; 96] }
    }
}

impl<const S: usize> SyncAggregate<S> {
    /// Number of participating members (`sum(sync_committee_bits)`).
    pub fn participants(&self) -> u64 {
        self.sync_committee_bits.count_ones() as u64
    }
}

/// `ExecutionPayloadHeader` (capella).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct CapellaExecutionPayloadHeader {
    /// Parent execution block hash.
    pub parent_hash: B256,
    /// Fee recipient.
    pub fee_recipient: ExecutionAddress,
    /// State root.
    pub state_root: B256,
    /// Receipts root.
    pub receipts_root: B256,
    /// Logs bloom.
    pub logs_bloom: LogsBloom,
    /// `prev_randao`.
    pub prev_randao: B256,
    /// Block number.
    pub block_number: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Extra data.
    pub extra_data: ExtraData,
    /// Base fee per gas.
    pub base_fee_per_gas: U256Le,
    /// Execution block hash.
    pub block_hash: B256,
    /// Transactions root.
    pub transactions_root: B256,
    /// Withdrawals root.
    pub withdrawals_root: B256,
}

/// `ExecutionPayloadHeader` (deneb; unchanged in electra and fulu).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ExecutionPayloadHeader {
    /// Parent execution block hash.
    pub parent_hash: B256,
    /// Fee recipient.
    pub fee_recipient: ExecutionAddress,
    /// State root.
    pub state_root: B256,
    /// Receipts root.
    pub receipts_root: B256,
    /// Logs bloom.
    pub logs_bloom: LogsBloom,
    /// `prev_randao`.
    pub prev_randao: B256,
    /// Block number.
    pub block_number: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Timestamp.
    pub timestamp: u64,
    /// Extra data.
    pub extra_data: ExtraData,
    /// Base fee per gas.
    pub base_fee_per_gas: U256Le,
    /// Execution block hash.
    pub block_hash: B256,
    /// Transactions root.
    pub transactions_root: B256,
    /// Withdrawals root.
    pub withdrawals_root: B256,
    /// Blob gas used (deneb).
    pub blob_gas_used: u64,
    /// Excess blob gas (deneb).
    pub excess_blob_gas: u64,
}

impl Default for ExecutionPayloadHeader {
    fn default() -> Self {
        Self::from_capella(CapellaExecutionPayloadHeader::default())
    }
}

impl Default for CapellaExecutionPayloadHeader {
    fn default() -> Self {
        Self {
            parent_hash: [0; 32],
            fee_recipient: [0; 20],
            state_root: [0; 32],
            receipts_root: [0; 32],
            logs_bloom: [0; 256],
            prev_randao: [0; 32],
            block_number: 0,
            gas_limit: 0,
            gas_used: 0,
            timestamp: 0,
            extra_data: ExtraData::default(),
            base_fee_per_gas: [0; 32],
            block_hash: [0; 32],
            transactions_root: [0; 32],
            withdrawals_root: [0; 32],
        }
    }
}

impl ExecutionPayloadHeader {
    /// `upgrade_lc_header_to_deneb` for the execution part: blob fields start at zero.
    pub fn from_capella(h: CapellaExecutionPayloadHeader) -> Self {
        Self {
            parent_hash: h.parent_hash,
            fee_recipient: h.fee_recipient,
            state_root: h.state_root,
            receipts_root: h.receipts_root,
            logs_bloom: h.logs_bloom,
            prev_randao: h.prev_randao,
            block_number: h.block_number,
            gas_limit: h.gas_limit,
            gas_used: h.gas_used,
            timestamp: h.timestamp,
            extra_data: h.extra_data,
            base_fee_per_gas: h.base_fee_per_gas,
            block_hash: h.block_hash,
            transactions_root: h.transactions_root,
            withdrawals_root: h.withdrawals_root,
            blob_gas_used: 0,
            excess_blob_gas: 0,
        }
    }

    /// The same header as the capella type (blob fields dropped), as `get_lc_execution_root`
    /// hashes it for headers of capella epochs.
    pub fn to_capella(&self) -> CapellaExecutionPayloadHeader {
        CapellaExecutionPayloadHeader {
            parent_hash: self.parent_hash,
            fee_recipient: self.fee_recipient,
            state_root: self.state_root,
            receipts_root: self.receipts_root,
            logs_bloom: self.logs_bloom,
            prev_randao: self.prev_randao,
            block_number: self.block_number,
            gas_limit: self.gas_limit,
            gas_used: self.gas_used,
            timestamp: self.timestamp,
            extra_data: self.extra_data.clone(),
            base_fee_per_gas: self.base_fee_per_gas,
            block_hash: self.block_hash,
            transactions_root: self.transactions_root,
            withdrawals_root: self.withdrawals_root,
        }
    }
}

/// Keeps `Vec` in scope for the derive macros.
#[allow(dead_code)]
type DeriveScope = Vec<u8>;
