//! Shared helpers for the end-to-end tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub use kbundle_testkit::paths::{CLUSTERS as FIXTURES, cluster as fixture, root};
pub use kbundle_testkit::{HANG_GUARD, Serve, kubectl, wait_exit, wait_for};

/// A `kbundle` command.
pub fn kbundle() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kbundle"));
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs a command, returning its output; panics with stderr if it could not start.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// The exit code (-1 when killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Copies a fixture folder, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// stdout as a string.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as a string.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (rule, severity, `kind/namespace/name`) of every finding of `kbundle analyze --format json
/// ARGS... INPUT`, which must succeed.
pub fn findings(
    input: &Path,
    args: &[&str],
) -> std::collections::BTreeSet<(String, String, String)> {
    let o = run(kbundle()
        .args(["analyze", "--format", "json"])
        .args(args)
        .arg(input));
    assert!(o.status.success(), "{}: {}", input.display(), stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = &f["subject"];
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                format!(
                    "{}/{}/{}",
                    s["kind"].as_str().unwrap_or(""),
                    s["namespace"].as_str().unwrap_or(""),
                    s["name"].as_str().unwrap_or("")
                ),
            )
        })
        .collect()
}
