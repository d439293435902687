//! The Fiat–Shamir transcript of EIP-6800 proofs (notes §7): SHA-256 over a byte state that
//! starts as the label; scalars are appended as 32-byte little-endian, points compressed.

use sha2::{Digest, Sha256};

use crate::field::{Fr, fr_from_le_reduced, fr_to_le};
use crate::point::Element;

/// A SHA-256 Fiat–Shamir transcript (notes §7).
///
/// The state is hashed only when a challenge is drawn, so it is kept as a running hash.
#[derive(Debug, Clone)]
pub struct Transcript {
    state: Sha256,
}

impl Transcript {
    /// A transcript whose state starts as `label` (`"vt"` for tree proofs, `"verkle"` for the
    /// rust-verkle FFI API, `"multiproof"`/`"ipa"`/`"test"` in test vectors).
    pub fn new(label: &[u8]) -> Self {
        let mut state = Sha256::new();
        state.update(label);
        Self { state }
    }

    /// `state ‖= label ‖ message`.
    pub fn append_message(&mut self, label: &[u8], message: &[u8]) {
        self.state.update(label);
        self.state.update(message);
    }

    /// Appends a scalar (32 bytes little-endian).
    pub fn append_scalar(&mut self, label: &[u8], scalar: &Fr) {
        self.append_message(label, &fr_to_le(scalar));
    }

    /// Appends a point (32-byte compressed form).
    pub fn append_point(&mut self, label: &[u8], point: &Element) {
        self.append_message(label, &point.to_bytes());
    }

    /// Appends an already-serialized point.
    pub(crate) fn append_point_bytes(&mut self, label: &[u8], point: &[u8; 32]) {
        self.append_message(label, point);
    }

    /// `state ‖= label`.
    pub fn domain_sep(&mut self, label: &[u8]) {
        self.state.update(label);
    }

    /// Draws a challenge: `state ‖= label`, `c = int_le(SHA-256(state)) mod r`, the state is
    /// reset, and `c` is appended under `label`.
    pub fn challenge_scalar(&mut self, label: &[u8]) -> Fr {
        self.state.update(label);
        let hash: [u8; 32] = core::mem::take(&mut self.state).finalize().into();
        let challenge = fr_from_le_reduced(&hash);
        self.append_scalar(label, &challenge);
        challenge
    }
}
