//! `cargo xtask <command>`: the one entry point for setting up a machine, testing and benchmarking.
//!
//! - `setup`: idempotent; installs what the tests need (rustup targets, Debian clang, chromium
//!   and chromedriver, the wasm-bindgen CLI pinned to the workspace's wasm-bindgen version, the
//!   Lodestar dev node from npm).
//! - `test`: formatting, clippy, every test (official vectors included), the Lodestar end-to-end
//!   test, bare-metal and wasm32 builds of the no_std core, wasm tests under node (core, vectors,
//!   sync driver over HTTP) and in headless Chromium (IndexedDB store).
//! - `bench`: criterion benches and the wasm benchmarks under node (verification, and the sync
//!   driver catching up a generated mainnet chain served by `beacon-fixture-server`).
//! - `ci`: `setup` then `test` (what `.ci/run` calls).
//! - `soak [--runs N] [TEST...]`: the network-facing tests (`stateless`, `clients`, `rpc`,
//!   `lodestar`, `client_sync`, `anvil`, `pkg`; default all) built once and run `N` times
//!   (default 10), stopping at the first failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use std::env;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

/// The wasm-bindgen version every crate pins (forced by libp2p 0.57.1).
const WASM_BINDGEN_VERSION: &str = "0.2.108";
/// Crates that must build without `std`.
const NO_STD_CRATES: &[&str] =
    &["mana-primitives", "mana-consensus", "mana-execution", "mana-stateless", "mana-verkle"];
/// Bare-metal target proving `no_std`.
const BARE_METAL: &str = "thumbv7em-none-eabihf";
/// The browser target.
const WASM: &str = "wasm32-unknown-unknown";

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("workspace root")
}

fn cache_dir() -> PathBuf {
    env::var_os("MANA_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env::var("HOME").unwrap_or_else(|_| "/tmp".into())).join(".cache/mana")
    })
}

fn tools_dir() -> PathBuf {
    cache_dir().join("tools")
}

fn step(name: &str) -> Instant {
    println!("\n==> {name}");
    Instant::now()
}

fn done(start: Instant) {
    println!("    ok ({:.1} s)", start.elapsed().as_secs_f64());
}

fn path_with_tools() -> String {
    let tools = tools_dir().join("bin");
    format!("{}:{}", tools.display(), env::var("PATH").unwrap_or_default())
}

fn run(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result {
    run_in(&root(), program, args, envs)
}

fn run_in(dir: &Path, program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(dir).env("PATH", path_with_tools());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    println!("    $ {program} {}", args.join(" "));
    let status = cmd.status().map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).env("PATH", path_with_tools()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|s| s.trim() == "0")
}

fn apt_install(packages: &[&str]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !output("dpkg-query", &["-W", "-f=${Status}", p])
                .is_some_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        println!("    Debian packages present: {}", packages.join(", "));
        return Ok(());
    }
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let (program, prefix) = match sudo.first() {
        Some(s) => (*s, vec!["apt-get"]),
        None => ("apt-get", vec![]),
    };
    let mut update = prefix.clone();
    update.extend(["update", "-qq"]);
    run(program, &update, &[])?;
    let mut install = prefix;
    install.extend(["install", "-y", "-qq", "--no-install-recommends"]);
    install.extend(missing.iter().copied());
    run(program, &install, &[("DEBIAN_FRONTEND", "noninteractive")])
}

