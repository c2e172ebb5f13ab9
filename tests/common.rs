//! Helpers shared by the CLI tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A file of the repository's sample data.
pub fn sample(name: &str) -> PathBuf {
    root().join("data").join(name)
}

/// A small public fixture kept in the repository (`tests/data/`, licences in its README).
pub fn fixture(path: &str) -> PathBuf {
    let p = root().join("tests/data").join(path);
    assert!(p.exists(), "fixture missing: {}", p.display());
    p
}

/// A file of the shared reference data beside the repository, or `None` with a
/// visible notice when a fresh clone has none. With
/// `TERRITORY_REFERENCE_DATA=require` (set by `.ci/run`) absence is a failure.
#[allow(dead_code)]
pub fn reference(path: &str) -> Option<PathBuf> {
    let p = root().join("../shared/data").join(path);
    if p.exists() {
        return Some(p);
    }
    let required = std::env::var("TERRITORY_REFERENCE_DATA").is_ok_and(|v| v == "require");
    assert!(
        !required,
        "reference data missing: {} (TERRITORY_REFERENCE_DATA=require; see ../shared/data/README.md)",
        p.display()
    );
    // Written past the test harness's capture, so a passing run shows it too.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: reference data {} is absent (a fresh clone has no ../shared/data)",
        p.display()
    );
    None
}

/// Calendars' `DTSTAMP` in tests (2027-01-01T00:00:00Z), so reruns compare
/// byte for byte; a caller's own `SOURCE_DATE_EPOCH` overrides it.
pub const REPRODUCIBLE_STAMP: &str = "1798761600";

/// Runs `territory` with arguments.
pub fn territory(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_territory"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", REPRODUCIBLE_STAMP)
        .output()
        .expect("territory runs")
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `territory` with arguments and extra environment variables.
pub fn territory_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_territory"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", REPRODUCIBLE_STAMP)
        .envs(env.iter().copied())
        .output()
        .expect("territory runs")
}

/// Runs `territory`, expects success, and parses its `--json` output.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let out = territory(args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("--json prints JSON")
}
