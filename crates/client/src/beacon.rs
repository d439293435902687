//! A Beacon API client for the light-client routes (beacon-APIs v4.0.0,
//! `apis/beacon/light_client/*.yaml`), SSZ first with JSON accepted.

use std::time::Duration;

use mana_consensus::light_client::{LightClientHeader, max_container_bytes};
use mana_consensus::{
    LightClientBootstrap, LightClientFinalityUpdate, LightClientOptimisticUpdate, LightClientUpdate,
};
use mana_primitives::{ChainSpec, Fork};

use crate::http::{Body, HttpEndpoint};
use crate::json;
use crate::{B256, Error, Result};

/// HTTP settings shared by every upstream.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Whole-request timeout, body included (a server trickling bytes hits it too).
    pub timeout: Duration,
    /// Ask for SSZ (`application/octet-stream`) first; JSON is accepted either way.
    pub prefer_ssz: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(10), prefer_ssz: true }
    }
}

const ACCEPT_SSZ_FIRST: &str = "application/octet-stream;q=1.0,application/json;q=0.9";
const ACCEPT_JSON: &str = "application/json";
/// Largest JSON answer outside the light-client routes (genesis, checkpoints).
const SMALL_LIMIT: usize = 64 * 1024;
/// The most updates one `updates` request may return (`MAX_REQUEST_LIGHT_CLIENT_UPDATES`).
pub(crate) const MAX_REQUEST_UPDATES: u64 = 128;

/// One Beacon API endpoint. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BeaconApi {
    http: HttpEndpoint,
    options: HttpOptions,
}

/// Limit for a container with committee size `s`, in either encoding (JSON spells each byte
/// as two hex digits plus field names and quotes: bounded by 3x).
fn container_limit(s: usize) -> usize {
    max_container_bytes(s).saturating_mul(3).saturating_add(4096)
}

impl BeaconApi {
    /// A client for the Beacon API at `base` (for example `http://127.0.0.1:5052`).
    pub fn new(base: &str, options: HttpOptions) -> Result<Self> {
        Ok(Self { http: HttpEndpoint::new(base, options.timeout)?, options })
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        self.http.url()
    }

    /// Response bytes downloaded so far through this client (and its clones).
    pub fn bytes_downloaded(&self) -> u64 {
        self.http.bytes_downloaded()
    }

    async fn get(&self, path: &str, accept: &str, limit: usize) -> Result<Body> {
        self.http.get(path, accept, limit).await
    }