fn setup() -> Result {
    let t = step("setup: rustup targets");
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let targets: Vec<&str> = [WASM, BARE_METAL]
        .into_iter()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect();
    if targets.is_empty() {
        println!("    targets present");
    } else {
        let mut args = vec!["target", "add"];
        args.extend(targets);
        run("rustup", &args, &[])?;
    }
    for component in ["rustfmt", "clippy"] {
        if output("rustup", &["component", "list", "--installed"])
            .is_some_and(|s| !s.lines().any(|l| l.starts_with(component)))
        {
            run("rustup", &["component", "add", component], &[])?;
        }
    }
    done(t);

    let t = step("setup: Debian packages (clang builds blst for wasm32 and bare metal)");
    apt_install(&["clang", "llvm"])?;
    if output("node", &["--version"]).is_none() {
        apt_install(&["nodejs"])?;
    }
    done(t);

    let t = step("setup: Debian chromium + chromedriver (the IndexedDB store's browser test)");
    if Path::new("/usr/bin/chromedriver").exists() {
        println!("    /usr/bin/chromedriver present");
    } else {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    done(t);

    let t = step(&format!(
        "setup: wasm-bindgen-cli {WASM_BINDGEN_VERSION} in {}",
        tools_dir().display()
    ));
    let have = output(&tools_dir().join("bin/wasm-bindgen").display().to_string(), &["--version"])
        .unwrap_or_default();
    if have.contains(WASM_BINDGEN_VERSION) {
        println!("    {}", have.trim());
    } else {
        let tools = tools_dir().display().to_string();
        let install =
            ["install", "--root", &tools, "wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION];
        if run("cargo", &[&install[..], &["--locked"]].concat(), &[]).is_err() {
            // The registry mirror can lag behind the CLI's lockfile.
            run("cargo", &install, &[])?;
        }
    }
    done(t);

    let t = step(&format!("setup: Lodestar 1.5.1 dev beacon node in {}", lodestar_dir().display()));
    setup_npm("lodestar", &lodestar_dir(), "node_modules/.bin/lodestar")?;
    done(t);

    let t = step(&format!(
        "setup: Anvil 1.7.1, solc, viem and ethers in {}",
        execution_node_dir().display()
    ));
    setup_npm(
        "execution",
        &execution_node_dir(),
        "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil",
    )?;
    done(t);
    Ok(())
}

/// Where `tests/lodestar` (Lodestar 1.5.1, pinned by its lock file) is installed.
fn lodestar_dir() -> PathBuf {
    cache_dir().join("lodestar")
}

/// Where `tests/execution` (Anvil 1.7.1, solc, viem, ethers; pinned by its lock file) is
/// installed.
fn execution_node_dir() -> PathBuf {
    cache_dir().join("execution-node")
}

/// `npm ci` of `tests/<name>` into `dir`, skipped when the installed lock file matches and
/// `probe` (a path under `dir`) exists.
fn setup_npm(name: &str, dir: &Path, probe: &str) -> Result {
    if output("npm", &["--version"]).is_none() {
        apt_install(&["npm"])?;
    }
    let source = root().join("tests").join(name);
    let lock = std::fs::read(source.join("package-lock.json")).map_err(|e| e.to_string())?;
    let stamp = dir.join(".mana-installed-lock");
    if dir.join(probe).exists() && std::fs::read(&stamp).is_ok_and(|installed| installed == lock) {
        println!("    present");
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(source.join(file), dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    // Native addons (Lodestar's) are built by node-gyp against the system Node headers.
    run_in(
        dir,
        "npm",
        &["ci", "--no-audit", "--no-fund", "--foreground-scripts=false"],
        &[("npm_config_nodedir", "/usr")],
    )?;
    std::fs::write(&stamp, lock).map_err(|e| e.to_string())
}

fn wasm_env() -> Vec<(&'static str, String)> {
    vec![(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        tools_dir().join("bin/wasm-bindgen-test-runner").display().to_string(),
    )]
}

/// `beacon-fixture-server` (mana-tests) serving the `data_collection` vectors for the wasm
/// sync test; killed (by its own handle, so by PID) when stopped or dropped.
struct FixtureServer {
    child: Child,
    url: String,
}

impl FixtureServer {
    /// The debug build serving the vectors.
    fn start() -> Result<Self> {
        Self::start_with(false, &[])
    }

    /// A `release` or debug build, with extra arguments (e.g. `--synthetic-mainnet 32`).
    fn start_with(release: bool, args: &[&str]) -> Result<Self> {
        let mut build = vec!["build", "-p", "mana-tests", "--bin", "beacon-fixture-server"];
        if release {
            build.push("--release");
        }
        run("cargo", &build, &[])?;
        let target_dir = env::var("CARGO_TARGET_DIR")
            .map(|d| root().join(d))
            .unwrap_or_else(|_| root().join("target"));
        let exe = target_dir
            .join(if release { "release" } else { "debug" })
            .join(format!("beacon-fixture-server{}", env::consts::EXE_SUFFIX));
        println!("    $ {} {} (background)", exe.display(), args.join(" "));
        let child = Command::new(&exe)
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let mut server = Self { child, url: String::new() };
        let stdout = server.child.stdout.take().ok_or("fixture server: no stdout")?;
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("fixture server: reading its address: {e}"))?;
        server.url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("fixture server did not start (printed {:?})", line.trim()))?
            .to_string();
        println!("    fixture server at {}", server.url);
        Ok(server)
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            eprintln!("    fixture server (pid {}): kill: {e}", self.child.id());
        }
        if let Err(e) = self.child.wait() {
            eprintln!("    fixture server (pid {}): wait: {e}", self.child.id());
        }
    }
}

fn test() -> Result {
    let t = step("fmt");
    run("cargo", &["fmt", "--all", "--", "--check"], &[])?;
    done(t);

    let t = step("clippy (all targets, all features, -D warnings)");
    run(
        "cargo",
        &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"],
        &[],
    )?;
    // The wasm32-only code (IndexedDB store, browser HTTP, wasm exports) is linted too.
    let wasm_crates = [
        "-p",
        "mana-primitives",
        "-p",
        "mana-consensus",
        "-p",
        "mana-store",
        "-p",
        "mana-execution",
        "-p",
        "mana-stateless",
        "-p",
        "mana-wasm",
        "-p",
        "mana-verkle",
    ];
    let mut args = vec!["clippy", "--target", WASM, "-p", "mana-client", "--all-targets"];
    args.extend(wasm_crates);
    args.extend(["--", "-D", "warnings"]);
    run("cargo", &args, &[])?;
    run(
        "cargo",
        &["clippy", "--target", WASM, "-p", "mana-bench", "--lib", "--", "-D", "warnings"],
        &[],
    )?;
    done(t);

    let t = step("tests (unit, official vectors, bad input, local Beacon API servers)");
    run("cargo", &["test", "--workspace", "--all-features", "--exclude", "mana-tests"], &[])?;
    // The vector runners print their `N passed, N failed` lines.
    run("cargo", &["test", "-p", "mana-tests", "--", "--nocapture"], &[])?;
    done(t);

    let t = step(
        "end to end: the verified provider, a tampering proxy, viem and ethers against a real Anvil node",
    );
    let node = execution_node_dir().display().to_string();
    run(
        "cargo",
        &[
            "test",
            "-p",
            "mana-tests",
            "--test",
            "anvil",
            "--test",
            "anvil_tampering",
            "--",
            "--nocapture",
        ],
        &[("MANA_EXECUTION_NODE_DIR", &node), ("MANA_REQUIRE_E2E", "1")],
    )?;
    run(
        "cargo",
        &["test", "-p", "mana", "--test", "clients", "--", "--nocapture"],
        &[("MANA_EXECUTION_NODE_DIR", &node), ("MANA_REQUIRE_E2E", "1")],
    )?;
    done(t);

    let t = step("end to end: mana node against a real Lodestar dev beacon node (~3 min)");
    let lodestar = lodestar_dir().display().to_string();
    run(
        "cargo",
        &["test", "-p", "mana", "--test", "lodestar", "--", "--nocapture"],
        &[("MANA_LODESTAR_DIR", &lodestar), ("MANA_REQUIRE_E2E", "1")],
    )?;
    done(t);

    let t = step(&format!("no_std: {} for {BARE_METAL}", NO_STD_CRATES.join(", ")));
    let mut args = vec![
        "check",
        "--target",
        BARE_METAL,
        "--no-default-features",
        "--features",
        "mana-consensus/blst",
    ];
    for c in NO_STD_CRATES {
        args.extend(["-p", c]);
    }
    run("cargo", &args, &[])?;
    done(t);

    let t = step(&format!(
        "wasm32: build the core, the client, the store and the benchmark module for {WASM}"
    ));
    let mut args = vec!["build", "--target", WASM, "--release"];
    for c in NO_STD_CRATES.iter().chain(&["mana-bench", "mana-client", "mana-store"]) {
        args.extend(["-p", c]);
    }
    run("cargo", &args, &[])?;
    done(t);

    let t = step(
        "wasm32: the core's tests, the light-client vectors and the sync driver over HTTP under node (wasm-bindgen-test-runner)",
    );
    let env = wasm_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run(
        "cargo",
        &[
            "test",
            "--target",
            WASM,
            "-p",
            "mana-primitives",
            "-p",
            "mana-consensus",
            "-p",
            "mana-execution",
            "--lib",
        ],
        &env,
    )?;
    run("cargo", &["test", "--target", WASM, "-p", "mana-tests", "--test", "wasm_vectors"], &env)?;
    run(
        "cargo",
        &["test", "--target", WASM, "-p", "mana-tests", "--test", "wasm_stateless"],
        &env,
    )?;
    run("cargo", &["test", "--target", WASM, "-p", "mana-tests", "--test", "wasm_verkle"], &env)?;
    // wasm cannot start a server: the fixture Beacon API server runs natively and its URL is
    // compiled into the test. The guard kills it on every path out of this block.
    let server = FixtureServer::start()?;
    let mut sync_env = env.clone();
    sync_env.push(("MANA_FIXTURE_SERVER", &server.url));
    let fixtures = env::var("MANA_FIXTURES").ok();
    if let Some(dir) = &fixtures {
        sync_env.push(("MANA_FIXTURES", dir));
    }
    let result = run(
        "cargo",
        &[
            "test",
            "--target",
            WASM,
            "-p",
            "mana-tests",
            "--test",
            "wasm_client_sync",
            "--",
            "--nocapture",
        ],
        &sync_env,
    );
    drop(server);
    result?;
    done(t);

    let t = step(
        "wasm32 in headless Chromium: the IndexedDB store (chromedriver; the store's unit tests under node)",
    );
    // The runner reads the browser flags from crates/store/webdriver.json: cargo runs it in the
    // crate's directory.
    let mut browser_env = env.clone();
    browser_env
        .extend([("CHROMEDRIVER", "/usr/bin/chromedriver"), ("WASM_BINDGEN_TEST_TIMEOUT", "120")]);
    run(
        "cargo",
        &["test", "--target", WASM, "-p", "mana-store", "--lib", "--test", "browser_idb"],
        &browser_env,
    )?;
    done(t);

    pkg(false)?;
    pkg(true)?;
    let t = step(
        "@mana/client under node: sync a live chain vouching for Anvil's head, verified answers, viem/ethers, tampering, verifyBlock, the light build, the npm-packed consumer, webpack/Vite/esbuild bundles, and headless Chromium (window, worker, IndexedDB reload, MV3 service worker)",
    );
    let pkg_env = pkg_test_env()?;
    let pkg_env: Vec<(&str, &str)> = pkg_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_in(&pkg_dir(), "node", &PKG_TEST_ARGS, &pkg_env)?;
    done(t);

    let t = step("benches compile");
    run("cargo", &["bench", "--workspace", "--no-run"], &[])?;
    done(t);
    println!("\nall checks passed");
    Ok(())
}

/// How the package's node tests run (one file at a time: they share Anvil and local servers).
const PKG_TEST_ARGS: [&str; 3] = ["--test", "--test-concurrency=1", "test/"];

/// Builds the fixture Beacon API server the package's node tests start, and returns their
/// environment: that server, the Anvil install, and `MANA_FIXTURES` when set.
fn pkg_test_env() -> Result<Vec<(&'static str, String)>> {
    run("cargo", &["build", "-p", "mana-tests", "--bin", "beacon-fixture-server"], &[])?;
    let server_bin = target_dir().join("debug/beacon-fixture-server").display().to_string();
    let mut env = vec![
        ("MANA_FIXTURE_SERVER_BIN", server_bin),
        ("MANA_EXECUTION_NODE_DIR", execution_node_dir().display().to_string()),
    ];
    if let Ok(dir) = env::var("MANA_FIXTURES") {
        env.push(("MANA_FIXTURES", dir));
    }
    Ok(env)
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, relative to the workspace root, or `target`).
fn target_dir() -> PathBuf {
    env::var("CARGO_TARGET_DIR").map(|d| root().join(d)).unwrap_or_else(|_| root().join("target"))
}

/// What a soak entry needs installed and set in its environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SoakNeeds {
    /// Nothing beyond the workspace (and `MANA_FIXTURES`, inherited when set).
    Nothing,
    /// Anvil and the viem/ethers scripts (`MANA_EXECUTION_NODE_DIR`, `MANA_REQUIRE_E2E=1`).
    ExecutionNode,
    /// The Lodestar dev node (`MANA_LODESTAR_DIR`, `MANA_REQUIRE_E2E=1`).
    Lodestar,
}

