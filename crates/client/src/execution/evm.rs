//! Local execution for `eth_call`, `eth_estimateGas` and `eth_createAccessList`: revm over an
//! in-memory state that holds only verified data.
//!
//! [`VerifiedState`] is revm's [`Database`]. It answers from accounts, storage slots and block
//! hashes the provider verified against a trusted block (plus the caller's state overrides).
//! When the EVM asks for anything else it records a miss and answers speculatively (an empty
//! account, a zero slot, a zero hash), so that one run discovers as many misses as it can. A run
//! that recorded a miss is never an answer: the provider fetches and verifies what was missing
//! and runs again, until a run completes without one.
//!
//! The call semantics follow geth's `eth_call`: without a gas price no fee is charged and the
//! base-fee check is off (and `BASEFEE` reads zero), the gas limit defaults to the block's, the
//! sender defaults to the zero address, its nonce is not checked unless given, and it may have
//! code.

use core::convert::Infallible;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use alloy_consensus::{EMPTY_ROOT_HASH, Header};
use alloy_eips::eip7840::BlobParams;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy_rpc_types_eth::state::StateOverride;
use alloy_rpc_types_eth::{
    AccessList, AccessListItem, AccessListResult, BlockOverrides, TransactionRequest,
};
use revm::bytecode::opcode;
use revm::context::result::{EVMError, ExecutionResult, HaltReason, InvalidTransaction, Output};
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::context_interface::block::BlobExcessGasAndPrice;
use revm::interpreter::Interpreter;
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_types::{InputsTr, Jumps};
use revm::precompile::{PrecompileSpecId, Precompiles};
use revm::primitives::hardfork::SpecId;
use revm::state::{AccountInfo, Bytecode};
use revm::{Database, ExecuteEvm, InspectEvm, Inspector, MainBuilder, MainContext};

use crate::Error;

/// Gas of a plain value transfer.
const TX_GAS: u64 = 21_000;
/// Gas a value-carrying call forwards for free (geth's optimistic estimate adds it).
const CALL_STIPEND: u64 = 2_300;
/// Highest gas one simulated call may use, unless the block's gas limit is higher (geth's
/// default `RPCGasCap`). Bounds memory and time spent on a request.
pub(crate) const CALL_GAS_CAP: u64 = 50_000_000;
/// EIP-7825's per-transaction gas cap (Osaka): the ceiling of a gas estimate.
const TX_GAS_LIMIT_CAP: u64 = 1 << 24;
/// Runs of the access-list fixpoint before giving up.
const ACCESS_LIST_ROUNDS: usize = 16;

/// Why a run over the verified state produced no answer.
#[derive(Debug)]
pub(crate) enum Interrupt {
    /// The run read state that is not verified yet; [`VerifiedState::take_misses`] says what.
    Missing,
    /// The request cannot be answered.
    Failed(Error),
}

impl From<Error> for Interrupt {
    fn from(e: Error) -> Self {
        Self::Failed(e)
    }
}

/// The outcome of work over the verified state.
pub(crate) type Run<T> = core::result::Result<T, Interrupt>;

/// What a run read that the state did not hold.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Misses {
    /// Accounts (with their code) to fetch.
    pub(crate) accounts: BTreeSet<Address>,
    /// Storage slots to fetch, by account.
    pub(crate) storage: BTreeMap<Address, BTreeSet<B256>>,
    /// Block hashes (by number) to verify.
    pub(crate) block_hashes: BTreeSet<u64>,
}

impl Misses {
    /// Whether nothing was missing.
    pub(crate) fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.storage.is_empty() && self.block_hashes.is_empty()
    }
}

/// A verified account with its code.
#[derive(Debug, Clone)]
struct Known {
    nonce: u64,
    balance: U256,
    code_hash: B256,
    storage_root: B256,
    code: Bytecode,
}

/// One account's state override (geth's `eth_call` third parameter).
#[derive(Debug, Clone, Default)]
struct Override {
    balance: Option<U256>,
    nonce: Option<u64>,
    code: Option<(B256, Bytecode)>,
    /// `state`: the whole storage is replaced; other slots read zero.
    storage: Option<HashMap<B256, U256>>,
    /// `stateDiff`: single slots replaced.
    diff: HashMap<B256, U256>,
}

/// Bytecode for revm from raw code: an EIP-7702 delegation designator or analysed legacy code.
fn bytecode(code: Bytes) -> Bytecode {
    match Bytecode::new_raw_checked(code.clone()) {
        Ok(b) => b,
        // Not a well-formed designator (cannot be deployed after EIP-3541): run it as legacy
        // code, which is how such bytes would execute.
        Err(_) => Bytecode::new_legacy(code),
    }
}

/// The address an EIP-7702 delegation designator (`0xef0100 ‖ address`) points to.
pub(crate) fn delegation(code: &[u8]) -> Option<Address> {
    match code {
        [0xef, 0x01, 0x00, rest @ ..] if rest.len() == 20 => Some(Address::from_slice(rest)),
        _ => None,
    }
}

/// Verified execution state of one block, with the caller's overrides on top. revm's
/// [`Database`]: reads of anything not held are recorded as misses.
#[derive(Debug, Default)]
pub(crate) struct VerifiedState {
    /// `None`: proven absent (or empty).
    accounts: HashMap<Address, Option<Known>>,
    storage: HashMap<(Address, B256), U256>,
    codes: HashMap<B256, Bytecode>,
    block_hashes: BTreeMap<u64, B256>,
    overrides: HashMap<Address, Override>,
    hash_overrides: BTreeMap<u64, B256>,
    misses: Misses,
}

