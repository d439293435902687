#![doc = include_str!("../README.md")]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

#[cfg(all(target_arch = "wasm32", feature = "client"))]
mod client;
pub mod config;
#[cfg(feature = "stateless")]
pub mod stateless;

#[cfg(all(target_arch = "wasm32", feature = "client"))]
pub use client::ManaClient;

/// The crate version, for `status()` and bug reports.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen::prelude::wasm_bindgen)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The shared fixtures (`$MANA_FIXTURES`, else `../shared/fixtures` next to the workspace).
#[cfg(test)]
pub(crate) fn fixtures() -> std::path::PathBuf {
    std::env::var("MANA_FIXTURES").map(std::path::PathBuf::from).unwrap_or_else(|_| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
    })
}
