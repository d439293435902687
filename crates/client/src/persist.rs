//! The persisted light-client store: one value, written atomically, with a schema version,
//! the network it belongs to and a checksum.
//!
//! Layout (all integers little-endian), followed by `sha256` of everything before it:
//!
//! ```text
//! "MANA-LC\0" | schema u16 | committee size u32 | genesis validators root [32]
//! | anchor root [32] | network name (u32 len + bytes)
//! | finalized header | current committee | next committee? | best valid update?
//! | optimistic header | previous max participants u64 | current max participants u64
//! | proven finalized header | supermajority head
//! | current committee proof? | next committee proof?         (schema 2)
//! ```
//!
//! Schema 1 stores (without the last two parts) still load: their finalized header is taken as
//! final, as schema 1 clients served it.
//!
//! Variable parts are `u32 length + SSZ` (headers in the Electra shape, which holds every
//! earlier fork's data); optional parts use length 0 for "absent". The best valid update is
//! stored field by field so that its branches keep their exact lengths.

use libssz::{SszDecode, SszEncode};
use mana_consensus::types::common::{SyncAggregate, SyncCommittee};
use mana_consensus::{
    Assurance, CommitteeProof, LightClientHeader, LightClientStore, LightClientUpdate,
};
use mana_primitives::{Fork, sha256};
use mana_store::{Op, Store};

use crate::{B256, Error, Result};

/// Key of the light-client store in the [`Store`].
pub const STORE_KEY: &str = "light-client/store";
/// Version of the layout above; bump on any change.
pub const STORE_SCHEMA_VERSION: u16 = 2;
/// The oldest layout still read.
const OLDEST_SCHEMA_VERSION: u16 = 1;
const MAGIC: &[u8; 8] = b"MANA-LC\0";
/// The shape every header and update is stored in.
const SHAPE: Fork = Fork::Electra;

/// A light-client store as persisted, with what identifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistedLightClient<const S: usize> {
    /// Network name (`CONFIG_NAME`).
    pub network: String,
    /// Genesis validators root of the network.
    pub genesis_validators_root: B256,
    /// The checkpoint root the store was bootstrapped from.
    pub anchor_root: B256,
    /// The verified store.
    pub store: LightClientStore<S>,
    /// What the store's headers are backed by.
    pub assurance: Assurance,
}

fn put_part(out: &mut Vec<u8>, part: &[u8]) -> Result<()> {
    let len =
        u32::try_from(part.len()).map_err(|_| Error::StoreCorrupt("part too large".into()))?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(part);
    Ok(())
}

