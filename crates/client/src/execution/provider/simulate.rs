//! Local execution (feature `evm`): `eth_call`, `eth_estimateGas` and `eth_createAccessList`
//! re-executed in revm over proof-verified state. The light build of the browser package
//! leaves it (and revm) out; those methods are then refused as unsupported.

use super::*;
use alloy_primitives::TxKind;

use crate::execution::evm::{self, Call, CallEnv, Interrupt, Misses, VerifiedState};

/// Fetch-and-rerun rounds a simulated call may take before it is given up.
const SIMULATION_ROUNDS: usize = 16;
/// Accounts taken from an upstream's access-list hint (the rest are fetched when missed).
const HINT_ACCOUNTS: usize = 256;
/// Storage slots taken from an upstream's access-list hint.
const HINT_SLOTS: usize = 2048;

/// What to fetch for one account: its proof with these slots, and its code when `code`.
#[derive(Debug, Default)]
struct Want {
    slots: BTreeSet<B256>,
    code: bool,
}

/// One account's verified proof answer.
#[derive(Debug)]
struct Fetched {
    address: Address,
    account: Account,
    /// Verified code, when it was fetched.
    code: Option<Bytes>,
    /// Verified slot values.
    storage: Vec<(B256, U256)>,
}

impl<T: TrustedHeaders> VerifiedProvider<T> {
    // ---- local execution: eth_call, eth_estimateGas, eth_createAccessList -----------------

    /// Answers `eth_call`, `eth_estimateGas` or `eth_createAccessList` by running revm over
    /// verified state: prefetch what an upstream's access-list hint names (one batch with the
    /// header), run, and while a run misses state, fetch and verify the misses and run again.
    pub(super) async fn simulate(&self, method: &str, params: &Value) -> Result<Value> {
        let request: rpc::TransactionRequest = serde_param(params, 0, "transaction")?
            .ok_or_else(|| Error::InvalidParams("transaction: missing".into()))?;
        let id = opt_param::<BlockId>(params, 1, "block")?.unwrap_or_default();
        // State overrides for all three (geth takes them for eth_createAccessList too), block
        // overrides for eth_call and eth_estimateGas.
        let overrides = serde_param::<rpc::state::StateOverride>(params, 2, "state overrides")?;
        let block_overrides = match method {
            "eth_createAccessList" => None,
            _ => serde_param::<rpc::BlockOverrides>(params, 3, "block overrides")?,
        };
        let block = self.resolve(id).await?;
        let hashes = block_overrides.as_ref().and_then(|o| o.block_hash.as_ref());
        let mut state = VerifiedState::new(overrides.as_ref(), hashes)?;
        let coinbase = block_overrides.as_ref().and_then(|o| o.coinbase);
        let header =
            self.prefetch(block, &request, overrides.as_ref(), coinbase, &mut state).await?;
        let env = CallEnv::new(&header, block_overrides.as_ref(), self.config.chain_id, |n, t| {
            (self.config.spec_at(n, t), self.config.blob_params(t))
        })?;
        let call = Call::new(&request, &env)?;
        for _ in 0..SIMULATION_ROUNDS {
            let outcome = match method {
                "eth_call" => evm::call(&mut state, &env, &call).map(|out| to_json(&out)),
                "eth_estimateGas" => {
                    evm::estimate_gas(&mut state, &env, &call).map(|gas| Ok(quantity(gas)))
                }
                _ => evm::create_access_list(&mut state, &env, &call).map(|r| to_json(&r)),
            };
            match outcome {
                Ok(answer) => return answer,
                Err(Interrupt::Failed(e)) => return Err(e),
                Err(Interrupt::Missing) => {
                    let misses = state.take_misses();
                    self.fetch_misses(block, misses, &mut state).await?;
                }
            }
        }
        Err(Error::Evm(format!(
            "{method}: the call still reads unfetched state after {SIMULATION_ROUNDS} rounds"
        )))
    }

    /// An upstream's guess at what a call touches: its `eth_createAccessList` (also with the
    /// state overrides, which not every node accepts, next to the plain one) and, to follow an
    /// EIP-7702 delegation, the recipient's code. Unverified: it only decides what to fetch.
    async fn hint(
        &self,
        block: TrustedBlock,
        request: &rpc::TransactionRequest,
        overrides: Option<&rpc::state::StateOverride>,
    ) -> (Vec<rpc::AccessListItem>, Option<Address>) {
        let Ok(tx) = to_json(request) else { return (Vec::new(), None) };
        let overrides = overrides.and_then(|o| to_json(o).ok());
        let to = match request.to {
            Some(TxKind::Call(to)) => Some(to),
            _ => None,
        };
        let answers = self
            .with_upstream("eth_createAccessList (hint)", |rpc| {
                let (tx, overrides) = (tx.clone(), overrides.clone());
                async move {
                    let at = json!({"blockHash": block.hash});
                    let mut calls = vec![("eth_createAccessList", json!([tx, at]))];
                    if let Some(overrides) = overrides {
                        calls.push(("eth_createAccessList", json!([tx, at, overrides])));
                    }
                    if let Some(to) = to {
                        calls.push(("eth_getCode", json!([to, at])));
                    }
                    let answers = rpc.batch(&calls).await?;
                    Ok(answers.into_iter().map(Result::ok).collect::<Vec<_>>())
                }
            })
            .await
            .unwrap_or_default();
        let mut list = Vec::new();
        let mut delegate = None;
        for answer in answers.into_iter().flatten() {
            // A failing call may come back with an `error` field next to its list: the list is
            // still a useful guess.
            if let Some(items) = answer
                .get("accessList")
                .and_then(|v| serde_json::from_value::<rpc::AccessList>(v.clone()).ok())
            {
                list.extend(items.0);
            } else if let Ok(code) = serde_json::from_value::<Bytes>(answer) {
                delegate = evm::delegation(&code);
            }
        }
        (list, delegate)
    }

