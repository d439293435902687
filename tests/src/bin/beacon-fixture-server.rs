//! A standalone fixture Beacon API server: serves every `data_collection` case honestly on
//! 127.0.0.1 (port from the first argument, default 0 = any free port) and prints one line,
//! `listening on http://ADDR`, then runs until killed. The wasm sync test
//! (`tests/wasm_client_sync.rs`) runs against it, since wasm cannot start a server itself.
//!
//! With `--synthetic-mainnet N` it also serves a generated mainnet-preset chain of N periods
//! (`mana_tests::synthetic_chain`), for the wasm sync benchmark (`bench/wasm/run.mjs`).
//!
//! With `--live-chain N` it also serves a minimal-preset chain of N periods whose head is the
//! moment the server starts (`mana_tests::synthetic_chain::live_chain`, case `live`), its last
//! headers carrying `--execution-block NUMBER:0xHASH` on chain `--chain-id ID` (default 31337):
//! the npm package's end-to-end tests sync it and check answers from Anvil against that block.
//!
//! With `--rogue` it also serves the attacks of a rogue sync-committee member
//! (`mana_tests::synthetic_chain::rogue_chain`, cases `rogue-head`, `rogue-rotation` and
//! `rogue-forced`), their checkpoint carrying the `--execution-block` and the rogue headers the
//! block after it with a made-up hash.
//!
//! Usage: `beacon-fixture-server [PORT] [--synthetic-mainnet N] [--live-chain N]
//! [--rogue] [--execution-block NUMBER:0xHASH] [--chain-id ID]`; honours `MANA_FIXTURES`.

#[cfg(not(target_arch = "wasm32"))]
#[tokio::main]
async fn main() {
    use std::io::Write as _;

    use mana_tests::beacon_server::{Behaviour, CaseData, serve};
    use mana_tests::synthetic_chain::{Rogue, live_chain, mainnet_chain, rogue_chain};

    let mut port = 0;
    let mut synthetic = None;
    let mut live = None;
    let mut rogue = false;
    let mut execution_block = None;
    let mut chain_id = 31_337;
    let mut args = std::env::args().skip(1);
    let count = |n: String| n.parse::<u64>().unwrap_or_else(|e| panic!("bad number {n:?}: {e}"));
    while let Some(arg) = args.next() {
        if arg == "--synthetic-mainnet" {
            synthetic = Some(count(args.next().unwrap_or_default()));
        } else if arg == "--live-chain" {
            live = Some(count(args.next().unwrap_or_default()));
        } else if arg == "--rogue" {
            rogue = true;
        } else if arg == "--chain-id" {
            chain_id = count(args.next().unwrap_or_default());
        } else if arg == "--execution-block" {
            let value = args.next().unwrap_or_default();
            let (number, hash) = value
                .split_once(':')
                .unwrap_or_else(|| panic!("expected NUMBER:0xHASH, got {value:?}"));
            let hash = hex::decode(hash.trim_start_matches("0x"))
                .ok()
                .and_then(|h| <[u8; 32]>::try_from(h).ok())
                .unwrap_or_else(|| panic!("bad block hash in {value:?}"));
            execution_block = Some((count(number.to_string()), hash));
        } else {
            port = arg.parse::<u16>().unwrap_or_else(|e| panic!("bad port {arg:?}: {e}"));
        }
    }
    let mut cases = CaseData::all();
    assert!(!cases.is_empty(), "no data_collection cases found under the fixtures");
    if let Some(periods) = synthetic {
        cases.push(mainnet_chain(periods));
    }
    // Any recorded minimal-preset case from Electra on gives the consensus config.
    let base_config = cases
        .iter()
        .find(|c| c.name.starts_with("electra") && !c.config_yaml.is_empty())
        .map(|c| c.config_yaml.clone())
        .expect("an electra data_collection case for the generated chains' config");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    if let Some(periods) = live {
        cases.push(live_chain(&base_config, chain_id, periods, execution_block, now));
    }
    if rogue {
        let honest = execution_block.unwrap_or((1000, [0xaa; 32]));
        let forged = (honest.0 + 1, [0xee; 32]);
        for attack in Rogue::ALL {
            cases.push(rogue_chain(&base_config, chain_id, attack, honest, forged, now));
        }
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
