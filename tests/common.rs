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

/// A file of the shared reference data next to the repository.
pub fn shared(path: &str) -> PathBuf {
    let p = root().join("../shared/data").join(path);
    assert!(
        p.exists(),
        "reference data missing: {} (see ../shared/data/README.md)",
        p.display()
    );
    p
}

/// Runs `territory` with arguments.
pub fn territory(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_territory"))
        .args(args)
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