impl<const S: usize> PersistedLightClient<S> {
    /// Serializes the store.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let s = &self.store;
        let mut out =
            Vec::with_capacity(S.saturating_mul(48).saturating_mul(2).saturating_add(4096));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&STORE_SCHEMA_VERSION.to_le_bytes());
        let size = u32::try_from(S).map_err(|_| Error::StoreCorrupt("committee size".into()))?;
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&self.genesis_validators_root);
        out.extend_from_slice(&self.anchor_root);
        put_part(&mut out, self.network.as_bytes())?;
        put_part(&mut out, &s.finalized_header.to_ssz(SHAPE)?)?;
        put_part(&mut out, &s.current_sync_committee.to_ssz())?;
        put_part(&mut out, &optional_committee(s.next_sync_committee.as_ref()))?;
        let best = match &s.best_valid_update {
            Some(u) => encode_update(u)?,
            None => Vec::new(),
        };
        put_part(&mut out, &best)?;
        put_part(&mut out, &s.optimistic_header.to_ssz(SHAPE)?)?;
        out.extend_from_slice(&s.previous_max_active_participants.to_le_bytes());
        out.extend_from_slice(&s.current_max_active_participants.to_le_bytes());
        put_part(&mut out, &self.assurance.finalized.to_ssz(SHAPE)?)?;
        put_part(&mut out, &self.assurance.supermajority_head.to_ssz(SHAPE)?)?;
        for proof in [&self.assurance.current_committee_proof, &self.assurance.next_committee_proof]
        {
            let bytes = match proof {
                Some(p) => encode_proof(p)?,
                None => Vec::new(),
            };
            put_part(&mut out, &bytes)?;
        }
        let checksum = sha256(&out);
        out.extend_from_slice(&checksum);
        Ok(out)
    }

    /// Parses and checks a persisted store.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        let corrupt = |what: &str| Error::StoreCorrupt(what.to_string());
        let split = bytes.len().checked_sub(32).ok_or_else(|| corrupt("too short"))?;
        let (body, checksum) = bytes.split_at(split);
        let mut r = Reader(body);
        if r.take(8)? != MAGIC.as_slice() {
            return Err(corrupt("not a Mana light-client store"));
        }
        let version = u16::from_le_bytes(r.array()?);
        if !(OLDEST_SCHEMA_VERSION..=STORE_SCHEMA_VERSION).contains(&version) {
            return Err(Error::SchemaVersion { found: version, supported: STORE_SCHEMA_VERSION });
        }
        if sha256(body).as_slice() != checksum {
            return Err(corrupt("checksum mismatch"));
        }
        let size = u32::from_le_bytes(r.array()?);
        if usize::try_from(size).ok() != Some(S) {
            return Err(corrupt(&format!("committee size {size}, expected {S}")));
        }
        let genesis_validators_root = r.array()?;
        let anchor_root = r.array()?;
        let network = String::from_utf8(r.part()?.to_vec()).map_err(|_| corrupt("network name"))?;
        let finalized_header = LightClientHeader::from_ssz(SHAPE, r.part()?)?;
        let current_sync_committee = SyncCommittee::<S>::from_ssz_bytes(r.part()?)
            .map_err(|_| corrupt("current committee"))?;
        let next_sync_committee = r.optional_committee("next committee")?;
        let best = r.part()?;
        let best_valid_update = if best.is_empty() { None } else { Some(decode_update(best)?) };
        let optimistic_header = LightClientHeader::from_ssz(SHAPE, r.part()?)?;
        let previous_max_active_participants = u64::from_le_bytes(r.array()?);
        let current_max_active_participants = u64::from_le_bytes(r.array()?);
        let assurance = if version >= 2 {
            Assurance {
                finalized: LightClientHeader::from_ssz(SHAPE, r.part()?)?,
                supermajority_head: LightClientHeader::from_ssz(SHAPE, r.part()?)?,
                current_committee_proof: decode_proof(r.part()?)?,
                next_committee_proof: decode_proof(r.part()?)?,
            }
        } else {
            Assurance::at(&finalized_header)
        };
        if !r.0.is_empty() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(Self {
            network,
            genesis_validators_root,
            anchor_root,
            store: LightClientStore {
                finalized_header,
                current_sync_committee,
                next_sync_committee,
                best_valid_update,
                optimistic_header,
                previous_max_active_participants,
                current_max_active_participants,
            },
            assurance,
        })
    }

    /// Writes the store under [`STORE_KEY`] in one atomic batch.
    pub async fn save(&self, store: &impl Store) -> Result<()> {
        store.write(vec![Op::Put(STORE_KEY.to_string(), self.encode()?)]).await?;
        Ok(())
    }
}

/// A committee proof: header, `as_next` (one byte), branch.
fn encode_proof(proof: &CommitteeProof) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    put_part(&mut out, &proof.header.to_ssz(SHAPE)?)?;
    out.push(u8::from(proof.as_next));
    put_branch(&mut out, &proof.branch)?;
    Ok(out)
}

/// The proof of [`encode_proof`], or `None` for an empty part.
fn decode_proof(bytes: &[u8]) -> Result<Option<CommitteeProof>> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let mut r = Reader(bytes);
    let header = LightClientHeader::from_ssz(SHAPE, r.part()?)?;
    let as_next = match r.array::<1>()? {
        [0] => false,
        [1] => true,
        _ => return Err(Error::StoreCorrupt("committee proof flag".into())),
    };
    let branch = r.branch()?;
    if !r.0.is_empty() {
        return Err(Error::StoreCorrupt("trailing bytes in committee proof".into()));
    }
    Ok(Some(CommitteeProof { header, as_next, branch }))
}

