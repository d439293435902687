//! SSZ containers.

pub mod block;
pub mod common;
pub mod light_client;
