//! `ssz_static` runner for the Deneb, Electra and Fulu mainnet vectors, with a differential oracle.
//!
//! For every case `mainnet/<fork>/ssz_static/<Type>/ssz_random/case_N/` the runner
//!
//! 1. decodes `serialized.ssz_snappy` with Mana's libssz container for that fork and type,
//!    re-encodes it and requires the bytes to be identical;
//! 2. requires `hash_tree_root` (through [`mana_primitives::sha256`]) to equal `roots.yaml`;
//! 3. requires a truncated input (last byte dropped) and an input with one extra trailing byte to
//!    be rejected with an error for every fixed-size type, and a truncated input not to panic for
//!    variable-size ones;
//! 4. decodes the same bytes with an independent mirror of the type built on `ethereum_ssz` +
//!    `tree_hash` (module [`oracle`]) and requires its encoding and root to agree.
//!
//! `value.yaml` is not compared: the two SSZ checks above pin the value down completely.

use std::path::{Path, PathBuf};

use libssz::{SszDecode, SszEncode};
use libssz_merkle::{HashTreeRoot, Sha256Hasher};
use mana_consensus::types::{block as b, common as c, light_client as lc};
use mana_tests::{Tally, consensus_tests, hex_array, read_ssz_snappy, read_yaml, subdirs};

/// The forks whose `ssz_static` vectors this runner covers.
const FORKS: [&str; 3] = ["deneb", "electra", "fulu"];

/// `hash_tree_root` through Mana's own SHA-256.
struct ManaSha256;

impl Sha256Hasher for ManaSha256 {
    fn hash(&self, data: &[u8]) -> [u8; 32] {
        mana_primitives::sha256(data)
    }
}

/// One case check: the case directory in, a reason out on failure.
type CaseFn = fn(&Path) -> Result<(), String>;

/// Runs every check of one case with libssz type `L` and oracle type `O`.
fn check<L, O>(dir: &Path) -> Result<(), String>
where
    L: SszEncode + SszDecode + HashTreeRoot,
    O: ssz::Encode + ssz::Decode + tree_hash::TreeHash,
{
    let bytes = read_ssz_snappy(&dir.join("serialized.ssz_snappy"));
    let roots = read_yaml(&dir.join("roots.yaml"));
    let root_hex = roots["root"].as_str().ok_or("roots.yaml: no `root`")?;
    let expected: [u8; 32] = hex_array(root_hex);

    // Mana (libssz).
    let value = L::from_ssz_bytes(&bytes).map_err(|e| format!("decode: {e:?}"))?;
    if value.to_ssz() != bytes {
        return Err("re-encoding differs from the serialized bytes".into());
    }
    let root = value.hash_tree_root(&ManaSha256);
    if root != expected {
        return Err(format!("root 0x{} != expected {root_hex}", hex::encode(root)));
    }

    // Malformed inputs.
    if let Some((_, truncated)) = bytes.split_last() {
        let result = L::from_ssz_bytes(truncated);
        if <L as SszDecode>::is_fixed_size() && result.is_ok() {
            return Err("truncated input of a fixed-size type decoded".into());
        }
    }
    if <L as SszDecode>::is_fixed_size() {
        let mut extended = bytes.clone();
        extended.push(0);
        if L::from_ssz_bytes(&extended).is_ok() {
            return Err("input with a trailing byte decoded as a fixed-size type".into());
        }
    }

    // Oracle (ethereum_ssz + tree_hash).
    let mirror = O::from_ssz_bytes(&bytes).map_err(|e| format!("oracle decode: {e:?}"))?;
    if mirror.as_ssz_bytes() != bytes {
        return Err("oracle re-encoding differs from the serialized bytes".into());
    }
    let oracle_root = mirror.tree_hash_root().0;
    if oracle_root != root {
        return Err(format!(
            "oracle root 0x{} != mana root 0x{}",
            hex::encode(oracle_root),
            hex::encode(root)
        ));
    }
    Ok(())
}

/// Maps type names to `check::<libssz type, oracle type>`.
macro_rules! table {
    ($name:expr; $($ty:literal => $l:ty, $o:ty;)*) => {
        match $name {
            $($ty => Some(check::<$l, $o> as CaseFn),)*
            _ => None,
        }
    };
}

