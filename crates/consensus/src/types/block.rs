//! Beacon blocks, their operations and the gossip/req-resp containers around them, with the
//! mainnet preset (consensus-specs v1.6.1, `presets/mainnet/*.yaml`).
//!
//! Shapes follow the Deneb, Electra and Fulu forks. Where a container changed between those forks
//! the type carries the name of the fork that last defined it (`Phase0Attestation` until Deneb,
//! `ElectraAttestation` from Electra on); Fulu changes no container listed here and uses the
//! Electra shapes. Types shared with the light client live in [`super::common`] and are reused.

use alloc::vec::Vec;

use libssz_derive::{HashTreeRoot, SszDecode, SszEncode};
use libssz_types::{SszBitlist, SszBitvector, SszList, SszVector};

use super::common::{
    B256, BlsPubkey, BlsSignature, Checkpoint, ExecutionAddress, ExtraData, LogsBloom,
    SignedBeaconBlockHeader, SyncAggregate, U256Le,
};

// ---------------------------------------------------------------------------------------------
// Preset values (mainnet).
// ---------------------------------------------------------------------------------------------

/// `MAX_VALIDATORS_PER_COMMITTEE` (phase0 preset).
pub const MAX_VALIDATORS_PER_COMMITTEE: usize = 2048;
/// `MAX_COMMITTEES_PER_SLOT` (phase0 preset).
pub const MAX_COMMITTEES_PER_SLOT: usize = 64;
/// `MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT`: the electra aggregation-bit and
/// attesting-index limit (electra `beacon-chain.md`, `Attestation`, `IndexedAttestation`).
pub const MAX_ATTESTERS_PER_SLOT: usize = 131_072;
/// `MAX_PROPOSER_SLASHINGS` (phase0 preset).
pub const MAX_PROPOSER_SLASHINGS: usize = 16;
/// `MAX_ATTESTER_SLASHINGS` (phase0 preset).
pub const MAX_ATTESTER_SLASHINGS: usize = 2;
/// `MAX_ATTESTATIONS` (phase0 preset).
pub const MAX_ATTESTATIONS: usize = 128;
/// `MAX_DEPOSITS` (phase0 preset).
pub const MAX_DEPOSITS: usize = 16;
/// `MAX_VOLUNTARY_EXITS` (phase0 preset).
pub const MAX_VOLUNTARY_EXITS: usize = 16;
/// `DEPOSIT_CONTRACT_TREE_DEPTH + 1` (phase0 `beacon-chain.md`, constants): the length of a
/// deposit proof, the extra node being the mixed-in deposit count.
pub const DEPOSIT_PROOF_LENGTH: usize = 33;
/// `SYNC_COMMITTEE_SIZE` (altair preset).
pub const SYNC_COMMITTEE_SIZE: usize = 512;
/// `SYNC_COMMITTEE_SIZE // SYNC_COMMITTEE_SUBNET_COUNT` (altair `validator.md`, constants: 4
/// subnets): the members of one sync subcommittee.
pub const SYNC_SUBCOMMITTEE_SIZE: usize = 128;
/// `MAX_BYTES_PER_TRANSACTION` (bellatrix preset).
pub const MAX_BYTES_PER_TRANSACTION: usize = 1_073_741_824;
/// `MAX_TRANSACTIONS_PER_PAYLOAD` (bellatrix preset).
pub const MAX_TRANSACTIONS_PER_PAYLOAD: usize = 1_048_576;
/// `MAX_WITHDRAWALS_PER_PAYLOAD` (capella preset).
pub const MAX_WITHDRAWALS_PER_PAYLOAD: usize = 16;
/// `MAX_BLS_TO_EXECUTION_CHANGES` (capella preset).
pub const MAX_BLS_TO_EXECUTION_CHANGES: usize = 16;
/// `MAX_BLOB_COMMITMENTS_PER_BLOCK` (deneb preset).
pub const MAX_BLOB_COMMITMENTS_PER_BLOCK: usize = 4096;
/// `KZG_COMMITMENT_INCLUSION_PROOF_DEPTH` (deneb preset).
pub const KZG_COMMITMENT_INCLUSION_PROOF_DEPTH: usize = 17;
/// `BYTES_PER_BLOB` = `BYTES_PER_FIELD_ELEMENT * FIELD_ELEMENTS_PER_BLOB` = 32 * 4096 (deneb
/// `polynomial-commitments.md` and preset).
pub const BYTES_PER_BLOB: usize = 131_072;
/// `MAX_ATTESTER_SLASHINGS_ELECTRA` (electra preset).
pub const MAX_ATTESTER_SLASHINGS_ELECTRA: usize = 1;
/// `MAX_ATTESTATIONS_ELECTRA` (electra preset).
pub const MAX_ATTESTATIONS_ELECTRA: usize = 8;
/// `MAX_DEPOSIT_REQUESTS_PER_PAYLOAD` (electra preset).
pub const MAX_DEPOSIT_REQUESTS_PER_PAYLOAD: usize = 8192;
/// `MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD` (electra preset).
pub const MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD: usize = 16;
/// `MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD` (electra preset).
pub const MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD: usize = 2;
/// `KZG_COMMITMENTS_INCLUSION_PROOF_DEPTH` (fulu preset).
pub const KZG_COMMITMENTS_INCLUSION_PROOF_DEPTH: usize = 4;
/// `BYTES_PER_CELL` = `BYTES_PER_FIELD_ELEMENT * FIELD_ELEMENTS_PER_CELL` = 32 * 64 (fulu
/// `polynomial-commitments-sampling.md` and preset).
pub const BYTES_PER_CELL: usize = 2048;
/// `NUMBER_OF_COLUMNS` = `CELLS_PER_EXT_BLOB` (fulu `das-core.md`, size parameters; preset).
pub const NUMBER_OF_COLUMNS: usize = 128;

