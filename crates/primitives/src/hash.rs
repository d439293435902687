use sha2::Digest;

/// The SHA-256 hasher used for SSZ merkleization and signing roots.
///
/// A zero-sized handle so it can be passed by reference through hashing code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sha256;

impl Sha256 {
    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> [u8; 32] {
        sha256(data)
    }
}

/// `hash(data)` of the specs: SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(data).into()
}

/// SHA-256 of the 64-byte concatenation `left ‖ right` (one Merkle tree node).
pub fn sha256_pair(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = sha2::Sha256::new();
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}