/// One entry of `cargo xtask soak`: cargo test targets of one package, or (`package` empty) the
/// `@mana/client` node tests.
#[derive(Debug)]
struct SoakEntry {
    /// The short name `TEST` arguments select it by.
    name: &'static str,
    /// The package whose integration tests run (`cargo test -p PACKAGE --test …`).
    package: &'static str,
    /// Its package directory (cargo runs tests from there).
    dir: &'static str,
    /// The `--test` targets.
    tests: &'static [&'static str],
    needs: SoakNeeds,
}

/// The network-facing tests `cargo xtask soak` repeats: everything that binds ports, starts
/// processes or races connections.
const SOAK: &[SoakEntry] = &[
    // `mana verify-block` and `mana serve` (concurrent requests, 413, deadlines, metrics).
    SoakEntry {
        name: "stateless",
        package: "mana",
        dir: "native-host",
        tests: &["stateless"],
        needs: SoakNeeds::Nothing,
    },
    // `mana rpc` (the JSON-RPC server, HTTP and WebSocket) under viem and ethers against Anvil.
    SoakEntry {
        name: "clients",
        package: "mana",
        dir: "native-host",
        tests: &["clients"],
        needs: SoakNeeds::ExecutionNode,
    },
    // The JSON-RPC server's access rules and limits, with real HTTP and WebSocket clients
    // against a stand-in execution node.
    SoakEntry {
        name: "rpc",
        package: "mana",
        dir: "native-host",
        tests: &["rpc_access"],
        needs: SoakNeeds::Nothing,
    },
    // `mana node` against a Lodestar dev node with `kill -9` restarts (~3 min a run).
    SoakEntry {
        name: "lodestar",
        package: "mana",
        dir: "native-host",
        tests: &["lodestar"],
        needs: SoakNeeds::Lodestar,
    },
    // The sync driver against honest and hostile local Beacon API servers.
    SoakEntry {
        name: "client_sync",
        package: "mana-tests",
        dir: "tests",
        tests: &["client_sync"],
        needs: SoakNeeds::Nothing,
    },
    // The verified provider against Anvil, directly and through a tampering proxy.
    SoakEntry {
        name: "anvil",
        package: "mana-tests",
        dir: "tests",
        tests: &["anvil", "anvil_tampering"],
        needs: SoakNeeds::ExecutionNode,
    },
    // `@mana/client` under node and headless Chromium.
    SoakEntry { name: "pkg", package: "", dir: "pkg", tests: &[], needs: SoakNeeds::ExecutionNode },
];

