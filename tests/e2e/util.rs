//! Shared helpers for the end-to-end tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture cluster folder: `fixtures/clusters/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/clusters").join(name)
}

/// The fixture clusters.
pub const FIXTURES: &[&str] = &["healthy", "crashloop-oom", "webhook-denied"];

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

/// stdout as a string.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as a string.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A specific kubectl version, e.g. `kubectl_version("1.32")`. The versioned binaries lie
/// beside the `kubectl` dispatcher (which is on PATH). Panics, failing the test, when missing:
/// these tests must not silently skip.
pub fn kubectl_version(version: &str) -> PathBuf {
    let name = format!("kubectl.{version}");
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(&name))
            .find(|p| p.is_file())
    });
    if let Some(p) = on_path {
        return p;
    }
    let dispatcher = std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("kubectl"))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| panic!("kubectl is not on PATH: the end-to-end tests need it"));
    let real = std::fs::canonicalize(&dispatcher).unwrap_or(dispatcher);
    let beside = real.parent().map(|d| d.join(&name)).filter(|p| p.is_file());
    beside.unwrap_or_else(|| panic!("{name} not found beside {}", real.display()))
}

/// kubectl 1.32, the describe oracle.
pub fn kubectl() -> PathBuf {
    kubectl_version("1.32")
}

/// A running `kbundle serve`, killed on drop.
pub struct Serve {
    pub child: Child,
    pub addr: String,
    pub kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Serve {
    /// Starts `kbundle serve PATHS... --addr 127.0.0.1:0 --kubeconfig-out <tmp>` with extra
    /// arguments, and waits for its `listening on http://ADDR` line.
    pub fn start(paths: &[&Path], extra: &[&str]) -> Serve {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        let mut cmd = kbundle();
        cmd.arg("serve");
        for p in paths {
            cmd.arg(p);
        }
        cmd.args(["--addr", "127.0.0.1:0", "--kubeconfig-out"])
            .arg(&kubeconfig)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("start kbundle serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line from kbundle serve: {line:?}"))
            .to_string();
        Serve {
            child,
            addr,
            kubeconfig,
            _dir: dir,
        }
    }

    /// A kubectl 1.32 command pointed at this server.
    pub fn kubectl(&self) -> Command {
        let mut cmd = Command::new(kubectl());
        cmd.arg("--kubeconfig").arg(&self.kubeconfig);
        cmd
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
