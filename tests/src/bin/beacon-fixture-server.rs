//! A standalone fixture Beacon API server: serves every `data_collection` case honestly on
//! 127.0.0.1 (port from the first argument, default 0 = any free port) and prints one line,
//! `listening on http://ADDR`, then runs until killed. The wasm sync test
//! (`tests/wasm_client_sync.rs`) runs against it, since wasm cannot start a server itself.
//!
//! With `--synthetic-mainnet N` it also serves a generated mainnet-preset chain of N periods
//! (`mana_tests::synthetic_chain`), for the wasm sync benchmark (`bench/wasm/run.mjs`).
//!
//! Usage: `beacon-fixture-server [PORT] [--synthetic-mainnet N]`; honours `MANA_FIXTURES`.

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() {
    use std::io::Write as _;

    use mana_tests::beacon_server::{Behaviour, CaseData, serve};
    use mana_tests::synthetic_chain::mainnet_chain;

    let mut port = 0;
    let mut synthetic = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--synthetic-mainnet" {
            let n = args.next().unwrap_or_default();
            synthetic =
                Some(n.parse::<u64>().unwrap_or_else(|e| panic!("bad period count {n:?}: {e}")));
        } else {
            port = arg.parse::<u16>().unwrap_or_else(|e| panic!("bad port {arg:?}: {e}"));
        }
    }
    let mut cases = CaseData::all();
    assert!(!cases.is_empty(), "no data_collection cases found under the fixtures");
    if let Some(periods) = synthetic {
        cases.push(mainnet_chain(periods));
    }
    let server = serve(cases, Behaviour::Honest, port).await;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{}", server.addr).expect("stdout");
        stdout.flush().expect("stdout");
    }
    std::future::pending::<()>().await;
}

/// Nothing to serve from wasm; the binary exists so that the workspace builds for wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}