/// One thing to run per soak round: a test binary, or the package's node tests.
#[derive(Debug)]
struct SoakRun {
    /// `entry/target` for a test binary, `pkg` for the node tests.
    label: String,
    program: PathBuf,
    args: Vec<String>,
    dir: PathBuf,
    env: Vec<(&'static str, String)>,
}

/// The string value of the first `"key":"…"` in a line of cargo's JSON messages (written
/// without spaces between keys and values).
fn json_string(line: &str, key: &str) -> Option<String> {
    let pattern = format!("\"{key}\":\"");
    let start = line.find(&pattern)? + pattern.len();
    let mut out = String::new();
    let mut chars = line.get(start..)?.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Builds the test binaries of `entry` (`cargo test --no-run`) and returns each target's
/// executable.
fn build_test_binaries(entry: &SoakEntry) -> Result<Vec<(String, PathBuf)>> {
    let mut args =
        vec!["test", "-p", entry.package, "--no-run", "--message-format=json-render-diagnostics"];
    for test in entry.tests {
        args.extend(["--test", test]);
    }
    println!("    $ cargo {}", args.join(" "));
    let out = Command::new("cargo")
        .args(&args)
        .current_dir(root())
        .env("PATH", path_with_tools())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("`cargo {}` failed ({})", args.join(" "), out.status));
    }
    let mut binaries = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if !line.contains("\"reason\":\"compiler-artifact\"")
            || !line.contains("\"kind\":[\"test\"]")
        {
            continue;
        }
        if let (Some(name), Some(exe)) =
            (json_string(line, "name"), json_string(line, "executable"))
            && entry.tests.contains(&name.as_str())
        {
            binaries.push((name, PathBuf::from(exe)));
        }
    }
    for test in entry.tests {
        if !binaries.iter().any(|(name, _)| name == test) {
            return Err(format!("cargo built no test binary named {test} in {}", entry.package));
        }
    }
    Ok(binaries)
}