// The products above are written out as literals; these checks keep them tied to their factors.
const _: () =
    assert!(MAX_ATTESTERS_PER_SLOT == MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT);
const _: () = assert!(SYNC_SUBCOMMITTEE_SIZE == SYNC_COMMITTEE_SIZE / 4);
const _: () = assert!(BYTES_PER_BLOB == 32 * 4096);
const _: () = assert!(BYTES_PER_CELL == 32 * 64);

// ---------------------------------------------------------------------------------------------
// Custom types.
// ---------------------------------------------------------------------------------------------

/// `KZGCommitment` (deneb `polynomial-commitments.md`, custom types): `Bytes48`.
pub type KzgCommitment = [u8; 48];
/// `KZGProof` (deneb `polynomial-commitments.md`, custom types): `Bytes48`.
pub type KzgProof = [u8; 48];
/// `Transaction` (bellatrix `beacon-chain.md`, custom types):
/// `ByteList[MAX_BYTES_PER_TRANSACTION]`.
pub type Transaction = SszList<u8, MAX_BYTES_PER_TRANSACTION>;
/// `Blob` (deneb `polynomial-commitments.md`, custom types): `ByteVector[BYTES_PER_BLOB]`.
///
/// Held as a heap-backed vector rather than `[u8; 131072]` so that a blob sidecar never sits on
/// the stack (128 KiB would overflow small wasm and embedded stacks); the encoding and root are
/// those of the byte vector.
pub type Blob = SszVector<u8, BYTES_PER_BLOB>;
/// `Cell` (fulu `polynomial-commitments-sampling.md`, custom types): `ByteVector[BYTES_PER_CELL]`.
pub type Cell = [u8; BYTES_PER_CELL];

// ---------------------------------------------------------------------------------------------
// Phase0 containers still in use.
// ---------------------------------------------------------------------------------------------

/// `Eth1Data` (phase0 `beacon-chain.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Eth1Data {
    /// Root of the deposit tree.
    pub deposit_root: B256,
    /// Number of deposits in the tree.
    pub deposit_count: u64,
    /// Execution block hash the vote refers to.
    pub block_hash: B256,
}

/// `AttestationData` (phase0 `beacon-chain.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct AttestationData {
    /// Slot of the attestation.
    pub slot: u64,
    /// Committee index (always 0 from Electra on, the committee moves to `committee_bits`).
    pub index: u64,
    /// LMD GHOST vote.
    pub beacon_block_root: B256,
    /// FFG source.
    pub source: Checkpoint,
    /// FFG target.
    pub target: Checkpoint,
}

/// `IndexedAttestation` (phase0 `beacon-chain.md`, "Containers"); used until Deneb.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Phase0IndexedAttestation {
    /// Sorted indices of the attesters.
    pub attesting_indices: SszList<u64, MAX_VALIDATORS_PER_COMMITTEE>,
    /// The attested data.
    pub data: AttestationData,
    /// Aggregate signature.
    pub signature: BlsSignature,
}