    /// Fetches and verifies, in one batch with the header (unless cached), the accounts (with
    /// code) and slots a call will likely touch: the sender, the recipient (and its delegate),
    /// the coinbase when known, the request's access and authorization lists, and the
    /// upstream's hint. Returns the verified header.
    async fn prefetch(
        &self,
        block: TrustedBlock,
        request: &rpc::TransactionRequest,
        overrides: Option<&rpc::state::StateOverride>,
        coinbase: Option<Address>,
        state: &mut VerifiedState,
    ) -> Result<Header> {
        let (hint, delegate) = self.hint(block, request, overrides).await;
        let mut wants: BTreeMap<Address, Want> = BTreeMap::new();
        let mut want = |address: Address, slots: &[B256]| {
            let entry = wants.entry(address).or_default();
            entry.code = true;
            entry.slots.extend(slots.iter().copied());
        };
        want(request.from.unwrap_or_default(), &[]);
        if let Some(TxKind::Call(to)) = request.to {
            want(to, &[]);
        }
        let cached = lock(&self.cache).headers.get(&block.hash).map(|h| h.beneficiary);
        for address in [delegate, coinbase.or(cached)].into_iter().flatten() {
            want(address, &[]);
        }
        for auth in request.authorization_list.iter().flatten() {
            want(auth.address, &[]);
            if let Ok(authority) = auth.recover_authority() {
                want(authority, &[]);
            }
        }
        for item in request.access_list.iter().flat_map(|l| l.0.iter()) {
            want(item.address, &item.storage_keys);
        }
        let mut budget = HINT_SLOTS;
        for item in hint.iter().take(HINT_ACCOUNTS) {
            let slots = item.storage_keys.get(..budget).unwrap_or(&item.storage_keys);
            budget = budget.saturating_sub(slots.len());
            want(item.address, slots);
        }
        let (header, fetched) = self.fetch_state(block, &wants).await?;
        Self::absorb(state, fetched);
        Ok(header)
    }

    /// Fetches and verifies what a run missed: block hashes through the verified chain,
    /// accounts and slots with proofs in one batch.
    async fn fetch_misses(
        &self,
        block: TrustedBlock,
        misses: Misses,
        state: &mut VerifiedState,
    ) -> Result<()> {
        // Ascending: the walk to the lowest caches the hashes above it.
        for number in misses.block_hashes {
            let hash = match number.cmp(&block.number) {
                core::cmp::Ordering::Less => self.hash_of(number).await?,
                core::cmp::Ordering::Equal => block.hash,
                // After the block (only with a block-number override): unknown, as in geth.
                core::cmp::Ordering::Greater => B256::ZERO,
            };
            state.insert_block_hash(number, hash);
        }
        let mut wants: BTreeMap<Address, Want> = BTreeMap::new();
        for address in misses.accounts {
            wants.entry(address).or_default().code = true;
        }
        for (address, slots) in misses.storage {
            let entry = wants.entry(address).or_default();
            entry.code |= !state.knows_account(&address);
            entry.slots.extend(slots);
        }
        if !wants.is_empty() {
            let (_, fetched) = self.fetch_state(block, &wants).await?;
            Self::absorb(state, fetched);
        }
        Ok(())
    }

    /// Proofs (and code where wanted) for `wants` at `block`, all verified against its state
    /// root, fetched in one batch together with the header when it is not cached.
    async fn fetch_state(
        &self,
        block: TrustedBlock,
        wants: &BTreeMap<Address, Want>,
    ) -> Result<(Header, Vec<Fetched>)> {
        self.with_upstream("eth_getProof", |rpc| async move {
            let at = json!({"blockHash": block.hash});
            let mut calls = Vec::new();
            for (address, want) in wants {
                calls.push(("eth_getProof", json!([address, want.slots, at])));
                if want.code {
                    calls.push(("eth_getCode", json!([address, at])));
                }
            }
            let (header, answers) = self.header_with(block, &rpc, calls).await?;
            let mut answers = answers.into_iter();
            let mut next =
                || answers.next().ok_or_else(|| inconsistent(&rpc, "short batch answer"));
            let mut fetched = Vec::with_capacity(wants.len());
            for (address, want) in wants {
                let slots: Vec<B256> = want.slots.iter().copied().collect();
                let proof: rpc::EIP1186AccountProofResponse = parse(&rpc, "proof", next()??)?;
                Self::check_proof(&rpc, &header, *address, &slots, &proof)?;
                let code = if want.code {
                    let code: Bytes = parse(&rpc, "code", next()??)?;
                    mana_execution::proof::verify_code(address, &proof.code_hash, &code)
                        .map_err(verify_err(&rpc))?;
                    Some(code)
                } else {
                    None
                };
                fetched.push(Fetched {
                    address: *address,
                    account: Account {
                        nonce: proof.nonce,
                        balance: proof.balance,
                        storage_root: proof.storage_hash,
                        code_hash: proof.code_hash,
                    },
                    code,
                    storage: slots
                        .iter()
                        .zip(&proof.storage_proof)
                        .map(|(s, p)| (*s, p.value))
                        .collect(),
                });
            }
            Ok((header, fetched))
        })
        .await
    }

    fn absorb(state: &mut VerifiedState, fetched: Vec<Fetched>) {
        for f in fetched {
            if let Some(code) = f.code {
                state.insert_account(f.address, &f.account, code);
            }
            for (slot, value) in f.storage {
                state.insert_storage(f.address, slot, value);
            }
        }
    }
}
