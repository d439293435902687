//! SSZ containers.

pub mod common;
pub mod light_client;
