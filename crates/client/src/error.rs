//! The client's error type.

use alloy_primitives::Bytes;
use mana_primitives::Fork;

/// Everything the client can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request never produced a response (refused, DNS, TLS, reset, ...).
    #[error("{url}: request failed: {reason}")]
    Http {
        /// The request URL.
        url: String,
        /// What the HTTP stack said.
        reason: String,
    },
    /// No complete response within the request timeout (includes bodies sent too slowly).
    #[error("{url}: no complete response within {timeout_ms} ms")]
    Timeout {
        /// The request URL.
        url: String,
        /// The configured timeout.
        timeout_ms: u64,
    },
    /// The upstream answered with an error status.
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        /// The request URL.
        url: String,
        /// HTTP status code.
        status: u16,
        /// Start of the response body.
        body: String,
    },
    /// The body is larger than any valid answer to this request.
    #[error("{url}: response body exceeds {limit} bytes")]
    Oversized {
        /// The request URL.
        url: String,
        /// The limit for this request.
        limit: usize,
    },
    /// The body is not a well-formed answer (bad JSON, bad SSZ framing, missing header, ...).
    #[error("{url}: malformed response: {reason}")]
    BadResponse {
        /// The request URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The response names a fork other than the one its slot belongs to.
    #[error("{url}: response labelled {got} but its slot belongs to {expected}")]
    WrongFork {
        /// The request URL.
        url: String,
        /// Fork of the data's slot.
        expected: Fork,
        /// The fork label received.
        got: String,
    },
    /// The light-client core rejected the data.
    #[error("verification failed: {0}")]
    Verify(#[from] mana_consensus::Error),
    /// Every upstream failed for one request.
    #[error("no upstream could answer {what}: {}", summary(.errors))]
    AllUpstreamsFailed {
        /// The request.
        what: String,
        /// `(upstream, error)` pairs.
        errors: Vec<(String, String)>,
    },
    /// No upstream is configured.
    #[error("no upstream configured")]
    NoUpstreams,
    /// An execution upstream answered with a JSON-RPC error.
    #[error("{url}: JSON-RPC error {code}: {message}")]
    Rpc {
        /// The upstream.
        url: String,
        /// JSON-RPC error code.
        code: i64,
        /// Its message.
        message: String,
    },
    /// Execution data failed verification against a trusted block.
    #[error("{url}: {source}")]
    Execution {
        /// The upstream that served it.
        url: String,
        /// What did not match.
        source: mana_execution::Error,
    },
    /// Execution data is inconsistent with the request or itself (wrong block, wrong index,
    /// a transaction hash that does not match, ...).
    #[error("{url}: {reason}")]
    Inconsistent {
        /// The upstream that served it.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The request's parameters are not valid.
    #[error("invalid params: {0}")]
    InvalidParams(String),
    /// The method is unknown, or cannot be verified and was not opted into unverified
    /// forwarding.
    #[error("{method}: {reason}")]
    Unsupported {
        /// The method.
        method: String,
        /// Why it is refused.
        reason: String,
    },
    /// The requested block is not (yet) covered by the verified chain.
    #[error("{0}")]
    BlockUnavailable(String),
    /// The block is further below the nearest verified block than the provider walks parent
    /// hashes (`max_walk_back`): it exists, but cannot be verified here.
    #[error(
        "block {number} is {} blocks below the nearest verified block {nearest}; Mana verifies \
         blocks by walking parent hashes at most {limit} blocks down",
        nearest.saturating_sub(*number)
    )]
    BeyondWalkBack {
        /// The block asked for.
        number: u64,
        /// The nearest verified block above it.
        nearest: u64,
        /// The walk-back limit.
        limit: u64,
    },
    /// The verified head is too far behind the wall clock to answer for `latest`: the light
    /// client has not seen a newer header signed by 2/3 of the committee (its Beacon APIs may
    /// have stopped answering). Answers anchored to `finalized`, `safe` or an explicit block
    /// still work.
    #[error(
        "the verified head (block {block}) is {behind_secs} s behind the wall clock, past the \
         {limit_secs} s limit: no newer header signed by 2/3 of the sync committee"
    )]
    HeadTooOld {
        /// The verified head's block number.
        block: u64,
        /// How far behind the wall clock its slot is, in seconds.
        behind_secs: u64,
        /// The limit, in seconds.
        limit_secs: u64,
    },
    /// The EVM could not run the call.
    #[error("execution failed: {0}")]
    Evm(String),
    /// The call reverted (`REVERT`); JSON-RPC error code 3 with the output as `data`.
    #[error("execution reverted{}", revert_suffix(.output))]
    Reverted {
        /// The revert output (an ABI-encoded error, or anything the contract returned).
        output: Bytes,
    },
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] mana_store::Error),
    /// The persisted light-client store cannot be read back.
    #[error("persisted light-client store is unreadable ({0}); start again from a checkpoint")]
    StoreCorrupt(String),
    /// The persisted store was written by a schema this build does not know.
    #[error("persisted store has schema version {found}; this build reads version {supported}")]
    SchemaVersion {
        /// The version found.
        found: u16,
        /// The version this build writes.
        supported: u16,
    },
    /// The persisted store belongs to another network.
    #[error(
        "persisted store belongs to network {found}, not {expected}; use another data directory"
    )]
    WrongNetwork {
        /// The network asked for.
        expected: String,
        /// The network of the store.
        found: String,
    },
    /// Nothing is persisted and no checkpoint was given.
    #[error(
        "no trusted checkpoint: give a finalized block root as the checkpoint (`--checkpoint`, the `checkpoint` option) or checkpoint-sync URLs"
    )]
    NoCheckpoint,
    /// The checkpoint (or the persisted store) is older than the weak-subjectivity window.
    #[error(
        "trusted header at slot {slot} is {age_secs} s old, beyond the weak-subjectivity limit of {max_age_secs} s; use a recent checkpoint or force it explicitly"
    )]
    CheckpointTooOld {
        /// Slot of the trusted header.
        slot: u64,
        /// Its age.
        age_secs: u64,
        /// The configured limit.
        max_age_secs: u64,
    },
    /// Checkpoint providers gave different answers.
    #[error("checkpoint providers disagree: {}", summary(.answers))]
    CheckpointDisagreement {
        /// `(provider, answer)` pairs.
        answers: Vec<(String, String)>,
    },
    /// Fewer checkpoint providers answered than the policy requires.
    #[error("only {got} checkpoint provider(s) answered, {required} required: {}", summary(.errors))]
    NotEnoughCheckpointSources {
        /// Providers that answered.
        got: usize,
        /// Providers required.
        required: usize,
        /// `(provider, error)` of those that failed.
        errors: Vec<(String, String)>,
    },
    /// The wall clock is before genesis.
    #[error("the clock is before genesis of this network")]
    BeforeGenesis,
    /// Chain-spec arithmetic failed.
    #[error(transparent)]
    Spec(#[from] mana_primitives::Error),
}