/// Types with one shape in every covered fork.
fn shared_runner(name: &str) -> Option<CaseFn> {
    use oracle as o;
    table! { name;
        "AttestationData" => b::AttestationData, o::AttestationData;
        "BLSToExecutionChange" => b::BlsToExecutionChange, o::BlsToExecutionChange;
        "BeaconBlockHeader" => c::BeaconBlockHeader, o::BeaconBlockHeader;
        "BlobIdentifier" => b::BlobIdentifier, o::BlobIdentifier;
        "BlobSidecar" => b::BlobSidecar, o::BlobSidecar;
        "Checkpoint" => c::Checkpoint, o::Checkpoint;
        "ContributionAndProof" => b::ContributionAndProof, o::ContributionAndProof;
        "Eth1Data" => b::Eth1Data, o::Eth1Data;
        "ExecutionPayload" => b::ExecutionPayload, o::ExecutionPayload;
        "ExecutionPayloadHeader" => c::ExecutionPayloadHeader, o::ExecutionPayloadHeader;
        "Fork" => c::ForkInfo, o::Fork;
        "ForkData" => c::ForkData, o::ForkData;
        "LightClientHeader" => lc::DenebLightClientHeader, o::LightClientHeader;
        "LightClientOptimisticUpdate" =>
            lc::WireOptimisticUpdate<lc::DenebLightClientHeader, 512>,
            o::LightClientOptimisticUpdate;
        "SignedBLSToExecutionChange" => b::SignedBlsToExecutionChange, o::SignedBlsToExecutionChange;
        "SignedBeaconBlockHeader" => c::SignedBeaconBlockHeader, o::SignedBeaconBlockHeader;
        "SignedContributionAndProof" => b::SignedContributionAndProof, o::SignedContributionAndProof;
        "SignedVoluntaryExit" => b::SignedVoluntaryExit, o::SignedVoluntaryExit;
        "SigningData" => c::SigningData, o::SigningData;
        "SyncAggregate" => c::SyncAggregate<512>, o::SyncAggregate;
        "SyncAggregatorSelectionData" => b::SyncAggregatorSelectionData, o::SyncAggregatorSelectionData;
        "SyncCommittee" => c::SyncCommittee<512>, o::SyncCommittee;
        "SyncCommitteeContribution" => b::SyncCommitteeContribution, o::SyncCommitteeContribution;
        "SyncCommitteeMessage" => b::SyncCommitteeMessage, o::SyncCommitteeMessage;
        "VoluntaryExit" => b::VoluntaryExit, o::VoluntaryExit;
        "Withdrawal" => b::Withdrawal, o::Withdrawal;
    }
}

/// Types whose shape is Deneb's.
fn deneb_runner(name: &str) -> Option<CaseFn> {
    use oracle as o;
    use ssz_types::typenum::{U5, U6};
    table! { name;
        "AggregateAndProof" => b::Phase0AggregateAndProof, o::Phase0AggregateAndProof;
        "Attestation" => b::Phase0Attestation, o::Phase0Attestation;
        "BeaconBlock" => b::DenebBeaconBlock, o::DenebBeaconBlock;
        "BeaconBlockBody" => b::DenebBeaconBlockBody, o::DenebBeaconBlockBody;
        "LightClientBootstrap" =>
            lc::WireBootstrap<lc::DenebLightClientHeader, 512, 5>, o::LightClientBootstrap<U5>;
        "LightClientFinalityUpdate" =>
            lc::WireFinalityUpdate<lc::DenebLightClientHeader, 512, 6>,
            o::LightClientFinalityUpdate<U6>;
        "LightClientUpdate" => lc::DenebLightClientUpdate<512>, o::LightClientUpdate<U5, U6>;
        "SignedAggregateAndProof" =>
            b::Phase0SignedAggregateAndProof, o::Phase0SignedAggregateAndProof;
        "SignedBeaconBlock" => b::DenebSignedBeaconBlock, o::DenebSignedBeaconBlock;
    }
}