impl VerifiedState {
    /// An empty state with the request's state overrides and `BLOCKHASH` overrides.
    pub(crate) fn new(
        overrides: Option<&StateOverride>,
        block_hashes: Option<&BTreeMap<u64, B256>>,
    ) -> crate::Result<Self> {
        let mut state = Self::default();
        for (address, o) in overrides.into_iter().flatten() {
            if o.state.is_some() && o.state_diff.is_some() {
                return Err(Error::InvalidParams(format!(
                    "account {address} has both 'state' and 'stateDiff'"
                )));
            }
            if o.move_precompile_to.is_some() {
                return Err(Error::Unsupported {
                    method: "movePrecompileToAddress".into(),
                    reason: "moving precompiles in a state override is not supported".into(),
                });
            }
            let word = |(k, v): (&B256, &B256)| (*k, U256::from_be_bytes(v.0));
            let code = o.code.as_ref().map(|c| {
                let hash = keccak256(c);
                let code = bytecode(c.clone());
                state.codes.insert(hash, code.clone());
                (hash, code)
            });
            state.overrides.insert(
                *address,
                Override {
                    balance: o.balance,
                    nonce: o.nonce,
                    code,
                    storage: o.state.as_ref().map(|s| s.iter().map(word).collect()),
                    diff: o.state_diff.iter().flatten().map(word).collect(),
                },
            );
        }
        state.hash_overrides = block_hashes.cloned().unwrap_or_default();
        Ok(state)
    }

    /// Adds a verified account and its verified code.
    pub(crate) fn insert_account(
        &mut self,
        address: Address,
        account: &mana_execution::Account,
        code: Bytes,
    ) {
        if account.is_empty() {
            self.accounts.insert(address, None);
            return;
        }
        let code = bytecode(code);
        self.codes.insert(account.code_hash, code.clone());
        let known = Known {
            nonce: account.nonce,
            balance: account.balance,
            code_hash: account.code_hash,
            storage_root: account.storage_root,
            code,
        };
        self.accounts.insert(address, Some(known));
    }

    /// Adds a verified storage slot.
    pub(crate) fn insert_storage(&mut self, address: Address, slot: B256, value: U256) {
        self.storage.insert((address, slot), value);
    }

    /// Adds a verified block hash.
    pub(crate) fn insert_block_hash(&mut self, number: u64, hash: B256) {
        self.block_hashes.insert(number, hash);
    }

    /// Whether the account (and its code) is held.
    pub(crate) fn knows_account(&self, address: &Address) -> bool {
        self.accounts.contains_key(address)
    }

    /// Whether the runs so far missed anything.
    pub(crate) fn has_misses(&self) -> bool {
        !self.misses.is_empty()
    }

    /// What the runs so far missed; clears the record.
    pub(crate) fn take_misses(&mut self) -> Misses {
        core::mem::take(&mut self.misses)
    }

    /// The account as the EVM sees it (a miss when not held).
    fn account(&mut self, address: Address) -> AccountInfo {
        match self.basic(address) {
            Ok(info) => info.unwrap_or_default(),
            Err(never) => match never {},
        }
    }
}