/// Checks that what `needs` names is installed, and returns the environment it adds.
fn soak_env(entry: &SoakEntry) -> Result<Vec<(&'static str, String)>> {
    let missing = |what: &str, path: &Path| {
        format!(
            "{}: {what} is not installed ({} missing); run `cargo xtask setup`",
            entry.name,
            path.display()
        )
    };
    match entry.needs {
        SoakNeeds::Nothing => Ok(Vec::new()),
        SoakNeeds::ExecutionNode => {
            let dir = execution_node_dir();
            let probe = dir.join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
            if !probe.exists() {
                return Err(missing("Anvil", &probe));
            }
            Ok(vec![
                ("MANA_EXECUTION_NODE_DIR", dir.display().to_string()),
                ("MANA_REQUIRE_E2E", "1".into()),
            ])
        }
        SoakNeeds::Lodestar => {
            let dir = lodestar_dir();
            let probe = dir.join("node_modules/.bin/lodestar");
            if !probe.exists() {
                return Err(missing("Lodestar", &probe));
            }
            Ok(vec![
                ("MANA_LODESTAR_DIR", dir.display().to_string()),
                ("MANA_REQUIRE_E2E", "1".into()),
            ])
        }
    }
}

/// The soak selection: `--runs N` (default 10) and entry names (default: all).
fn soak_args(args: &[String]) -> Result<(usize, Vec<&'static SoakEntry>)> {
    let mut runs = 10;
    let mut names = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let value = match arg.strip_prefix("--runs=") {
            Some(value) => Some(value.to_string()),
            None if arg == "--runs" => Some(iter.next().ok_or("--runs needs a number")?.clone()),
            None => None,
        };
        match value {
            Some(value) => {
                runs = value
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("--runs {value}: not a positive number"))?;
            }
            None if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            None => names.push(arg.as_str()),
        }
    }
    let known = || SOAK.iter().map(|e| e.name).collect::<Vec<_>>().join(", ");
    let entries = if names.is_empty() {
        SOAK.iter().collect()
    } else {
        let mut entries = Vec::new();
        for name in names {
            let entry = SOAK
                .iter()
                .find(|e| e.name == name)
                .ok_or_else(|| format!("unknown soak test {name} (known: {})", known()))?;
            if !entries.iter().any(|e: &&SoakEntry| e.name == entry.name) {
                entries.push(entry);
            }
        }
        entries
    };
    Ok((runs, entries))
}