/// An optional committee as a part: its SSZ, or nothing for "absent".
fn optional_committee<const S: usize>(committee: Option<&SyncCommittee<S>>) -> Vec<u8> {
    committee.map(SszEncode::to_ssz).unwrap_or_default()
}

fn put_branch(out: &mut Vec<u8>, branch: &[B256]) -> Result<()> {
    put_part(out, &branch.concat())
}

/// An update field by field, so that branches keep their exact length (a finality update's
/// empty next-committee branch stays empty).
fn encode_update<const S: usize>(u: &LightClientUpdate<S>) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    put_part(&mut out, &u.attested_header.to_ssz(SHAPE)?)?;
    put_part(&mut out, &optional_committee(u.next_sync_committee.as_ref()))?;
    put_branch(&mut out, &u.next_sync_committee_branch)?;
    put_part(&mut out, &u.finalized_header.to_ssz(SHAPE)?)?;
    put_branch(&mut out, &u.finality_branch)?;
    put_part(&mut out, &u.sync_aggregate.to_ssz())?;
    out.extend_from_slice(&u.signature_slot.to_le_bytes());
    Ok(out)
}

fn decode_update<const S: usize>(bytes: &[u8]) -> Result<LightClientUpdate<S>> {
    let corrupt = |what: &str| Error::StoreCorrupt(what.to_string());
    let mut r = Reader(bytes);
    let attested_header = LightClientHeader::from_ssz(SHAPE, r.part()?)?;
    let next_sync_committee = r.optional_committee("update committee")?;
    let next_sync_committee_branch = r.branch()?;
    let finalized_header = LightClientHeader::from_ssz(SHAPE, r.part()?)?;
    let finality_branch = r.branch()?;
    let sync_aggregate =
        SyncAggregate::<S>::from_ssz_bytes(r.part()?).map_err(|_| corrupt("sync aggregate"))?;
    let signature_slot = u64::from_le_bytes(r.array()?);
    if !r.0.is_empty() {
        return Err(corrupt("trailing bytes in update"));
    }
    Ok(LightClientUpdate {
        attested_header,
        next_sync_committee,
        next_sync_committee_branch,
        finalized_header,
        finality_branch,
        sync_aggregate,
        signature_slot,
    })
}

/// The committee size a persisted store was written for (to pick the client's preset before
/// decoding), or `None` if the bytes are not a store.
pub fn persisted_committee_size(bytes: &[u8]) -> Option<usize> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let size = rest.get(2..6)?;
    usize::try_from(u32::from_le_bytes(size.try_into().ok()?)).ok()
}