/// Types whose shape is Electra's (also Fulu's).
fn electra_runner(name: &str) -> Option<CaseFn> {
    use oracle as o;
    use ssz_types::typenum::{U6, U7};
    table! { name;
        "AggregateAndProof" => b::ElectraAggregateAndProof, o::ElectraAggregateAndProof;
        "Attestation" => b::ElectraAttestation, o::ElectraAttestation;
        "BeaconBlock" => b::ElectraBeaconBlock, o::ElectraBeaconBlock;
        "BeaconBlockBody" => b::ElectraBeaconBlockBody, o::ElectraBeaconBlockBody;
        "ConsolidationRequest" => b::ConsolidationRequest, o::ConsolidationRequest;
        "DepositRequest" => b::DepositRequest, o::DepositRequest;
        "ExecutionRequests" => b::ExecutionRequests, o::ExecutionRequests;
        "LightClientBootstrap" =>
            lc::WireBootstrap<lc::DenebLightClientHeader, 512, 6>, o::LightClientBootstrap<U6>;
        "LightClientFinalityUpdate" =>
            lc::WireFinalityUpdate<lc::DenebLightClientHeader, 512, 7>,
            o::LightClientFinalityUpdate<U7>;
        "LightClientUpdate" => lc::ElectraLightClientUpdate<512>, o::LightClientUpdate<U6, U7>;
        "SignedAggregateAndProof" =>
            b::ElectraSignedAggregateAndProof, o::ElectraSignedAggregateAndProof;
        "SignedBeaconBlock" => b::ElectraSignedBeaconBlock, o::ElectraSignedBeaconBlock;
        "SingleAttestation" => b::SingleAttestation, o::SingleAttestation;
        "WithdrawalRequest" => b::WithdrawalRequest, o::WithdrawalRequest;
    }
}

/// Types new in Fulu.
fn fulu_runner(name: &str) -> Option<CaseFn> {
    use oracle as o;
    table! { name;
        "DataColumnSidecar" => b::DataColumnSidecar, o::DataColumnSidecar;
        "DataColumnsByRootIdentifier" => b::DataColumnsByRootIdentifier, o::DataColumnsByRootIdentifier;
    }
}

/// The check for type `name` in `fork`.
fn runner(fork: &str, name: &str) -> Option<CaseFn> {
    shared_runner(name).or_else(|| match fork {
        "deneb" => deneb_runner(name),
        "electra" => electra_runner(name),
        "fulu" => electra_runner(name).or_else(|| fulu_runner(name)),
        _ => None,
    })
}

#[test]
fn ssz_static() {
    let mut tally = Tally::new("ssz_static");
    let mut roots: Vec<PathBuf> = Vec::new();
    for fork in FORKS {
        let root = consensus_tests().join("mainnet").join(fork).join("ssz_static");
        assert!(root.is_dir(), "missing fixture directory {}", root.display());
        for type_dir in subdirs(&root) {
            let name = type_dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let check = runner(fork, name);
            for suite in subdirs(&type_dir) {
                for case in subdirs(&suite) {
                    // `value.yaml` is the YAML view of `serialized`; the byte and root checks
                    // cover it.
                    tally.touch_dir(&case);
                    match check {
                        Some(check) => tally.run(&case, || check(&case)),
                        None => tally.record(&case, Err(format!("no runner for {fork}/{name}"))),
                    }
                }
            }
        }
        roots.push(root);
    }
    tally.finish(&roots);
}

/// Independent mirrors of the same containers on `ethereum_ssz` + `tree_hash` + `ssz_types`,
/// written from the spec text with typenum lengths, as the differential oracle.
mod oracle {
    use ssz_derive::{Decode, Encode};
    use ssz_types::typenum::{
        U4, U16, U17, U32, U33, U64, U128, U512, U2048, U4096, U8192, U131072, U1048576,
        U1073741824, Unsigned,
    };
    use ssz_types::{BitList, BitVector, FixedVector, VariableList};
    use tree_hash_derive::TreeHash;

    type Root = [u8; 32];
    type Pubkey = [u8; 48];
    type Signature = [u8; 96];
    type Address = [u8; 20];
    type Bytes48 = [u8; 48];