fn summary(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(who, what)| format!("{who}: {what}")).collect::<Vec<_>>().join("; ")
}

fn revert_suffix(output: &Bytes) -> String {
    #[cfg(feature = "evm")]
    return crate::execution::revert_reason(output).map(|r| format!(": {r}")).unwrap_or_default();
    #[cfg(not(feature = "evm"))]
    return format!(" (revert data {output})");
}

impl Error {
    /// The JSON-RPC error code to answer with: 3 for a reverted call (with
    /// [`Error::json_rpc_data`]), -32602 for invalid parameters, -32601 for an unsupported
    /// method, -32001 for a block outside the verified chain or a head too old to serve, an
    /// upstream's own code for its JSON-RPC errors to forwarded requests (never 3), -32015 for an EVM failure, -32050 for data that failed verification,
    /// else -32603.
    pub fn json_rpc_code(&self) -> i64 {
        match self {
            Self::Reverted { .. } => 3,
            Self::InvalidParams(_) => -32602,
            Self::Unsupported { .. } => -32601,
            Self::BlockUnavailable(_) | Self::HeadTooOld { .. } | Self::BeyondWalkBack { .. } => {
                -32001
            }
            // Code 3 means "the EVM ran this call and it reverted": Mana never lets an
            // upstream claim that for a call Mana did not run.
            Self::Rpc { code: 3, .. } => -32603,
            Self::Rpc { code, .. } => *code,
            Self::Evm(_) => -32015,
            e if e.is_invalid_data() => -32050,
            _ => -32603,
        }
    }

    /// The JSON-RPC error's `data`: the revert output of a reverted call.
    pub fn json_rpc_data(&self) -> Option<&Bytes> {
        match self {
            Self::Reverted { output } => Some(output),
            _ => None,
        }
    }

    /// Whether the error shows that an upstream served bad data (as opposed to being slow or
    /// absent). Such upstreams are penalised hard and reported.
    pub fn is_invalid_data(&self) -> bool {
        match self {
            Self::Oversized { .. }
            | Self::BadResponse { .. }
            | Self::WrongFork { .. }
            | Self::Execution { .. }
            | Self::Inconsistent { .. } => true,
            Self::Verify(e) => !is_benign(e),
            _ => false,
        }
    }
}

/// Core rejections an honest upstream can cause: old or not-yet-usable updates, weak
/// participation, clock skew. Everything else means the data was wrong.
pub(crate) fn is_benign(e: &mana_consensus::Error) -> bool {
    use mana_consensus::Error as E;
    matches!(
        e,
        E::NotRelevant { .. }
            | E::SignaturePeriodOutOfRange { .. }
            | E::SignatureSlotInFuture { .. }
            | E::TooFewParticipants { .. }
            | E::ForceUpdateNotApplicable(_)
    )
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;
