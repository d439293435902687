//! Re-execution of a whole block from its witness (checklist C and D of the stateless notes):
//! revm behind a witness-backed database, the system calls (EIP-4788, EIP-2935) before the
//! transactions, withdrawals and requests (EIP-6110, EIP-7002, EIP-7251) after them, then the
//! comparisons with the header — gas used, receipts root, logs bloom, requests hash (EIP-7685),
//! blob gas used — and the post-state root recomputed on the sparse trie with inserts and
//! updates before deletes.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use alloy_consensus::transaction::Recovered;
use alloy_consensus::{Block, Header, TxEnvelope, TxReceipt};
use alloy_evm::block::{BlockExecutor, BlockExecutorFactory};
use alloy_evm::eth::receipt_builder::AlloyReceiptBuilder;
use alloy_evm::eth::spec::EthExecutorSpec;
use alloy_evm::eth::{EthBlockExecutionCtx, EthBlockExecutorFactory, EthEvmBuilder, EthEvmContext};
use alloy_evm::precompiles::PrecompilesMap;
use alloy_evm::{EvmEnv, EvmFactory};
use alloy_hardforks::{EthereumHardfork, EthereumHardforks, ForkCondition};
use alloy_primitives::map::B256Map;
use alloy_primitives::{Address, B256, Bloom, Bytes, KECCAK256_EMPTY, U256};
use revm::bytecode::Bytecode;
use revm::context::result::{EVMError, HaltReason, ResultAndState};
use revm::context::{BlockEnv, CfgEnv, Context, Evm as RevmEvm, TxEnv};
use revm::database::State;
use revm::database_interface::{DBErrorMarker, Database};
use revm::handler::instructions::EthInstructions;
use revm::handler::{EthFrame, Handler, MainnetHandler, SystemCallTx};
use revm::inspector::NoOpInspector;
use revm::interpreter::interpreter::EthInterpreter;
use revm::primitives::hardfork::SpecId;
use revm::state::AccountInfo;
use revm::{ExecuteEvm, InspectEvm, Inspector, SystemCallEvm};

use crate::mpt::NodePool;
use crate::rules::{self, ChainConfig};
use crate::state_proof::TrieState;
use crate::witness::{AncestorChain, BlockInput, Trusted, verify_ancestry};
use crate::{BlockRule, Error, HeaderField, Result};

/// What a successful verification reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The verified block's hash.
    pub block_hash: B256,
    /// Its number.
    pub number: u64,
    /// Gas used (equal to the header's).
    pub gas_used: u64,
    /// Transactions executed.
    pub transactions: usize,
    /// The post-state root (equal to the header's).
    pub state_root: B256,
}

/// The error type revm sees from the witness database: a crate [`Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessError(pub Error);

impl core::fmt::Display for WitnessError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl core::error::Error for WitnessError {}
impl DBErrorMarker for WitnessError {}

impl From<Error> for WitnessError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

/// The pre-state as the witness proves it: every read walks the sparse trie, an absent account
/// or slot must be proven absent, a missing node or code is an error.
#[derive(Debug)]
pub struct WitnessDb<'a> {
    codes: &'a B256Map<Bytes>,
    ancestors: &'a AncestorChain,
    tries: TrieState<'a>,
    /// The first error returned to the EVM (which only keeps its text).
    failure: Option<Error>,
}

impl<'a> WitnessDb<'a> {
    /// A database over the pre-state `state_root`.
    pub fn new(
        pool: &'a NodePool,
        codes: &'a B256Map<Bytes>,
        ancestors: &'a AncestorChain,
        state_root: B256,
    ) -> Self {
        Self { codes, ancestors, tries: TrieState::new(pool, state_root), failure: None }
    }

    fn note<T>(&mut self, outcome: Result<T>) -> Result<T, WitnessError> {
        outcome.map_err(|e| {
            self.failure.get_or_insert_with(|| e.clone());
            WitnessError(e)
        })
    }
}