/// `cargo xtask soak [--runs N] [TEST...]`: builds the selected network-facing tests once,
/// then runs them `N` times, stopping at the first failure (whose output is printed).
fn soak(args: &[String]) -> Result {
    let (runs, entries) = soak_args(args)?;
    let names: Vec<&str> = entries.iter().map(|e| e.name).collect();
    let t = step(&format!("soak: build {}", names.join(", ")));
    let mut plan = Vec::new();
    for entry in &entries {
        let env = soak_env(entry)?;
        if entry.package.is_empty() {
            pkg(false)?;
            pkg(true)?;
            let mut env = env;
            env.extend(pkg_test_env()?);
            plan.push(SoakRun {
                label: entry.name.to_string(),
                program: PathBuf::from("node"),
                args: PKG_TEST_ARGS.iter().map(|a| (*a).to_string()).collect(),
                dir: pkg_dir(),
                env,
            });
            continue;
        }
        for (test, program) in build_test_binaries(entry)? {
            plan.push(SoakRun {
                label: if entry.tests.len() > 1 {
                    format!("{}/{test}", entry.name)
                } else {
                    entry.name.to_string()
                },
                program,
                args: Vec::new(),
                dir: root().join(entry.dir),
                env: env.clone(),
            });
        }
    }
    done(t);

    let t = step(&format!("soak: {runs} runs of {}", names.join(", ")));
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failure = None;
    'runs: for round in 1..=runs {
        for job in &plan {
            let started = Instant::now();
            let mut cmd = Command::new(&job.program);
            cmd.args(&job.args).current_dir(&job.dir).env("PATH", path_with_tools());
            for (k, v) in &job.env {
                cmd.env(k, v);
            }
            let out =
                cmd.output().map_err(|e| format!("cannot run {}: {e}", job.program.display()))?;
            let secs = started.elapsed().as_secs_f64();
            if out.status.success() {
                passed += 1;
                println!("    run {round}/{runs} {}: ok ({secs:.1} s)", job.label);
            } else {
                failed += 1;
                println!(
                    "    run {round}/{runs} {}: FAILED ({}, {secs:.1} s)",
                    job.label, out.status
                );
                println!("----- stdout -----\n{}", String::from_utf8_lossy(&out.stdout));
                println!("----- stderr -----\n{}", String::from_utf8_lossy(&out.stderr));
                failure = Some(format!("{} failed in run {round} of {runs}", job.label));
                break 'runs;
            }
        }
    }
    println!("soak: {passed} passed, {failed} failed");
    match failure {
        Some(e) => Err(e),
        None => {
            done(t);
            Ok(())
        }
    }
}