/// Reads the persisted light-client store, if there is one.
pub async fn load_persisted<const S: usize>(
    store: &impl Store,
) -> Result<Option<PersistedLightClient<S>>> {
    match store.get(STORE_KEY).await? {
        None => Ok(None),
        Some(bytes) => PersistedLightClient::decode(&bytes).map(Some),
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(Error::StoreCorrupt("truncated".into()));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.take(N)?;
        <[u8; N]>::try_from(bytes).map_err(|_| Error::StoreCorrupt("truncated".into()))
    }
    fn branch(&mut self) -> Result<Vec<B256>> {
        let bytes = self.part()?;
        let (nodes, rest) = bytes.as_chunks::<32>();
        if !rest.is_empty() {
            return Err(Error::StoreCorrupt("branch length".into()));
        }
        Ok(nodes.to_vec())
    }
    fn optional_committee<const S: usize>(
        &mut self,
        what: &str,
    ) -> Result<Option<SyncCommittee<S>>> {
        let bytes = self.part()?;
        if bytes.is_empty() {
            return Ok(None);
        }
        SyncCommittee::<S>::from_ssz_bytes(bytes)
            .map(Some)
            .map_err(|_| Error::StoreCorrupt(what.to_string()))
    }
    fn part(&mut self) -> Result<&'a [u8]> {
        let len = u32::from_le_bytes(self.array()?);
        self.take(usize::try_from(len).map_err(|_| Error::StoreCorrupt("length".into()))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mana_consensus::MINIMAL_SYNC_COMMITTEE_SIZE as S;
    use mana_primitives::ChainSpec;

    fn sample() -> PersistedLightClient<S> {
        let spec = ChainSpec::by_name("mainnet").unwrap();
        let (_, committee) = mana_consensus::testing::committee::<S>(0);
        let (_, next) = mana_consensus::testing::committee::<S>(S);
        let header = mana_consensus::testing::header(&spec, 4_000_000_000 / 12, [7; 32]);
        let older = mana_consensus::testing::header(&spec, 4_000_000_000 / 12 - 64, [8; 32]);
        PersistedLightClient {
            assurance: Assurance {
                finalized: older.clone(),
                supermajority_head: older.clone(),
                current_committee_proof: Some(CommitteeProof {
                    header: older,
                    as_next: false,
                    branch: vec![[4; 32]; 5],
                }),
                next_committee_proof: None,
            },
            network: "mainnet".into(),
            genesis_validators_root: [1; 32],
            anchor_root: [2; 32],
            store: LightClientStore {
                finalized_header: header.clone(),
                current_sync_committee: committee,
                next_sync_committee: Some(next),
                best_valid_update: None,
                optimistic_header: header,
                previous_max_active_participants: 20,
                current_max_active_participants: 31,
            },
        }
    }

    #[test]
    fn round_trips() {
        let p = sample();
        assert_eq!(PersistedLightClient::<S>::decode(&p.encode().unwrap()).unwrap(), p);
        let mut q = p.clone();
        q.store.next_sync_committee = None;
        q.store.best_valid_update = Some(LightClientUpdate {
            attested_header: p.store.finalized_header.clone(),
            next_sync_committee: None,
            next_sync_committee_branch: Vec::new(),
            finalized_header: LightClientHeader::default(),
            finality_branch: vec![[3; 32]; 6],
            sync_aggregate: mana_consensus::types::common::SyncAggregate::default(),
            signature_slot: 99,
        });
        assert_eq!(PersistedLightClient::<S>::decode(&q.encode().unwrap()).unwrap(), q);
    }

    #[test]
    fn any_flipped_byte_or_truncation_is_rejected() {
        let bytes = sample().encode().unwrap();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            assert!(PersistedLightClient::<S>::decode(&b).is_err(), "flip at {i} accepted");
        }
        for len in 0..bytes.len() {
            assert!(
                PersistedLightClient::<S>::decode(&bytes[..len]).is_err(),
                "truncated to {len} accepted"
            );
        }
    }

    #[test]
    fn other_schema_or_committee_size_is_a_typed_error() {
        let mut bytes = sample().encode().unwrap();
        bytes[8] = 9;
        let body_len = bytes.len() - 32;
        let sum = sha256(&bytes[..body_len]);
        bytes[body_len..].copy_from_slice(&sum);
        assert!(matches!(
            PersistedLightClient::<S>::decode(&bytes),
            Err(Error::SchemaVersion { found: 9, supported: STORE_SCHEMA_VERSION })
        ));
        let ok = sample().encode().unwrap();
        assert!(matches!(PersistedLightClient::<512>::decode(&ok), Err(Error::StoreCorrupt(_))));
    }

    #[test]
    fn schema_1_stores_load_with_their_finalized_header_as_final() {
        let p = sample();
        let v2 = p.encode().unwrap();
        // Schema 1: the same layout without the assurance parts.
        let header_len = p.assurance.finalized.to_ssz(SHAPE).unwrap().len() + 4;
        let proof_len =
            encode_proof(p.assurance.current_committee_proof.as_ref().unwrap()).unwrap().len() + 4;
        let mut v1 = v2[..v2.len() - 32 - 2 * header_len - proof_len - 4].to_vec();
        v1[8..10].copy_from_slice(&1u16.to_le_bytes());
        let sum = sha256(&v1);
        v1.extend_from_slice(&sum);
        let loaded = PersistedLightClient::<S>::decode(&v1).unwrap();
        assert_eq!(loaded.store, p.store);
        assert_eq!(loaded.assurance, Assurance::at(&p.store.finalized_header));
    }
}