/// `IndexedAttestation` (electra `beacon-chain.md`, "Modified containers": the index limit
/// covers every committee of a slot, EIP-7549).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraIndexedAttestation {
    /// Sorted indices of the attesters.
    pub attesting_indices: SszList<u64, MAX_ATTESTERS_PER_SLOT>,
    /// The attested data.
    pub data: AttestationData,
    /// Aggregate signature.
    pub signature: BlsSignature,
}

/// `ProposerSlashing` (phase0 `beacon-chain.md`, "Beacon operations").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ProposerSlashing {
    /// First signed header.
    pub signed_header_1: SignedBeaconBlockHeader,
    /// Second, conflicting signed header of the same slot and proposer.
    pub signed_header_2: SignedBeaconBlockHeader,
}

/// `AttesterSlashing` (phase0 `beacon-chain.md`, "Beacon operations"); used until Deneb.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Phase0AttesterSlashing {
    /// First attestation.
    pub attestation_1: Phase0IndexedAttestation,
    /// Second, conflicting attestation.
    pub attestation_2: Phase0IndexedAttestation,
}

/// `AttesterSlashing` (electra `beacon-chain.md`, "Modified containers", EIP-7549).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraAttesterSlashing {
    /// First attestation.
    pub attestation_1: ElectraIndexedAttestation,
    /// Second, conflicting attestation.
    pub attestation_2: ElectraIndexedAttestation,
}

/// `Attestation` (phase0 `beacon-chain.md`, "Beacon operations"); used until Deneb.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Phase0Attestation {
    /// One bit per member of the committee.
    pub aggregation_bits: SszBitlist<MAX_VALIDATORS_PER_COMMITTEE>,
    /// The attested data.
    pub data: AttestationData,
    /// Aggregate signature.
    pub signature: BlsSignature,
}

/// `Attestation` (electra `beacon-chain.md`, "Modified containers", EIP-7549): the bits of
/// several committees, concatenated, and a bit per committee present.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraAttestation {
    /// One bit per member of every included committee, in committee order.
    pub aggregation_bits: SszBitlist<MAX_ATTESTERS_PER_SLOT>,
    /// The attested data.
    pub data: AttestationData,
    /// Aggregate signature.
    pub signature: BlsSignature,
    /// Committees included in `aggregation_bits`.
    pub committee_bits: SszBitvector<MAX_COMMITTEES_PER_SLOT>,
}

/// `DepositData` (phase0 `beacon-chain.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DepositData {
    /// Validator public key.
    pub pubkey: BlsPubkey,
    /// Withdrawal credentials.
    pub withdrawal_credentials: B256,
    /// Amount in Gwei.
    pub amount: u64,
    /// Proof of possession over the `DepositMessage`.
    pub signature: BlsSignature,
}

/// `Deposit` (phase0 `beacon-chain.md`, "Beacon operations").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Deposit {
    /// Merkle proof of `data` against the deposit root (with the count mixed in).
    pub proof: SszVector<B256, DEPOSIT_PROOF_LENGTH>,
    /// The deposit.
    pub data: DepositData,
}

/// `VoluntaryExit` (phase0 `beacon-chain.md`, "Beacon operations").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct VoluntaryExit {
    /// Earliest epoch the exit may be processed.
    pub epoch: u64,
    /// Exiting validator.
    pub validator_index: u64,
}

/// `SignedVoluntaryExit` (phase0 `beacon-chain.md`, "Signed envelopes").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SignedVoluntaryExit {
    /// The exit.
    pub message: VoluntaryExit,
    /// The validator's signature.
    pub signature: BlsSignature,
}

/// `AggregateAndProof` (phase0 `validator.md`, "Containers"); used until Deneb.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Phase0AggregateAndProof {
    /// Index of the aggregator.
    pub aggregator_index: u64,
    /// The aggregate.
    pub aggregate: Phase0Attestation,
    /// Slot signature proving aggregator selection.
    pub selection_proof: BlsSignature,
}

/// `SignedAggregateAndProof` (phase0 `validator.md`, "Containers"); used until Deneb.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Phase0SignedAggregateAndProof {
    /// The aggregate and proof.
    pub message: Phase0AggregateAndProof,
    /// The aggregator's signature.
    pub signature: BlsSignature,
}

/// `AggregateAndProof` (electra `validator.md`, "Modified containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraAggregateAndProof {
    /// Index of the aggregator.
    pub aggregator_index: u64,
    /// The aggregate.
    pub aggregate: ElectraAttestation,
    /// Slot signature proving aggregator selection.
    pub selection_proof: BlsSignature,
}