/// Periods of the generated mainnet chain the sync benchmarks catch up (native and wasm).
const BENCH_PERIODS: &str = "32";

fn bench() -> Result {
    let t = step("criterion (native)");
    let node = execution_node_dir().display().to_string();
    let env = [("MANA_BENCH_PERIODS", BENCH_PERIODS), ("MANA_EXECUTION_NODE_DIR", &node)];
    let benches = [
        "--bench",
        "light_client",
        "--bench",
        "sync",
        "--bench",
        "rpc",
        "--bench",
        "stateless",
        "--bench",
        "verkle",
    ];
    run("cargo", &[&["bench", "-p", "mana-bench"][..], &benches].concat(), &env)?;
    done(t);
    let t = step("wasm under node");
    run("cargo", &["build", "-p", "mana-bench", "--lib", "--release", "--target", WASM], &[])?;
    let target_dir =
        env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root().join("target"));
    let wasm = target_dir.join(WASM).join("release/mana_bench.wasm").display().to_string();
    let out = target_dir.join("wasm-bench").display().to_string();
    run("wasm-bindgen", &["--target", "nodejs", "--out-dir", &out, &wasm], &[])?;
    let server = FixtureServer::start_with(true, &["--synthetic-mainnet", BENCH_PERIODS])?;
    run("node", &["bench/wasm/run.mjs", &out, &server.url], &[])?;
    drop(server);
    done(t);
    Ok(())
}

/// The wasm features rustc's `wasm32-unknown-unknown` uses by default (wasm-bindgen drops the
/// section that names them, so wasm-opt is told).
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The npm package's directory.
fn pkg_dir() -> PathBuf {
    root().join("pkg")
}