    fn accept(&self) -> &'static str {
        if self.options.prefer_ssz { ACCEPT_SSZ_FIRST } else { ACCEPT_JSON }
    }

    /// `GET /eth/v1/beacon/light_client/bootstrap/{block_root}`.
    pub async fn bootstrap<const S: usize>(
        &self,
        spec: &ChainSpec,
        root: &B256,
    ) -> Result<LightClientBootstrap<S>> {
        let path = format!("/eth/v1/beacon/light_client/bootstrap/0x{}", hex::encode(root));
        let body = self.get(&path, self.accept(), container_limit(S)).await?;
        let (bootstrap, label) = if body.ssz {
            let fork = ssz_fork(&body)?;
            (LightClientBootstrap::from_ssz(fork, &body.bytes)?, fork.name().to_string())
        } else {
            json::bootstrap::<S>(&body.url, &body.bytes)?
        };
        check_context(spec, &body.url, &bootstrap.header, &label)?;
        Ok(bootstrap)
    }

    /// `GET /eth/v1/beacon/light_client/updates?start_period&count` (at most 128 per request;
    /// servers may return fewer).
    pub async fn updates<const S: usize>(
        &self,
        spec: &ChainSpec,
        genesis_validators_root: &B256,
        start_period: u64,
        count: u64,
    ) -> Result<Vec<LightClientUpdate<S>>> {
        let count = count.clamp(1, MAX_REQUEST_UPDATES);
        let path = format!(
            "/eth/v1/beacon/light_client/updates?start_period={start_period}&count={count}"
        );
        let limit = container_limit(S).saturating_mul(count as usize);
        let body = self.get(&path, self.accept(), limit).await?;
        let updates = if body.ssz {
            ssz_update_chunks(spec, genesis_validators_root, &body)?
        } else {
            let mut out = Vec::new();
            for (update, label) in json::updates::<S>(&body.url, &body.bytes)? {
                check_context(spec, &body.url, &update.attested_header, &label)?;
                out.push(update);
            }
            out
        };
        if updates.len() as u64 > count {
            return Err(Error::BadResponse {
                url: body.url,
                reason: format!("{} updates returned for a request of {count}", updates.len()),
            });
        }
        Ok(updates)
    }

    /// `GET /eth/v1/beacon/light_client/finality_update`.
    pub async fn finality_update<const S: usize>(
        &self,
        spec: &ChainSpec,
    ) -> Result<LightClientFinalityUpdate<S>> {
        let body = self
            .get("/eth/v1/beacon/light_client/finality_update", self.accept(), container_limit(S))
            .await?;
        let (update, label) = if body.ssz {
            let fork = ssz_fork(&body)?;
            (LightClientFinalityUpdate::from_ssz(fork, &body.bytes)?, fork.name().to_string())
        } else {
            json::finality_update::<S>(&body.url, &body.bytes)?
        };
        check_context(spec, &body.url, &update.attested_header, &label)?;
        Ok(update)
    }

    /// `GET /eth/v1/beacon/light_client/optimistic_update`.
    pub async fn optimistic_update<const S: usize>(
        &self,
        spec: &ChainSpec,
    ) -> Result<LightClientOptimisticUpdate<S>> {
        let body = self
            .get("/eth/v1/beacon/light_client/optimistic_update", self.accept(), container_limit(S))
            .await?;
        let (update, label) = if body.ssz {
            let fork = ssz_fork(&body)?;
            (LightClientOptimisticUpdate::from_ssz(fork, &body.bytes)?, fork.name().to_string())
        } else {
            json::optimistic_update::<S>(&body.url, &body.bytes)?
        };
        check_context(spec, &body.url, &update.attested_header, &label)?;
        Ok(update)
    }

    /// The finalized checkpoint of the upstream's head state
    /// (`GET /eth/v1/beacon/states/head/finality_checkpoints`): `(epoch, root)`.
    pub async fn finalized_checkpoint(&self) -> Result<(u64, B256)> {
        let body = self
            .get("/eth/v1/beacon/states/head/finality_checkpoints", ACCEPT_JSON, SMALL_LIMIT)
            .await?;
        json::finalized_checkpoint(&body.url, &body.bytes)
    }

    /// `GET /eth/v1/beacon/genesis`: `(genesis_time, genesis_validators_root)`.
    pub async fn genesis(&self) -> Result<(u64, B256)> {
        let body = self.get("/eth/v1/beacon/genesis", ACCEPT_JSON, SMALL_LIMIT).await?;
        json::genesis(&body.url, &body.bytes)
    }
}

/// The fork an SSZ body is labelled with (`Eth-Consensus-Version`, required for SSZ).
fn ssz_fork(body: &Body) -> Result<Fork> {
    let label = body.version.as_deref().ok_or_else(|| Error::BadResponse {
        url: body.url.clone(),
        reason: "SSZ response without an Eth-Consensus-Version header".into(),
    })?;
    Fork::from_name(label).ok_or_else(|| Error::BadResponse {
        url: body.url.clone(),
        reason: format!("unknown consensus version {label:?}"),
    })
}

/// The "context" rule: data is typed by the fork of its (attested) header's slot.
fn check_context(
    spec: &ChainSpec,
    url: &str,
    header: &LightClientHeader,
    label: &str,
) -> Result<()> {
    let expected = spec.fork_at_slot(header.beacon.slot);
    if label.eq_ignore_ascii_case(expected.name()) {
        Ok(())
    } else {
        Err(Error::WrongFork { url: url.to_string(), expected, got: label.to_string() })
    }
}

/// Splits an SSZ `updates` body: `u64-LE length ‖ (4-byte ForkDigest ‖ SSZ)` per chunk.
fn ssz_update_chunks<const S: usize>(
    spec: &ChainSpec,
    genesis_validators_root: &B256,
    body: &Body,
) -> Result<Vec<LightClientUpdate<S>>> {
    let bad = |reason: String| Error::BadResponse { url: body.url.clone(), reason };
    let mut rest = body.bytes.as_slice();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (len, tail) =
            rest.split_first_chunk::<8>().ok_or_else(|| bad("truncated chunk length".into()))?;
        let len = usize::try_from(u64::from_le_bytes(*len))
            .map_err(|_| bad("chunk length overflows".into()))?;
        if len < 4 || len > tail.len() {
            return Err(bad(format!("chunk of {len} bytes with {} bytes left", tail.len())));
        }
        let (chunk, tail) = tail.split_at(len);
        let (digest, ssz) =
            chunk.split_first_chunk::<4>().ok_or_else(|| bad("chunk without digest".into()))?;
        out.push(LightClientUpdate::from_ssz_with_digest(
            spec,
            genesis_validators_root,
            *digest,
            ssz,
        )?);
        rest = tail;
    }
    Ok(out)
}
