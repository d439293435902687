//! A standalone fixture Beacon API server: serves every `data_collection` case honestly on
//! 127.0.0.1 (port from the first argument, default 0 = any free port) and prints one line,
//! `listening on http://ADDR`, then runs until killed. The wasm sync test
//! (`tests/wasm_client_sync.rs`) runs against it, since wasm cannot start a server itself.
//!
//! Usage: `beacon-fixture-server [PORT]`; honours `MANA_FIXTURES`.

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() {
    use std::io::Write as _;

    use mana_tests::beacon_server::{Behaviour, CaseData, serve};

    let port = match std::env::args().nth(1) {
        Some(arg) => arg.parse::<u16>().unwrap_or_else(|e| panic!("bad port {arg:?}: {e}")),
        None => 0,
    };
    let cases = CaseData::all();
    assert!(!cases.is_empty(), "no data_collection cases found under the fixtures");
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