impl Database for VerifiedState {
    type Error = Infallible;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Infallible> {
        let o = self.overrides.get(&address);
        let complete =
            o.is_some_and(|o| o.balance.is_some() && o.nonce.is_some() && o.code.is_some());
        let base = match self.accounts.get(&address) {
            Some(known) => known.clone(),
            None => {
                if !complete {
                    self.misses.accounts.insert(address);
                }
                None
            }
        };
        if base.is_none() && o.is_none() {
            return Ok(None);
        }
        let mut info = match base {
            Some(k) => AccountInfo::new(k.balance, k.nonce, k.code_hash, k.code),
            None => AccountInfo::default(),
        };
        if let Some(o) = o {
            if let Some(balance) = o.balance {
                info.balance = balance;
            }
            if let Some(nonce) = o.nonce {
                info.nonce = nonce;
            }
            if let Some((hash, code)) = &o.code {
                info.code_hash = *hash;
                info.code = Some(code.clone());
            }
        }
        Ok(Some(info))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Infallible> {
        // Every account is handed out with its code, so revm only asks for code it was given.
        Ok(self.codes.get(&code_hash).cloned().unwrap_or_default())
    }

    fn storage(&mut self, address: Address, index: U256) -> Result<U256, Infallible> {
        let slot = B256::from(index.to_be_bytes());
        if let Some(o) = self.overrides.get(&address) {
            if let Some(all) = &o.storage {
                return Ok(all.get(&slot).copied().unwrap_or_default());
            }
            if let Some(value) = o.diff.get(&slot) {
                return Ok(*value);
            }
        }
        if let Some(value) = self.storage.get(&(address, slot)) {
            return Ok(*value);
        }
        match self.accounts.get(&address) {
            // Proven absent, or a proven-empty storage trie: every slot is zero.
            Some(None) => return Ok(U256::ZERO),
            Some(Some(k)) if k.storage_root == EMPTY_ROOT_HASH => return Ok(U256::ZERO),
            _ => {}
        }
        self.misses.storage.entry(address).or_default().insert(slot);
        Ok(U256::ZERO)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Infallible> {
        if let Some(hash) =
            self.hash_overrides.get(&number).or_else(|| self.block_hashes.get(&number))
        {
            return Ok(*hash);
        }
        self.misses.block_hashes.insert(number);
        Ok(B256::ZERO)
    }
}

/// The block and chain a simulated transaction runs in.
#[derive(Debug, Clone)]
pub(crate) struct CallEnv {
    spec: SpecId,
    chain_id: u64,
    block: BlockEnv,
    max_blobs_per_tx: Option<u64>,
}

impl CallEnv {
    /// The environment of `header` with the caller's block overrides; `chain` gives the spec and
    /// blob parameters for a block number and timestamp (taken after the overrides).
    pub(crate) fn new(
        header: &Header,
        overrides: Option<&BlockOverrides>,
        chain_id: u64,
        chain: impl FnOnce(u64, u64) -> (SpecId, Option<BlobParams>),
    ) -> crate::Result<Self> {
        let mut block = BlockEnv {
            number: U256::from(header.number),
            beneficiary: header.beneficiary,
            timestamp: U256::from(header.timestamp),
            gas_limit: header.gas_limit,
            basefee: header.base_fee_per_gas.unwrap_or(0),
            difficulty: header.difficulty,
            prevrandao: Some(header.mix_hash),
            blob_excess_gas_and_price: None,
            slot_num: 0,
        };
        let mut blob_fee = None;
        if let Some(o) = overrides {
            let too_big = |what: &str| Error::InvalidParams(format!("block override {what}"));
            if let Some(n) = o.number {
                block.number = U256::from(u64::try_from(n).map_err(|_| too_big("number"))?);
            }
            if let Some(d) = o.difficulty {
                block.difficulty = d;
            }
            if let Some(t) = o.time {
                block.timestamp = U256::from(t);
            }
            if let Some(g) = o.gas_limit {
                block.gas_limit = g;
            }
            if let Some(c) = o.coinbase {
                block.beneficiary = c;
            }
            if let Some(r) = o.random {
                block.prevrandao = Some(r);
            }
            if let Some(b) = o.base_fee {
                block.basefee = u64::try_from(b).map_err(|_| too_big("baseFee"))?;
            }
            if let Some(b) = o.blob_base_fee {
                blob_fee = Some(u128::try_from(b).map_err(|_| too_big("blobBaseFee"))?);
            }
        }
        let number = u64::try_from(block.number).unwrap_or(u64::MAX);
        let timestamp = u64::try_from(block.timestamp).unwrap_or(u64::MAX);
        let (spec, blob) = chain(number, timestamp);
        if spec.is_enabled_in(SpecId::CANCUN) {
            let fraction = blob
                .and_then(|p| u64::try_from(p.update_fraction).ok())
                .unwrap_or(revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE);
            let mut excess =
                BlobExcessGasAndPrice::new(header.excess_blob_gas.unwrap_or(0), fraction);
            if let Some(fee) = blob_fee {
                excess.blob_gasprice = fee;
            }
            block.blob_excess_gas_and_price = Some(excess);
        }
        Ok(Self { spec, chain_id, block, max_blobs_per_tx: blob.map(|p| p.max_blobs_per_tx) })
    }

    /// Gas for a call that asks for `requested` (default: the block gas limit), capped at the
    /// larger of the block gas limit and [`CALL_GAS_CAP`].
    pub(crate) fn call_gas(&self, requested: Option<u64>) -> u64 {
        let cap = self.block.gas_limit.max(CALL_GAS_CAP);
        requested.unwrap_or(self.block.gas_limit).min(cap)
    }
}

/// A call request made ready for revm.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    tx: TxEnv,
    /// No gas price, fee cap or tip: nothing is charged.
    zero_fees: bool,
    check_nonce: bool,
    requested_gas: Option<u64>,
}

impl Call {
    /// The transaction `request` describes, on the chain of `env`.
    pub(crate) fn new(request: &TransactionRequest, env: &CallEnv) -> crate::Result<Self> {
        if let (Some(input), Some(data)) = (&request.input.input, &request.input.data)
            && input != data
        {
            return Err(Error::InvalidParams(
                "both \"data\" and \"input\" are set and not equal".into(),
            ));
        }
        let tx_type = request.minimal_tx_type();
        let dynamic =
            !matches!(tx_type, alloy_consensus::TxType::Legacy | alloy_consensus::TxType::Eip2930);
        let (gas_price, gas_priority_fee) = if dynamic {
            let tip = request.max_priority_fee_per_gas.unwrap_or(0);
            let cap = request.max_fee_per_gas.or(request.gas_price).unwrap_or(tip);
            (cap, Some(tip))
        } else {
            (request.gas_price.unwrap_or(0), None)
        };
        let zero_fees = gas_price == 0 && gas_priority_fee.unwrap_or(0) == 0;
        let mut tx = TxEnv {
            tx_type: tx_type as u8,
            caller: request.from.unwrap_or_default(),
            gas_limit: env.call_gas(request.gas),
            gas_price,
            kind: request.to.unwrap_or(TxKind::Create),
            value: request.value.unwrap_or_default(),
            data: request.input.clone().into_input().unwrap_or_default(),
            nonce: request.nonce.unwrap_or(0),
            chain_id: Some(request.chain_id.unwrap_or(env.chain_id)),
            access_list: request.access_list.clone().unwrap_or_default(),
            gas_priority_fee,
            blob_hashes: request.blob_versioned_hashes.clone().unwrap_or_default(),
            max_fee_per_blob_gas: request.max_fee_per_blob_gas.unwrap_or(0),
            authorization_list: Vec::new(),
        };
        if let Some(list) = &request.authorization_list {
            tx.set_signed_authorization(list.clone());
        }
        Ok(Self { tx, zero_fees, check_nonce: request.nonce.is_some(), requested_gas: request.gas })
    }

