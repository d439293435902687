//! Where trust starts: the checkpoint age policy and a checkpoint lookup that asks several
//! checkpoint-sync providers and accepts only an answer they agree on.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::future::join_all;
use mana_primitives::ChainSpec;

use crate::{B256, BeaconApi, Error, HttpOptions, Result};

/// Default limit on the age of a trusted header: two weeks, the upper end of the usual
/// weak-subjectivity window on mainnet. Older trust is refused unless forced.
pub const DEFAULT_MAX_CHECKPOINT_AGE: Duration = Duration::from_secs(14 * 24 * 3600);

/// How old a trusted header may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// Largest accepted age of the trusted (finalized) header.
    pub max_age: Duration,
    /// Accept older trust anyway (the user asked for it explicitly).
    pub allow_old: bool,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        Self { max_age: DEFAULT_MAX_CHECKPOINT_AGE, allow_old: false }
    }
}

impl CheckpointPolicy {
    /// Refuses a trusted header at `slot` that is older than the limit at `now_unix_ms`.
    pub fn check(&self, spec: &ChainSpec, slot: u64, now_unix_ms: u64) -> Result<()> {
        let slot_ms = slot.saturating_mul(spec.slot_duration_ms);
        let slot_time_ms = spec.genesis_time.saturating_mul(1000).saturating_add(slot_ms);
        let age_secs = now_unix_ms.saturating_sub(slot_time_ms) / 1000;
        if self.allow_old || age_secs <= self.max_age.as_secs() {
            Ok(())
        } else {
            Err(Error::CheckpointTooOld { slot, age_secs, max_age_secs: self.max_age.as_secs() })
        }
    }
}

/// A checkpoint several providers agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Finalized epoch.
    pub epoch: u64,
    /// Finalized block root.
    pub root: B256,
    /// Providers that gave this answer.
    pub sources: Vec<String>,
}

/// Asks every provider for its finalized checkpoint (`GET
/// /eth/v1/beacon/states/head/finality_checkpoints`). Succeeds only if at least `min_agree`
/// answered and every answer is the same; providers can race across an epoch boundary, so a
/// disagreement is retried `retries` times after `retry_delay`.
pub async fn lookup(
    urls: &[String],
    options: &HttpOptions,
    min_agree: usize,
    retries: u32,
    retry_delay: Duration,
) -> Result<Checkpoint> {
    let apis =
        urls.iter().map(|u| BeaconApi::new(u, options.clone())).collect::<Result<Vec<_>>>()?;
    let mut attempt = 0u32;
    loop {
        let answers = join_all(apis.iter().map(|api| api.finalized_checkpoint())).await;
        let mut agreeing: BTreeMap<(u64, B256), Vec<String>> = BTreeMap::new();
        let mut errors = Vec::new();
        for (api, answer) in apis.iter().zip(answers) {
            match answer {
                Ok(key) => agreeing.entry(key).or_default().push(api.url().to_string()),
                Err(e) => errors.push((api.url().to_string(), e.to_string())),
            }
        }
        let answered: usize = agreeing.values().map(Vec::len).sum();
        if answered < min_agree.max(1) {
            return Err(Error::NotEnoughCheckpointSources {
                got: answered,
                required: min_agree.max(1),
                errors,
            });
        }
        if agreeing.len() == 1
            && let Some(((epoch, root), sources)) = agreeing.pop_first()
        {
            return Ok(Checkpoint { epoch, root, sources });
        }
        if attempt >= retries {
            let answers = agreeing
                .into_iter()
                .flat_map(|((epoch, root), sources)| {
                    sources
                        .into_iter()
                        .map(move |s| (s, format!("epoch {epoch} root 0x{}", hex::encode(root))))
                })
                .collect();
            return Err(Error::CheckpointDisagreement { answers });
        }
        attempt = attempt.saturating_add(1);
        crate::sleep(retry_delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_policy() {
        let spec = ChainSpec::by_name("mainnet").unwrap();
        let slot = 1000;
        let slot_time_ms = (spec.genesis_time + slot * 12) * 1000;
        let policy = CheckpointPolicy { max_age: Duration::from_secs(3600), allow_old: false };
        assert!(policy.check(&spec, slot, slot_time_ms + 3_600_000).is_ok());
        assert!(matches!(
            policy.check(&spec, slot, slot_time_ms + 3_601_000),
            Err(Error::CheckpointTooOld { slot: 1000, age_secs: 3601, max_age_secs: 3600 })
        ));
        let forced = CheckpointPolicy { allow_old: true, ..policy };
        assert!(forced.check(&spec, slot, slot_time_ms + 10 * 3_600_000).is_ok());
    }
}
