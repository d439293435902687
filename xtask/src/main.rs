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
    run("cargo", &["build", "-p", "mana-tests", "--bin", "beacon-fixture-server"], &[])?;
    let target_dir = env::var("CARGO_TARGET_DIR")
        .map(|d| root().join(d))
        .unwrap_or_else(|_| root().join("target"));
    let server_bin = target_dir.join("debug/beacon-fixture-server").display().to_string();
    let node_dir = execution_node_dir().display().to_string();
    let mut pkg_env = vec![
        ("MANA_FIXTURE_SERVER_BIN", server_bin.as_str()),
        ("MANA_EXECUTION_NODE_DIR", node_dir.as_str()),
    ];
    let fixtures = env::var("MANA_FIXTURES").ok();
    if let Some(dir) = &fixtures {
        pkg_env.push(("MANA_FIXTURES", dir));
    }
    run_in(&pkg_dir(), "node", &["--test", "--test-concurrency=1", "test/"], &pkg_env)?;
    done(t);

    let t = step("benches compile");
    run("cargo", &["bench", "--workspace", "--no-run"], &[])?;
    done(t);
    println!("\nall checks passed");
    Ok(())
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
        _ => {
            eprintln!("usage: cargo xtask <setup|test|ci|bench|pkg [--light]>");
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