    /// The most the sender pays per gas (fee cap or gas price).
    fn fee_cap(&self) -> u128 {
        self.tx.gas_price
    }
}

/// An EVM failure as the client reports it.
fn evm_error(e: EVMError<Infallible>) -> Error {
    Error::Evm(e.to_string())
}

/// Whether a validation error only says the gas limit is too low for the transaction.
fn is_gas_too_low(e: &EVMError<Infallible>) -> bool {
    matches!(
        e,
        EVMError::Transaction(
            InvalidTransaction::CallGasCostMoreThanGasLimit { .. }
                | InvalidTransaction::GasFloorMoreThanGasLimit { .. }
        )
    )
}

/// geth's wording for an exceptional halt.
fn halt_message(reason: &HaltReason) -> String {
    match reason {
        HaltReason::OutOfGas(_) => "out of gas".into(),
        HaltReason::OpcodeNotFound | HaltReason::InvalidFEOpcode => "invalid opcode".into(),
        HaltReason::InvalidJump => "invalid jump destination".into(),
        HaltReason::StackUnderflow => "stack underflow".into(),
        HaltReason::StackOverflow => "stack limit reached".into(),
        HaltReason::StateChangeDuringStaticCall => "write protection".into(),
        HaltReason::OutOfFunds => "insufficient balance for transfer".into(),
        HaltReason::CallTooDeep => "max call depth exceeded".into(),
        HaltReason::CreateCollision => "contract address collision".into(),
        HaltReason::CreateContractSizeLimit => "max code size exceeded".into(),
        HaltReason::CreateContractStartingWithEF => "invalid code: must not begin with 0xef".into(),
        other => format!("{other:?}"),
    }
}

/// One run of `call` with `gas` (and `access_list` in place of the request's), inspected by
/// `inspector` when given. [`Interrupt::Missing`] when the run read unverified state.
fn transact(
    state: &mut VerifiedState,
    env: &CallEnv,
    call: &Call,
    gas: u64,
    access_list: Option<&AccessList>,
    inspector: Option<&mut AccessListInspector>,
) -> Run<Result<ExecutionResult, EVMError<Infallible>>> {
    let mut cfg = CfgEnv::default();
    cfg.set_spec_and_mainnet_gas_params(env.spec);
    cfg.chain_id = env.chain_id;
    cfg.disable_nonce_check = !call.check_nonce;
    cfg.disable_eip3607 = true;
    cfg.disable_block_gas_limit = true;
    cfg.tx_gas_limit_cap = Some(u64::MAX);
    cfg.disable_base_fee = call.zero_fees;
    cfg.disable_fee_charge = call.zero_fees;
    cfg.max_blobs_per_tx = env.max_blobs_per_tx;
    let mut block = env.block.clone();
    if call.zero_fees {
        // geth lowers the base fee to zero for a call without fees.
        block.basefee = 0;
    }
    if call.tx.max_fee_per_blob_gas == 0
        && let Some(blob) = &mut block.blob_excess_gas_and_price
    {
        blob.blob_gasprice = 0;
    }
    if call.zero_fees && !call.tx.value.is_zero() {
        // Without fees revm skips the balance check entirely; geth still wants the value.
        let balance = state.account(call.tx.caller).balance;
        if state.has_misses() {
            return Err(Interrupt::Missing);
        }
        if balance < call.tx.value {
            return Err(Interrupt::Failed(Error::Evm(format!(
                "insufficient funds for gas * price + value: address {} have {balance} want {}",
                call.tx.caller, call.tx.value
            ))));
        }
    }
    let mut tx = call.tx.clone();
    tx.gas_limit = gas;
    if let Some(list) = access_list {
        tx.access_list = list.clone();
        if tx.tx_type == alloy_consensus::TxType::Legacy as u8 {
            // revm ignores the access list of a legacy transaction.
            tx.tx_type = alloy_consensus::TxType::Eip2930 as u8;
        }
    }
    let ctx = revm::Context::mainnet().with_db(&mut *state).with_cfg(cfg).with_block(block);
    let outcome = match inspector {
        Some(inspector) => ctx.build_mainnet_with_inspector(inspector).inspect_tx(tx),
        None => ctx.build_mainnet().transact(tx),
    };
    if state.has_misses() {
        return Err(Interrupt::Missing);
    }
    Ok(outcome.map(|o| o.result))
}

/// `eth_call`: the output of a successful call; a revert is [`Error::Reverted`].
pub(crate) fn call(state: &mut VerifiedState, env: &CallEnv, call: &Call) -> Run<Bytes> {
    match transact(state, env, call, call.tx.gas_limit, None, None)? {
        Ok(ExecutionResult::Success { output, .. }) => Ok(match output {
            Output::Call(bytes) | Output::Create(bytes, _) => bytes,
        }),
        Ok(ExecutionResult::Revert { output, .. }) => Err(Error::Reverted { output }.into()),
        Ok(ExecutionResult::Halt { reason, .. }) => Err(Error::Evm(halt_message(&reason)).into()),
        Err(e) => Err(evm_error(e).into()),
    }
}

/// Whether the call succeeds with `gas`; a too-low gas limit counts as failure.
fn succeeds(state: &mut VerifiedState, env: &CallEnv, call: &Call, gas: u64) -> Run<bool> {
    match transact(state, env, call, gas, None, None)? {
        Ok(result) => Ok(result.is_success()),
        Err(e) if is_gas_too_low(&e) => Ok(false),
        Err(e) => Err(evm_error(e).into()),
    }
}

/// `eth_estimateGas`, geth's algorithm without its error ratio (so the answer is the least gas
/// the call succeeds with): the ceiling is the requested gas or the block's, lowered to what
/// the sender can pay and to EIP-7825's cap from Osaka; one run there, one optimistic run just
/// above the gas it used, then a binary search between.
pub(crate) fn estimate_gas(state: &mut VerifiedState, env: &CallEnv, call: &Call) -> Run<u64> {
    let mut hi = match call.requested_gas {
        Some(gas) if gas >= TX_GAS => gas,
        _ => env.block.gas_limit,
    };
    let fee_cap = call.fee_cap();
    if fee_cap > 0 {
        let balance = state.account(call.tx.caller).balance;
        if state.has_misses() {
            return Err(Interrupt::Missing);
        }
        let mut available = balance
            .checked_sub(call.tx.value)
            .ok_or_else(|| Error::Evm("insufficient funds for transfer".into()))?;
        let blob_gas = u64::try_from(call.tx.blob_hashes.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(revm::primitives::eip4844::GAS_PER_BLOB);
        let blob_cost =
            U256::from(blob_gas).saturating_mul(U256::from(call.tx.max_fee_per_blob_gas));
        available = available.saturating_sub(blob_cost);
        let allowance = available.checked_div(U256::from(fee_cap)).unwrap_or_default();
        if let Ok(allowance) = u64::try_from(allowance) {
            hi = hi.min(allowance);
        }
    }
    hi = hi.min(env.block.gas_limit.max(CALL_GAS_CAP));
    if env.spec.is_enabled_in(SpecId::OSAKA) {
        hi = hi.min(TX_GAS_LIMIT_CAP);
    }
    // A plain transfer to an account without code needs exactly the base gas.
    if call.tx.data.is_empty()
        && let TxKind::Call(to) = call.tx.kind
    {
        let code_empty = state.account(to).code.as_ref().is_none_or(Bytecode::is_empty);
        if state.has_misses() {
            return Err(Interrupt::Missing);
        }
        if code_empty && succeeds(state, env, call, TX_GAS)? {
            return Ok(TX_GAS);
        }
    }
    let (used, refunded) = match transact(state, env, call, hi, None, None)? {
        Ok(ExecutionResult::Success { gas, .. }) => (gas.tx_gas_used(), gas.final_refunded()),
        Ok(ExecutionResult::Revert { output, .. }) => {
            return Err(Error::Reverted { output }.into());
        }
        Ok(ExecutionResult::Halt { reason: HaltReason::OutOfGas(_), .. }) => {
            return Err(Error::Evm(format!("gas required exceeds allowance ({hi})")).into());
        }
        Ok(ExecutionResult::Halt { reason, .. }) => {
            return Err(Error::Evm(halt_message(&reason)).into());
        }
        Err(e) if is_gas_too_low(&e) => {
            return Err(Error::Evm(format!("gas required exceeds allowance ({hi})")).into());
        }
        Err(e) => return Err(evm_error(e).into()),
    };
    let mut lo = used.saturating_sub(1);
    let optimistic = used
        .saturating_add(refunded)
        .saturating_add(CALL_STIPEND)
        .saturating_mul(64)
        .checked_div(63)
        .unwrap_or(u64::MAX);
    if optimistic < hi {
        if succeeds(state, env, call, optimistic)? {
            hi = optimistic;
        } else {
            lo = optimistic;
        }
    }
    while lo.saturating_add(1) < hi {
        let half = hi.saturating_sub(lo).checked_div(2).unwrap_or(0);
        let mid = lo.saturating_add(half).min(lo.saturating_mul(2));
        if succeeds(state, env, call, mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// Collects the accounts and slots a run touches, the way geth's access-list tracer does:
/// every `SLOAD`/`SSTORE` slot of the executing account, and every account an
/// `EXTCODE*`/`BALANCE`/`SELFDESTRUCT`/`*CALL` names unless excluded (sender, recipient,
/// precompiles, authorities).
#[derive(Debug, Clone, Default)]
struct AccessListInspector {
    excluded: BTreeSet<Address>,
    list: BTreeMap<Address, BTreeSet<B256>>,
}

impl AccessListInspector {
    fn address(&mut self, word: U256) {
        let address = Address::from_word(B256::from(word.to_be_bytes()));
        if !self.excluded.contains(&address) {
            self.list.entry(address).or_default();
        }
    }
}

impl<CTX> Inspector<CTX, EthInterpreter> for AccessListInspector {
    fn step(&mut self, interp: &mut Interpreter<EthInterpreter>, _context: &mut CTX) {
        match interp.bytecode.opcode() {
            opcode::SLOAD | opcode::SSTORE => {
                if let Ok(slot) = interp.stack.peek(0) {
                    let address = interp.input.target_address();
                    self.list.entry(address).or_default().insert(B256::from(slot.to_be_bytes()));
                }
            }
            opcode::EXTCODECOPY
            | opcode::EXTCODEHASH
            | opcode::EXTCODESIZE
            | opcode::BALANCE
            | opcode::SELFDESTRUCT => {
                if let Ok(word) = interp.stack.peek(0) {
                    self.address(word);
                }
            }
            opcode::DELEGATECALL | opcode::CALL | opcode::STATICCALL | opcode::CALLCODE => {
                if let Ok(word) = interp.stack.peek(1) {
                    self.address(word);
                }
            }
            _ => {}
        }
    }
}

fn to_access_list(list: &BTreeMap<Address, BTreeSet<B256>>) -> AccessList {
    AccessList(
        list.iter()
            .map(|(address, slots)| AccessListItem {
                address: *address,
                storage_keys: slots.iter().copied().collect(),
            })
            .collect(),
    )
}

/// `eth_createAccessList`, as geth does it: run with the current list, collect what the run
/// touched, repeat until the list no longer changes. The gas used is that of the last run (the
/// list applied); a failed last run is reported in `error`. Addresses and slots are sorted.
pub(crate) fn create_access_list(
    state: &mut VerifiedState,
    env: &CallEnv,
    call: &Call,
) -> Run<AccessListResult> {
    let from = call.tx.caller;
    let to = match call.tx.kind {
        TxKind::Call(to) => to,
        TxKind::Create => {
            let nonce = if call.check_nonce { call.tx.nonce } else { state.account(from).nonce };
            if state.has_misses() {
                return Err(Interrupt::Missing);
            }
            from.create(nonce)
        }
    };
    let mut excluded: BTreeSet<Address> = [from, to].into_iter().collect();
    excluded.extend(Precompiles::new(PrecompileSpecId::from_spec_id(env.spec)).addresses());
    for auth in &call.tx.authorization_list {
        if let revm::context_interface::either::Either::Left(signed) = auth
            && let Ok(authority) = signed.recover_authority()
        {
            excluded.insert(authority);
        }
    }
    let mut list: BTreeMap<Address, BTreeSet<B256>> = BTreeMap::new();
    for item in call.tx.access_list.iter() {
        let slots = list.entry(item.address).or_default();
        slots.extend(item.storage_keys.iter().copied());
        if slots.is_empty() && excluded.contains(&item.address) {
            list.remove(&item.address);
        }
    }
    for _ in 0..ACCESS_LIST_ROUNDS {
        let applied = to_access_list(&list);
        let mut inspector = AccessListInspector { excluded: excluded.clone(), list: list.clone() };
        let result =
            transact(state, env, call, call.tx.gas_limit, Some(&applied), Some(&mut inspector))?
                .map_err(evm_error)?;
        if inspector.list == list {
            let error = match &result {
                ExecutionResult::Success { .. } => None,
                ExecutionResult::Revert { .. } => Some("execution reverted".to_string()),
                ExecutionResult::Halt { reason, .. } => Some(halt_message(reason)),
            };
            return Ok(AccessListResult {
                access_list: applied,
                gas_used: U256::from(result.gas().tx_gas_used()),
                error,
            });
        }
        list = inspector.list;
    }
    Err(Error::Evm(format!("access list did not settle in {ACCESS_LIST_ROUNDS} runs")).into())
}

/// The reason in a revert output: `Error(string)`, or `Panic(uint256)` in geth's words.
pub(crate) fn revert_reason(output: &[u8]) -> Option<String> {
    let (selector, rest) = output.split_first_chunk::<4>()?;
    let word = |at: usize| -> Option<usize> {
        let bytes = rest.get(at..at.checked_add(32)?)?;
        usize::try_from(U256::try_from_be_slice(bytes)?).ok()
    };
    match selector {
        // keccak256("Error(string)")
        [0x08, 0xc3, 0x79, 0xa0] => {
            let offset = word(0)?;
            let len = word(offset)?;
            let start = offset.checked_add(32)?;
            let text = rest.get(start..start.checked_add(len)?)?;
            String::from_utf8(text.to_vec()).ok()
        }
        // keccak256("Panic(uint256)")
        [0x4e, 0x48, 0x7b, 0x71] => {
            let code = U256::try_from_be_slice(rest.get(..32)?)?;
            let reason = match u64::try_from(code).ok()? {
                0x00 => "generic panic",
                0x01 => "assert(false)",
                0x11 => "arithmetic underflow or overflow",
                0x12 => "division or modulo by zero",
                0x21 => "enum overflow",
                0x22 => "invalid encoded storage byte array accessed",
                0x31 => "out-of-bounds array access; popping on an empty array",
                0x32 => "out-of-bounds access of an array or bytesN",
                0x41 => "out of memory",
                0x51 => "uninitialized function",
                _ => return Some(format!("unknown panic code: {code:#x}")),
            };
            Some(reason.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use alloy_primitives::{KECCAK256_EMPTY, address, b256};
    use alloy_rpc_types_eth::state::AccountOverride;

    const CONTRACT: Address = address!("0x00000000000000000000000000000000000c0de1");
    const OTHER: Address = address!("0x0000000000000000000000000000000000000bbb");
    const SENDER: Address = address!("0x0000000000000000000000000000000000000a11");
    const EMPTY_CODE_HASH: B256 = KECCAK256_EMPTY;

    fn account(code: &[u8], storage_root: B256) -> mana_execution::Account {
        mana_execution::Account {
            nonce: 1,
            balance: U256::from(10u64),
            storage_root,
            code_hash: if code.is_empty() { EMPTY_CODE_HASH } else { keccak256(code) },
        }
    }

    fn env() -> CallEnv {
        let header = Header {
            number: 100,
            timestamp: 1_000,
            gas_limit: 30_000_000,
            base_fee_per_gas: Some(7),
            excess_blob_gas: Some(0),
            ..Default::default()
        };
        CallEnv::new(&header, None, 1, |_, _| (SpecId::OSAKA, Some(BlobParams::osaka()))).unwrap()
    }

    fn request(to: Address, data: &[u8]) -> TransactionRequest {
        TransactionRequest {
            from: Some(SENDER),
            to: Some(TxKind::Call(to)),
            input: Bytes::copy_from_slice(data).into(),
            ..Default::default()
        }
    }

    fn run_call(state: &mut VerifiedState, to: Address, data: &[u8]) -> Run<Bytes> {
        let env = env();
        let call_ = Call::new(&request(to, data), &env).unwrap();
        call(state, &env, &call_)
    }

    #[test]
    fn misses_are_recorded_and_answered_speculatively() {
        let mut state = VerifiedState::default();
        assert_eq!(state.basic(OTHER).unwrap(), None);
        assert_eq!(state.storage(OTHER, U256::from(3)).unwrap(), U256::ZERO);
        assert_eq!(state.block_hash(99).unwrap(), B256::ZERO);
        let misses = state.take_misses();
        assert_eq!(misses.accounts, [OTHER].into());
        assert_eq!(misses.storage[&OTHER], [B256::from(U256::from(3))].into());
        assert_eq!(misses.block_hashes, [99].into());
        assert!(!state.has_misses());
    }

    #[test]
    fn verified_data_answers_without_misses() {
        let root = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");
        let mut state = VerifiedState::default();
        state.insert_account(CONTRACT, &account(&[0x00], root), Bytes::from_static(&[0x00]));
        state.insert_account(OTHER, &account(&[], EMPTY_ROOT_HASH), Bytes::new());
        state.insert_account(SENDER, &mana_execution::Account::EMPTY, Bytes::new());
        state.insert_storage(CONTRACT, B256::from(U256::from(1)), U256::from(42));
        state.insert_block_hash(99, B256::repeat_byte(9));
        let info = state.basic(CONTRACT).unwrap().unwrap();
        assert_eq!(info.nonce, 1);
        assert_eq!(info.code.unwrap().original_bytes(), Bytes::from_static(&[0x00]));
        assert_eq!(state.basic(SENDER).unwrap(), None);
        assert_eq!(state.storage(CONTRACT, U256::from(1)).unwrap(), U256::from(42));
        // Proven-empty storage and absent accounts read zero without a fetch.
        assert_eq!(state.storage(OTHER, U256::from(5)).unwrap(), U256::ZERO);
        assert_eq!(state.storage(SENDER, U256::from(5)).unwrap(), U256::ZERO);
        assert_eq!(state.block_hash(99).unwrap(), B256::repeat_byte(9));
        assert!(!state.has_misses());
        // A slot of an account with storage that was not fetched is a miss.
        assert_eq!(state.storage(CONTRACT, U256::from(2)).unwrap(), U256::ZERO);
        assert_eq!(state.take_misses().storage[&CONTRACT], [B256::from(U256::from(2))].into());
    }

    #[test]
    fn overrides_replace_verified_data() {
        let mut o = StateOverride::default();
        let slot = B256::from(U256::from(1));
        o.insert(
            CONTRACT,
            AccountOverride {
                balance: Some(U256::from(5)),
                state_diff: Some([(slot, B256::from(U256::from(7)))].into_iter().collect()),
                ..Default::default()
            },
        );
        o.insert(
            OTHER,
            AccountOverride {
                balance: Some(U256::from(1)),
                nonce: Some(3),
                code: Some(Bytes::from_static(&[0x00])),
                state: Some(Default::default()),
                ..Default::default()
            },
        );
        let hashes = [(50u64, B256::repeat_byte(5))].into_iter().collect();
        let mut state = VerifiedState::new(Some(&o), Some(&hashes)).unwrap();
        // A fully overridden account needs no fetch, nor does storage replaced with `state`.
        let other = state.basic(OTHER).unwrap().unwrap();
        assert_eq!((other.balance, other.nonce), (U256::from(1), 3));
        assert_eq!(state.storage(OTHER, U256::from(9)).unwrap(), U256::ZERO);
        assert_eq!(state.storage(CONTRACT, U256::from(1)).unwrap(), U256::from(7));
        assert_eq!(state.block_hash(50).unwrap(), B256::repeat_byte(5));
        assert!(!state.has_misses());
        // A partial override still needs the verified account underneath.
        assert_eq!(state.basic(CONTRACT).unwrap().unwrap().balance, U256::from(5));
        assert_eq!(state.take_misses().accounts, [CONTRACT].into());

        let both = AccountOverride {
            state: Some(Default::default()),
            state_diff: Some(Default::default()),
            ..Default::default()
        };
        let o: StateOverride = [(CONTRACT, both)].into_iter().collect();
        assert!(matches!(VerifiedState::new(Some(&o), None), Err(Error::InvalidParams(_))));
    }

    /// `CALL`s `OTHER` with no arguments and returns `OTHER`'s 32-byte answer.
    fn forwarder() -> Bytes {
        let mut code = vec![0x60, 0x20, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73];
        code.extend_from_slice(OTHER.as_slice());
        code.extend_from_slice(&[0x5a, 0xf1, 0x50, 0x60, 0x20, 0x60, 0x00, 0xf3]);
        code.into()
    }

    /// Returns storage slot 0.
    const SLOT0: &[u8] = &[0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3];

    #[test]
    fn a_run_discovers_misses_then_answers_once_closed() {
        let root = B256::repeat_byte(1);
        let mut state = VerifiedState::default();
        state.insert_account(SENDER, &mana_execution::Account::EMPTY, Bytes::new());
        let code = forwarder();
        state.insert_account(CONTRACT, &account(&code, EMPTY_ROOT_HASH), code);
        assert!(matches!(run_call(&mut state, CONTRACT, &[]), Err(Interrupt::Missing)));
        assert_eq!(state.take_misses().accounts, [OTHER].into());

        state.insert_account(OTHER, &account(SLOT0, root), Bytes::from_static(SLOT0));
        assert!(matches!(run_call(&mut state, CONTRACT, &[]), Err(Interrupt::Missing)));
        assert_eq!(state.take_misses().storage[&OTHER], [B256::ZERO].into());

        state.insert_storage(OTHER, B256::ZERO, U256::from(0x1234));
        let out = run_call(&mut state, CONTRACT, &[]).unwrap();
        assert_eq!(U256::from_be_slice(&out), U256::from(0x1234));
    }

    #[test]
    fn a_delegated_account_needs_its_delegate() {
        let root = B256::repeat_byte(1);
        let mut state = VerifiedState::default();
        state.insert_account(SENDER, &mana_execution::Account::EMPTY, Bytes::new());
        let mut designator = vec![0xef, 0x01, 0x00];
        designator.extend_from_slice(OTHER.as_slice());
        assert_eq!(delegation(&designator), Some(OTHER));
        state.insert_account(CONTRACT, &account(&designator, root), designator.into());
        assert!(matches!(run_call(&mut state, CONTRACT, &[]), Err(Interrupt::Missing)));
        assert_eq!(state.take_misses().accounts, [OTHER].into());
        state.insert_account(OTHER, &account(SLOT0, EMPTY_ROOT_HASH), Bytes::from_static(SLOT0));
        // The delegate's code runs on the delegating account's storage.
        assert!(matches!(run_call(&mut state, CONTRACT, &[]), Err(Interrupt::Missing)));
        assert_eq!(state.take_misses().storage[&CONTRACT], [B256::ZERO].into());
        state.insert_storage(CONTRACT, B256::ZERO, U256::from(77));
        let out = run_call(&mut state, CONTRACT, &[]).unwrap();
        assert_eq!(U256::from_be_slice(&out), U256::from(77));
    }

    #[test]
    fn reverts_estimates_and_access_lists() {
        let root = B256::repeat_byte(1);
        let mut state = VerifiedState::default();
        state.insert_account(SENDER, &mana_execution::Account::EMPTY, Bytes::new());
        let code = forwarder();
        state.insert_account(CONTRACT, &account(&code, EMPTY_ROOT_HASH), code);
        state.insert_account(OTHER, &account(SLOT0, root), Bytes::from_static(SLOT0));
        state.insert_storage(OTHER, B256::ZERO, U256::from(1));
        let env = env();
        let call_ = Call::new(&request(CONTRACT, &[]), &env).unwrap();

        let list = create_access_list(&mut state, &env, &call_).unwrap();
        assert_eq!(list.access_list, to_access_list(&[(OTHER, [B256::ZERO].into())].into()));
        assert_eq!(list.error, None);
        // The gas is that of a run with the list applied, even for a legacy-shaped request.
        let mut with_list = request(CONTRACT, &[]);
        with_list.access_list = Some(list.access_list.clone());
        let typed = Call::new(&with_list, &env).unwrap();
        let again = create_access_list(&mut state, &env, &typed).unwrap();
        assert_eq!(again.gas_used, list.gas_used);
        assert_eq!(again.access_list, list.access_list);

        // The forwarder succeeds whatever its inner call does; the estimate is checked on a
        // call whose success depends on its gas: a cold SLOAD (21000 + 2100, five 3-gas opcodes, one memory word).
        let direct = Call::new(&request(OTHER, &[]), &env).unwrap();
        let gas = estimate_gas(&mut state, &env, &direct).unwrap();
        assert_eq!(gas, 21_000 + 2_100 + 5 * 3 + 3);
        assert!(succeeds(&mut state, &env, &direct, gas).unwrap());
        assert!(!succeeds(&mut state, &env, &direct, gas - 1).unwrap());
        assert!(estimate_gas(&mut state, &env, &call_).is_ok());

        // PUSH32 Error("no") ‖ ... REVERT
        let reason = b"\x08\xc3\x79\xa0\
            \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\
            \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20\
            \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\
            \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\
            no\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\
            \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
        assert_eq!(revert_reason(reason).as_deref(), Some("no"));
        let mut reverter = Vec::new();
        for (i, chunk) in reason.chunks(32).enumerate() {
            reverter.push(0x7f); // PUSH32
            let mut word = [0u8; 32];
            word[..chunk.len()].copy_from_slice(chunk);
            reverter.extend_from_slice(&word);
            reverter.extend_from_slice(&[0x60, (i * 32) as u8, 0x52]); // MSTORE
        }
        reverter.extend_from_slice(&[0x60, reason.len() as u8, 0x60, 0x00, 0xfd]);
        let o: StateOverride =
            [(OTHER, AccountOverride { code: Some(reverter.into()), ..Default::default() })]
                .into_iter()
                .collect();
        let mut state = VerifiedState::new(Some(&o), None).unwrap();
        state.insert_account(SENDER, &mana_execution::Account::EMPTY, Bytes::new());
        state.insert_account(OTHER, &mana_execution::Account::EMPTY, Bytes::new());
        let call_ = Call::new(&request(OTHER, &[]), &env).unwrap();
        match call(&mut state, &env, &call_) {
            Err(Interrupt::Failed(Error::Reverted { output })) => {
                assert_eq!(output.as_ref(), &reason[..]);
                let e = Error::Reverted { output };
                assert_eq!(e.to_string(), "execution reverted: no");
                assert_eq!(e.json_rpc_code(), 3);
            }
            other => panic!("{other:?}"),
        }
    }
}