    #[derive(Encode, Decode, TreeHash)]
    pub struct Fork {
        previous_version: [u8; 4],
        current_version: [u8; 4],
        epoch: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ForkData {
        current_version: [u8; 4],
        genesis_validators_root: Root,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct Checkpoint {
        epoch: u64,
        root: Root,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SigningData {
        object_root: Root,
        domain: Root,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct BeaconBlockHeader {
        slot: u64,
        proposer_index: u64,
        parent_root: Root,
        state_root: Root,
        body_root: Root,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SignedBeaconBlockHeader {
        message: BeaconBlockHeader,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct Eth1Data {
        deposit_root: Root,
        deposit_count: u64,
        block_hash: Root,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct AttestationData {
        slot: u64,
        index: u64,
        beacon_block_root: Root,
        source: Checkpoint,
        target: Checkpoint,
    }

    /// `IndexedAttestation` with an index limit of `N`.
    #[derive(Encode, Decode, TreeHash)]
    pub struct IndexedAttestation<N: Unsigned> {
        attesting_indices: VariableList<u64, N>,
        data: AttestationData,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct AttesterSlashing<N: Unsigned> {
        attestation_1: IndexedAttestation<N>,
        attestation_2: IndexedAttestation<N>,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ProposerSlashing {
        signed_header_1: SignedBeaconBlockHeader,
        signed_header_2: SignedBeaconBlockHeader,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct Phase0Attestation {
        aggregation_bits: BitList<U2048>,
        data: AttestationData,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ElectraAttestation {
        aggregation_bits: BitList<U131072>,
        data: AttestationData,
        signature: Signature,
        committee_bits: BitVector<U64>,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SingleAttestation {
        committee_index: u64,
        attester_index: u64,
        data: AttestationData,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct DepositData {
        pubkey: Pubkey,
        withdrawal_credentials: Root,
        amount: u64,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct Deposit {
        proof: FixedVector<Root, U33>,
        data: DepositData,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct VoluntaryExit {
        epoch: u64,
        validator_index: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SignedVoluntaryExit {
        message: VoluntaryExit,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct Phase0AggregateAndProof {
        aggregator_index: u64,
        aggregate: Phase0Attestation,
        selection_proof: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct Phase0SignedAggregateAndProof {
        message: Phase0AggregateAndProof,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ElectraAggregateAndProof {
        aggregator_index: u64,
        aggregate: ElectraAttestation,
        selection_proof: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ElectraSignedAggregateAndProof {
        message: ElectraAggregateAndProof,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SyncAggregate {
        sync_committee_bits: BitVector<U512>,
        sync_committee_signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SyncCommittee {
        pubkeys: FixedVector<Pubkey, U512>,
        aggregate_pubkey: Pubkey,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SyncCommitteeMessage {
        slot: u64,
        beacon_block_root: Root,
        validator_index: u64,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SyncCommitteeContribution {
        slot: u64,
        beacon_block_root: Root,
        subcommittee_index: u64,
        aggregation_bits: BitVector<U128>,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ContributionAndProof {
        aggregator_index: u64,
        contribution: SyncCommitteeContribution,
        selection_proof: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SignedContributionAndProof {
        message: ContributionAndProof,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SyncAggregatorSelectionData {
        slot: u64,
        subcommittee_index: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct Withdrawal {
        index: u64,
        validator_index: u64,
        address: Address,
        amount: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct BlsToExecutionChange {
        validator_index: u64,
        from_bls_pubkey: Pubkey,
        to_execution_address: Address,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct SignedBlsToExecutionChange {
        message: BlsToExecutionChange,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ExecutionPayload {
        parent_hash: Root,
        fee_recipient: Address,
        state_root: Root,
        receipts_root: Root,
        logs_bloom: FixedVector<u8, ssz_types::typenum::U256>,
        prev_randao: Root,
        block_number: u64,
        gas_limit: u64,
        gas_used: u64,
        timestamp: u64,
        extra_data: VariableList<u8, U32>,
        base_fee_per_gas: [u8; 32],
        block_hash: Root,
        transactions: VariableList<VariableList<u8, U1073741824>, U1048576>,
        withdrawals: VariableList<Withdrawal, U16>,
        blob_gas_used: u64,
        excess_blob_gas: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ExecutionPayloadHeader {
        parent_hash: Root,
        fee_recipient: Address,
        state_root: Root,
        receipts_root: Root,
        logs_bloom: FixedVector<u8, ssz_types::typenum::U256>,
        prev_randao: Root,
        block_number: u64,
        gas_limit: u64,
        gas_used: u64,
        timestamp: u64,
        extra_data: VariableList<u8, U32>,
        base_fee_per_gas: [u8; 32],
        block_hash: Root,
        transactions_root: Root,
        withdrawals_root: Root,
        blob_gas_used: u64,
        excess_blob_gas: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct DepositRequest {
        pubkey: Pubkey,
        withdrawal_credentials: Root,
        amount: u64,
        signature: Signature,
        index: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct WithdrawalRequest {
        source_address: Address,
        validator_pubkey: Pubkey,
        amount: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ConsolidationRequest {
        source_address: Address,
        source_pubkey: Pubkey,
        target_pubkey: Pubkey,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ExecutionRequests {
        deposits: VariableList<DepositRequest, U8192>,
        withdrawals: VariableList<WithdrawalRequest, U16>,
        consolidations: VariableList<ConsolidationRequest, ssz_types::typenum::U2>,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct DenebBeaconBlockBody {
        randao_reveal: Signature,
        eth1_data: Eth1Data,
        graffiti: Root,
        proposer_slashings: VariableList<ProposerSlashing, U16>,
        attester_slashings: VariableList<AttesterSlashing<U2048>, ssz_types::typenum::U2>,
        attestations: VariableList<Phase0Attestation, U128>,
        deposits: VariableList<Deposit, U16>,
        voluntary_exits: VariableList<SignedVoluntaryExit, U16>,
        sync_aggregate: SyncAggregate,
        execution_payload: ExecutionPayload,
        bls_to_execution_changes: VariableList<SignedBlsToExecutionChange, U16>,
        blob_kzg_commitments: VariableList<Bytes48, U4096>,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ElectraBeaconBlockBody {
        randao_reveal: Signature,
        eth1_data: Eth1Data,
        graffiti: Root,
        proposer_slashings: VariableList<ProposerSlashing, U16>,
        attester_slashings: VariableList<AttesterSlashing<U131072>, ssz_types::typenum::U1>,
        attestations: VariableList<ElectraAttestation, ssz_types::typenum::U8>,
        deposits: VariableList<Deposit, U16>,
        voluntary_exits: VariableList<SignedVoluntaryExit, U16>,
        sync_aggregate: SyncAggregate,
        execution_payload: ExecutionPayload,
        bls_to_execution_changes: VariableList<SignedBlsToExecutionChange, U16>,
        blob_kzg_commitments: VariableList<Bytes48, U4096>,
        execution_requests: ExecutionRequests,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct DenebBeaconBlock {
        slot: u64,
        proposer_index: u64,
        parent_root: Root,
        state_root: Root,
        body: DenebBeaconBlockBody,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ElectraBeaconBlock {
        slot: u64,
        proposer_index: u64,
        parent_root: Root,
        state_root: Root,
        body: ElectraBeaconBlockBody,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct DenebSignedBeaconBlock {
        message: DenebBeaconBlock,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct ElectraSignedBeaconBlock {
        message: ElectraBeaconBlock,
        signature: Signature,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct BlobSidecar {
        index: u64,
        blob: FixedVector<u8, U131072>,
        kzg_commitment: Bytes48,
        kzg_proof: Bytes48,
        signed_block_header: SignedBeaconBlockHeader,
        kzg_commitment_inclusion_proof: FixedVector<Root, U17>,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct BlobIdentifier {
        block_root: Root,
        index: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct DataColumnSidecar {
        index: u64,
        column: VariableList<FixedVector<u8, U2048>, U4096>,
        kzg_commitments: VariableList<Bytes48, U4096>,
        kzg_proofs: VariableList<Bytes48, U4096>,
        signed_block_header: SignedBeaconBlockHeader,
        kzg_commitments_inclusion_proof: FixedVector<Root, U4>,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct DataColumnsByRootIdentifier {
        block_root: Root,
        columns: VariableList<u64, U128>,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct LightClientHeader {
        beacon: BeaconBlockHeader,
        execution: ExecutionPayloadHeader,
        execution_branch: FixedVector<Root, U4>,
    }

    /// `LightClientBootstrap` with a current-committee branch of `CB` nodes.
    #[derive(Encode, Decode, TreeHash)]
    pub struct LightClientBootstrap<CB: Unsigned> {
        header: LightClientHeader,
        current_sync_committee: SyncCommittee,
        current_sync_committee_branch: FixedVector<Root, CB>,
    }

    /// `LightClientUpdate` with next-committee and finality branches of `NB` and `FB` nodes.
    #[derive(Encode, Decode, TreeHash)]
    pub struct LightClientUpdate<NB: Unsigned, FB: Unsigned> {
        attested_header: LightClientHeader,
        next_sync_committee: SyncCommittee,
        next_sync_committee_branch: FixedVector<Root, NB>,
        finalized_header: LightClientHeader,
        finality_branch: FixedVector<Root, FB>,
        sync_aggregate: SyncAggregate,
        signature_slot: u64,
    }

    /// `LightClientFinalityUpdate` with a finality branch of `FB` nodes.
    #[derive(Encode, Decode, TreeHash)]
    pub struct LightClientFinalityUpdate<FB: Unsigned> {
        attested_header: LightClientHeader,
        finalized_header: LightClientHeader,
        finality_branch: FixedVector<Root, FB>,
        sync_aggregate: SyncAggregate,
        signature_slot: u64,
    }

    #[derive(Encode, Decode, TreeHash)]
    pub struct LightClientOptimisticUpdate {
        attested_header: LightClientHeader,
        sync_aggregate: SyncAggregate,
        signature_slot: u64,
    }
}