/// `SignedAggregateAndProof` (electra `validator.md`, "Modified containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraSignedAggregateAndProof {
    /// The aggregate and proof.
    pub message: ElectraAggregateAndProof,
    /// The aggregator's signature.
    pub signature: BlsSignature,
}

// ---------------------------------------------------------------------------------------------
// Altair sync-committee duties.
// ---------------------------------------------------------------------------------------------

/// `SyncCommitteeMessage` (altair `validator.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SyncCommitteeMessage {
    /// Slot of the message.
    pub slot: u64,
    /// Block root the member signs.
    pub beacon_block_root: B256,
    /// Index of the signing validator.
    pub validator_index: u64,
    /// Signature over `beacon_block_root`.
    pub signature: BlsSignature,
}

/// `SyncCommitteeContribution` (altair `validator.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SyncCommitteeContribution {
    /// Slot of the contribution.
    pub slot: u64,
    /// Block root the members sign.
    pub beacon_block_root: B256,
    /// Subcommittee the contribution covers.
    pub subcommittee_index: u64,
    /// One bit per subcommittee member.
    pub aggregation_bits: SszBitvector<SYNC_SUBCOMMITTEE_SIZE>,
    /// Aggregate signature of the participants.
    pub signature: BlsSignature,
}

/// `ContributionAndProof` (altair `validator.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ContributionAndProof {
    /// Index of the aggregator.
    pub aggregator_index: u64,
    /// The contribution.
    pub contribution: SyncCommitteeContribution,
    /// Signature proving aggregator selection.
    pub selection_proof: BlsSignature,
}

/// `SignedContributionAndProof` (altair `validator.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SignedContributionAndProof {
    /// The contribution and proof.
    pub message: ContributionAndProof,
    /// The aggregator's signature.
    pub signature: BlsSignature,
}

/// `SyncAggregatorSelectionData` (altair `validator.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SyncAggregatorSelectionData {
    /// Slot of the selection.
    pub slot: u64,
    /// Subcommittee of the selection.
    pub subcommittee_index: u64,
}

// ---------------------------------------------------------------------------------------------
// Capella withdrawals.
// ---------------------------------------------------------------------------------------------

/// `Withdrawal` (capella `beacon-chain.md`, "New containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct Withdrawal {
    /// Global withdrawal index.
    pub index: u64,
    /// Withdrawing validator.
    pub validator_index: u64,
    /// Recipient execution address.
    pub address: ExecutionAddress,
    /// Amount in Gwei.
    pub amount: u64,
}

/// `BLSToExecutionChange` (capella `beacon-chain.md`, "New containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct BlsToExecutionChange {
    /// Validator changing its credentials.
    pub validator_index: u64,
    /// BLS key committed to by the current credentials.
    pub from_bls_pubkey: BlsPubkey,
    /// New execution withdrawal address.
    pub to_execution_address: ExecutionAddress,
}

/// `SignedBLSToExecutionChange` (capella `beacon-chain.md`, "New containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SignedBlsToExecutionChange {
    /// The change.
    pub message: BlsToExecutionChange,
    /// Signature by `from_bls_pubkey`.
    pub signature: BlsSignature,
}

// ---------------------------------------------------------------------------------------------
// Execution payload and requests.
// ---------------------------------------------------------------------------------------------

/// `ExecutionPayload` (deneb `beacon-chain.md`, "Modified containers"; unchanged in electra and
/// fulu). Its header is [`super::common::ExecutionPayloadHeader`].
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ExecutionPayload {
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
    /// Opaque transactions.
    pub transactions: SszList<Transaction, MAX_TRANSACTIONS_PER_PAYLOAD>,
    /// Withdrawals (capella).
    pub withdrawals: SszList<Withdrawal, MAX_WITHDRAWALS_PER_PAYLOAD>,
    /// Blob gas used (deneb).
    pub blob_gas_used: u64,
    /// Excess blob gas (deneb).
    pub excess_blob_gas: u64,
}

/// `DepositRequest` (electra `beacon-chain.md`, "New containers", EIP-6110).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DepositRequest {
    /// Validator public key.
    pub pubkey: BlsPubkey,
    /// Withdrawal credentials.
    pub withdrawal_credentials: B256,
    /// Amount in Gwei.
    pub amount: u64,
    /// Proof of possession.
    pub signature: BlsSignature,
    /// Index in the deposit contract.
    pub index: u64,
}