impl Database for WitnessDb<'_> {
    type Error = WitnessError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, WitnessError> {
        let account = self.tries.account(address);
        Ok(self.note(account)?.map(|a| AccountInfo {
            balance: a.balance,
            nonce: a.nonce,
            code_hash: a.code_hash,
            code: None,
            ..AccountInfo::default()
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, WitnessError> {
        if code_hash == KECCAK256_EMPTY {
            return Ok(Bytecode::default());
        }
        let code = self.codes.get(&code_hash).cloned().ok_or(Error::MissingCode(code_hash));
        let code = self.note(code)?;
        // Checked: revm's `Bytecode::new_raw` panics on a malformed delegation designator.
        let bytecode = Bytecode::new_raw_checked(code).map_err(|e| Error::MalformedCode {
            hash: code_hash,
            reason: format!(
                "starts with 0xef01 but is not an EIP-7702 delegation designator \
                 (0xef0100 followed by a 20-byte address): {e}"
            ),
        });
        self.note(bytecode)
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, WitnessError> {
        let value = self.tries.slot(address, index);
        self.note(value)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, WitnessError> {
        let hash = self.ancestors.blockhash(number);
        self.note(hash)
    }
}

/// [`ChainConfig`] as the hardfork description the block executor asks: every fork up to the
/// merge is active from genesis (only post-merge blocks are verified), later ones by timestamp.
#[derive(Debug, Clone)]
struct Hardforks(ChainConfig);

impl EthereumHardforks for Hardforks {
    fn ethereum_fork_activation(&self, fork: EthereumHardfork) -> ForkCondition {
        let c = &self.0;
        let at = |t: Option<u64>| t.map_or(ForkCondition::Never, ForkCondition::Timestamp);
        match fork {
            EthereumHardfork::Shanghai => at(c.shanghai_time),
            EthereumHardfork::Cancun => at(c.cancun_time),
            EthereumHardfork::Prague => at(c.prague_time),
            EthereumHardfork::Osaka => at(c.osaka_time),
            EthereumHardfork::Bpo1 => at(c.bpo1_time),
            EthereumHardfork::Bpo2 => at(c.bpo2_time),
            EthereumHardfork::Amsterdam => at(c.amsterdam_time),
            EthereumHardfork::Paris => ForkCondition::TTD {
                activation_block_number: 0,
                fork_block: Some(0),
                total_difficulty: U256::ZERO,
            },
            EthereumHardfork::Dao => ForkCondition::Never,
            EthereumHardfork::Bpo3 | EthereumHardfork::Bpo4 | EthereumHardfork::Bpo5 => {
                ForkCondition::Never
            }
            _ => ForkCondition::Block(0),
        }
    }
}

impl EthExecutorSpec for Hardforks {
    fn deposit_contract_address(&self) -> Option<Address> {
        Some(self.0.deposit_contract)
    }
}

fn mismatch(field: HeaderField, expected: impl ToString, computed: impl ToString) -> Error {
    Error::Mismatch { field, expected: expected.to_string(), computed: computed.to_string() }
}

/// Verifies `input` statelessly: the ancestry against `trusted`, the header, body and
/// transaction rules, then re-execution and every post-execution comparison including the
/// post-state root. The first failing check is the error.
pub fn verify_block(input: &BlockInput, trusted: Trusted, config: &ChainConfig) -> Result<Verdict> {
    verify_block_with_changes(input, trusted, config).map(|(verdict, _)| verdict)
}

/// One account's state after a verified block, as execution left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    /// The account.
    pub address: Address,
    /// `(nonce, balance, code_hash)` after the block; `None` when the account was deleted
    /// (self-destructed, or left empty and so removed per EIP-161).
    pub info: Option<(u64, U256, B256)>,
    /// The storage was cleared before `storage` applies (the account was destroyed or
    /// re-created in the block).
    pub wiped: bool,
    /// Changed slots and their new values (zero: the slot is removed).
    pub storage: Vec<(U256, U256)>,
}

/// The state changes of a verified block: what a caller carrying the full state forward (a
/// test runner building the next block's witness) applies to its own copy of the pre-state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StateChanges {
    /// Every changed account, in no particular order.
    pub accounts: Vec<AccountChange>,
    /// Codes deployed by the block (EIP-7702 delegation designators included).
    pub codes: Vec<Bytes>,
}

/// Like [`verify_block`], and also returns the block's [`StateChanges`] (only for a block that
/// verifies).
pub fn verify_block_with_changes(
    input: &BlockInput,
    trusted: Trusted,
    config: &ChainConfig,
) -> Result<(Verdict, StateChanges)> {
    let block = &input.block;
    let header = &block.header;
    let ancestors = verify_ancestry(header, &input.witness.headers, trusted)?;
    rules::validate_header(header, ancestors.parent(), config)?;
    rules::validate_block_size(block, config)?;
    rules::validate_body(block, config)?;
    let senders = rules::recover_senders(block, input.public_keys.as_deref())?;
    for (index, (tx, sender)) in block.body.transactions.iter().zip(&senders).enumerate() {
        rules::validate_transaction_static(tx, index, header, config, *sender)?;
    }
    let pool = NodePool::from_nodes(&input.witness.state);
    let codes = input.witness.codes_by_hash();
    let db = WitnessDb::new(&pool, &codes, &ancestors, ancestors.pre_state_root());
    let (db, result) = execute(block, &senders, db, config)?;
    rules::validate_deposit_events(&result.receipts, header, config)?;
    compare(header, &result)?;
    let changes = state_changes(&result.bundle);
    let mut db = db;
    let state_root = db.tries.post_state_root(&changes)?;
    if state_root != header.state_root {
        return Err(mismatch(HeaderField::StateRoot, header.state_root, state_root));
    }
    let verdict = Verdict {
        block_hash: ancestors.block_hash(),
        number: header.number,
        gas_used: header.gas_used,
        transactions: block.body.transactions.len(),
        state_root,
    };
    Ok((verdict, changes))
}

fn state_changes(bundle: &revm::database::BundleState) -> StateChanges {
    let accounts = bundle
        .state
        .iter()
        .map(|(address, account)| AccountChange {
            address: *address,
            info: account
                .info
                .as_ref()
                .filter(|i| !i.is_empty())
                .map(|i| (i.nonce, i.balance, i.code_hash)),
            wiped: account.was_destroyed(),
            storage: account.storage.iter().map(|(k, s)| (*k, s.present_value)).collect(),
        })
        .collect();
    let codes = bundle.contracts.values().map(Bytecode::original_bytes).collect();
    StateChanges { accounts, codes }
}

/// The gas limit of a system call (EIP-4788, EIP-2935, EIP-7002, EIP-7251) before Amsterdam.
const SYSTEM_CALL_GAS_LIMIT: u64 = 30_000_000;

/// The revm EVM over the Ethereum context, as [`EthEvmBuilder`] builds it.
type InnerEvm<DB, I> = RevmEvm<
    EthEvmContext<DB>,
    I,
    EthInstructions<EthInterpreter, EthEvmContext<DB>>,
    PrecompilesMap,
    EthFrame,
>;

/// The EVM the block executor drives: Ethereum execution, with system calls given exactly
/// [`SYSTEM_CALL_GAS_LIMIT`] before Amsterdam. (revm's own system call always adds the EIP-8037
/// state-gas reservoir to the 30 million, so a system contract needing slightly more than 30
/// million gas would succeed where the block must be invalid.) From Amsterdam on, revm's
/// budget applies.
struct ManaEvm<DB: alloy_evm::Database, I> {
    inner: InnerEvm<DB, I>,
    /// Transactions run through the inspector.
    inspect: bool,
}

impl<DB, I> alloy_evm::Evm for ManaEvm<DB, I>
where
    DB: alloy_evm::Database,
    I: Inspector<EthEvmContext<DB>>,
{
    type DB = DB;
    type Tx = TxEnv;
    type Error = EVMError<DB::Error>;
    type HaltReason = HaltReason;
    type Spec = SpecId;
    type BlockEnv = BlockEnv;
    type Precompiles = PrecompilesMap;
    type Inspector = I;

    fn block(&self) -> &BlockEnv {
        &self.inner.ctx.block
    }

    fn cfg_env(&self) -> &CfgEnv<SpecId> {
        &self.inner.ctx.cfg
    }

    fn chain_id(&self) -> u64 {
        self.inner.ctx.cfg.chain_id
    }

    fn transact_raw(&mut self, tx: TxEnv) -> Result<ResultAndState<HaltReason>, Self::Error> {
        if self.inspect { self.inner.inspect_tx(tx) } else { self.inner.transact(tx) }
    }

    fn transact_system_call(
        &mut self,
        caller: Address,
        contract: Address,
        data: Bytes,
    ) -> Result<ResultAndState<HaltReason>, Self::Error> {
        if self.inner.ctx.cfg.spec.is_enabled_in(SpecId::AMSTERDAM) {
            return self.inner.system_call_with_caller(caller, contract, data);
        }
        // revm's system transaction (no value, no fees, nonce and chain id unchecked) with the
        // pre-Amsterdam gas limit, run by revm's system-call handler: no validation, no fee
        // deduction, no intrinsic gas.
        let mut tx = TxEnv::new_system_tx_with_caller(caller, contract, data);
        tx.gas_limit = SYSTEM_CALL_GAS_LIMIT;
        self.inner.ctx.tx = tx;
        let result = MainnetHandler::<_, Self::Error, EthFrame>::default()
            .run_system_call(&mut self.inner)?;
        let state = self.inner.finalize();
        Ok(ResultAndState::new(result, state))
    }

    fn finish(self) -> (DB, EvmEnv) {
        let Context { block, cfg, journaled_state, .. } = self.inner.ctx;
        (journaled_state.database, EvmEnv { block_env: block, cfg_env: cfg })
    }

    fn set_inspector_enabled(&mut self, enabled: bool) {
        self.inspect = enabled;
    }

    fn components(&self) -> (&DB, &I, &PrecompilesMap) {
        (&self.inner.ctx.journaled_state.database, &self.inner.inspector, &self.inner.precompiles)
    }

    fn components_mut(&mut self) -> (&mut DB, &mut I, &mut PrecompilesMap) {
        (
            &mut self.inner.ctx.journaled_state.database,
            &mut self.inner.inspector,
            &mut self.inner.precompiles,
        )
    }
}

/// Creates [`ManaEvm`]s for the block executor.
#[derive(Debug, Default, Clone, Copy)]
struct ManaEvmFactory;

impl EvmFactory for ManaEvmFactory {
    type Evm<DB: alloy_evm::Database, I: Inspector<EthEvmContext<DB>>> = ManaEvm<DB, I>;
    type Context<DB: alloy_evm::Database> = EthEvmContext<DB>;
    type Tx = TxEnv;
    type Error<DBError: DBErrorMarker> = EVMError<DBError>;
    type HaltReason = HaltReason;
    type Spec = SpecId;
    type BlockEnv = BlockEnv;
    type Precompiles = PrecompilesMap;

    fn create_evm<DB: alloy_evm::Database>(
        &self,
        db: DB,
        env: EvmEnv,
    ) -> ManaEvm<DB, NoOpInspector> {
        ManaEvm { inner: EthEvmBuilder::new(db, env).build().into_inner(), inspect: false }
    }

    fn create_evm_with_inspector<DB: alloy_evm::Database, I: Inspector<EthEvmContext<DB>>>(
        &self,
        db: DB,
        env: EvmEnv,
        inspector: I,
    ) -> ManaEvm<DB, I> {
        let evm = EthEvmBuilder::new(db, env).activate_inspector(inspector).build();
        ManaEvm { inner: evm.into_inner(), inspect: true }
    }
}

/// What execution produced.
struct Executed {
    receipts: Vec<alloy_consensus::ReceiptEnvelope>,
    requests_hash: Option<B256>,
    gas_used: u64,
    blob_gas_used: u64,
    bundle: revm::database::BundleState,
}

fn execute<'a>(
    block: &Block<TxEnvelope>,
    senders: &[Address],
    db: WitnessDb<'a>,
    config: &ChainConfig,
) -> Result<(WitnessDb<'a>, Executed)> {
    let header = &block.header;
    let spec = Hardforks(config.clone());
    let mut state = State::builder().with_database(db).with_bundle_update().build();
    let env = EvmEnv::for_eth_block(
        header,
        &spec,
        config.chain_id,
        config.blob_params_at(header.timestamp),
    );
    let factory =
        EthBlockExecutorFactory::new(AlloyReceiptBuilder::default(), spec, ManaEvmFactory);
    let recovered: Vec<Recovered<&TxEnvelope>> = block
        .body
        .transactions
        .iter()
        .zip(senders)
        .map(|(tx, sender)| Recovered::new_unchecked(tx, *sender))
        .collect();
    let outcome = {
        #[allow(unused_mut)]
        let mut evm = factory.evm_factory().create_evm(&mut state, env);
        #[cfg(any(target_arch = "x86_64", target_arch = "wasm32"))]
        {
            use alloy_evm::Evm as _;
            crate::precompiles::install(evm.precompiles_mut());
        }
        let ctx = EthBlockExecutionCtx {
            parent_hash: header.parent_hash,
            parent_beacon_block_root: header.parent_beacon_block_root,
            ommers: &[],
            withdrawals: block.body.withdrawals.as_ref().map(|w| Cow::Borrowed(w.as_slice())),
            extra_data: header.extra_data.clone(),
            tx_count_hint: Some(recovered.len()),
            slot_number: None,
        };
        factory.create_executor(evm, ctx).execute_block(recovered.iter().copied())
    };
    let result = match outcome {
        Ok(r) => r,
        // The witness's own error when a read failed (the EVM keeps only its text).
        Err(e) => {
            let failure = state.database.failure.take();
            return Err(failure.unwrap_or_else(|| execution_error(&e, block, senders)));
        }
    };
    let prague = config.prague_time.is_some_and(|t| header.timestamp >= t);
    if prague {
        check_request_contracts(&mut state)?;
    }
    let requests_hash = prague.then(|| result.requests.requests_hash());
    state.merge_transitions(revm::database::states::bundle_state::BundleRetention::PlainState);
    let bundle = state.take_bundle();
    let executed = Executed {
        receipts: result.receipts,
        requests_hash,
        gas_used: result.gas_used,
        blob_gas_used: result.blob_gas_used,
        bundle,
    };
    Ok((state.database, executed))
}

/// EIP-7002 and EIP-7251: a Prague block is invalid when a request contract it calls at the
/// end of the block has no code (the executor would treat the call to an empty account as a
/// success returning no requests). The state read is the post-execution one, so a contract
/// deployed by the block's own transactions counts.
fn check_request_contracts(state: &mut State<WitnessDb<'_>>) -> Result<()> {
    for address in [
        alloy_eips::eip7002::WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
        alloy_eips::eip7251::CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS,
    ] {
        let info = state.basic(address).map_err(|e| match e {
            revm::database_interface::bal::EvmDatabaseError::Database(w) => w.0,
            other => Error::Execution(other.to_string()),
        })?;
        if info.is_none_or(|i| i.code_hash == KECCAK256_EMPTY) {
            return Err(Error::InvalidBlock(BlockRule::SystemContractEmpty { address }));
        }
    }
    Ok(())
}

/// The first witness error behind an execution failure, else the typed rule the executor
/// reports (see `Error::from_block_execution`).
fn execution_error(
    e: &alloy_evm::block::BlockExecutionError,
    block: &Block<TxEnvelope>,
    senders: &[Address],
) -> Error {
    let mut source: Option<&(dyn core::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(w) = s.downcast_ref::<WitnessError>() {
            return w.0.clone();
        }
        source = s.source();
    }
    Error::from_block_execution(e, &block.body.transactions, senders)
}

fn compare(header: &Header, executed: &Executed) -> Result<()> {
    if executed.gas_used != header.gas_used {
        return Err(mismatch(HeaderField::GasUsed, header.gas_used, executed.gas_used));
    }
    let receipts_root = mana_execution::receipts_root(&executed.receipts);
    if receipts_root != header.receipts_root {
        return Err(mismatch(HeaderField::ReceiptsRoot, header.receipts_root, receipts_root));
    }
    let mut bloom = Bloom::default();
    for r in &executed.receipts {
        bloom.accrue_bloom(&r.bloom());
    }
    if bloom != header.logs_bloom {
        return Err(mismatch(HeaderField::LogsBloom, header.logs_bloom, bloom));
    }
    if executed.requests_hash != header.requests_hash {
        return Err(mismatch(
            HeaderField::RequestsHash,
            format!("{:?}", header.requests_hash),
            format!("{:?}", executed.requests_hash),
        ));
    }
    if let Some(expected) = header.blob_gas_used
        && expected != executed.blob_gas_used
    {
        return Err(mismatch(HeaderField::BlobGasUsed, expected, executed.blob_gas_used));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use alloy_consensus::{BlockBody, EMPTY_OMMER_ROOT_HASH};
    use alloy_eips::eip4788::BEACON_ROOTS_ADDRESS;
    use alloy_eips::eip4895::Withdrawals;
    use alloy_primitives::{hex, keccak256};
    use alloy_trie::proof::ProofRetainer;
    use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount};

    use super::*;
    use crate::witness::Witness;

    /// A mainnet Cancun block without transactions over a pre-state of one account, the EIP-4788
    /// beacon-roots contract, holding `code` (the account trie's single leaf is the witness): the
    /// block's start-of-block system call loads and runs that code. Anchored at the parent.
    fn block_running(code: &[u8]) -> (BlockInput, Trusted) {
        let account = TrieAccount {
            nonce: 1,
            balance: U256::ZERO,
            storage_root: EMPTY_ROOT_HASH,
            code_hash: keccak256(code),
        };
        let key = Nibbles::unpack(keccak256(BEACON_ROOTS_ADDRESS));
        let mut builder =
            HashBuilder::default().with_proof_retainer(ProofRetainer::from_iter([key]));
        builder.add_leaf(key, &alloy_rlp::encode(account));
        let state_root = builder.root();
        let nodes = builder.take_proof_nodes().into_inner().into_values().collect();
        let parent = Header {
            number: 20_000_000,
            timestamp: 1_720_000_000,
            gas_limit: 30_000_000,
            base_fee_per_gas: Some(1_000_000_000),
            state_root,
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            transactions_root: EMPTY_ROOT_HASH,
            receipts_root: EMPTY_ROOT_HASH,
            withdrawals_root: Some(EMPTY_ROOT_HASH),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::repeat_byte(1)),
            ..Header::default()
        };
        let header = Header {
            parent_hash: parent.hash_slow(),
            number: parent.number + 1,
            timestamp: parent.timestamp + 12,
            base_fee_per_gas: Some(rules::next_base_fee(&parent).unwrap()),
            parent_beacon_block_root: Some(B256::repeat_byte(2)),
            ..parent.clone()
        };
        let anchor = Trusted::ParentHash(header.parent_hash);
        let block = Block {
            header,
            body: BlockBody {
                transactions: vec![],
                ommers: vec![],
                withdrawals: Some(Withdrawals::default()),
            },
        };
        let witness = Witness {
            state: nodes,
            codes: vec![Bytes::copy_from_slice(code)],
            keys: vec![],
            headers: vec![parent],
        };
        (BlockInput { block, witness, chain_id: 1, public_keys: None }, anchor)
    }

    #[test]
    fn well_formed_code_reached_by_a_system_call_verifies() {
        // STOP: nothing changes, so the post-state root is the pre-state root the header repeats.
        let (input, anchor) = block_running(&[0x00]);
        let verdict = verify_block(&input, anchor, &ChainConfig::mainnet()).unwrap();
        assert_eq!(verdict.number, 20_000_001);
        // A well-formed delegation designator is code revm accepts (the call then runs the
        // delegate's code: an absent account, proven absent by the one-leaf trie).
        let designator = hex!("ef010000000000000000000000000000000000000000aa");
        let (input, anchor) = block_running(&designator);
        assert!(!matches!(
            verify_block(&input, anchor, &ChainConfig::mainnet()),
            Err(Error::MalformedCode { .. })
        ));
    }

    #[test]
    fn malformed_delegation_designators_are_an_error_not_a_panic() {
        let malformed: [&[u8]; 5] = [
            // The prefix and five bytes.
            &hex!("ef010102030405"),
            // The prefix, version 0 and 19 address bytes (one short).
            &hex!("ef010000000000000000000000000000000000000000"),
            // One byte too long.
            &hex!("ef0100000000000000000000000000000000000000000000"),
            // The right length, an unknown version.
            &hex!("ef01010000000000000000000000000000000000000000"),
            // The prefix alone.
            &hex!("ef01"),
        ];
        for code in malformed {
            let (input, anchor) = block_running(code);
            let result = verify_block(&input, anchor, &ChainConfig::mainnet());
            match result {
                Err(Error::MalformedCode { hash, reason }) => {
                    assert_eq!(hash, keccak256(code));
                    assert!(reason.contains("delegation designator"), "{reason}");
                }
                other => panic!("{}: {other:?}", hex::encode(code)),
            }
        }
    }

    /// The gas a system call's contract sees: the contract returns what the GAS opcode (cost 2)
    /// pushes, and runs under `spec`.
    fn system_call_gas(spec: SpecId) -> u64 {
        use alloy_evm::Evm as _;
        use revm::context::result::ExecutionResult;
        use revm::database::{CacheDB, EmptyDB};

        // GAS PUSH0 MSTORE PUSH1 32 PUSH0 RETURN
        let code = Bytes::from_static(&hex!("5a5f5260205ff3"));
        let contract = Address::repeat_byte(0x77);
        let mut db = CacheDB::new(EmptyDB::default());
        db.insert_account_info(contract, AccountInfo::default().with_code(Bytecode::new_raw(code)));
        let mut env = EvmEnv::default();
        env.cfg_env.spec = spec;
        let mut evm = ManaEvmFactory.create_evm(db, env);
        let caller = revm::handler::SYSTEM_ADDRESS;
        let outcome = evm.transact_system_call(caller, contract, Bytes::new()).unwrap();
        match outcome.result {
            ExecutionResult::Success { output, .. } => {
                u64::try_from(U256::from_be_slice(output.data())).unwrap() + 2
            }
            other => panic!("{spec:?}: {other:?}"),
        }
    }

    #[test]
    fn system_calls_get_exactly_30_million_gas_before_amsterdam() {
        for spec in [SpecId::CANCUN, SpecId::PRAGUE, SpecId::OSAKA] {
            assert_eq!(system_call_gas(spec), 30_000_000, "{spec:?}");
        }
        // From Amsterdam on, revm's budget (with its EIP-8037 reservoir) is kept.
        assert_eq!(
            system_call_gas(SpecId::AMSTERDAM),
            revm::handler::system_call::SYSTEM_CALL_GAS_LIMIT
        );
    }
}