fn copy(from: &Path, to: &Path) -> Result {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

fn write(path: &Path, text: &str) -> Result {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Builds `@mana/client` into `pkg/dist`: `mana-wasm` for wasm32 as two modules (the client;
/// `verifyBlock`, loaded on first use), wasm-bindgen's `nodejs` and `web` outputs of each, run
/// through wasm-opt (npm `binaryen`), the TypeScript layer as ES module and CommonJS, and the
/// entry points. With `light`, only the client without revm, into `pkg/dist-light`, for the size
/// budget.
fn pkg(light: bool) -> Result {
    let dir = pkg_dir();
    let t = step("pkg: npm ci (typescript, binaryen, test dependencies)");
    let lock = std::fs::read(dir.join("package-lock.json")).map_err(|e| e.to_string())?;
    let stamp = dir.join("node_modules/.mana-installed-lock");
    if dir.join("node_modules/.bin/tsc").exists()
        && std::fs::read(&stamp).is_ok_and(|installed| installed == lock)
    {
        println!("    present");
    } else {
        run_in(&dir, "npm", &["ci", "--no-audit", "--no-fund"], &[])?;
        write(&stamp, &String::from_utf8_lossy(&lock))?;
    }
    done(t);

    let target_dir = env::var("CARGO_TARGET_DIR")
        .map(|d| root().join(d))
        .unwrap_or_else(|_| root().join("target"));
    let out = dir.join(if light { "dist-light" } else { "dist" });
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    // The client module, and (full build) the stateless verifier as a module of its own that
    // the package loads on the first `verifyBlock`. Each feature set builds in its own target
    // directory so they do not rebuild each other.
    let modules: &[(&str, &str, &str)] = if light {
        &[("mana", "client", "wasm-light")]
    } else {
        &[("mana", "evm", "wasm-client"), ("mana_verify", "stateless", "wasm-verify")]
    };
    for (name, features, subdir) in modules {
        let t = step(&format!("pkg: {name} (mana-wasm --features {features}, wasm32)"));
        let target_env = target_dir.join(subdir).display().to_string();
        let build = [
            "build",
            "-p",
            "mana-wasm",
            "--target",
            WASM,
            "--profile",
            "wasm-release",
            "--no-default-features",
            "--features",
            features,
        ];
        run("cargo", &build, &[("CARGO_TARGET_DIR", &target_env)])?;
        let wasm = PathBuf::from(&target_env).join(WASM).join("wasm-release/mana_wasm.wasm");
        done(t);

        // wasm-opt -O1: heavier levels shrink the raw file but grow the gzipped one (what is
        // downloaded) by a few per cent on this code.
        let t = step(&format!("pkg: {name}: wasm-bindgen (nodejs, web) + wasm-opt -O1"));
        let bindgen = tools_dir().join("bin/wasm-bindgen").display().to_string();
        let wasm_opt = dir.join("node_modules/.bin/wasm-opt").display().to_string();
        for (target, sub) in [("nodejs", "node"), ("web", "web")] {
            let dest = out.join("wasm").join(sub);
            let dest_text = dest.display().to_string();
            let wasm_text = wasm.display().to_string();
            let args =
                ["--target", target, "--out-dir", &dest_text, "--out-name", name, &wasm_text];
            run(&bindgen, &args, &[])?;
            let file = dest.join(format!("{name}_bg.wasm")).display().to_string();
            let opt = [&["-O1", "--strip-debug", "--strip-producers"][..], WASM_FEATURES];
            run(&wasm_opt, &[&opt.concat()[..], &[&file, "-o", &file]].concat(), &[])?;
        }
        done(t);
    }
    write(&out.join("wasm/node/package.json"), "{\"type\":\"commonjs\"}\n")?;
    done(t);

    let t = step("pkg: TypeScript layer and entry points");
    let tsc = dir.join("node_modules/.bin/tsc").display().to_string();
    let out_text = out.display().to_string();
    let sub = |s: &str| out.join(s).display().to_string();
    run_in(
        &dir,
        &tsc,
        &[
            "-p",
            "tsconfig.json",
            "--outDir",
            &sub("esm"),
            "--declaration",
            "--declarationDir",
            &sub("types"),
        ],
        &[],
    )?;
    run_in(&dir, &tsc, &["-p", "tsconfig.cjs.json", "--outDir", &sub("cjs")], &[])?;
    write(&out.join("cjs/package.json"), "{\"type\":\"commonjs\"}\n")?;
    copy(&out.join("types/index.d.ts"), &out.join("types/index.d.cts"))?;
    let entries = dir.join("entries");
    for (from, to) in [
        ("node.cjs", "node/index.cjs"),
        ("node.mjs", "node/index.mjs"),
        ("web.js", "web/index.js"),
        ("entry.d.ts", "types/entry.d.ts"),
        ("entry.d.cts", "types/entry.d.cts"),
    ] {
        copy(&entries.join(from), &out.join(to))?;
    }
    for (name, _, _) in modules {
        let file = out.join("wasm/web").join(format!("{name}_bg.wasm"));
        let bytes = std::fs::read(&file).map_err(|e| e.to_string())?;
        println!("    {out_text}/wasm/web/{name}_bg.wasm: {} bytes", bytes.len());
    }
    done(t);
    Ok(())
}

fn main() -> ExitCode {
    let command = env::args().nth(1).unwrap_or_default();
    let started = Instant::now();
    let result = match command.as_str() {
        "setup" => setup(),
        "test" => test(),
        "ci" => setup().and_then(|()| test()),
        "bench" => bench(),
        "pkg" => pkg(env::args().nth(2).as_deref() == Some("--light")),
        "soak" => soak(&env::args().skip(2).collect::<Vec<_>>()),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup|test|ci|bench|pkg [--light]|soak [--runs N] [TEST...]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => {
            println!("xtask {command}: done in {:.0} s", started.elapsed().as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask {command}: {e}");
            ExitCode::FAILURE
        }
    }
}