/// `WithdrawalRequest` (electra `beacon-chain.md`, "New containers", EIP-7002).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct WithdrawalRequest {
    /// Execution address that sent the request.
    pub source_address: ExecutionAddress,
    /// Validator to withdraw from.
    pub validator_pubkey: BlsPubkey,
    /// Amount in Gwei (0 requests a full exit).
    pub amount: u64,
}

/// `ConsolidationRequest` (electra `beacon-chain.md`, "New containers", EIP-7251).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ConsolidationRequest {
    /// Execution address that sent the request.
    pub source_address: ExecutionAddress,
    /// Validator whose balance moves.
    pub source_pubkey: BlsPubkey,
    /// Validator receiving the balance.
    pub target_pubkey: BlsPubkey,
}

/// `ExecutionRequests` (electra `beacon-chain.md`, "New containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ExecutionRequests {
    /// Deposit requests (EIP-6110).
    pub deposits: SszList<DepositRequest, MAX_DEPOSIT_REQUESTS_PER_PAYLOAD>,
    /// Withdrawal requests (EIP-7002).
    pub withdrawals: SszList<WithdrawalRequest, MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD>,
    /// Consolidation requests (EIP-7251).
    pub consolidations: SszList<ConsolidationRequest, MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD>,
}

/// `SingleAttestation` (electra `beacon-chain.md`, "New containers"): the gossip form of an
/// unaggregated attestation.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct SingleAttestation {
    /// Committee of the attester.
    pub committee_index: u64,
    /// The attester.
    pub attester_index: u64,
    /// The attested data.
    pub data: AttestationData,
    /// The attester's signature.
    pub signature: BlsSignature,
}

// ---------------------------------------------------------------------------------------------
// Blocks.
// ---------------------------------------------------------------------------------------------

/// `BeaconBlockBody` (deneb `beacon-chain.md`, "Modified containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DenebBeaconBlockBody {
    /// RANDAO reveal.
    pub randao_reveal: BlsSignature,
    /// Eth1 vote.
    pub eth1_data: Eth1Data,
    /// Graffiti.
    pub graffiti: B256,
    /// Proposer slashings.
    pub proposer_slashings: SszList<ProposerSlashing, MAX_PROPOSER_SLASHINGS>,
    /// Attester slashings.
    pub attester_slashings: SszList<Phase0AttesterSlashing, MAX_ATTESTER_SLASHINGS>,
    /// Attestations.
    pub attestations: SszList<Phase0Attestation, MAX_ATTESTATIONS>,
    /// Deposits.
    pub deposits: SszList<Deposit, MAX_DEPOSITS>,
    /// Voluntary exits.
    pub voluntary_exits: SszList<SignedVoluntaryExit, MAX_VOLUNTARY_EXITS>,
    /// Sync committee aggregate (altair).
    pub sync_aggregate: SyncAggregate<SYNC_COMMITTEE_SIZE>,
    /// Execution payload (bellatrix, modified in deneb).
    pub execution_payload: ExecutionPayload,
    /// BLS-to-execution credential changes (capella).
    pub bls_to_execution_changes: SszList<SignedBlsToExecutionChange, MAX_BLS_TO_EXECUTION_CHANGES>,
    /// Blob KZG commitments (deneb).
    pub blob_kzg_commitments: SszList<KzgCommitment, MAX_BLOB_COMMITMENTS_PER_BLOCK>,
}

/// `BeaconBlockBody` (electra `beacon-chain.md`, "Modified containers"; unchanged in fulu).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraBeaconBlockBody {
    /// RANDAO reveal.
    pub randao_reveal: BlsSignature,
    /// Eth1 vote.
    pub eth1_data: Eth1Data,
    /// Graffiti.
    pub graffiti: B256,
    /// Proposer slashings.
    pub proposer_slashings: SszList<ProposerSlashing, MAX_PROPOSER_SLASHINGS>,
    /// Attester slashings (EIP-7549 shape and limit).
    pub attester_slashings: SszList<ElectraAttesterSlashing, MAX_ATTESTER_SLASHINGS_ELECTRA>,
    /// Attestations (EIP-7549 shape and limit).
    pub attestations: SszList<ElectraAttestation, MAX_ATTESTATIONS_ELECTRA>,
    /// Deposits.
    pub deposits: SszList<Deposit, MAX_DEPOSITS>,
    /// Voluntary exits.
    pub voluntary_exits: SszList<SignedVoluntaryExit, MAX_VOLUNTARY_EXITS>,
    /// Sync committee aggregate (altair).
    pub sync_aggregate: SyncAggregate<SYNC_COMMITTEE_SIZE>,
    /// Execution payload.
    pub execution_payload: ExecutionPayload,
    /// BLS-to-execution credential changes (capella).
    pub bls_to_execution_changes: SszList<SignedBlsToExecutionChange, MAX_BLS_TO_EXECUTION_CHANGES>,
    /// Blob KZG commitments (deneb).
    pub blob_kzg_commitments: SszList<KzgCommitment, MAX_BLOB_COMMITMENTS_PER_BLOCK>,
    /// Execution-layer requests (electra).
    pub execution_requests: ExecutionRequests,
}

