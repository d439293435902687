#![doc = include_str!("../README.md")]

mod config;
mod metrics;
mod node;
mod rpc_server;
mod serve;
mod verify;
mod verkle;

use clap::Parser;

use config::{Cli, Command};

/// Why the command failed; printed as one clear line.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    /// Bad flags, config or files.
    #[error("{0}")]
    Usage(String),
    /// The client failed.
    #[error(transparent)]
    Client(#[from] mana_client::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] mana_store::Error),
    /// An I/O failure (binding the metrics port, creating the data directory).
    #[error("{0}")]
    Io(String),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        // Exit status 0/1/2 of its own; a runtime only for --rpc.
        Command::VerifyBlock(args) => return verify::main(*args),
        Command::VerifyVerkle(args) => return verkle::main(args),
        other => other,
    };
    // `serve` verifies on the blocking pool and accepts on every core; the node is one task.
    let mut builder = if matches!(command, Command::Serve(_)) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match command {
            Command::Node(args) => node::run(*args).await,
            Command::Checkpoint(args) => node::print_checkpoint(args).await,
            Command::Rpc(args) => node::serve_rpc(args).await,
            Command::Serve(args) => serve::run(args).await,
            Command::VerifyBlock(_) | Command::VerifyVerkle(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if matches!(
                e,
                Error::Client(
                    mana_client::Error::AllUpstreamsFailed { .. }
                        | mana_client::Error::NotEnoughCheckpointSources { .. }
                )
            ) {
                eprintln!(
                    "hint: no upstream could be reached; check the network connection, or pass --beacon-api / --checkpoint-sync-url"
                );
            }
            std::process::ExitCode::FAILURE
        }
    }
}