/// `BeaconBlock` (phase0 `beacon-chain.md`, "Beacon blocks") with the deneb body.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DenebBeaconBlock {
    /// Slot of the block.
    pub slot: u64,
    /// Index of the proposer.
    pub proposer_index: u64,
    /// Root of the parent block.
    pub parent_root: B256,
    /// Root of the post-state.
    pub state_root: B256,
    /// The body.
    pub body: DenebBeaconBlockBody,
}

/// `BeaconBlock` (phase0 `beacon-chain.md`, "Beacon blocks") with the electra body (also the
/// fulu block).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraBeaconBlock {
    /// Slot of the block.
    pub slot: u64,
    /// Index of the proposer.
    pub proposer_index: u64,
    /// Root of the parent block.
    pub parent_root: B256,
    /// Root of the post-state.
    pub state_root: B256,
    /// The body.
    pub body: ElectraBeaconBlockBody,
}

/// `SignedBeaconBlock` (phase0 `beacon-chain.md`, "Signed envelopes") of a deneb block.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DenebSignedBeaconBlock {
    /// The block.
    pub message: DenebBeaconBlock,
    /// The proposer's signature.
    pub signature: BlsSignature,
}

/// `SignedBeaconBlock` (phase0 `beacon-chain.md`, "Signed envelopes") of an electra or fulu
/// block.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct ElectraSignedBeaconBlock {
    /// The block.
    pub message: ElectraBeaconBlock,
    /// The proposer's signature.
    pub signature: BlsSignature,
}

// ---------------------------------------------------------------------------------------------
// Blob and data-column sidecars.
// ---------------------------------------------------------------------------------------------

/// `BlobSidecar` (deneb `p2p-interface.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct BlobSidecar {
    /// Index of the blob in the block.
    pub index: u64,
    /// The blob.
    pub blob: Blob,
    /// Commitment to the blob.
    pub kzg_commitment: KzgCommitment,
    /// Proof of the blob against the commitment.
    pub kzg_proof: KzgProof,
    /// Header of the block carrying the commitment.
    pub signed_block_header: SignedBeaconBlockHeader,
    /// Proof of the commitment under `signed_block_header.message.body_root`.
    pub kzg_commitment_inclusion_proof: SszVector<B256, KZG_COMMITMENT_INCLUSION_PROOF_DEPTH>,
}

/// `BlobIdentifier` (deneb `p2p-interface.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct BlobIdentifier {
    /// Root of the block.
    pub block_root: B256,
    /// Index of the blob.
    pub index: u64,
}

/// `DataColumnSidecar` (fulu `das-core.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DataColumnSidecar {
    /// Column index.
    pub index: u64,
    /// One cell per blob of the block.
    pub column: SszList<Cell, MAX_BLOB_COMMITMENTS_PER_BLOCK>,
    /// Commitments of every blob of the block.
    pub kzg_commitments: SszList<KzgCommitment, MAX_BLOB_COMMITMENTS_PER_BLOCK>,
    /// One cell proof per cell.
    pub kzg_proofs: SszList<KzgProof, MAX_BLOB_COMMITMENTS_PER_BLOCK>,
    /// Header of the block carrying the commitments.
    pub signed_block_header: SignedBeaconBlockHeader,
    /// Proof of `blob_kzg_commitments` under `signed_block_header.message.body_root`.
    pub kzg_commitments_inclusion_proof: SszVector<B256, KZG_COMMITMENTS_INCLUSION_PROOF_DEPTH>,
}

/// `DataColumnsByRootIdentifier` (fulu `p2p-interface.md`, "Containers").
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DataColumnsByRootIdentifier {
    /// Root of the block.
    pub block_root: B256,
    /// Requested column indices.
    pub columns: SszList<u64, NUMBER_OF_COLUMNS>,
}

/// Keeps `Vec` in scope for the derive macros.
#[allow(dead_code)]
type DeriveScope = Vec<u8>;
